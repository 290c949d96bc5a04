#include "ir/interp/Kernels.h"

#include "ir/ShapeInference.h"

#include <algorithm>
#include <optional>

namespace cnnc::interp {

namespace {

// The float activations at x, with the node's attributes read once by the
// caller (0 where the op has no such attribute).
template <typename T> T activate(OpKind kind, T x, T alpha, T beta, T gamma) {
  switch (kind) {
  case OpKind::LeakyRelu:
    return x < T(0) ? alpha * x : x;
  case OpKind::Sigmoid:
    // exp of a non-positive argument only, so large |x| cannot overflow.
    if (x >= T(0))
      return T(1) / (T(1) + std::exp(-x));
    return std::exp(x) / (T(1) + std::exp(x));
  case OpKind::HardSigmoid:
    return std::clamp(alpha * x + beta, T(0), T(1));
  case OpKind::HardSwish:
    return x * std::clamp(x / T(6) + T(0.5), T(0), T(1));
  case OpKind::Tanh:
    return std::tanh(x);
  case OpKind::Elu:
    return x < T(0) ? alpha * std::expm1(x) : x;
  case OpKind::Selu:
    return x > T(0) ? gamma * x : gamma * alpha * std::expm1(x);
  case OpKind::Softplus:
    // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): no overflow for large x.
    return std::max(x, T(0)) + std::log1p(std::exp(-std::abs(x)));
  default:
    throw InternalError("activate: not a float activation: " +
                        std::string(opInfo(kind).name));
  }
}

} // namespace

Results pointwiseActivation(const Node &n, const Operands &in) {
  const Tensor &x = *in[0];
  DType dtype = x.type().dtype;
  // Relu is defined on integers too (opset 14); the others are not.
  if (n.kind != OpKind::Relu)
    requireFloat(n, dtype);
  auto attr = [&](const char *name) {
    return n.attr(name) ? n.getFloat(name) : 0.0;
  };
  double alpha = attr("alpha"), beta = attr("beta"), gamma = attr("gamma");
  return withNumericType(n, dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> y = elementsAs<T>(x);
    if (n.kind == OpKind::Relu) {
      for (T &v : y)
        v = v < T(0) ? T(0) : v; // keeps NaN
    } else if constexpr (std::is_floating_point_v<T>) {
      for (T &v : y)
        v = activate(n.kind, v, T(alpha), T(beta), T(gamma));
    }
    return Results{makeTensor(resultType(n), y)};
  });
}

template <typename T>
T fusedActivation(const Node &n, T x, const std::string &prefix) {
  const std::string &activation = n.getString(prefix + "activation");
  if (activation.empty())
    return x;
  if (activation == "Relu")
    return x < T(0) ? T(0) : x; // keeps NaN
  if (activation == "Clip") {
    // As Clip with both bounds: min first, so min > max gives max.
    T lo = T(n.getFloat(prefix + "clip_min"));
    T hi = T(n.getFloat(prefix + "clip_max"));
    if (x < lo)
      x = lo;
    return x > hi ? hi : x;
  }
  std::optional<OpKind> kind = opKindFromName(activation);
  if (!kind)
    n.error("unknown activation '{}'", activation);
  return activate(*kind, x, T(n.getFloat(prefix + "leaky_alpha")), T(0),
                  T(0));
}
template float fusedActivation<float>(const Node &, float, const std::string &);
template double fusedActivation<double>(const Node &, double,
                                        const std::string &);

Results prelu(const Node &n, const Operands &in) {
  const Tensor &x = *in[0], &slope = *in[1];
  return withNumericType(n, x.type().dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> xs = elementsAs<T>(x), slopes = elementsAs<T>(slope);
    std::vector<int64_t> slopeStrides =
        broadcastStrides(slope.type().shape, x.type().shape);
    std::vector<T> y(xs.size());
    size_t i = 0;
    forEachIndex(x.type().shape, [&](const std::vector<int64_t> &index) {
      T v = xs[i];
      y[i++] = v < T(0)
                   ? wrappingMul(slopes[size_t(dot(index, slopeStrides))], v)
                   : v;
    });
    return Results{makeTensor(resultType(n), y)};
  });
}

Results clip(const Node &n, const Operands &in) {
  const Tensor &x = *in[0];
  return withNumericType(n, x.type().dtype, [&](auto zero) {
    using T = decltype(zero);
    // An absent bound leaves that side unbounded (not clamped to T's range,
    // which would turn -inf into the lowest finite float).
    auto bound = [&](size_t i) -> std::optional<T> {
      if (!optionalOperand(in, i))
        return std::nullopt;
      return elementAs<T>(*in[i], 0);
    };
    std::optional<T> lo = bound(1), hi = bound(2);
    std::vector<T> y = elementsAs<T>(x);
    // Applied in this order, min > max gives max everywhere (as ONNX says);
    // comparisons with NaN are false, so NaN stays NaN.
    for (T &v : y) {
      if (lo && v < *lo)
        v = *lo;
      if (hi && v > *hi)
        v = *hi;
    }
    return Results{makeTensor(resultType(n), y)};
  });
}

Results softmax(const Node &n, const Operands &in) {
  const Tensor &x = *in[0];
  const Shape &shape = x.type().shape;
  int64_t axis = normalizeAxis(n, n.getInt("axis"), x.type().rank());
  // The tensor as [outer, length, inner], normalized along the middle.
  int64_t outer = 1, length = shape[size_t(axis)], inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < shape.size(); ++d)
    inner *= shape[d];
  bool logarithm = n.kind == OpKind::LogSoftmax;
  return withNumericType(n, x.type().dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> y = elementsAs<T>(x);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        auto at = [&](int64_t k) -> T & {
          return y[size_t((o * length + k) * inner + i)];
        };
        // Subtracting the maximum keeps exp from overflowing.
        T max = -std::numeric_limits<T>::infinity();
        for (int64_t k = 0; k < length; ++k)
          max = std::max(max, at(k));
        T sum = 0;
        for (int64_t k = 0; k < length; ++k)
          sum += std::exp(at(k) - max);
        T logSum = std::log(sum);
        for (int64_t k = 0; k < length; ++k)
          at(k) =
              logarithm ? at(k) - max - logSum : std::exp(at(k) - max) / sum;
      }
    }
    return Results{makeTensor(resultType(n), y)};
  });
}

} // namespace cnnc::interp
