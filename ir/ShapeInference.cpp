#include "ir/ShapeInference.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cnnc {

namespace {

const TensorType &operandType(const Node &n, size_t i) {
  Value *v = n.input(i);
  if (!v)
    n.error("operand {} is required", i);
  return v->type;
}

// Data of operand i, which the output shape depends on. It may hold at most
// maxValues elements (one per axis for most such operands): a longer list is
// refused before anything reads it.
const Tensor &shapeOperand(const Node &n, size_t i, std::string_view what,
                           int64_t maxValues = kMaxRank) {
  if (!isShapeOperand(n.kind, i))
    throw InternalError(fmt::format("{} operand {} is read as a shape operand "
                                    "but isShapeOperand does not list it",
                                    n.opName(), i));
  const Tensor *t = n.constantInput(i);
  if (!t)
    n.error("{} (operand {}) must be a constant: cnnc compiles static shapes",
            what, i);
  if (!t->hasData())
    n.error("{} (operand {}) has no data (elided constant)", what, i);
  if (!isInteger(t->type().dtype) && !isFloat(t->type().dtype))
    n.error("{} (operand {}) must be numeric", what, i);
  if (t->numElements() > maxValues)
    n.error("{} (operand {}) has {} values, at most {} supported", what, i,
            t->numElements(), maxValues);
  return *t;
}

std::vector<int64_t> intsOperand(const Node &n, size_t i, std::string_view what,
                                 int64_t maxValues = kMaxRank) {
  const Tensor &t = shapeOperand(n, i, what, maxValues);
  if (!isInteger(t.type().dtype))
    n.error("{} (operand {}) must be an integer tensor", what, i);
  if (t.type().rank() > 1)
    n.error("{} (operand {}) must be 1-D", what, i);
  return t.toInts();
}

void requireRank(const Node &n, const TensorType &t, int64_t rank,
                 std::string_view what) {
  if (t.rank() != rank)
    n.error("{} must have rank {}, got {}", what, rank, t.str());
}

void requireMinRank(const Node &n, const TensorType &t, int64_t rank,
                    std::string_view what) {
  if (t.rank() < rank)
    n.error("{} must have rank >= {}, got {}", what, rank, t.str());
}

void requireSameDType(const Node &n) {
  DType first = operandType(n, 0).dtype;
  for (size_t i = 1; i < n.inputs.size(); ++i)
    if (n.inputs[i] && n.inputs[i]->type.dtype != first)
      n.error("operand types differ ({} vs {})", dtypeName(first),
              dtypeName(n.inputs[i]->type.dtype));
}

TensorType like(const TensorType &t, Shape shape) {
  return TensorType{t.dtype, std::move(shape), Layout::Plain};
}

void requireChannelVector(const Node &n, size_t i, int64_t channels,
                          std::string_view what) {
  const TensorType &t = operandType(n, i);
  if (t.shape != Shape{channels})
    n.error("{} must be [{}], got {}", what, channels, t.str());
}

Window resolveWindow(const Node &n, const Shape &in, std::vector<int64_t> kernel) {
  size_t sp = in.size() - 2;
  Window w;
  w.kernel = std::move(kernel);
  w.strides = n.getInts("strides");
  w.dilations = n.kind == OpKind::AveragePool ? std::vector<int64_t>{}
                                              : n.getInts("dilations");
  w.pads = n.getInts("pads");
  if (w.kernel.size() != sp)
    n.error("kernel_shape has {} dims, input has {} spatial dims",
            w.kernel.size(), sp);
  if (w.strides.empty())
    w.strides.assign(sp, 1);
  if (w.dilations.empty())
    w.dilations.assign(sp, 1);
  if (w.strides.size() != sp || w.dilations.size() != sp)
    n.error("strides/dilations must have {} values", sp);
  for (size_t i = 0; i < sp; ++i) {
    if (w.kernel[i] <= 0 || w.strides[i] <= 0 || w.dilations[i] <= 0)
      n.error("kernel_shape, strides and dilations must be positive");
    if (w.kernel[i] > kMaxElements || w.strides[i] > kMaxElements ||
        w.dilations[i] > kMaxElements)
      n.error("kernel_shape, strides or dilations too large");
  }
  const std::string &autoPad = n.getString("auto_pad");
  if (autoPad == "NOTSET") {
    if (w.pads.empty())
      w.pads.assign(2 * sp, 0);
    if (w.pads.size() != 2 * sp)
      n.error("pads must have {} values, got {}", 2 * sp, w.pads.size());
    for (int64_t p : w.pads)
      if (p < 0 || p > kMaxElements)
        n.error("pads must be non-negative and reasonable, got {}", p);
  } else if (autoPad == "VALID") {
    w.pads.assign(2 * sp, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    w.pads.assign(2 * sp, 0);
    if (n.kind != OpKind::ConvTranspose) {
      for (size_t i = 0; i < sp; ++i) {
        int64_t out = (in[i + 2] + w.strides[i] - 1) / w.strides[i];
        int64_t extent = w.dilations[i] * (w.kernel[i] - 1) + 1;
        int64_t total =
            std::max<int64_t>(0, (out - 1) * w.strides[i] + extent - in[i + 2]);
        int64_t small = total / 2, large = total - total / 2;
        w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
        w.pads[i + sp] = autoPad == "SAME_UPPER" ? large : small;
      }
    }
  } else {
    n.error("unknown auto_pad '{}'", autoPad);
  }
  return w;
}

Shape slidingOutput(const Node &n, const Shape &in, const Window &w,
                    bool ceilMode) {
  size_t sp = in.size() - 2;
  Shape out(in.begin(), in.begin() + 2);
  for (size_t i = 0; i < sp; ++i) {
    int64_t extent = w.dilations[i] * (w.kernel[i] - 1) + 1;
    int64_t span = in[i + 2] + w.pads[i] + w.pads[i + sp] - extent;
    if (span < 0)
      n.error("window ({}) larger than padded input ({}) in spatial dim {}",
              extent, in[i + 2] + w.pads[i] + w.pads[i + sp], i);
    int64_t o = ceilMode ? (span + w.strides[i] - 1) / w.strides[i] + 1
                         : span / w.strides[i] + 1;
    // ceil_mode may add a last window; it is dropped when it would start in
    // the end padding, so every window covers at least one input element
    // (PyTorch's rule, adopted by ONNX in onnx/onnx#5741). No overflow:
    // (o - 1) * stride <= span + stride, all terms below 2^33.
    if (ceilMode && (o - 1) * w.strides[i] >= in[i + 2] + w.pads[i])
      --o;
    out.push_back(o);
  }
  return out;
}

std::vector<int64_t> spatialDims(const Shape &s) {
  return std::vector<int64_t>(s.begin() + 2, s.end());
}

bool hasWeight(OpKind kind) {
  return kind == OpKind::Conv || kind == OpKind::ConvTranspose ||
         kind == OpKind::FusedConv;
}

// The operands of a Conv or ConvTranspose: input [N, C, spatial...] and
// weight of the same rank, same element types.
std::pair<const TensorType &, const TensorType &> convOperands(const Node &n) {
  const TensorType &x = operandType(n, 0), &w = operandType(n, 1);
  requireMinRank(n, x, 3, "input");
  requireRank(n, w, x.rank(), "weight");
  requireSameDType(n);
  return {x, w};
}

// The kernel of a sliding-window op. For Conv and ConvTranspose it is the
// weight's spatial dims; a kernel_shape attribute must repeat them. Pools
// must have the attribute. Precondition (Conv, ConvTranspose): convOperands
// passed.
std::vector<int64_t> windowKernel(const Node &n) {
  std::vector<int64_t> kernel = n.getInts("kernel_shape");
  if (hasWeight(n.kind) || n.kind == OpKind::ExpandDepthwise) {
    // ExpandDepthwise's window is its depthwise weight's, operand 2.
    const TensorType &w =
        operandType(n, n.kind == OpKind::ExpandDepthwise ? 2 : 1);
    std::vector<int64_t> fromWeight = spatialDims(w.shape);
    if (kernel.empty())
      return fromWeight;
    if (kernel != fromWeight)
      n.error("kernel_shape [{}] does not match weight {}",
              shapeToString(kernel), w.str());
  } else if (kernel.empty()) {
    n.error("missing attribute 'kernel_shape'");
  }
  return kernel;
}

// The group attribute of a Conv or ConvTranspose over `channels` input
// channels: positive and dividing the channels (ONNX requires both). Bounding
// it by the channels also keeps group * (weight dim) within 2^62.
int64_t checkedGroup(const Node &n, int64_t channels) {
  int64_t group = n.getInt("group");
  if (group <= 0)
    n.error("group must be positive, got {}", group);
  if (group > std::max<int64_t>(channels, 1))
    n.error("group {} is larger than the {} input channels", group, channels);
  if (channels % group != 0)
    n.error("{} input channels are not divisible by group {}", channels,
            group);
  return group;
}

// The optional bias (operand 2) of a Conv or ConvTranspose.
void checkBias(const Node &n, int64_t outChannels) {
  if (n.input(2))
    requireChannelVector(n, 2, outChannels, "bias");
}

TensorType inferConv(const Node &n) {
  auto [x, w] = convOperands(n);
  int64_t group = checkedGroup(n, x.shape[1]);
  if (x.shape[1] != w.shape[1] * group)
    n.error("input has {} channels but weight {} with group {} expects {}",
            x.shape[1], w.str(), group, w.shape[1] * group);
  if (w.shape[0] % group != 0)
    n.error("{} output channels are not divisible by group {}", w.shape[0],
            group);
  checkBias(n, w.shape[0]);
  Window win = resolveWindow(n, x.shape, windowKernel(n));
  Shape out = slidingOutput(n, x.shape, win, false);
  out[1] = w.shape[0];
  return like(x, out);
}

// A fused activation attribute (`prefix` + "activation"): a known one.
void checkActivation(const Node &n, const std::string &prefix) {
  const std::string &activation = n.getString(prefix + "activation");
  if (!activation.empty() && activation != "Relu" &&
      activation != "LeakyRelu" && activation != "Clip" &&
      activation != "Sigmoid" && activation != "HardSwish")
    n.error("unknown {}activation '{}' (Relu, LeakyRelu, Clip, Sigmoid, "
            "HardSwish or none)",
            prefix, activation);
}

// The epilogue FusedConv and Gemm1x1 share: a residual of the result's
// type, a known activation.
void checkEpilogue(const Node &n, const TensorType &y) {
  // The residual is read element by element with the result: same element
  // type and shape (its layout is the result's, ir/LayoutRules.h).
  if (const Value *residual = n.input(3);
      residual && (residual->type.dtype != y.dtype ||
                   residual->type.shape != y.shape))
    n.error("residual is {} but the convolution gives {}",
            residual->type.str(), y.str());
  checkActivation(n, "");
}

TensorType inferGemm1x1(const Node &n) {
  const TensorType &x = operandType(n, 0), &w = operandType(n, 1);
  requireMinRank(n, x, 3, "input");
  if (w.rank() != 2 || w.shape[1] != x.shape[1])
    n.error("weight {} must be [M, {}] for input {}", w.str(), x.shape[1],
            x.str());
  checkBias(n, w.shape[0]);
  std::vector<int64_t> strides = n.getInts("strides");
  size_t sp = x.shape.size() - 2;
  if (strides.empty())
    strides.assign(sp, 1);
  if (strides.size() != sp)
    n.error("strides has {} values for {} spatial dimensions", strides.size(),
            sp);
  Shape out = x.shape;
  out[1] = w.shape[0];
  for (size_t i = 0; i < sp; ++i) {
    if (strides[i] <= 0)
      n.error("strides must be positive, got {}", strides[i]);
    out[i + 2] = x.shape[i + 2] == 0 ? 0 : (x.shape[i + 2] - 1) / strides[i] + 1;
  }
  TensorType y = like(x, out);
  checkEpilogue(n, y);
  return y;
}

TensorType inferFusedConv(const Node &n) {
  TensorType y = inferConv(n);
  checkEpilogue(n, y);
  return y;
}

// ExpandDepthwise (Ops.def): Gemm1x1's checks on x, we, be; then those of a
// depthwise convolution (group E) of the [N, E, H, W] expansion.
TensorType inferExpandDepthwise(const Node &n) {
  const TensorType &x = operandType(n, 0), &we = operandType(n, 1),
                   &wd = operandType(n, 2);
  requireRank(n, x, 4, "input");
  requireSameDType(n);
  if (we.rank() != 2 || we.shape[1] != x.shape[1])
    n.error("expansion weight {} must be [E, {}] for input {}", we.str(),
            x.shape[1], x.str());
  int64_t expanded = we.shape[0];
  if (n.input(3))
    requireChannelVector(n, 3, expanded, "expansion bias");
  if (wd.rank() != 4 || wd.shape[0] != expanded || wd.shape[1] != 1)
    n.error("depthwise weight {} must be [{}, 1, KH, KW]", wd.str(), expanded);
  if (n.getInt("group") != expanded)
    n.error("group must be the {} expanded channels, got {}", expanded,
            n.getInt("group"));
  if (n.input(4))
    requireChannelVector(n, 4, expanded, "depthwise bias");
  Shape in = x.shape;
  in[1] = expanded;
  Window win = resolveWindow(n, in, windowKernel(n));
  Shape out = slidingOutput(n, in, win, false);
  out[1] = expanded;
  checkActivation(n, "");
  checkActivation(n, "expand_");
  return like(x, out);
}

// a * b + c, or nullopt on int64 overflow.
std::optional<int64_t> mulAdd(int64_t a, int64_t b, int64_t c) {
  int64_t p, r;
  if (__builtin_mul_overflow(a, b, &p) || __builtin_add_overflow(p, c, &r))
    return std::nullopt;
  return r;
}

TensorType inferConvTranspose(const Node &n) {
  auto [x, w] = convOperands(n);
  int64_t group = checkedGroup(n, x.shape[1]);
  if (x.shape[1] != w.shape[0])
    n.error("input has {} channels but weight {} expects {}", x.shape[1],
            w.str(), w.shape[0]);
  // weight [C, M / group, k...]; group <= C <= kMaxElements, so no overflow.
  int64_t outChannels = w.shape[1] * group;
  checkBias(n, outChannels);
  Window win = resolveWindow(n, x.shape, windowKernel(n));
  size_t sp = x.shape.size() - 2;
  std::vector<int64_t> outPad = n.getInts("output_padding");
  if (outPad.empty())
    outPad.assign(sp, 0);
  if (outPad.size() != sp)
    n.error("output_padding must have {} values", sp);
  for (size_t i = 0; i < sp; ++i) {
    // As PyTorch and the ONNX reference: a larger output_padding would add
    // output elements no input element reaches.
    int64_t limit = std::max(win.strides[i], win.dilations[i]);
    if (outPad[i] < 0 || outPad[i] >= limit)
      n.error("output_padding {} must be in [0, {}) (below the stride or the "
              "dilation)",
              outPad[i], limit);
  }
  Shape out{x.shape[0], outChannels};
  std::vector<int64_t> outputShape = n.getInts("output_shape");
  if (!outputShape.empty()) {
    if (outputShape.size() != sp && outputShape.size() != sp + 2)
      n.error("output_shape must have {} values", sp);
    for (size_t i = outputShape.size() - sp; i < outputShape.size(); ++i)
      out.push_back(outputShape[i]);
  } else {
    std::string autoPad = n.getString("auto_pad");
    for (size_t i = 0; i < sp; ++i) {
      // Every operand is at most kMaxElements (2^31), but
      // stride * (in - 1) + (k - 1) * dilation can reach 2^63.
      std::optional<int64_t> o;
      if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
        o = mulAdd(x.shape[i + 2], win.strides[i], 0);
      } else {
        std::optional<int64_t> extent = mulAdd(
            win.kernel[i] - 1, win.dilations[i],
            1 + outPad[i] - win.pads[i] - win.pads[i + sp]);
        if (extent)
          o = mulAdd(win.strides[i], x.shape[i + 2] - 1, *extent);
      }
      if (!o || *o > kMaxElements)
        n.error("output size in spatial dim {} is larger than {}", i,
                kMaxElements);
      out.push_back(*o);
    }
  }
  for (int64_t d : out)
    if (d <= 0)
      n.error("output shape [{}] is empty", shapeToString(out));
  return like(x, out);
}

std::vector<TensorType> inferPool(const Node &n) {
  const TensorType &x = operandType(n, 0);
  requireMinRank(n, x, 3, "input");
  Window win = resolveWindow(n, x.shape, windowKernel(n));
  bool ceilMode = n.getInt("ceil_mode") != 0;
  if (n.getString("auto_pad") != "NOTSET")
    ceilMode = false; // auto_pad already rounds up (SAME) or down (VALID)
  TensorType y = like(x, slidingOutput(n, x.shape, win, ceilMode));
  std::vector<TensorType> outs{y};
  if (n.outputs.size() > 1)
    outs.push_back(TensorType{DType::I64, y.shape, Layout::Plain});
  return outs;
}

TensorType inferGlobalPool(const Node &n) {
  const TensorType &x = operandType(n, 0);
  requireMinRank(n, x, 3, "input");
  Shape out(x.shape.begin(), x.shape.begin() + 2);
  out.resize(x.shape.size(), 1);
  return like(x, out);
}

std::vector<TensorType> inferBatchNorm(const Node &n) {
  const TensorType &x = operandType(n, 0);
  requireMinRank(n, x, 2, "input");
  int64_t c = x.shape[1];
  requireChannelVector(n, 1, c, "scale");
  requireChannelVector(n, 2, c, "bias");
  requireChannelVector(n, 3, c, "mean");
  requireChannelVector(n, 4, c, "variance");
  std::vector<TensorType> outs{x};
  for (size_t i = 1; i < n.outputs.size(); ++i)
    outs.push_back(operandType(n, 2 + i));
  return outs;
}

TensorType inferInstanceNorm(const Node &n) {
  const TensorType &x = operandType(n, 0);
  requireMinRank(n, x, 3, "input");
  requireChannelVector(n, 1, x.shape[1], "scale");
  requireChannelVector(n, 2, x.shape[1], "bias");
  return x;
}

TensorType inferLRN(const Node &n) {
  const TensorType &x = operandType(n, 0);
  requireMinRank(n, x, 3, "input");
  if (n.getInt("size") <= 0)
    n.error("size must be positive");
  return x;
}

TensorType inferSoftmax(const Node &n) {
  const TensorType &x = operandType(n, 0);
  if (!isFloat(x.dtype))
    n.error("input must be a floating-point tensor, got {}",
            dtypeName(x.dtype));
  normalizeAxis(n, n.getInt("axis"), x.rank());
  return x;
}

// Unidirectional broadcast: `from` broadcasts to `to` without changing it.
bool broadcastsTo(const Shape &from, const Shape &to) {
  std::optional<Shape> b = broadcastShapes(from, to);
  return b && *b == to;
}

TensorType inferPRelu(const Node &n) {
  const TensorType &x = operandType(n, 0), &slope = operandType(n, 1);
  requireSameDType(n);
  if (!broadcastsTo(slope.shape, x.shape))
    n.error("slope {} does not broadcast to input {}", slope.str(), x.str());
  return x;
}

TensorType inferClip(const Node &n) {
  requireSameDType(n);
  for (size_t i = 1; i < 3; ++i)
    if (Value *v = n.input(i))
      if (v->type.numElements() != 1)
        n.error("min/max must be scalars, got {}", v->type.str());
  return operandType(n, 0);
}

TensorType inferGemm(const Node &n) {
  const TensorType &a = operandType(n, 0), &b = operandType(n, 1);
  requireRank(n, a, 2, "A");
  requireRank(n, b, 2, "B");
  requireSameDType(n);
  bool ta = n.getInt("transA") != 0, tb = n.getInt("transB") != 0;
  int64_t m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1];
  int64_t kb = tb ? b.shape[1] : b.shape[0], nn = tb ? b.shape[0] : b.shape[1];
  if (k != kb)
    n.error("inner dimensions differ: A {} (transA={}) and B {} (transB={})",
            a.str(), int(ta), b.str(), int(tb));
  Shape out{m, nn};
  if (Value *c = n.input(2))
    if (!broadcastsTo(c->type.shape, out))
      n.error("C {} does not broadcast to [{}]", c->type.str(),
              shapeToString(out));
  return like(a, out);
}

