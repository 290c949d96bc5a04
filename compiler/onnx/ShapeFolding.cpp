#include "compiler/onnx/ShapeFolding.h"

#include "ir/ShapeInference.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace cnnc {

namespace {

bool smallInt(const TensorType &t) {
  return isInteger(t.dtype) && t.numElements() <= kMaxFoldElements;
}

// Element values of a known integer operand, or nullopt.
std::optional<std::vector<int64_t>> knownInts(const Node &n, size_t i) {
  const Tensor *t = n.constantInput(i);
  if (!t || !t->hasData() || !smallInt(t->type()))
    return std::nullopt;
  return t->toInts();
}

TensorRef makeIntTensor(const TensorType &type, const std::vector<int64_t> &v) {
  std::vector<uint8_t> bytes(type.byteSize());
  size_t size = dtypeSize(type.dtype);
  for (size_t i = 0; i < v.size(); ++i) {
    // Little-endian truncation to the element width (i32, u8, ...).
    uint64_t bits = uint64_t(v[i]);
    for (size_t b = 0; b < size; ++b)
      bytes[i * size + b] = uint8_t(bits >> (8 * b));
  }
  return std::make_shared<Tensor>(type, std::move(bytes));
}

// Index of output element `flat` (of shape `out`) in an operand of shape `in`
// under NumPy broadcasting.
int64_t broadcastIndex(const Shape &out, const Shape &in, int64_t flat) {
  int64_t index = 0, stride = 1;
  for (size_t k = 0; k < out.size(); ++k) {
    size_t d = out.size() - 1 - k;
    int64_t coord = flat % out[d];
    flat /= out[d];
    if (k < in.size()) {
      int64_t dim = in[in.size() - 1 - k];
      index += (dim == 1 ? 0 : coord) * stride;
      stride *= dim;
    }
  }
  return index;
}

std::optional<std::vector<int64_t>> evaluate(const Node &n) {
  const TensorType &out = n.outputs[0]->type;
  auto all = [&]() -> std::optional<std::vector<std::vector<int64_t>>> {
    std::vector<std::vector<int64_t>> vals;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (!n.inputs[i])
        return std::nullopt;
      auto v = knownInts(n, i);
      if (!v)
        return std::nullopt;
      vals.push_back(std::move(*v));
    }
    return vals;
  };
  switch (n.kind) {
  case OpKind::Shape: {
    const Shape &s = n.inputs[0]->type.shape;
    auto [start, end] = shapeOpRange(n, int64_t(s.size()));
    return std::vector<int64_t>(s.begin() + start, s.begin() + end);
  }
  case OpKind::Identity:
  case OpKind::Reshape:
  case OpKind::Flatten:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Cast: {
    // Same elements in the same order; only the shape (or width) changes.
    if (n.kind == OpKind::Cast && !isInteger(out.dtype))
      return std::nullopt;
    return knownInts(n, 0);
  }
  case OpKind::Gather: {
    auto vals = all();
    if (!vals || n.inputs[0]->type.rank() != 1)
      return std::nullopt;
    const std::vector<int64_t> &data = (*vals)[0];
    std::vector<int64_t> result;
    int64_t size = int64_t(data.size());
    for (int64_t i : (*vals)[1]) {
      if (i < -size || i >= size)
        return std::nullopt; // shape inference reports it
      result.push_back(data[size_t(i < 0 ? i + size : i)]);
    }
    return result;
  }
  case OpKind::Concat: {
    auto vals = all();
    if (!vals || out.rank() != 1)
      return std::nullopt;
    std::vector<int64_t> result;
    for (const auto &v : *vals)
      result.insert(result.end(), v.begin(), v.end());
    return result;
  }
  case OpKind::Slice: {
    // One axis of 1-D data only: starts, ends and (if given) axes and steps
    // hold exactly one value each. Anything else stays a Slice node.
    auto vals = all();
    if (!vals || out.rank() != 1 || n.inputs[0]->type.rank() != 1 ||
        vals->size() < 3)
      return std::nullopt;
    for (size_t i = 1; i < vals->size(); ++i)
      if ((*vals)[i].size() != 1)
        return std::nullopt;
    const std::vector<int64_t> &data = (*vals)[0];
    if (vals->size() > 3 && (*vals)[3][0] != 0 && (*vals)[3][0] != -1)
      return std::nullopt; // the only axis of 1-D data
    int64_t step = vals->size() > 4 ? (*vals)[4][0] : 1;
    if (step == 0)
      return std::nullopt;
    SliceRange range =
        resolveSlice((*vals)[1][0], (*vals)[2][0], step, int64_t(data.size()));
    std::vector<int64_t> result;
    for (int64_t i = 0; i < range.count; ++i)
      result.push_back(data[size_t(range.start + i * step)]);
    return result;
  }
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div: {
    auto vals = all();
    if (!vals)
      return std::nullopt;
    if (vals->size() != 2)
      return std::nullopt;
    std::vector<int64_t> result(static_cast<size_t>(out.numElements()));
    for (int64_t i = 0; i < out.numElements(); ++i) {
      int64_t a = (*vals)[0][size_t(broadcastIndex(out.shape, n.inputs[0]->type.shape, i))];
      int64_t b = (*vals)[1][size_t(broadcastIndex(out.shape, n.inputs[1]->type.shape, i))];
      // An int64 overflow (INT64_MIN / -1 included) or a division by 0 is
      // not folded: the node stays and run time does what it does.
      int64_t r;
      bool ok = true;
      switch (n.kind) {
      case OpKind::Add:
        ok = !__builtin_add_overflow(a, b, &r);
        break;
      case OpKind::Sub:
        ok = !__builtin_sub_overflow(a, b, &r);
        break;
      case OpKind::Mul:
        ok = !__builtin_mul_overflow(a, b, &r);
        break;
      default:
        ok = b != 0 && !(a == INT64_MIN && b == -1);
        r = ok ? a / b : 0;
        break;
      }
      if (!ok)
        return std::nullopt;
      result[size_t(i)] = r;
    }
    return result;
  }
  default:
    return std::nullopt;
  }
}

} // namespace

std::optional<std::vector<TensorRef>> foldShapeComputation(const Node &n) {
  if (n.outputs.size() != 1)
    return std::nullopt;
  const TensorType &out = n.outputs[0]->type;
  if (out.numElements() > kMaxFoldElements)
    return std::nullopt;
  if (n.kind == OpKind::ConstantOfShape) {
    // The fill value, repeated; any element type.
    const Tensor *shape = n.constantInput(0);
    if (!shape)
      return std::nullopt;
    std::vector<uint8_t> one(dtypeSize(out.dtype), 0);
    if (const Attribute *v = n.attr("value"))
      one = v->getTensor()->bytes();
    std::vector<uint8_t> bytes;
    for (int64_t i = 0; i < out.numElements(); ++i)
      bytes.insert(bytes.end(), one.begin(), one.end());
    return std::vector<TensorRef>{std::make_shared<Tensor>(out, std::move(bytes))};
  }
  if (!smallInt(out))
    return std::nullopt;
  std::optional<std::vector<int64_t>> values = evaluate(n);
  if (!values || int64_t(values->size()) != out.numElements())
    return std::nullopt;
  return std::vector<TensorRef>{makeIntTensor(out, *values)};
}

} // namespace cnnc
