// fold-constants: evaluates at compile time every node whose results are
// known, and replaces it by constants holding them. A node is known when
// each of its operands is a constant (absent optional operands allowed); a
// Shape node is known whatever its operand, since all shapes are static. One
// walk in graph order folds whole chains, such as the shape computations
// exporters emit (Shape -> Gather -> Unsqueeze -> Concat), over every op and
// dtype, where the importer's folding (compiler/onnx/ShapeFolding.h) covers
// only small integer ones. The values come from the reference interpreter,
// the same oracle the tests compare against, so folding never changes a
// result. A folded result keeps its value and name, so a graph output stays
// that output (now a constant). Afterwards, constants that nothing reads
// any more are dropped.
//
// Preconditions: the graph verifies (output types inferred).
//
// Deliberately left alone:
//   - a node the interpreter rejects at run time (an integer division by
//     zero, a Gather index out of range, Dropout in training mode): it stays,
//     and whatever happens at run time happens;
//   - a node whose results total more than 1 MiB and more than its operands:
//     ConstantOfShape, Expand and other broadcasting nodes would bloat the
//     object file with data the generated code computes cheaply;
//   - elided constants (no data) and blocked layouts, which the interpreter
//     cannot read.
#include "ir/ShapeInference.h"
#include "ir/interp/Interpreter.h"
#include "passes/Passes.h"

#include <memory>
#include <optional>

namespace cnnc {

namespace {

constexpr size_t kMaxGrownResultBytes = size_t(1) << 20;

size_t resultBytes(const Node &node) {
  size_t bytes = 0;
  for (const Value *v : node.outputs)
    bytes += v->type.byteSize();
  return bytes;
}

// The operands' tensors (nullptr where absent), or nullopt if one of them is
// not a constant the interpreter can read.
std::optional<std::vector<const Tensor *>> constantOperands(const Node &node) {
  std::vector<const Tensor *> operands;
  for (const Value *v : node.inputs) {
    if (v && (!v->isConstant() || !v->constant->hasData() ||
              v->type.layout != Layout::Plain))
      return std::nullopt;
    operands.push_back(v ? v->constant.get() : nullptr);
  }
  return operands;
}

// Shape reads only its operand's (static) type, so it needs no data.
std::vector<TensorRef> foldShape(const Node &node) {
  const Shape &shape = node.inputs[0]->type.shape;
  auto [start, end] = shapeOpRange(node, int64_t(shape.size()));
  std::vector<int64_t> dims(shape.begin() + start, shape.begin() + end);
  return {std::make_shared<Tensor>(
      Tensor::fromValues(DType::I64, {int64_t(dims.size())}, dims))};
}

// The node's results if it can and should be folded, else nullopt.
std::optional<std::vector<TensorRef>> fold(const Node &node) {
  for (const Value *v : node.outputs)
    if (v->type.layout != Layout::Plain)
      return std::nullopt;
  if (node.kind == OpKind::Shape)
    return foldShape(node);
  std::optional<std::vector<const Tensor *>> operands = constantOperands(node);
  if (!operands)
    return std::nullopt;
  size_t operandBytes = 0;
  for (const Tensor *t : *operands)
    if (t)
      operandBytes += t->bytes().size();
  size_t bytes = resultBytes(node);
  if (bytes > kMaxGrownResultBytes && bytes > operandBytes)
    return std::nullopt;
  std::vector<Tensor> results;
  try {
    results = evaluateNode(node, *operands);
  } catch (const UserError &) {
    return std::nullopt; // the run-time behaviour stays the run time's
  }
  std::vector<TensorRef> refs;
  for (Tensor &t : results)
    refs.push_back(std::make_shared<Tensor>(std::move(t)));
  return refs;
}

} // namespace

bool foldConstants(Graph &graph, PassContext &ctx) {
  // Folding erases nodes from graph.nodes, so walk a copy of the list; a
  // node's operands are folded before it is visited.
  std::vector<Node *> nodes;
  for (const auto &n : graph.nodes)
    nodes.push_back(n.get());
  int64_t folded = 0;
  for (Node *node : nodes) {
    if (auto values = fold(*node)) {
      graph.replaceNodeWithConstants(node, std::move(*values));
      ++folded;
    }
  }
  if (folded == 0)
    return false;
  graph.removeUnusedConstants();
  ctx.stats.add("folded", folded);
  return true;
}

} // namespace cnnc