TensorType inferMatMul(const Node &n) {
  TensorType a = operandType(n, 0), b = operandType(n, 1);
  requireSameDType(n);
  if (a.rank() == 0 || b.rank() == 0)
    n.error("operands must not be scalars");
  Shape sa = a.shape, sb = b.shape;
  bool vecA = sa.size() == 1, vecB = sb.size() == 1;
  if (vecA)
    sa.insert(sa.begin(), 1);
  if (vecB)
    sb.push_back(1);
  if (sa.back() != sb[sb.size() - 2])
    n.error("inner dimensions differ: {} and {}", a.str(), b.str());
  std::optional<Shape> batch = broadcastShapes(
      Shape(sa.begin(), sa.end() - 2), Shape(sb.begin(), sb.end() - 2));
  if (!batch)
    n.error("batch dimensions of {} and {} do not broadcast", a.str(), b.str());
  Shape out = *batch;
  if (!vecA)
    out.push_back(sa[sa.size() - 2]);
  if (!vecB)
    out.push_back(sb.back());
  return like(a, out);
}

TensorType inferBroadcast(const Node &n) {
  if (n.kind != OpKind::Pow)
    requireSameDType(n);
  Shape out = operandType(n, 0).shape;
  for (size_t i = 1; i < n.inputs.size(); ++i) {
    std::optional<Shape> b = broadcastShapes(out, operandType(n, i).shape);
    if (!b)
      n.error("operand shapes do not broadcast: [{}] and {}", shapeToString(out),
              operandType(n, i).str());
    out = *b;
  }
  return like(operandType(n, 0), out);
}

