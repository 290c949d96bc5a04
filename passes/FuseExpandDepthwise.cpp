// fuse-expand-depthwise: the expansion of an inverted residual block
// (MobileNetV2: a 1x1 convolution to 6x the channels, ReLU6) and the
// depthwise convolution that reads it become one cnnc.ExpandDepthwise. Its
// kernel computes the few expanded rows each output row needs into a ring
// of rows on the stack, instead of writing the wide expansion to memory and
// reading it back: MobileNetV2's expansions are its largest tensors (4.8 MB
// at 112x112), and moving them is what its layers wait for.
//
// y = FusedConv_dw(activation_e(Gemm1x1(x, we) + be), wd) + bd, then the
// depthwise activation: the same arithmetic in the same order, only without
// the intermediate tensor.
//
// Preconditions (after choose-layout, the kernel being blocked only): a
// cnnc.Gemm1x1 with stride 1, no residual and a blocked result that one
// node reads, a depthwise Conv or FusedConv (group = its channels, 2-D, no
// residual, no dilation, stride at most its kernel height) in the same
// layout; the ring (kernel height x two blocks of channels x the input
// width) within kMaxRingBytes of stack; an expansion larger than the
// target's L2 cache. The fused node takes the depthwise node's place, name
// and result.
//
// Not handled: depthwise convolutions without an expansion (MobileNetV2's
// first block), expansions other nodes read too, and the projection after
// the depthwise convolution, which stays a Gemm1x1 of its own.
#include "ir/ShapeInference.h"
#include "passes/Passes.h"
#include "passes/Rewrite.h"

namespace cnnc {

namespace {

// The stack the kernel's ring of expanded rows may take per thread.
constexpr int64_t kMaxRingBytes = 64 * 1024;

bool isBlockedDepthwise(const Node &n) {
  if (n.kind != OpKind::Conv && n.kind != OpKind::FusedConv)
    return false;
  const TensorType &x = n.inputs[0]->type, &y = n.outputs[0]->type;
  if (y.layout == Layout::Plain || x.layout != y.layout || x.rank() != 4 ||
      n.input(3) || n.getInt("group") != x.shape[1] || x.shape[1] != y.shape[1])
    return false;
  std::vector<int64_t> dilations = n.getInts("dilations"),
                       strides = n.getInts("strides");
  const Shape &w = n.inputs[1]->type.shape;
  for (int64_t d : dilations)
    if (d != 1)
      return false;
  return strides.empty() || strides[0] <= w[2];
}

// The expansion `dw` can take in, or nullptr. Expansions that fit in the
// L2 cache stay cached between the two nodes anyway, and the fused kernel,
// which expands a row at a time in shorter register tiles, was slower on
// them (MobileNetV2's 28x28 and smaller blocks, 1.2 to 1.3x on one thread).
Node *expansionOf(const Graph &graph, const Node &dw, int64_t l2CacheBytes) {
  Node *e = dw.inputs[0]->producer;
  if (!e || e->kind != OpKind::Gemm1x1 || e->input(3) ||
      soleUser(graph, e->outputs[0]) != &dw)
    return nullptr;
  for (int64_t s : e->getInts("strides"))
    if (s != 1)
      return nullptr;
  const TensorType &x = e->inputs[0]->type;
  if (x.layout != dw.outputs[0]->type.layout)
    return nullptr;
  int64_t ringBytes =
      dw.inputs[1]->type.shape[2] * 2 * layoutBlock(x.layout) * x.shape[3] * 4;
  int64_t expansionBytes = int64_t(e->outputs[0]->type.byteSize());
  return ringBytes <= kMaxRingBytes && expansionBytes > l2CacheBytes ? e
                                                                     : nullptr;
}

} // namespace

bool fuseExpandDepthwise(Graph &graph, PassContext &ctx) {
  std::vector<std::pair<Node *, Node *>> pairs;
  for (const auto &n : graph.nodes)
    if (isBlockedDepthwise(*n))
      if (Node *e = expansionOf(graph, *n, ctx.target.l2CacheBytes))
        pairs.emplace_back(e, n.get());
  for (auto [e, dw] : pairs) {
    // The depthwise node becomes the fused one: its attributes stay (a
    // Conv's and a FusedConv's are ExpandDepthwise's), the expansion's
    // epilogue attributes come along as expand_*.
    dw->kind = OpKind::ExpandDepthwise;
    for (const char *name :
         {"activation", "leaky_alpha", "clip_min", "clip_max"})
      if (auto it = e->attrs.find(name); it != e->attrs.end())
        dw->attrs.insert_or_assign(std::string("expand_") + name, it->second);
    Value *wd = dw->inputs[1], *bd = dw->input(2);
    dw->inputs = {e->inputs[0], e->inputs[1], wd, e->input(2), bd};
    while (!dw->inputs.back())
      dw->inputs.pop_back();
    graph.eraseNode(e);
    // The result keeps its type, layout included (shape inference gives
    // logical types, so reinferUnchanged would see the layout change).
    TensorType inferred = inferOutputTypes(*dw)[0];
    const TensorType &y = dw->outputs[0]->type;
    if (inferred.shape != y.shape || inferred.dtype != y.dtype)
      throw InternalError("fuse-expand-depthwise: node '" + dw->name +
                          "' would change its result from " + y.str() + " to " +
                          inferred.str());
    ctx.stats.add("fused");
  }
  return !pairs.empty();
}

} // namespace cnnc
