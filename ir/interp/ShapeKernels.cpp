// Data movement and shape computation. These ops only move elements, so
// they copy raw bytes and work for every dtype alike; only Cast converts.

#include "ir/ShapeInference.h"
#include "ir/interp/Kernels.h"

#include <algorithm>

namespace cnnc::interp {

namespace {

// A tensor of `type` whose element at multi-index i is element
// offset + dot(i, strides) of `src`: a strided view of `src` (Transpose,
// Slice, Split, Expand) made into a plain tensor.
Tensor copyView(const TensorType &type, const Tensor &src, int64_t offset,
                const std::vector<int64_t> &strides) {
  size_t size = dtypeSize(type.dtype);
  std::vector<uint8_t> bytes(type.byteSize());
  uint8_t *dst = bytes.data();
  forEachIndex(type.shape, [&](const std::vector<int64_t> &index) {
    std::memcpy(dst, elementBytes(src, offset + dot(index, strides)), size);
    dst += size;
  });
  return Tensor(type, std::move(bytes));
}

} // namespace

Results reshapeLike(const Node &n, const Operands &in) {
  return {Tensor(resultType(n), in[0]->bytes())};
}

Results transpose(const Node &n, const Operands &in) {
  const Tensor &x = *in[0];
  std::vector<int64_t> perm = n.getInts("perm");
  if (perm.empty())
    for (int64_t i = x.type().rank() - 1; i >= 0; --i)
      perm.push_back(i);
  // Output axis i walks input axis perm[i].
  std::vector<int64_t> inStrides = rowMajorStrides(x.type().shape);
  std::vector<int64_t> strides;
  for (int64_t p : perm)
    strides.push_back(inStrides[size_t(p)]);
  return {copyView(resultType(n), x, 0, strides)};
}

Results concat(const Node &n, const Operands &in) {
  const TensorType &type = resultType(n);
  // Nothing to copy; this also keeps the products below within the element
  // count of the result.
  if (type.numElements() == 0)
    return {Tensor(type, {})};
  size_t axis = size_t(normalizeAxis(n, n.getInt("axis"), type.rank()));
  // Per index of the axes before `axis`, each operand contributes one
  // contiguous block (its part of `axis` and everything after it).
  int64_t outer = elementCount(type.shape, 0, axis);
  int64_t inner = elementCount(type.shape, axis + 1, type.shape.size());
  size_t size = dtypeSize(type.dtype);
  std::vector<uint8_t> bytes(type.byteSize());
  uint8_t *dst = bytes.data();
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor *t : in) {
      size_t block = size_t(t->type().shape[axis] * inner) * size;
      if (block > 0)
        std::memcpy(dst, t->bytes().data() + size_t(o) * block, block);
      dst += block;
    }
  }
  return {Tensor(type, std::move(bytes))};
}

Results split(const Node &n, const Operands &in) {
  const Tensor &x = *in[0];
  size_t axis = size_t(normalizeAxis(n, n.getInt("axis"), x.type().rank()));
  std::vector<int64_t> strides = rowMajorStrides(x.type().shape);
  // The chunk sizes are the result types' extents along `axis`.
  Results results;
  int64_t start = 0;
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    const TensorType &type = resultType(n, i);
    results.push_back(copyView(type, x, start * strides[axis], strides));
    start += type.shape[axis];
  }
  return results;
}

Results slice(const Node &n, const Operands &in) {
  StridedView view = sliceView(n);
  return {copyView(resultType(n), *in[0], view.offset, view.strides)};
}

Results pad(const Node &n, const Operands &in) {
  const Tensor &x = *in[0];
  const Shape &shape = x.type().shape;
  const TensorType &type = resultType(n);
  size_t rank = shape.size();
  // How many elements each axis gains (or, negative, loses) at its start.
  std::vector<int64_t> before = padsBefore(n);

  const std::string &mode = n.getString("mode");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    n.error("unsupported pad mode '{}'", mode);
  if (mode != "constant")
    for (size_t d = 0; d < rank; ++d)
      if (shape[d] == 0 && type.shape[d] > 0)
        n.error("{} padding of an empty axis {}", mode, d);

  size_t size = dtypeSize(type.dtype);
  // The fill of constant mode: operand 2, else zero bytes, which are 0 (or
  // false) in every dtype.
  std::vector<uint8_t> fill(size, 0);
  if (optionalOperand(in, 2))
    std::memcpy(fill.data(), in[2]->bytes().data(), size);

  auto source = [&](size_t d, int64_t o) {
    return padSource(mode, shape[d], before[d], o);
  };

  std::vector<int64_t> strides = rowMajorStrides(shape);
  std::vector<uint8_t> bytes(type.byteSize());
  uint8_t *dst = bytes.data();
  forEachIndex(type.shape, [&](const std::vector<int64_t> &index) {
    const uint8_t *src = nullptr;
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d) {
      int64_t i = source(d, index[d]);
      if (i < 0) {
        src = fill.data();
        break;
      }
      offset += i * strides[d];
    }
    std::memcpy(dst, src ? src : elementBytes(x, offset), size);
    dst += size;
  });
  return {Tensor(type, std::move(bytes))};
}