TensorType inferReduce(const Node &n) {
  const TensorType &x = operandType(n, 0);
  std::vector<int64_t> axes;
  if (n.input(1))
    axes = intsOperand(n, 1, "axes");
  bool keep = n.getInt("keepdims") != 0;
  if (axes.empty()) {
    if (n.getInt("noop_with_empty_axes"))
      return x;
    for (int64_t i = 0; i < x.rank(); ++i)
      axes.push_back(i);
  }
  std::vector<bool> reduced(size_t(x.rank()), false);
  for (int64_t a : axes)
    reduced[size_t(normalizeAxis(n, a, x.rank()))] = true;
  Shape out;
  for (size_t i = 0; i < x.shape.size(); ++i) {
    if (!reduced[i])
      out.push_back(x.shape[i]);
    else if (keep)
      out.push_back(1);
  }
  return like(x, out);
}

TensorType inferFlatten(const Node &n) {
  const TensorType &x = operandType(n, 0);
  int64_t axis = n.getInt("axis");
  if (axis < -x.rank() || axis > x.rank())
    n.error("axis {} out of range for rank {}", axis, x.rank());
  if (axis < 0)
    axis += x.rank();
  return like(x, {elementCount(x.shape, 0, size_t(axis)),
                  elementCount(x.shape, size_t(axis), x.shape.size())});
}

