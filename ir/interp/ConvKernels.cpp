#include "ir/ShapeInference.h"
#include "ir/interp/Kernels.h"

#include <algorithm>
#include <functional>
#include <numeric>

namespace cnnc::interp {

namespace {

// A run of `length` pairs along the last spatial dim: positions p, p + 1, ...
// of one plane with positions q, q + step, ... of the other (flat offsets
// within the planes; step is the last stride).
struct Row {
  int64_t p, q, length;
};

// The positions p in [0, count) whose partner p * stride + offset lies in
// [0, extent), as [begin, end) (begin >= end when there are none).
std::pair<int64_t, int64_t> partnerRange(int64_t count, int64_t extent,
                                         int64_t stride, int64_t offset) {
  // Smallest p with p * stride + offset >= 0, and with >= extent.
  int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t end = extent <= offset ? 0 : (extent - offset + stride - 1) / stride;
  return {std::min(begin, count), std::min(end, count)};
}

// For each kernel tap (row-major over the kernel), the rows pairing every
// position p of a plane of spatial shape `pShape` with q = p * strides +
// tap * dilations - padsBegin in a plane of shape `qShape`, leaving out the
// pairs whose q falls outside (into the padding). Conv pairs output p with
// input q; ConvTranspose input p with output q. The rows depend on the
// geometry only, so the channel loops reuse them and run with no bound
// checks.
std::vector<std::vector<Row>> tapRows(const Shape &pShape, const Shape &qShape,
                                      const Window &w) {
  size_t sp = pShape.size();
  std::vector<int64_t> pStrides = rowMajorStrides(pShape);
  std::vector<int64_t> qStrides = rowMajorStrides(qShape);
  std::vector<std::vector<Row>> rows;
  forEachIndex(w.kernel, [&](const std::vector<int64_t> &tap) {
    std::vector<Row> &tapRows = rows.emplace_back();
    std::vector<int64_t> offset(sp), begin(sp);
    Shape box(sp);
    for (size_t d = 0; d < sp; ++d) {
      offset[d] = tap[d] * w.dilations[d] - w.pads[d];
      auto [b, e] = partnerRange(pShape[d], qShape[d], w.strides[d], offset[d]);
      begin[d] = b;
      box[d] = std::max<int64_t>(0, e - b);
    }
    // One row per position of the other dims: the last dim runs inside it.
    int64_t length = box[sp - 1];
    box[sp - 1] = std::min<int64_t>(length, 1);
    forEachIndex(box, [&](const std::vector<int64_t> &i) {
      int64_t p = 0, q = 0;
      for (size_t d = 0; d < sp; ++d) {
        int64_t pos = begin[d] + i[d];
        p += pos * pStrides[d];
        q += (pos * w.strides[d] + offset[d]) * qStrides[d];
      }
      tapRows.push_back({p, q, length});
    });
  });
  return rows;
}

// The bias of each of `channels` output channels (operand 2), zero if absent
// (nullptr, or left out of a node with two operands).
template <typename T>
std::vector<T> biasOrZero(const Operands &in, int64_t channels) {
  if (optionalOperand(in, 2))
    return elementsAs<T>(*in[2]);
  return std::vector<T>(size_t(channels), T(0));
}

// x [N, C, in...], w [M, C / group, k...] -> y [N, M, out...]:
// y[b, m, o] = bias[m] + sum over the group's channels c and taps k of
// w[m, c, k] * x[b, c, o * strides + k * dilations - padsBegin], positions in
// the padding reading zero.
template <typename T> Results convOf(const Node &n, const Operands &in) {
  const Shape &xShape = in[0]->type().shape;
  const TensorType &yType = resultType(n);
  const Shape &yShape = yType.shape;
  Window win = resolvedWindow(n);
  std::vector<std::vector<Row>> rows =
      tapRows(Shape(yShape.begin() + 2, yShape.end()),
              Shape(xShape.begin() + 2, xShape.end()), win);
  int64_t batch = xShape[0], inChannels = xShape[1], outChannels = yShape[1];
  int64_t group = n.getInt("group");
  int64_t groupIn = inChannels / group, groupOut = outChannels / group;
  int64_t xPlane = elementCount(xShape, 2, xShape.size());
  int64_t yPlane = elementCount(yShape, 2, yShape.size());
  int64_t taps = int64_t(rows.size()), step = win.strides.back();
  std::vector<T> x = elementsAs<T>(*in[0]), w = elementsAs<T>(*in[1]);
  std::vector<T> bias = biasOrZero<T>(in, outChannels);
  std::vector<T> y(size_t(yType.numElements()));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t m = 0; m < outChannels; ++m) {
      T *out = y.data() + (b * outChannels + m) * yPlane;
      std::fill(out, out + yPlane, bias[size_t(m)]);
      int64_t firstIn = m / groupOut * groupIn;
      for (int64_t c = 0; c < groupIn; ++c) {
        const T *src = x.data() + (b * inChannels + firstIn + c) * xPlane;
        const T *weights = w.data() + (m * groupIn + c) * taps;
        for (int64_t t = 0; t < taps; ++t)
          for (const Row &r : rows[size_t(t)])
            for (int64_t j = 0; j < r.length; ++j)
              out[r.p + j] += weights[t] * src[r.q + j * step];
      }
    }
  }
  return {makeTensor(yType, y)};
}

