#include "ir/interp/Kernels.h"

namespace cnnc::interp {

namespace {

// The elements of `t` broadcast to `out`, in row-major order of `out`.
template <typename T>
std::vector<T> broadcastElements(const Tensor &t, const Shape &out) {
  std::vector<T> own = elementsAs<T>(t);
  if (t.type().shape == out)
    return own;
  std::vector<int64_t> strides = broadcastStrides(t.type().shape, out);
  std::vector<T> result;
  result.reserve(size_t(elementCount(out)));
  forEachIndex(out, [&](const std::vector<int64_t> &index) {
    result.push_back(own[size_t(dot(index, strides))]);
  });
  return result;
}

template <typename T> T divide(const Node &n, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return a / b; // IEEE: x/0 is inf or NaN
  } else {
    if (b == T(0))
      n.error("integer division by zero");
    // The one quotient that overflows int64_t: it wraps, like the others.
    if constexpr (std::is_signed_v<T>)
      if (b == T(-1))
        return wrappingSub(T(0), a);
    return a / b; // truncates toward zero, as C and ONNX Runtime do
  }
}

} // namespace

Results binaryArithmetic(const Node &n, const Operands &in) {
  const Tensor &a = *in[0], &b = *in[1];
  DType dtype = a.type().dtype;
  // Pow's exponent may differ in type from the base, so it has its own check.
  if (n.kind == OpKind::Pow && b.type().dtype == DType::Bool)
    n.error("needs a numeric exponent, got bool");
  const Shape out = resultType(n).shape;
  return withNumericType(n, dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> y = broadcastElements<T>(a, out);
    if (n.kind == OpKind::Pow) {
      // Float bases compute in their own type; integer bases in double,
      // truncated back, as ONNX Runtime's std::pow does.
      using E = std::conditional_t<std::is_floating_point_v<T>, T, double>;
      std::vector<E> exponents = broadcastElements<E>(b, out);
      for (size_t i = 0; i < y.size(); ++i)
        y[i] = convertElement<T>(std::pow(E(y[i]), exponents[i]));
      return Results{makeTensor(resultType(n), y)};
    }
    std::vector<T> bs = broadcastElements<T>(b, out);
    for (size_t i = 0; i < y.size(); ++i) {
      switch (n.kind) {
      case OpKind::Add:
        y[i] = wrappingAdd(y[i], bs[i]);
        break;
      case OpKind::Sub:
        y[i] = wrappingSub(y[i], bs[i]);
        break;
      case OpKind::Mul:
        y[i] = wrappingMul(y[i], bs[i]);
        break;
      case OpKind::Div:
        y[i] = divide(n, y[i], bs[i]);
        break;
      default:
        throw InternalError("binaryArithmetic: not a binary op: " +
                            std::string(n.opName()));
      }
    }
    return Results{makeTensor(resultType(n), y)};
  });
}

Results variadicElementwise(const Node &n, const Operands &in) {
  DType dtype = in[0]->type().dtype;
  // Mean divides, which ONNX defines for floats only.
  if (n.kind == OpKind::Mean)
    requireFloat(n, dtype);
  const Shape out = resultType(n).shape;
  return withNumericType(n, dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> y = broadcastElements<T>(*in[0], out);
    for (size_t op = 1; op < in.size(); ++op) {
      std::vector<T> xs = broadcastElements<T>(*in[op], out);
      for (size_t i = 0; i < y.size(); ++i) {
        T acc = y[i], x = xs[i];
        switch (n.kind) {
        case OpKind::Max:
          y[i] = isNaN(x) || x > acc ? x : acc;
          break;
        case OpKind::Min:
          y[i] = isNaN(x) || x < acc ? x : acc;
          break;
        case OpKind::Sum:
        case OpKind::Mean:
          y[i] = wrappingAdd(acc, x);
          break;
        default:
          throw InternalError("variadicElementwise: not a variadic op: " +
                              std::string(n.opName()));
        }
      }
    }
    if (n.kind == OpKind::Mean)
      for (T &v : y)
        v /= T(in.size());
    return Results{makeTensor(resultType(n), y)};
  });
}

Results unaryMath(const Node &n, const Operands &in) {
  const Tensor &x = *in[0];
  DType dtype = x.type().dtype;
  // Abs and Neg are defined on integers too, Neg on signed ones only.
  switch (n.kind) {
  case OpKind::Abs:
    break;
  case OpKind::Neg:
    if (!isSignedType(dtype))
      n.error("needs a signed tensor, got {}", dtypeName(dtype));
    break;
  default:
    requireFloat(n, dtype);
  }
  return withNumericType(n, dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> y = elementsAs<T>(x);
    for (T &v : y) {
      switch (n.kind) {
      // Floats negate the sign bit (-(+0) is -0); integers wrap, so the
      // most negative value stays itself, as in two's complement.
      case OpKind::Abs:
        if constexpr (std::is_floating_point_v<T>)
          v = std::fabs(v);
        else
          v = v < T(0) ? wrappingSub(T(0), v) : v;
        break;
      case OpKind::Neg:
        if constexpr (std::is_floating_point_v<T>)
          v = -v;
        else
          v = wrappingSub(T(0), v);
        break;
      case OpKind::Sqrt:
        v = T(std::sqrt(v));
        break;
      case OpKind::Exp:
        v = T(std::exp(v));
        break;
      case OpKind::Log:
        v = T(std::log(v));
        break;
      case OpKind::Reciprocal:
        v = T(1) / v;
        break;
      case OpKind::Erf:
        v = T(std::erf(v));
        break;
      default:
        throw InternalError("unaryMath: not a unary op: " +
                            std::string(n.opName()));
      }
    }
    return Results{makeTensor(resultType(n), y)};
  });
}

} // namespace cnnc::interp