TensorType inferReshape(const Node &n) {
  const TensorType &x = operandType(n, 0);
  std::vector<int64_t> target = intsOperand(n, 1, "shape");
  bool allowZero = n.getInt("allowzero") != 0;
  Shape out;
  int64_t inferred = -1, known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == 0 && !allowZero) {
      if (i >= x.shape.size())
        n.error("shape[{}] = 0 copies a dimension the input does not have", i);
      d = x.shape[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        n.error("shape has more than one -1");
      inferred = int64_t(i);
    } else if (d < 0) {
      n.error("invalid dimension {} in shape", d);
    } else {
      if (d > kMaxElements)
        n.error("dimension {} too large", d);
      known *= d;
      if (known > kMaxElements)
        n.error("shape [{}] too large", shapeToString(target));
    }
    out.push_back(d);
  }
  int64_t total = x.numElements();
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      n.error("cannot reshape {} to [{}]", x.str(), shapeToString(target));
    out[size_t(inferred)] = total / known;
  } else if (known != total) {
    n.error("cannot reshape {} ({} elements) to [{}]", x.str(), total,
            shapeToString(out));
  }
  return like(x, out);
}

std::vector<int64_t> checkedPermutation(const Node &n, int64_t rank) {
  std::vector<int64_t> perm = n.getInts("perm");
  if (perm.empty()) {
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  }
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> iota(static_cast<size_t>(rank));
  std::iota(iota.begin(), iota.end(), 0);
  if (sorted != iota)
    n.error("perm [{}] is not a permutation of {} axes", shapeToString(perm),
            rank);
  return perm;
}

