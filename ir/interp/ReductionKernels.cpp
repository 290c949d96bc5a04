#include "ir/interp/Kernels.h"

#include "ir/ShapeInference.h"

namespace cnnc::interp {

namespace {

// ReduceMax's start, the identity of max: what a max over no elements
// gives (-inf for floats, as ONNX Runtime does).
template <typename T> T lowest() {
  if constexpr (std::is_floating_point_v<T>)
    return -std::numeric_limits<T>::infinity();
  else
    return std::numeric_limits<T>::lowest();
}

} // namespace

Results reduce(const Node &n, const Operands &in) {
  const Tensor &x = *in[0];
  DType dtype = x.type().dtype;
  const Shape &shape = x.type().shape;
  std::vector<int64_t> axes;
  if (optionalOperand(in, 1))
    axes = in[1]->toInts();
  if (axes.empty() && n.getInt("noop_with_empty_axes"))
    return {x};
  std::vector<bool> reduced(shape.size(), axes.empty()); // empty: all axes
  for (int64_t a : axes)
    reduced[size_t(normalizeAxis(n, a, x.type().rank()))] = true;

  // Input index -> result element: the row-major strides of the result with
  // its reduced dimensions kept (as 1), and 0 along them, so every element
  // of a reduced set lands on the same result element. keepdims only
  // changes the result's shape, not this order.
  Shape kept = shape;
  int64_t count = 1; // elements per reduced set
  for (size_t d = 0; d < shape.size(); ++d)
    if (reduced[d]) {
      count *= shape[d];
      kept[d] = 1;
    }
  std::vector<int64_t> strides = rowMajorStrides(kept);
  for (size_t d = 0; d < shape.size(); ++d)
    if (reduced[d])
      strides[d] = 0;

  return withNumericType(n, dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> xs = elementsAs<T>(x);
    bool isMax = n.kind == OpKind::ReduceMax;
    std::vector<T> y(size_t(elementCount(kept)), isMax ? lowest<T>() : T(0));
    size_t i = 0;
    forEachIndex(shape, [&](const std::vector<int64_t> &index) {
      T v = xs[i++];
      T &acc = y[size_t(dot(index, strides))];
      if (!isMax)
        acc = T(Wrapping<T>(acc) + Wrapping<T>(v));
      else if (v > acc || isNaN(v)) // a NaN acc stays: v > NaN is false
        acc = v;
    });
    if (n.kind == OpKind::ReduceMean) {
      // The mean of no floats is 0/0 = NaN; of no integers, an error like
      // any integer division by zero.
      if (count == 0 && !std::is_floating_point_v<T>)
        n.error("mean over an empty set of integers");
      for (T &v : y)
        v /= T(count);
    }
    return Results{makeTensor(resultType(n), y)};
  });
}

} // namespace cnnc::interp
