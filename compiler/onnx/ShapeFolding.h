// Compile-time evaluation of the small integer shape computations that ONNX
// exporters emit (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, and
// ConstantOfShape), so that the shapes they feed become constants.
//
// This is deliberately narrow: integer tensors of at most kMaxFoldElements
// elements, and only the ops that appear in such subgraphs. General constant
// folding over every op belongs to the fold-constants pass, which uses the
// reference interpreter.
#pragma once

#include "ir/Graph.h"

#include <optional>

namespace cnnc {

constexpr int64_t kMaxFoldElements = 4096;

// The results of `node` if it is such a computation and its operands are
// known (constants; for Shape, only the static operand type is needed);
// nullopt otherwise, and also when evaluating it would overflow int64 or
// divide by zero (the node then stays and is computed at run time).
// Preconditions: the node is structurally valid for its op (operand and
// result counts within the op table's ranges, required operands present,
// attribute kinds as declared; the importer and the verifier check that
// first), and its result types were set by setInferredTypes, whose checks
// (indices in range, non-zero steps, ...) folding relies on.
std::optional<std::vector<TensorRef>> foldShapeComputation(const Node &node);

} // namespace cnnc