TensorType inferTranspose(const Node &n) {
  const TensorType &x = operandType(n, 0);
  Shape out;
  for (int64_t p : checkedPermutation(n, x.rank()))
    out.push_back(x.shape[size_t(p)]);
  return like(x, out);
}

TensorType inferSqueeze(const Node &n) {
  const TensorType &x = operandType(n, 0);
  std::vector<bool> drop(x.shape.size(), false);
  if (n.input(1)) {
    for (int64_t a : intsOperand(n, 1, "axes")) {
      int64_t axis = normalizeAxis(n, a, x.rank());
      if (x.shape[size_t(axis)] != 1)
        n.error("cannot squeeze axis {} of size {}", a, x.shape[size_t(axis)]);
      drop[size_t(axis)] = true;
    }
  } else {
    for (size_t i = 0; i < x.shape.size(); ++i)
      drop[i] = x.shape[i] == 1;
  }
  Shape out;
  for (size_t i = 0; i < x.shape.size(); ++i)
    if (!drop[i])
      out.push_back(x.shape[i]);
  return like(x, out);
}

TensorType inferUnsqueeze(const Node &n) {
  const TensorType &x = operandType(n, 0);
  std::vector<int64_t> axes = intsOperand(n, 1, "axes");
  int64_t outRank = x.rank() + int64_t(axes.size());
  std::vector<bool> inserted(size_t(outRank), false);
  for (int64_t a : axes) {
    int64_t axis = normalizeAxis(n, a, outRank);
    if (inserted[size_t(axis)])
      n.error("axis {} repeated", a);
    inserted[size_t(axis)] = true;
  }
  Shape out;
  size_t next = 0;
  for (size_t i = 0; i < size_t(outRank); ++i)
    out.push_back(inserted[i] ? 1 : x.shape[next++]);
  return like(x, out);
}

TensorType inferConcat(const Node &n) {
  const TensorType &first = operandType(n, 0);
  requireSameDType(n);
  if (first.rank() == 0)
    n.error("cannot concatenate scalars");
  int64_t axis = normalizeAxis(n, n.getInt("axis"), first.rank());
  Shape out = first.shape;
  out[size_t(axis)] = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const TensorType &t = operandType(n, i);
    if (t.rank() != first.rank())
      n.error("operand {} has rank {}, expected {}", i, t.rank(), first.rank());
    for (size_t d = 0; d < out.size(); ++d)
      if (int64_t(d) != axis && t.shape[d] != first.shape[d])
        n.error("operand {} {} does not match {} outside axis {}", i, t.str(),
                first.str(), axis);
    out[size_t(axis)] += t.shape[size_t(axis)];
  }
  return like(first, out);
}

std::vector<TensorType> inferSplit(const Node &n) {
  const TensorType &x = operandType(n, 0);
  int64_t axis = normalizeAxis(n, n.getInt("axis"), x.rank());
  int64_t dim = x.shape[size_t(axis)];
  size_t count = n.outputs.size();
  std::vector<int64_t> sizes;
  if (n.input(1)) {
    // One size per output, so as many values as the node has outputs.
    sizes = intsOperand(n, 1, "split",
                        std::max<int64_t>(kMaxRank, int64_t(count)));
    if (sizes.size() != count)
      n.error("split has {} sizes for {} outputs", sizes.size(), count);
    int64_t sum = 0; // at most count * dim: no overflow
    for (int64_t s : sizes) {
      if (s < 0)
        n.error("negative split size {}", s);
      if (s > dim)
        n.error("split size {} is larger than axis {} ({})", s, axis, dim);
      sum += s;
    }
    if (sum != dim)
      n.error("split sizes sum to {}, axis {} has {}", sum, axis, dim);
  } else {
    if (const Attribute *num = n.attr("num_outputs"))
      if (num->getInt() != int64_t(count))
        n.error("num_outputs is {} but the node has {} outputs",
                num->getInt(), count);
    // ONNX: equal chunks of ceil(dim / count), the last one smaller.
    int64_t chunk = (dim + int64_t(count) - 1) / int64_t(count);
    int64_t left = dim;
    for (size_t i = 0; i < count; ++i) {
      int64_t s = std::min(chunk, left);
      sizes.push_back(s);
      left -= s;
    }
    if (left != 0 || (!n.attr("num_outputs") && dim % int64_t(count) != 0))
      n.error("axis {} of size {} cannot be split evenly into {} outputs",
              axis, dim, count);
  }
  std::vector<TensorType> outs;
  for (int64_t s : sizes) {
    Shape shape = x.shape;
    shape[size_t(axis)] = s;
    outs.push_back(like(x, shape));
  }
  return outs;
}

// Slice's constant operands, with the defaults of the optional ones (axes
// 0.., steps 1).
struct SliceOperands {
  std::vector<int64_t> starts, ends, axes, steps;
};
SliceOperands sliceOperands(const Node &n) {
  SliceOperands s;
  s.starts = intsOperand(n, 1, "starts");
  s.ends = intsOperand(n, 2, "ends");
  if (n.input(3))
    s.axes = intsOperand(n, 3, "axes");
  else
    for (size_t i = 0; i < s.starts.size(); ++i)
      s.axes.push_back(int64_t(i));
  if (n.input(4))
    s.steps = intsOperand(n, 4, "steps");
  else
    s.steps.assign(s.starts.size(), 1);
  return s;
}

TensorType inferSlice(const Node &n) {
  const TensorType &x = operandType(n, 0);
  auto [starts, ends, axes, steps] = sliceOperands(n);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    n.error("starts, ends, axes and steps must have the same length");
  Shape out = x.shape;
  std::vector<bool> seen(x.shape.size(), false);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = normalizeAxis(n, axes[i], x.rank());
    if (seen[size_t(axis)])
      n.error("axis {} repeated", axes[i]);
    seen[size_t(axis)] = true;
    int64_t dim = x.shape[size_t(axis)], step = steps[i];
    if (step == 0)
      n.error("step must not be 0");
    out[size_t(axis)] = resolveSlice(starts[i], ends[i], step, dim).count;
  }
  return like(x, out);
}

