// fuse-conv-activation: Conv(+bias) followed by Relu, LeakyRelu, Sigmoid,
// HardSwish or Clip with constant bounds (ReLU6) becomes one
// cnnc.FusedConv that applies the activation in the convolution's epilogue,
// so the activation is written once, in cache (the conv-ReLU fusion of the
// design card).
//
// Preconditions: the conv's result is f32 and read by the activation only
// (not by another node, not a graph output: it would no longer exist);
// Clip needs both bounds as constants. A FusedConv that already has an
// activation (or any other producer) is left alone, as are activations
// FusedConv does not know (Tanh, Elu, HardSigmoid, ...).
#include "passes/Passes.h"
#include "passes/Rewrite.h"

namespace cnnc {

bool fuseConvActivation(Graph &graph, PassContext &ctx) {
  bool changed = false;
  // absorbActivation erases a later node; walk by index over a snapshot of
  // the convolutions.
  std::vector<Node *> convs;
  for (const auto &n : graph.nodes)
    if (n->kind == OpKind::Conv || n->kind == OpKind::FusedConv)
      convs.push_back(n.get());
  for (Node *conv : convs)
    if (absorbActivation(graph, conv)) {
      ctx.stats.add("fused");
      changed = true;
    }
  return changed;
}

} // namespace cnnc
