// Runs generated code in memory: the module generateModule builds for the
// host, compiled by LLVM's ORC JIT, with no object file and no link step.
// cnnc-run uses it so that tests exercise the real code generator.
#pragma once

#include "compiler/codegen/CodeGen.h"

#include <vector>

namespace cnnc {

class JitModel {
public:
  // Compiles `graph` for the host. Unsupported ops are UserErrors.
  explicit JitModel(const Graph &graph, int optLevel = 3);
  ~JitModel();
  JitModel(const JitModel &) = delete;
  JitModel &operator=(const JitModel &) = delete;

  // Runs the model on `inputs` (one per graph input, of its type) and
  // returns one tensor per graph output.
  std::vector<Tensor> run(const std::vector<Tensor> &inputs);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace cnnc