TensorType inferPad(const Node &n) {
  const TensorType &x = operandType(n, 0);
  std::vector<int64_t> pads = intsOperand(n, 1, "pads", 2 * kMaxRank);
  std::vector<int64_t> axes;
  if (n.input(3)) {
    for (int64_t a : intsOperand(n, 3, "axes"))
      axes.push_back(normalizeAxis(n, a, x.rank()));
  } else {
    for (int64_t i = 0; i < x.rank(); ++i)
      axes.push_back(i);
  }
  if (pads.size() != 2 * axes.size())
    n.error("pads must have {} values, got {}", 2 * axes.size(), pads.size());
  const std::string &mode = n.getString("mode");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    n.error("unsupported pad mode '{}'", mode);
  if (Value *v = n.input(2)) {
    if (v->type.numElements() != 1)
      n.error("constant_value must be a scalar, got {}", v->type.str());
    if (v->type.dtype != x.dtype)
      n.error("constant_value is {} but the data is {}", dtypeName(v->type.dtype),
              dtypeName(x.dtype));
  }
  Shape out = x.shape;
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t &d = out[size_t(axes[i])];
    int64_t begin = pads[i], end = pads[i + axes.size()];
    for (int64_t v : {begin, end})
      if (v < -kMaxElements || v > kMaxElements)
        n.error("pad {} too large", v);
    d += begin + end;
    if (d < 0)
      n.error("pads remove more than dimension {} holds", axes[i]);
  }
  return like(x, out);
}

TensorType inferGather(const Node &n) {
  const TensorType &data = operandType(n, 0), &idx = operandType(n, 1);
  if (idx.dtype != DType::I64 && idx.dtype != DType::I32)
    n.error("indices must be i32 or i64, got {}", dtypeName(idx.dtype));
  if (data.rank() == 0)
    n.error("data must not be a scalar");
  int64_t axis = normalizeAxis(n, n.getInt("axis"), data.rank());
  Shape out(data.shape.begin(), data.shape.begin() + axis);
  out.insert(out.end(), idx.shape.begin(), idx.shape.end());
  out.insert(out.end(), data.shape.begin() + axis + 1, data.shape.end());
  if (const Tensor *t = n.constantInput(1); t && t->hasData()) {
    int64_t dim = data.shape[size_t(axis)];
    for (int64_t i = 0; i < t->numElements(); ++i)
      if (t->intAt(i) < -dim || t->intAt(i) >= dim)
        n.error("index {} out of range for axis of size {}", t->intAt(i), dim);
  }
  return like(data, out);
}

TensorType inferShape(const Node &n) {
  auto [start, end] = shapeOpRange(n, operandType(n, 0).rank());
  return TensorType{DType::I64, {end - start}, Layout::Plain};
}

TensorType inferConstantOfShape(const Node &n) {
  std::vector<int64_t> shape = intsOperand(n, 0, "shape");
  if (!checkedElementCount(shape))
    n.error("shape [{}] is negative or too large", shapeToString(shape));
  DType dtype = DType::F32;
  if (const Attribute *v = n.attr("value")) {
    if (v->getTensor()->numElements() != 1)
      n.error("value must hold one element");
    dtype = v->getTensor()->type().dtype;
  }
  return TensorType{dtype, shape, Layout::Plain};
}

TensorType inferExpand(const Node &n) {
  const TensorType &x = operandType(n, 0);
  std::vector<int64_t> shape = intsOperand(n, 1, "shape");
  for (int64_t d : shape)
    if (d < 0 || d > kMaxElements)
      n.error("invalid dimension {} in shape", d);
  std::optional<Shape> out = broadcastShapes(x.shape, shape);
  if (!out)
    n.error("{} does not broadcast to [{}]", x.str(), shapeToString(shape));
  if (!checkedElementCount(*out))
    n.error("result too large");
  return like(x, *out);
}

std::vector<TensorType> inferDropout(const Node &n) {
  const TensorType &x = operandType(n, 0);
  std::vector<TensorType> outs{x};
  if (n.outputs.size() > 1)
    outs.push_back(TensorType{DType::Bool, x.shape, Layout::Plain});
  return outs;
}

TensorType inferCast(const Node &n) {
  const std::string &to = n.getString("to");
  std::optional<DType> dtype = dtypeFromName(to);
  if (!dtype)
    n.error("unknown element type '{}'", to);
  return TensorType{*dtype, operandType(n, 0).shape, Layout::Plain};
}

