// ONNX importer: ModelProto -> cnnc IR.
//
// Accepts binary ONNX models and ONNX's textual syntax (files ending in
// .onnxtxt or .onnx.txt), opsets 7 to 18 of the default domain; also opset 6,
// which the ONNX backend suite's PyTorch-converted models use, and older
// opsets for ops whose definition has not changed since opset 6. Initializers
// may use raw_data, the typed fields, or external data files next to the
// model. Older opset forms are converted to the op table's operand form (see
// ir/Ops.def), auto_pad is resolved into explicit pads, and the integer
// shape-computation subgraphs exporters emit (Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape) are evaluated, so every value of the result has a static
// shape. Identity nodes over constants (exporters' aliases of deduplicated
// initializers) become the constant itself. Every node keeps its ONNX name (or, when it has none, the name of its
// first output). The returned graph has passed the verifier.
//
// Every problem is a UserError naming the node and op; all unsupported ops of
// a model are reported together. Sizes are checked before anything is
// allocated.
#pragma once

#include "ir/Graph.h"

#include <map>
#include <memory>
#include <string>

namespace cnnc {

struct ImportOptions {
  // Value for leading (batch) dimensions that are symbolic or unknown.
  int64_t batch = 1;
  // Full shapes for named inputs; these override what the model declares.
  std::map<std::string, Shape> inputShapes;
  // Values of named inputs known when the model is imported. An input with
  // a value takes its shape (unless inputShapes gives one). Where a node
  // reads it as an operand its output shape depends on (isShapeOperand:
  // Reshape's shape, Slice's starts, ...), the node reads a constant holding
  // the value instead; an input no node reads any more is dropped from the
  // graph's inputs. The ONNX backend suite feeds such operands as inputs.
  std::map<std::string, TensorRef> inputValues;
};

std::unique_ptr<Graph> importOnnxFile(const std::string &path,
                                      const ImportOptions &options = {});

// The names of the model's run-time inputs (graph inputs that are not
// initializers), in order: the order the backend suite's input_N.pb files
// follow.
std::vector<std::string> modelInputNames(const std::string &path);

// A tensor stored as a serialized ONNX TensorProto (the input_N.pb and
// output_N.pb files of the backend suite's test_data_set_* folders), with
// the name it carries (may be empty). Errors are UserErrors.
struct NamedTensor {
  std::string name;
  Tensor tensor;
};
NamedTensor readTensorProtoFile(const std::string &path);

// The ONNX ops the importer accepts: the op table plus Constant and Upsample.
std::vector<std::string> supportedOnnxOps();

} // namespace cnnc