// x [N, C, in...], w [C, M / group, k...] -> y [N, M, out...]: every input
// element x[b, c, i] adds w[c, m, k] * x[b, c, i] to
// y[b, m, i * strides + k * dilations - padsBegin] for the output channels m
// of its group, where that lies inside y; y starts at the bias.
template <typename T>
Results convTransposeOf(const Node &n, const Operands &in) {
  const Shape &xShape = in[0]->type().shape, &wShape = in[1]->type().shape;
  const TensorType &yType = resultType(n);
  const Shape &yShape = yType.shape;
  // The pads, derived from the output size when output_shape or auto_pad
  // gives it.
  Window win = resolvedWindow(n);
  std::vector<std::vector<Row>> rows =
      tapRows(Shape(xShape.begin() + 2, xShape.end()),
              Shape(yShape.begin() + 2, yShape.end()), win);
  int64_t batch = xShape[0], inChannels = xShape[1], outChannels = yShape[1];
  int64_t groupIn = inChannels / n.getInt("group"), groupOut = wShape[1];
  int64_t xPlane = elementCount(xShape, 2, xShape.size());
  int64_t yPlane = elementCount(yShape, 2, yShape.size());
  int64_t taps = int64_t(rows.size()), step = win.strides.back();
  std::vector<T> x = elementsAs<T>(*in[0]), w = elementsAs<T>(*in[1]);
  std::vector<T> bias = biasOrZero<T>(in, outChannels);
  std::vector<T> y(size_t(yType.numElements()));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t m = 0; m < outChannels; ++m) {
      T *out = y.data() + (b * outChannels + m) * yPlane;
      std::fill(out, out + yPlane, bias[size_t(m)]);
      int64_t firstIn = m / groupOut * groupIn, mInGroup = m % groupOut;
      for (int64_t c = firstIn; c < firstIn + groupIn; ++c) {
        const T *src = x.data() + (b * inChannels + c) * xPlane;
        const T *weights = w.data() + (c * groupOut + mInGroup) * taps;
        for (int64_t t = 0; t < taps; ++t)
          for (const Row &r : rows[size_t(t)])
            for (int64_t j = 0; j < r.length; ++j)
              out[r.q + j * step] += weights[t] * src[r.p + j];
      }
    }
  }
  return {makeTensor(yType, y)};
}

} // namespace