TensorType inferResize(const Node &n) {
  const TensorType &x = operandType(n, 0);
  const std::string &mode = n.getString("mode");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    n.error("unknown mode '{}'", mode);
  std::vector<int64_t> axes = n.getInts("axes");
  if (axes.empty())
    for (int64_t i = 0; i < x.rank(); ++i)
      axes.push_back(i);
  for (int64_t &a : axes)
    a = normalizeAxis(n, a, x.rank());
  Shape out = x.shape;
  bool haveScales = n.input(2) && n.input(2)->type.numElements() > 0;
  bool haveSizes = n.input(3) && n.input(3)->type.numElements() > 0;
  if (haveScales == haveSizes)
    n.error("exactly one of scales and sizes must be given");
  // Every double is range-checked before it becomes an int64_t: a cast of
  // NaN, inf or anything outside int64 is undefined behaviour.
  auto toDim = [&](double v, size_t axis) {
    if (!(v >= 0 && v <= double(kMaxElements)))
      n.error("output size {} on axis {} is negative or larger than {}", v,
              axis, kMaxElements);
    return int64_t(v);
  };
  if (haveScales) {
    const Tensor &scales = shapeOperand(n, 2, "scales");
    if (size_t(scales.numElements()) != axes.size())
      n.error("scales has {} values for {} axes", scales.numElements(),
              axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      double s = scales.floatAt(int64_t(i));
      if (!(s > 0) || !std::isfinite(s))
        n.error("invalid scale {}", s);
      size_t a = size_t(axes[i]);
      out[a] = toDim(std::floor(double(x.shape[a]) * s), a);
    }
  } else {
    std::vector<int64_t> sizes = intsOperand(n, 3, "sizes");
    if (sizes.size() != axes.size())
      n.error("sizes has {} values for {} axes", sizes.size(), axes.size());
    for (int64_t s : sizes)
      if (s < 0 || s > kMaxElements)
        n.error("invalid size {}", s);
    const std::string &policy = n.getString("keep_aspect_ratio_policy");
    if (policy == "stretch") {
      for (size_t i = 0; i < axes.size(); ++i)
        out[size_t(axes[i])] = sizes[i];
    } else if (policy == "not_larger" || policy == "not_smaller") {
      double scale = policy == "not_larger" ? 1e300 : 0;
      for (size_t i = 0; i < axes.size(); ++i) {
        int64_t in = x.shape[size_t(axes[i])];
        if (in == 0)
          n.error("keep_aspect_ratio_policy '{}' needs a non-empty axis {}",
                  policy, axes[i]);
        double s = double(sizes[i]) / double(in);
        scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
      }
      for (size_t i = 0; i < axes.size(); ++i) {
        size_t a = size_t(axes[i]);
        out[a] = toDim(std::round(scale * double(x.shape[a])), a);
      }
    } else {
      n.error("unknown keep_aspect_ratio_policy '{}'", policy);
    }
  }
  if (!checkedElementCount(out))
    n.error("result [{}] is negative or too large", shapeToString(out));
  return like(x, out);
}

std::vector<TensorType> single(TensorType t) { return {std::move(t)}; }

} // namespace

Window resolvedWindow(const Node &n) {
  const TensorType &x = operandType(n, 0);
  if (hasWeight(n.kind))
    convOperands(n);
  else
    requireMinRank(n, x, 3, "input");
  Window w = resolveWindow(n, x.shape, windowKernel(n));
  if (n.kind != OpKind::ConvTranspose)
    return w;
  const std::string &autoPad = n.getString("auto_pad");
  if (n.getInts("output_shape").empty() && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return w;
  // The output size is given (output_shape, or input * stride for SAME):
  // the pads are what makes the full transposed convolution fit it, as in
  // ONNX Runtime. A negative total (the output is larger than the full
  // result) pads nothing; the extra elements at the end hold the bias only.
  // An odd total puts the extra pad at the tail, but for SAME_LOWER at the
  // head, as for Conv: the ONNX rule its test data follows
  // (test_convtranspose_autopad_same; older ONNX Runtime swapped the SAMEs).
  // With output_shape and no auto_pad the extra pad goes at the tail too, as
  // in ONNX Runtime; the newer ONNX spec text would put it at the head, and
  // no ONNX test data covers that case.
  const Shape &out = n.outputs.at(0)->type.shape;
  size_t sp = x.shape.size() - 2;
  std::vector<int64_t> outPad = n.getInts("output_padding");
  outPad.resize(sp, 0);
  for (size_t i = 0; i < sp; ++i) {
    int64_t full = w.strides[i] * (x.shape[i + 2] - 1) + outPad[i] +
                   (w.kernel[i] - 1) * w.dilations[i] + 1;
    int64_t total = std::max<int64_t>(0, full - out[i + 2]);
    int64_t head = autoPad == "SAME_LOWER" ? total - total / 2 : total / 2;
    w.pads[i] = head;
    w.pads[i + sp] = total - head;
  }
  return w;
}

void makeWindowExplicit(Node &n) {
  bool pool = n.kind == OpKind::MaxPool || n.kind == OpKind::AveragePool ||
              n.kind == OpKind::LpPool;
  if (n.kind != OpKind::Conv && n.kind != OpKind::FusedConv && !pool)
    return;
  Window w = resolvedWindow(n);
  if (n.getString("auto_pad") != "NOTSET" && pool)
    n.attrs.erase("ceil_mode"); // SAME/VALID already fix the rounding
  n.attrs.erase("auto_pad");
  n.attrs.insert_or_assign("kernel_shape", Attribute(w.kernel));
  n.attrs.insert_or_assign("strides", Attribute(w.strides));
  n.attrs.insert_or_assign("pads", Attribute(w.pads));
  if (n.kind != OpKind::AveragePool)
    n.attrs.insert_or_assign("dilations", Attribute(w.dilations));
}

SliceRange resolveSlice(int64_t start, int64_t end, int64_t step, int64_t dim) {
  if (dim == 0)
    return {0, 0}; // also keeps the clamps below well-formed (lo <= hi)
  // Negative indices count from the end; adding dim to a value near
  // INT64_MIN cannot overflow, and the clamp below absorbs what is left.
  if (start < 0)
    start = start < -dim ? -dim - 1 : start + dim;
  if (end < 0)
    end = end < -dim ? -dim - 1 : end + dim;
  // Once clamped, |end - start| <= dim, so a step larger than dim in
  // magnitude reads at most one element, as does dim + 1: clamping the step
  // keeps the count and makes the arithmetic below overflow-free (dim <=
  // kMaxElements, so every term stays below 2^33).
  step = std::clamp<int64_t>(step, -(dim + 1), dim + 1);
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    return {start, std::max<int64_t>(0, (end - start + step - 1) / step)};
  }
  start = std::clamp<int64_t>(start, 0, dim - 1);
  end = std::clamp<int64_t>(end, -1, dim - 1);
  int64_t count = (start - end + (-step) - 1) / (-step);
  return {start, std::max<int64_t>(0, count)};
}

int64_t normalizeAxis(const Node &node, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    node.error("axis {} out of range for rank {}", axis, rank);
  return axis < 0 ? axis + rank : axis;
}

