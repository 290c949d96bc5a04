// choose-layout: blocked layouts for chains of convolutions.
//
// A convolution in NCHWBc (B = 16 on AVX-512, 8 otherwise; see Layout in
// ir/Types.h) reads one pixel of B input channels as a vector and updates B
// output channels with one FMA per input channel and tap, which is what the
// fast CPU engines do (oneDNN's nChw16c, ONNX Runtime's NCHWc transformer).
// This pass decides which values are stored blocked, in one walk in graph
// order, the way ONNX Runtime's NchwcTransformer does:
//   - Conv, cnnc.FusedConv and cnnc.Gemm1x1 on 2-D f32 images with constant
//     weights, group 1 or depthwise, and more than B/4 output channels
//     produce NCHWBc results (with fewer, most of a block's lanes would be
//     padding; LeNet's first layer, 6 channels in a block of 16, still runs
//     5x faster blocked than with the plain kernel). They read a blocked operand (reordered to blocked if
//     its producer is plain), except that a group-1 convolution whose plain
//     operand has fewer than B channels (the RGB input of a first layer)
//     reads it plain instead of padding 3 channels to B. Their weights are
//     re-laid out here, at compile time (OIHWBiBo, or OIHWBo for a plain
//     operand and for depthwise weights); a residual is read blocked.
//   - Pooling (MaxPool without Indices, AveragePool, GlobalAveragePool,
//     GlobalMaxPool), channel Concat (SqueezeNet's fire modules) and the
//     element-wise ops of ir/LayoutRules.h with same-shaped operands stay
//     blocked when an operand arrives blocked.
//   - Every other reader of a blocked value, and every graph output, reads a
//     plain copy made by one cnnc.Reorder per value.
// ir/LayoutRules.h is the contract with code generation; the verifier
// checks the result. Numerics are unchanged: a reorder moves elements, and
// no kernel reads the padding lanes of a block as data.
//
// Not blocked: 1-D and 3-D windows, grouped convolutions other than
// depthwise, weights known at run time only, convolutions with B/4 output
// channels or fewer, non-f32 tensors, and MaxPool with Indices.
#include "ir/LayoutRules.h"
#include "passes/Passes.h"
#include "passes/Rewrite.h"

#include <unordered_map>

namespace cnnc {

namespace {

bool isF32Image(const Value *v) {
  return v && v->type.dtype == DType::F32 && v->type.rank() == 4;
}

// How a convolution node would be blocked.
enum class ConvInput { None, Blocked, Plain, Depthwise };

ConvInput blockableConv(const Node &n, int64_t block, bool inputBlocked) {
  if (n.kind != OpKind::Conv && n.kind != OpKind::FusedConv &&
      n.kind != OpKind::Gemm1x1)
    return ConvInput::None;
  const Value *x = n.inputs[0];
  const Tensor *w = n.constantInput(1);
  if (!isF32Image(x) || !isF32Image(n.outputs[0]) || !w || !w->hasData() ||
      w->type().dtype != DType::F32 || w->type().layout != Layout::Plain ||
      (n.input(2) && n.input(2)->type.layout != Layout::Plain))
    return ConvInput::None;
  int64_t channels = x->type.shape[1], outChannels = n.outputs[0]->type.shape[1];
  if (outChannels * 4 <= block)
    return ConvInput::None;
  int64_t group = n.kind == OpKind::Gemm1x1 ? 1 : n.getInt("group");
  if (group != 1)
    return group == channels && group == outChannels ? ConvInput::Depthwise
                                                     : ConvInput::None;
  if (inputBlocked || channels >= block)
    return ConvInput::Blocked;
  // A few plain channels read as they are (not for Gemm1x1, whose blocked
  // form reads a blocked operand: ir/LayoutRules.h).
  return n.kind == OpKind::Gemm1x1 ? ConvInput::None : ConvInput::Plain;
}

class LayoutChooser {
public:
  LayoutChooser(Graph &graph, PassContext &ctx)
      : graph_(graph), ctx_(ctx), block_(ctx.target.channelBlock),
        blocked_(activationLayout(block_)) {}

  bool run() {
    if (block_ != 8 && block_ != 16)
      throw InternalError("choose-layout: a block of 8 or 16 channels, not " +
                          std::to_string(block_));
    std::vector<Node *> order;
    for (const auto &n : graph_.nodes)
      order.push_back(n.get());
    for (Node *n : order)
      visit(*n);
    // The caller's buffers are plain (plainCopy makes them outputs).
    for (Value *out : std::vector<Value *>(graph_.outputs))
      if (isBlocked(out))
        plainCopy(out, nullptr);
    if (changed_)
      graph_.removeUnusedConstants();
    return changed_;
  }

private:
  static bool isBlocked(const Value *v) {
    return v && v->type.layout != Layout::Plain;
  }

  void visit(Node &n) {
    ConvInput conv = blockableConv(n, block_, isBlocked(n.inputs[0]));
    if (conv != ConvInput::None)
      return blockConv(n, conv);
    if (staysBlocked(n)) {
      for (size_t i = 0; i < tensorOperands(n); ++i)
        n.inputs[i] = blockedCopy(n.inputs[i], &n);
      n.outputs[0]->type.layout = blocked_;
      ctx_.stats.add("blocked");
      changed_ = true;
      return;
    }
    for (Value *&v : n.inputs)
      if (isBlocked(v))
        v = plainCopy(v, &n);
  }

