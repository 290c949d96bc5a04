#include "ir/ShapeInference.h"
#include "ir/interp/Kernels.h"

#include <algorithm>
#include <functional>
#include <numeric>

namespace cnnc::interp {

namespace {

// The windows of a MaxPool, AveragePool or LpPool over one [spatial...]
// plane of its input, one per output position (row-major).
struct PoolWindows {
  int64_t inPlane = 0, outPlane = 0; // elements per plane
  // Window o covers the input positions offsets[first[o]] ..
  // offsets[first[o + 1] - 1] (flat, row-major, within the plane): those
  // inside the input; positions in the padding or beyond it are left out.
  std::vector<int64_t> first, offsets;
  // The positions window o spans up to the end of the padding, padding
  // included: the divisor of AveragePool with count_include_pad. As in ONNX
  // Runtime, the part of a ceil_mode window past the end padding does not
  // count.
  std::vector<int64_t> paddedSize;

  int64_t size(int64_t o) const {
    return first[size_t(o) + 1] - first[size_t(o)];
  }
  int64_t offset(int64_t o, int64_t k) const {
    return offsets[size_t(first[size_t(o)] + k)];
  }
};

PoolWindows poolWindows(const Node &n) {
  const Shape &xShape = n.inputs[0]->type.shape;
  const Shape yShape = resultType(n).shape;
  Shape inSpatial(xShape.begin() + 2, xShape.end());
  Shape outSpatial(yShape.begin() + 2, yShape.end());
  size_t sp = inSpatial.size();
  Window w = resolvedWindow(n);
  // Per spatial dim and output coordinate: the input coordinates its window
  // covers, and its padded size along that dim.
  std::vector<std::vector<std::vector<int64_t>>> covered(sp);
  std::vector<std::vector<int64_t>> padded(sp);
  for (size_t d = 0; d < sp; ++d) {
    for (int64_t o = 0; o < outSpatial[d]; ++o) {
      int64_t start = o * w.strides[d] - w.pads[d];
      int64_t end = start + w.kernel[d] * w.dilations[d];
      std::vector<int64_t> &coords = covered[d].emplace_back();
      for (int64_t i = start; i < end; i += w.dilations[d])
        if (i >= 0 && i < inSpatial[d])
          coords.push_back(i);
      int64_t paddedEnd = std::min(end, inSpatial[d] + w.pads[d + sp]);
      padded[d].push_back(1 + (paddedEnd - start - 1) / w.dilations[d]);
    }
  }
  PoolWindows pw;
  pw.inPlane = elementCount(inSpatial);
  pw.outPlane = elementCount(outSpatial);
  pw.first.push_back(0);
  std::vector<int64_t> inStrides = rowMajorStrides(inSpatial);
  forEachIndex(outSpatial, [&](const std::vector<int64_t> &o) {
    Shape counts(sp);
    int64_t paddedSize = 1;
    for (size_t d = 0; d < sp; ++d) {
      counts[d] = int64_t(covered[d][size_t(o[d])].size());
      paddedSize *= padded[d][size_t(o[d])];
    }
    forEachIndex(counts, [&](const std::vector<int64_t> &k) {
      int64_t offset = 0;
      for (size_t d = 0; d < sp; ++d)
        offset += covered[d][size_t(o[d])][size_t(k[d])] * inStrides[d];
      pw.offsets.push_back(offset);
    });
    // Shape inference drops the ceil_mode windows that start in the end
    // padding, but pads and dilations can still leave a window that covers
    // padding only; ONNX gives it no value.
    if (int64_t(pw.offsets.size()) == pw.first.back())
      n.error("the window of output position [{}] covers padding only",
              shapeToString(o));
    pw.first.push_back(int64_t(pw.offsets.size()));
    pw.paddedSize.push_back(paddedSize);
  });
  return pw;
}

// A flat row-major offset within a plane of shape `spatial`, as the
// column-major offset of the same position (MaxPool storage_order 1).
int64_t columnMajorOffset(int64_t offset, const Shape &spatial) {
  std::vector<int64_t> coords(spatial.size());
  for (size_t d = spatial.size(); d-- > 0;) {
    coords[d] = offset % spatial[d];
    offset /= spatial[d];
  }
  int64_t result = 0, stride = 1;
  for (size_t d = 0; d < spatial.size(); ++d) {
    result += coords[d] * stride;
    stride *= spatial[d];
  }
  return result;
}

// Y is the largest element of each window; the optional Indices output
// holds where it is (the first such element): its flat index in the whole
// input tensor, with the spatial position row-major (storage_order 0) or
// column-major (1), as ONNX Runtime defines it.
template <typename T> Results maxPoolOf(const Node &n, const Operands &in) {
  PoolWindows pw = poolWindows(n);
  const Shape &xShape = in[0]->type().shape;
  Shape inSpatial(xShape.begin() + 2, xShape.end());
  int64_t storageOrder = n.getInt("storage_order");
  if (storageOrder != 0 && storageOrder != 1)
    n.error("storage_order must be 0 or 1, got {}", storageOrder);
  int64_t planes = xShape[0] * xShape[1];
  std::vector<T> x = elementsAs<T>(*in[0]);
  std::vector<T> y(size_t(planes * pw.outPlane));
  std::vector<int64_t> indices(y.size());
  for (int64_t plane = 0; plane < planes; ++plane) {
    const T *src = x.data() + plane * pw.inPlane;
    for (int64_t o = 0; o < pw.outPlane; ++o) {
      int64_t best = pw.offset(o, 0);
      // The first largest element; a NaN wins, as in ReduceMax and Max.
      for (int64_t k = 1; k < pw.size(o); ++k)
        if (!isNaN(src[best]) &&
            (src[pw.offset(o, k)] > src[best] || isNaN(src[pw.offset(o, k)])))
          best = pw.offset(o, k);
      size_t out = size_t(plane * pw.outPlane + o);
      y[out] = src[best];
      indices[out] =
          plane * pw.inPlane +
          (storageOrder == 0 ? best : columnMajorOffset(best, inSpatial));
    }
  }
  Results results{makeTensor(resultType(n), y)};
  if (n.outputs.size() > 1)
    results.push_back(makeTensor(resultType(n, 1), indices));
  return results;
}

// The mean of each window: over the input elements it covers, or, with
// count_include_pad, over its padded size (padding counting as zeros).
template <typename T> Results averagePoolOf(const Node &n, const Operands &in) {
  PoolWindows pw = poolWindows(n);
  bool includePad = n.getInt("count_include_pad") != 0;
  const Shape &xShape = in[0]->type().shape;
  int64_t planes = xShape[0] * xShape[1];
  std::vector<T> x = elementsAs<T>(*in[0]);
  std::vector<T> y(size_t(planes * pw.outPlane));
  for (int64_t plane = 0; plane < planes; ++plane) {
    const T *src = x.data() + plane * pw.inPlane;
    for (int64_t o = 0; o < pw.outPlane; ++o) {
      T sum = 0;
      for (int64_t k = 0; k < pw.size(o); ++k)
        sum += src[pw.offset(o, k)];
      int64_t count = includePad ? pw.paddedSize[size_t(o)] : pw.size(o);
      y[size_t(plane * pw.outPlane + o)] = sum / T(count);
    }
  }
  return {makeTensor(resultType(n), y)};
}

// The p-norm of each window: (sum of |x|^p)^(1/p), padding adding nothing.
template <typename T> Results lpPoolOf(const Node &n, const Operands &in) {
  int64_t p = n.getInt("p");
  if (p <= 0)
    n.error("p must be positive, got {}", p);
  PoolWindows pw = poolWindows(n);
  const Shape &xShape = in[0]->type().shape;
  int64_t planes = xShape[0] * xShape[1];
  std::vector<T> x = elementsAs<T>(*in[0]);
  std::vector<T> y(size_t(planes * pw.outPlane));
  for (int64_t plane = 0; plane < planes; ++plane) {
    const T *src = x.data() + plane * pw.inPlane;
    for (int64_t o = 0; o < pw.outPlane; ++o) {
      T sum = 0;
      for (int64_t k = 0; k < pw.size(o); ++k)
        sum += std::pow(std::abs(src[pw.offset(o, k)]), T(p));
      y[size_t(plane * pw.outPlane + o)] = std::pow(sum, T(1) / T(p));
    }
  }
  return {makeTensor(resultType(n), y)};
}

// The mean (GlobalAveragePool) or the largest element (GlobalMaxPool) of
// each [spatial...] plane.
template <typename T> Results globalPoolOf(const Node &n, const Operands &in) {
  const Shape &xShape = in[0]->type().shape;
  int64_t planes = xShape[0] * xShape[1];
  int64_t planeSize = elementCount(xShape, 2, xShape.size());
  if (planes > 0 && planeSize == 0)
    n.error("input {} has empty planes", in[0]->type().str());
  std::vector<T> x = elementsAs<T>(*in[0]);
  std::vector<T> y(static_cast<size_t>(planes));
  for (int64_t plane = 0; plane < planes; ++plane) {
    auto begin = x.begin() + plane * planeSize, end = begin + planeSize;
    y[size_t(plane)] =
        n.kind == OpKind::GlobalMaxPool
            ? std::accumulate(begin + 1, end, *begin,
                              [](T acc, T v) {
                                return isNaN(acc) || (!(v > acc) && !isNaN(v))
                                           ? acc
                                           : v;
                              })
            : std::accumulate(begin, end, T(0)) / T(planeSize);
  }
  return {makeTensor(resultType(n), y)};
}

} // namespace

Results maxPool(const Node &n, const Operands &in) {
  // Not only floats: ONNX also defines MaxPool on int8 and uint8.
  DType dtype = in[0]->type().dtype;
  return withComputeType(dtype, [&](auto zero) -> Results {
    if constexpr (std::is_same_v<decltype(zero), bool>)
      n.error("not defined on {} tensors", dtypeName(dtype));
    else
      return maxPoolOf<decltype(zero)>(n, in);
  });
}

Results averagePool(const Node &n, const Operands &in) {
  return withFloatType(n, in[0]->type().dtype, [&](auto zero) {
    return averagePoolOf<decltype(zero)>(n, in);
  });
}

Results lpPool(const Node &n, const Operands &in) {
  return withFloatType(n, in[0]->type().dtype, [&](auto zero) {
    return lpPoolOf<decltype(zero)>(n, in);
  });
}

Results globalPool(const Node &n, const Operands &in) {
  return withFloatType(n, in[0]->type().dtype, [&](auto zero) {
    return globalPoolOf<decltype(zero)>(n, in);
  });
}

} // namespace cnnc::interp