Results conv(const Node &n, const Operands &in) {
  return withFloatType(n, in[0]->type().dtype, [&](auto zero) {
    return convOf<decltype(zero)>(n, in);
  });
}

Results fusedConv(const Node &n, const Operands &in) {
  Results y = conv(n, {in[0], in[1], optionalOperand(in, 2)});
  const Tensor *residual = optionalOperand(in, 3);
  return withFloatType(n, in[0]->type().dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> v = elementsAs<T>(y[0]);
    std::vector<T> r = residual ? elementsAs<T>(*residual) : std::vector<T>();
    // In the order of the ops it replaces: the conv's result rounded to
    // its type, the Add, then the activation.
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = fusedActivation(n, residual ? v[i] + r[i] : v[i]);
    return Results{makeTensor(resultType(n), v)};
  });
}

namespace {

// Gemm1x1's product (see Ops.def) of x with w [M, C], reading x with
// `strides`, into `yType`: plus the bias and residual when given, then the
// activation named by the node's attributes with `prefix`.
Tensor pointwiseConv(const Node &n, const Tensor &x, const Tensor &w,
                     const Tensor *bias, const Tensor *residual,
                     std::vector<int64_t> strides, const TensorType &yType,
                     const std::string &prefix) {
  const Shape &xs = x.type().shape, &ys = yType.shape;
  strides.resize(xs.size() - 2, 1);
  std::vector<int64_t> xStrides = rowMajorStrides(xs);
  Shape spatial(ys.begin() + 2, ys.end());
  return withFloatType(n, x.type().dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> xv = elementsAs<T>(x), wv = elementsAs<T>(w);
    std::vector<T> bv = bias ? elementsAs<T>(*bias) : std::vector<T>();
    std::vector<T> rv = residual ? elementsAs<T>(*residual) : std::vector<T>();
    int64_t C = xs[1];
    std::vector<T> y;
    y.reserve(size_t(elementCount(ys)));
    for (int64_t b = 0; b < ys[0]; ++b)
      for (int64_t m = 0; m < ys[1]; ++m)
        forEachIndex(spatial, [&](const std::vector<int64_t> &o) {
          // The input position this output reads, in channel 0.
          int64_t at = b * xStrides[0];
          for (size_t d = 0; d < o.size(); ++d)
            at += o[d] * strides[d] * xStrides[d + 2];
          T acc = bias ? bv[size_t(m)] : T(0);
          for (int64_t c = 0; c < C; ++c)
            acc += wv[size_t(m * C + c)] * xv[size_t(at + c * xStrides[1])];
          if (residual)
            acc += rv[y.size()];
          y.push_back(fusedActivation(n, acc, prefix));
        });
    return Results{makeTensor(yType, y)};
  })[0];
}

} // namespace

Results gemm1x1(const Node &n, const Operands &in) {
  return {pointwiseConv(n, *in[0], *in[1], optionalOperand(in, 2),
                        optionalOperand(in, 3), n.getInts("strides"),
                        resultType(n), "")};
}

// As the ops it replaces compute it: the expansion (a Gemm1x1 with the
// expand_ activation), then the depthwise FusedConv of it (the node's own
// attributes are that FusedConv's; it has no residual).
Results expandDepthwise(const Node &n, const Operands &in) {
  const Tensor &x = *in[0], &we = *in[1];
  Shape expandedShape = x.type().shape;
  expandedShape[1] = we.type().shape[0];
  TensorType expandedType{x.type().dtype, expandedShape, Layout::Plain};
  Tensor expanded = pointwiseConv(n, x, we, optionalOperand(in, 3), nullptr,
                                  {}, expandedType, "expand_");
  return fusedConv(n, {&expanded, in[2], optionalOperand(in, 4)});
}

Results convTranspose(const Node &n, const Operands &in) {
  return withFloatType(n, in[0]->type().dtype, [&](auto zero) {
    return convTransposeOf<decltype(zero)>(n, in);
  });
}

} // namespace cnnc::interp
