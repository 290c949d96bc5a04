// remove-identity: removes nodes whose result equals their first operand,
// element for element and of the same type, so that readers of the result
// read the operand instead. These are:
//   - Identity;
//   - Dropout in inference (training_mode absent or a constant false) whose
//     mask result nothing reads;
//   - Reshape, Flatten, Squeeze, Unsqueeze and Expand whose result type equals
//     the operand's (the same elements in the same order);
//   - Transpose by the identity permutation;
//   - Cast to the operand's own type;
//   - Pad whose pads are all zero;
//   - Concat of a single operand;
//   - Slice that reads the whole tensor in order.
// Exporters leave many of these behind (Dropout and Identity in inference
// models, Flatten of an already flat tensor), and each one would cost a
// copy at run time.
//
// Preconditions: the graph verifies (so the shape operands of Reshape, Pad,
// Slice, ... are constants).
//
// Deliberately left alone: a node whose result is a graph output when its
// operand is a graph input, a constant or another graph output (canReplace:
// the output would lose its ONNX name); Dropout in training mode, even with
// ratio 0; a Transpose that only moves dimensions of size 1 (a reshape, not
// an identity).
#include "ir/ShapeInference.h"
#include "passes/Passes.h"
#include "passes/Rewrite.h"

namespace cnnc {

namespace {

bool allZero(const Tensor *t) {
  if (!t || !t->hasData())
    return false;
  for (int64_t v : t->toInts())
    if (v != 0)
      return false;
  return true;
}

// Whether any node or graph output reads `v`.
bool isRead(const Graph &graph, const Value *v) {
  if (graph.isOutput(v))
    return true;
  for (const auto &n : graph.nodes)
    for (const Value *operand : n->inputs)
      if (operand == v)
        return true;
  return false;
}

bool isInferenceDropout(const Graph &graph, const Node &node) {
  const Value *trainingMode = node.input(2);
  if (trainingMode && !allZero(node.constantInput(2)))
    return false;
  return node.outputs.size() < 2 || !isRead(graph, node.outputs[1]);
}

bool isIdentityTranspose(const Node &node) {
  std::vector<int64_t> perm = node.getInts("perm");
  if (perm.empty()) // the default reverses the dimensions
    return node.inputs[0]->type.rank() <= 1;
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != int64_t(i))
      return false;
  return true;
}

// A Slice (of the same type as its operand) that starts every axis at its
// first element. That suffices: reading all `dim` elements of an axis takes a
// step of 1 or -1, and a step of -1 starts at the last element.
bool isWholeSlice(const Node &node) {
  return node.inputs[0]->type.numElements() == 0 || sliceView(node).offset == 0;
}

bool doesNothing(const Graph &graph, const Node &node) {
  // A necessary condition for every op below; for the reshaping ones (and
  // Expand and Cast) also a sufficient one.
  if (node.outputs[0]->type != node.inputs[0]->type)
    return false;
  switch (node.kind) {
  case OpKind::Identity:
    return true;
  case OpKind::Dropout:
    return isInferenceDropout(graph, node);
  case OpKind::Reshape:
  case OpKind::Flatten:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Expand:
  case OpKind::Cast:
    return true;
  case OpKind::Transpose:
    return isIdentityTranspose(node);
  case OpKind::Pad:
    return allZero(node.constantInput(1));
  case OpKind::Concat:
    return node.inputs.size() == 1;
  case OpKind::Slice:
    return isWholeSlice(node);
  default: // every other op computes something
    return false;
  }
}

} // namespace

bool removeIdentity(Graph &graph, PassContext &ctx) {
  // Removing erases from graph.nodes, so walk a copy of the list.
  std::vector<Node *> nodes;
  for (const auto &n : graph.nodes)
    nodes.push_back(n.get());
  int64_t removed = 0;
  for (Node *node : nodes) {
    if (!doesNothing(graph, *node))
      continue;
    Value *result = node->outputs[0];
    Value *operand = node->inputs[0];
    if (!canReplace(graph, result, operand))
      continue;
    replaceValue(graph, result, operand);
    graph.eraseNode(node);
    ++removed;
  }
  if (removed)
    ctx.stats.add("removed", removed);
  return removed > 0;
}

} // namespace cnnc
