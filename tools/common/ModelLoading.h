// What the tools that read models share: the --batch and --input-shape
// flags, and loading an ONNX model or textual cnnc IR (.cnnc).
#pragma once

#include "compiler/onnx/Importer.h"

#include <llvm/Support/CommandLine.h>

namespace cnnc {

// The flags that fix a model's input shapes, registered in the tool's own
// option category. Construct one as a global of the tool.
class ModelOptions {
public:
  explicit ModelOptions(llvm::cl::OptionCategory &category);
  // The flags as ImportOptions; a bad flag is a UserError.
  ImportOptions importOptions() const;

private:
  llvm::cl::opt<int64_t> batch_;
  llvm::cl::list<std::string> inputShapes_;
};

// The model at `path`: textual IR if it ends in .cnnc (verified, with the
// memory plan it records, if any), else ONNX (binary or text) imported with
// `options`.
std::unique_ptr<Graph> loadModel(const std::string &path,
                                 const ImportOptions &options);

} // namespace cnnc
