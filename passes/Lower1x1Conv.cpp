// lower-1x1-conv: a 1x1 convolution is a matrix product on the channel
// dimension: y[n, :, o] = W[M, C] * x[n, :, o * strides] (+ bias, residual,
// activation). A Conv or cnnc.FusedConv with a 1x1 kernel becomes a
// cnnc.Gemm1x1 with the weight reshaped to [M, C] at compile time; a strided
// one reads a subsampled view of the input (no copy). Its kernel computes
// several output channels per pass over an input row, where the direct
// convolution computes one.
//
// Preconditions: group 1, no padding, constant f32 weights, 1-D or 2-D
// windows. Not lowered: padded 1x1 convolutions (the padding would need a
// border the product does not have), grouped or depthwise ones, weights
// known at run time only, 3-D windows.
#include "passes/Passes.h"

namespace cnnc {

namespace {

bool lowerable(const Node &n) {
  if (n.kind != OpKind::Conv && n.kind != OpKind::FusedConv)
    return false;
  const TensorType &x = n.inputs[0]->type;
  const Tensor *w = n.constantInput(1);
  if (!w || !w->hasData() || w->type().layout != Layout::Plain ||
      x.dtype != DType::F32 || x.rank() < 3 ||
      x.rank() > 4 || n.getInt("group") != 1 ||
      n.getString("auto_pad") != "NOTSET")
    return false;
  for (int64_t k : n.getInts("kernel_shape"))
    if (k != 1)
      return false;
  for (int64_t p : n.getInts("pads"))
    if (p != 0)
      return false;
  const Shape &ws = w->type().shape;
  for (size_t d = 2; d < ws.size(); ++d)
    if (ws[d] != 1)
      return false;
  return true;
}

} // namespace

bool lower1x1Conv(Graph &graph, PassContext &ctx) {
  bool changed = false;
  for (const auto &node : graph.nodes) {
    Node &n = *node;
    if (!lowerable(n))
      continue;
    // [M, C, 1, 1] -> [M, C]: the same bytes.
    const Tensor &w = *n.constantInput(1);
    Shape matrix{w.type().shape[0], w.type().shape[1]};
    n.inputs[1] = graph.addConstant(
        n.inputs[1]->name,
        Tensor(TensorType{w.type().dtype, matrix, Layout::Plain}, w.bytes()));
    AttrMap attrs{{"strides", Attribute(n.getInts("strides"))}};
    for (const char *epilogue :
         {"activation", "leaky_alpha", "clip_min", "clip_max"})
      if (auto it = n.attrs.find(epilogue); it != n.attrs.end())
        attrs.insert_or_assign(epilogue, it->second);
    n.kind = OpKind::Gemm1x1;
    n.attrs = std::move(attrs);
    ctx.stats.add("lowered");
    changed = true;
  }
  if (changed)
    graph.removeUnusedConstants();
  return changed;
}

} // namespace cnnc
