// fuse-residual-add: Conv + Add(other tensor), and a following activation,
// become one cnnc.FusedConv computing activation(conv(x) + residual), as in
// ResNet's blocks: the sum is formed in the convolution's epilogue instead
// of a separate pass over memory.
//
// Preconditions: the conv (a Conv, or a FusedConv with neither residual
// nor activation) gives f32 read by the Add only; the Add's other operand
// has exactly the conv result's type (no broadcasting). The conv moves to
// the Add's place in graph order, where the residual is already computed
// (its own operands were computed before it). When both operands of the Add
// qualify, the first one takes the other as its residual. Adds that
// broadcast (a bias) are fold-batchnorm's business, not this pass's.
#include "passes/Passes.h"
#include "passes/Rewrite.h"

namespace cnnc {

namespace {

// The conv that can take `add`'s operand `i` as its own result and the
// other operand as its residual, or nullptr.
Node *fusableConv(const Graph &graph, const Node &add, size_t i) {
  const Value *v = add.inputs[i], *other = add.inputs[1 - i];
  Node *conv = v->producer;
  if (!conv || v->type.dtype != DType::F32 || other->type != v->type)
    return nullptr;
  bool plain = conv->kind == OpKind::Conv ||
               (conv->kind == OpKind::FusedConv && !conv->input(3) &&
                conv->getString("activation").empty());
  if (!plain || soleUser(graph, v) != &add || add.inputs[0] == add.inputs[1])
    return nullptr;
  return conv;
}

} // namespace

bool fuseResidualAdd(Graph &graph, PassContext &ctx) {
  bool changed = false;
  std::vector<Node *> adds;
  for (const auto &n : graph.nodes)
    if (n->kind == OpKind::Add)
      adds.push_back(n.get());
  for (Node *add : adds) {
    size_t i = 0;
    Node *conv = fusableConv(graph, *add, 0);
    if (!conv && (conv = fusableConv(graph, *add, 1)))
      i = 1;
    if (!conv || !canReplace(graph, add->outputs[0], conv->outputs[0]))
      continue;
    moveBefore(graph, conv, add);
    conv->kind = OpKind::FusedConv;
    conv->inputs.resize(4, nullptr);
    conv->inputs[3] = add->inputs[1 - i];
    replaceValue(graph, add->outputs[0], conv->outputs[0]);
    graph.eraseNode(add);
    ctx.stats.add("fused");
    if (absorbActivation(graph, conv))
      ctx.stats.add("activations fused");
    changed = true;
  }
  return changed;
}

} // namespace cnnc