  // The operands a blocked node reads blocked (Clip's bounds stay plain).
  static size_t tensorOperands(const Node &n) {
    return n.kind == OpKind::Clip ? 1 : n.inputs.size();
  }

  // Pooling and element-wise ops continue a chain that reaches them blocked.
  bool staysBlocked(const Node &n) const {
    bool pool = n.kind == OpKind::MaxPool || n.kind == OpKind::AveragePool ||
                n.kind == OpKind::GlobalAveragePool ||
                n.kind == OpKind::GlobalMaxPool;
    if (pool)
      return n.outputs.size() == 1 && isBlocked(n.inputs[0]) &&
             isF32Image(n.inputs[0]);
    if (n.kind == OpKind::Concat)
      return concatStaysBlocked(n);
    if (!isLayoutTransparentElementwise(n) || !isF32Image(n.outputs[0]))
      return false;
    bool anyBlocked = false;
    for (size_t i = 0; i < tensorOperands(n); ++i) {
      const Value *v = n.inputs[i];
      if (!v || v->type != TensorType{DType::F32, n.outputs[0]->type.shape,
                                      v->type.layout})
        return false;
      anyBlocked |= isBlocked(v);
    }
    return anyBlocked;
  }

  // A channel Concat of images, one of them blocked, whose operands but the
  // last fill whole blocks.
  bool concatStaysBlocked(const Node &n) const {
    int64_t axis = n.getInt("axis");
    if (!isF32Image(n.outputs[0]) || (axis != 1 && axis != -3))
      return false;
    bool anyBlocked = false;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const Value *v = n.inputs[i];
      if (!isF32Image(v) ||
          (i + 1 < n.inputs.size() && v->type.shape[1] % block_ != 0))
        return false;
      anyBlocked |= isBlocked(v);
    }
    return anyBlocked;
  }

  void blockConv(Node &n, ConvInput input) {
    if (input != ConvInput::Plain)
      n.inputs[0] = blockedCopy(n.inputs[0], &n);
    Layout weights =
        input == ConvInput::Blocked
            ? (block_ == 8 ? Layout::OIHW8i8o : Layout::OIHW16i16o)
            : (block_ == 8 ? Layout::OIHW8o : Layout::OIHW16o);
    n.inputs[1] = graph_.addConstant(n.inputs[1]->name,
                                     relayout(*n.constantInput(1), weights));
    if (n.input(3))
      n.inputs[3] = blockedCopy(n.inputs[3], &n);
    n.outputs[0]->type.layout = blocked_;
    ctx_.stats.add("convolutions blocked");
    changed_ = true;
  }

  // `v` in the blocked layout: itself, a re-laid constant, or the result of
  // a Reorder placed before `user` (one per value).
  Value *blockedCopy(Value *v, const Node *user) {
    if (isBlocked(v))
      return v;
    if (auto it = blockedCopies_.find(v); it != blockedCopies_.end())
      return it->second;
    Value *copy;
    if (v->isConstant() && v->constant->hasData())
      copy = graph_.addConstant(v->name, relayout(*v->constant, blocked_));
    else
      copy = reorder(v, blocked_, user);
    return blockedCopies_[v] = copy;
  }

  // A plain copy of blocked `v`, made by a Reorder before `user` (at the end
  // for nullptr), one per value. When `v` is a graph output, the copy takes
  // its place and its name ("y"), and `v` is renamed after its layout
  // ("y.nchw16c").
  Value *plainCopy(Value *v, const Node *user) {
    if (auto it = plainCopies_.find(v); it != plainCopies_.end())
      return it->second;
    Value *copy = reorder(v, Layout::Plain, user);
    if (graph_.isOutput(v)) {
      std::swap(v->name, copy->name);
      for (Value *&out : graph_.outputs)
        if (out == v)
          out = copy;
    }
    return plainCopies_[v] = copy;
  }

  // The result of a new Reorder of `v` to layout `to`, before `before`. A
  // value gets the suffix of its layout: "x.nchw16c" is x blocked; a plain
  // copy of blocked "y" is "y.plain" (or takes the name "y" if y is a graph
  // output, see plainCopy).
  Value *reorder(Value *v, Layout to, const Node *before) {
    Layout named = to == Layout::Plain && graph_.isOutput(v) ? blocked_ : to;
    std::string name = v->name + "." + std::string(layoutName(named));
    Node *r = graph_.insertNode(before, OpKind::Reorder, name, {v}, {name});
    r->outputs[0]->type = TensorType{v->type.dtype, v->type.shape, to};
    ctx_.stats.add("reorders");
    changed_ = true;
    return r->outputs[0];
  }

  Graph &graph_;
  PassContext &ctx_;
  int64_t block_;
  Layout blocked_;
  bool changed_ = false;
  std::unordered_map<const Value *, Value *> blockedCopies_, plainCopies_;
};

} // namespace

bool chooseLayout(Graph &graph, PassContext &ctx) {
  return LayoutChooser(graph, ctx).run();
}

} // namespace cnnc
