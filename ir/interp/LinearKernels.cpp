#include "ir/interp/Kernels.h"

namespace cnnc::interp {

namespace {

// alpha * product + beta * c. Floats scale in T; integers scale in double
// and truncate, as the ONNX reference implementation does, except that the
// default alpha = beta = 1 stays exact (and wraps) in integer arithmetic.
template <typename T> T scaleAndAdd(double alpha, T product, double beta, T c) {
  if constexpr (std::is_floating_point_v<T>)
    return T(alpha) * product + T(beta) * c;
  else if (alpha == 1 && beta == 1)
    return T(Wrapping<T>(product) + Wrapping<T>(c));
  else
    return convertElement<T>(alpha * double(product) + beta * double(c));
}

} // namespace

Results gemm(const Node &n, const Operands &in) {
  const Tensor &a = *in[0], &b = *in[1];
  bool transA = n.getInt("transA") != 0, transB = n.getInt("transB") != 0;
  double alpha = n.getFloat("alpha"), beta = n.getFloat("beta");
  const Shape out = resultType(n).shape;
  int64_t m = out[0], cols = out[1];
  int64_t k = transA ? a.type().shape[0] : a.type().shape[1];
  return withNumericType(n, a.type().dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> as = elementsAs<T>(a), bs = elementsAs<T>(b);
    // A(i, p) and B(p, j) of the formula, whichever way they are stored.
    auto atA = [&](int64_t i, int64_t p) {
      return as[size_t(transA ? p * m + i : i * k + p)];
    };
    auto atB = [&](int64_t p, int64_t j) {
      return bs[size_t(transB ? j * k + p : p * cols + j)];
    };
    // C is broadcast unidirectionally to [M, N]; absent, it adds nothing.
    std::vector<T> cs{T(0)};
    std::vector<int64_t> cStrides{0, 0};
    if (const Tensor *c = optionalOperand(in, 2)) {
      cs = elementsAs<T>(*c);
      cStrides = broadcastStrides(c->type().shape, out);
    }
    std::vector<T> y(size_t(m * cols));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < cols; ++j) {
        Wrapping<T> sum = 0;
        for (int64_t p = 0; p < k; ++p)
          sum += Wrapping<T>(atA(i, p)) * Wrapping<T>(atB(p, j));
        T c = cs[size_t(i * cStrides[0] + j * cStrides[1])];
        y[size_t(i * cols + j)] = scaleAndAdd(alpha, T(sum), beta, c);
      }
    }
    return Results{makeTensor(resultType(n), y)};
  });
}

Results matMul(const Node &n, const Operands &in) {
  const Tensor &a = *in[0], &b = *in[1];
  // NumPy semantics: a 1-D A is a row [1, K], a 1-D B a column [K, 1], and
  // the inserted dimension is dropped from the result again; the leading
  // (batch) dimensions broadcast.
  Shape sa = a.type().shape, sb = b.type().shape;
  if (sa.size() == 1)
    sa.insert(sa.begin(), 1);
  if (sb.size() == 1)
    sb.push_back(1);
  int64_t m = sa[sa.size() - 2], k = sa.back(), cols = sb.back();
  Shape batchA(sa.begin(), sa.end() - 2), batchB(sb.begin(), sb.end() - 2);
  // The result's batch dimensions: all but the (up to two) matrix ones.
  const Shape out = resultType(n).shape;
  size_t matrixDims = size_t(a.type().rank() > 1) + size_t(b.type().rank() > 1);
  Shape batch(out.begin(), out.end() - matrixDims);
  // Strides in whole matrices, so the offsets below count matrices.
  std::vector<int64_t> stridesA = broadcastStrides(batchA, batch);
  std::vector<int64_t> stridesB = broadcastStrides(batchB, batch);
  return withNumericType(n, a.type().dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> as = elementsAs<T>(a), bs = elementsAs<T>(b);
    std::vector<T> y(size_t(resultType(n).numElements()));
    size_t outMatrix = 0;
    forEachIndex(batch, [&](const std::vector<int64_t> &index) {
      const T *ma = as.data() + dot(index, stridesA) * m * k;
      const T *mb = bs.data() + dot(index, stridesB) * k * cols;
      T *my = y.data() + outMatrix++ * m * cols;
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < cols; ++j) {
          Wrapping<T> sum = 0;
          for (int64_t p = 0; p < k; ++p)
            sum += Wrapping<T>(ma[i * k + p]) * Wrapping<T>(mb[p * cols + j]);
          my[i * cols + j] = T(sum);
        }
      }
    });
    return Results{makeTensor(resultType(n), y)};
  });
}

} // namespace cnnc::interp