std::optional<Shape> broadcastShapes(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool isShapeOperand(OpKind kind, size_t i) {
  switch (kind) {
  case OpKind::ReduceMean:
  case OpKind::ReduceSum:
  case OpKind::ReduceMax:
  case OpKind::Reshape:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Split:
  case OpKind::Expand:
    return i == 1;
  case OpKind::Slice:
    return i >= 1;
  case OpKind::Pad:
    return i == 1 || i == 3;
  case OpKind::ConstantOfShape:
    return i == 0;
  case OpKind::Resize:
    return i == 2 || i == 3;
  default:
    return false;
  }
}

std::vector<TensorType> inferOutputTypes(const Node &n) {
  switch (n.kind) {
  case OpKind::Conv:
    return single(inferConv(n));
  case OpKind::FusedConv:
    return single(inferFusedConv(n));
  case OpKind::Gemm1x1:
    return single(inferGemm1x1(n));
  case OpKind::ExpandDepthwise:
    return single(inferExpandDepthwise(n));
  case OpKind::ConvTranspose:
    return single(inferConvTranspose(n));
  case OpKind::MaxPool:
  case OpKind::AveragePool:
  case OpKind::LpPool:
    return inferPool(n);
  case OpKind::GlobalAveragePool:
  case OpKind::GlobalMaxPool:
    return single(inferGlobalPool(n));
  case OpKind::BatchNormalization:
    return inferBatchNorm(n);
  case OpKind::InstanceNormalization:
    return single(inferInstanceNorm(n));
  case OpKind::LRN:
    return single(inferLRN(n));
  case OpKind::Relu:
  case OpKind::LeakyRelu:
  case OpKind::Sigmoid:
  case OpKind::HardSigmoid:
  case OpKind::HardSwish:
  case OpKind::Tanh:
  case OpKind::Elu:
  case OpKind::Selu:
  case OpKind::Softplus:
  case OpKind::Sqrt:
  case OpKind::Exp:
  case OpKind::Log:
  case OpKind::Abs:
  case OpKind::Neg:
  case OpKind::Reciprocal:
  case OpKind::Erf:
  case OpKind::Identity:
  case OpKind::Reorder:
    return single(operandType(n, 0));
  case OpKind::PRelu:
    return single(inferPRelu(n));
  case OpKind::Clip:
    return single(inferClip(n));
  case OpKind::Softmax:
  case OpKind::LogSoftmax:
    return single(inferSoftmax(n));
  case OpKind::Gemm:
    return single(inferGemm(n));
  case OpKind::MatMul:
    return single(inferMatMul(n));
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div:
  case OpKind::Pow:
  case OpKind::Max:
  case OpKind::Min:
  case OpKind::Sum:
  case OpKind::Mean:
    return single(inferBroadcast(n));
  case OpKind::ReduceMean:
  case OpKind::ReduceSum:
  case OpKind::ReduceMax:
    return single(inferReduce(n));
  case OpKind::Flatten:
    return single(inferFlatten(n));
  case OpKind::Reshape:
    return single(inferReshape(n));
  case OpKind::Transpose:
    return single(inferTranspose(n));
  case OpKind::Squeeze:
    return single(inferSqueeze(n));
  case OpKind::Unsqueeze:
    return single(inferUnsqueeze(n));
  case OpKind::Concat:
    return single(inferConcat(n));
  case OpKind::Split:
    return inferSplit(n);
  case OpKind::Slice:
    return single(inferSlice(n));
  case OpKind::Pad:
    return single(inferPad(n));
  case OpKind::Gather:
    return single(inferGather(n));
  case OpKind::Shape:
    return single(inferShape(n));
  case OpKind::ConstantOfShape:
    return single(inferConstantOfShape(n));
  case OpKind::Expand:
    return single(inferExpand(n));
  case OpKind::Dropout:
    return inferDropout(n);
  case OpKind::Cast:
    return single(inferCast(n));
  case OpKind::Resize:
    return single(inferResize(n));
  }
  throw InternalError("inferOutputTypes: op missing from switch");
}

void setInferredTypes(Node &node) {
  std::vector<TensorType> types = inferOutputTypes(node);
  if (types.size() != node.outputs.size())
    node.error("op produces {} results, node has {}", types.size(),
               node.outputs.size());
  for (size_t i = 0; i < types.size(); ++i) {
    if (!checkedElementCount(types[i].shape))
      node.error("result {} is negative or larger than {} elements",
                 types[i].str(), kMaxElements);
    node.outputs[i]->type = types[i];
  }
}

void inferShapes(Graph &graph) {
  for (auto &node : graph.nodes)
    setInferredTypes(*node);
}

StridedView sliceView(const Node &n) {
  const Shape &shape = operandType(n, 0).shape;
  auto [starts, ends, axes, steps] = sliceOperands(n);
  StridedView view;
  view.strides = rowMajorStrides(shape);
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t axis = size_t(normalizeAxis(n, axes[i], int64_t(shape.size())));
    SliceRange r = resolveSlice(starts[i], ends[i], steps[i], shape[axis]);
    view.offset += r.start * view.strides[axis];
    // With at most one element read the step never applies; leaving it out
    // keeps a huge step from overflowing the stride.
    if (r.count > 1)
      view.strides[axis] *= steps[i];
  }
  return view;
}

std::vector<int64_t> padsBefore(const Node &n) {
  int64_t rank = operandType(n, 0).rank();
  std::vector<int64_t> pads = intsOperand(n, 1, "pads", 2 * kMaxRank);
  std::vector<int64_t> axes;
  if (n.input(3))
    for (int64_t a : intsOperand(n, 3, "axes"))
      axes.push_back(normalizeAxis(n, a, rank));
  else
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  std::vector<int64_t> before(size_t(rank), 0);
  for (size_t i = 0; i < axes.size() && i < pads.size(); ++i)
    before[size_t(axes[i])] = pads[i];
  return before;
}

int64_t padSource(std::string_view mode, int64_t dim, int64_t before,
                  int64_t o) {
  int64_t i = o - before;
  if (i >= 0 && i < dim)
    return i;
  if (mode == "constant")
    return -1;
  if (mode == "edge" || dim == 1)
    return std::clamp<int64_t>(i, 0, dim - 1);
  int64_t period = 2 * (dim - 1);
  i = ((i % period) + period) % period;
  return i < dim ? i : period - i;
}

std::pair<int64_t, int64_t> shapeOpRange(const Node &n, int64_t rank) {
  auto clamp = [&](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
  };
  int64_t start = clamp(n.getInt("start"));
  int64_t end = n.attr("end") ? clamp(n.getInt("end")) : rank;
  return {start, std::max(start, end)};
}

} // namespace cnnc