Results gather(const Node &n, const Operands &in) {
  const Tensor &data = *in[0], &indices = *in[1];
  const Shape &shape = data.type().shape;
  const TensorType &type = resultType(n);
  // Nothing to read; this also keeps the products below within the
  // element count of the result.
  if (type.numElements() == 0)
    return {Tensor(type, {})};
  size_t axis = size_t(normalizeAxis(n, n.getInt("axis"), data.type().rank()));
  // The result is [outer, indices..., inner]: for each outer position and
  // index, one contiguous block of `inner` elements of `data`.
  int64_t outer = elementCount(shape, 0, axis);
  int64_t inner = elementCount(shape, axis + 1, shape.size());
  int64_t dim = shape[axis];
  size_t block = size_t(inner) * dtypeSize(type.dtype);
  std::vector<uint8_t> bytes(type.byteSize());
  uint8_t *dst = bytes.data();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < indices.numElements(); ++k) {
      int64_t i = elementAs<int64_t>(indices, k);
      if (i < -dim || i >= dim)
        n.error("index {} out of range for axis {} of size {}", i, axis, dim);
      if (i < 0)
        i += dim;
      if (block > 0)
        std::memcpy(dst, elementBytes(data, (o * dim + i) * inner), block);
      dst += block;
    }
  }
  return {Tensor(type, std::move(bytes))};
}

Results shape(const Node &n, const Operands &in) {
  const Shape &s = in[0]->type().shape;
  auto [start, end] = shapeOpRange(n, int64_t(s.size()));
  return {makeTensor(resultType(n),
                     std::vector<int64_t>(s.begin() + start, s.begin() + end))};
}

Results constantOfShape(const Node &n, const Operands &) {
  const TensorType &type = resultType(n);
  // Without a value attribute ONNX fills with f32 0, which is zero bytes.
  std::vector<uint8_t> value(dtypeSize(type.dtype), 0);
  if (const Attribute *a = n.attr("value")) {
    const Tensor &t = *a->getTensor();
    if (!t.hasData())
      n.error("the value attribute has no data (elided)");
    value = t.bytes();
  }
  std::vector<uint8_t> bytes;
  bytes.reserve(type.byteSize());
  for (int64_t i = 0; i < type.numElements(); ++i)
    bytes.insert(bytes.end(), value.begin(), value.end());
  return {Tensor(type, std::move(bytes))};
}

Results expand(const Node &n, const Operands &in) {
  const TensorType &type = resultType(n);
  return {copyView(type, *in[0], 0,
                   broadcastStrides(in[0]->type().shape, type.shape))};
}

Results dropout(const Node &n, const Operands &in) {
  // In inference Dropout passes its input through. Training mode drops
  // elements at random, which no reference can reproduce, unless the ratio
  // (default 0.5) is 0.
  for (size_t i : {1, 2})
    if (optionalOperand(in, i) && in[i]->numElements() != 1)
      n.error("{} (operand {}) must hold one value, got {}",
              i == 1 ? "ratio" : "training_mode", i, in[i]->type().str());
  bool training = optionalOperand(in, 2) && elementAs<bool>(*in[2], 0);
  double ratio = optionalOperand(in, 1) ? elementAs<double>(*in[1], 0) : 0.5;
  if (training && ratio > 0)
    n.error("Dropout in training mode (ratio {}) drops at random: not "
            "supported",
            ratio);
  Results results{Tensor(resultType(n), in[0]->bytes())};
  if (n.outputs.size() > 1) {
    const TensorType &maskType = resultType(n, 1);
    results.push_back(makeTensor(
        maskType, std::vector<bool>(size_t(maskType.numElements()), true)));
  }
  return results;
}

Results cast(const Node &n, const Operands &in) {
  // Read in the source's compute type, which holds every source value
  // exactly; makeTensor then converts to the target (float to integer
  // truncates toward zero, anything to bool is != 0, f16/bf16 round to
  // nearest even).
  return withComputeType(in[0]->type().dtype, [&](auto zero) {
    using T = decltype(zero);
    return Results{makeTensor(resultType(n), elementsAs<T>(*in[0]))};
  });
}

} // namespace cnnc::interp
