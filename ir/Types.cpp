#include "ir/Types.h"

#include <fmt/format.h>

#include <algorithm>

namespace cnnc {

std::string_view dtypeName(DType t) {
  switch (t) {
#define CNNC_DTYPE_CASE(name, text, size, onnx)                                \
  case DType::name:                                                            \
    return text;
    CNNC_DTYPES(CNNC_DTYPE_CASE)
#undef CNNC_DTYPE_CASE
  }
  return "?";
}

size_t dtypeSize(DType t) {
  switch (t) {
#define CNNC_DTYPE_CASE(name, text, size, onnx)                                \
  case DType::name:                                                            \
    return size;
    CNNC_DTYPES(CNNC_DTYPE_CASE)
#undef CNNC_DTYPE_CASE
  }
  return 0;
}

bool isFloat(DType t) {
  return t == DType::F32 || t == DType::F64 || t == DType::F16 ||
         t == DType::BF16;
}

bool isInteger(DType t) { return !isFloat(t) && t != DType::Bool; }

bool isSignedType(DType t) {
  return isFloat(t) || t == DType::I8 || t == DType::I16 || t == DType::I32 ||
         t == DType::I64;
}

std::optional<DType> dtypeFromName(std::string_view name) {
#define CNNC_DTYPE_MATCH(n, text, size, onnx)                                  \
  if (name == text)                                                            \
    return DType::n;
  CNNC_DTYPES(CNNC_DTYPE_MATCH)
#undef CNNC_DTYPE_MATCH
  return std::nullopt;
}

std::optional<DType> dtypeFromOnnx(int onnxType) {
#define CNNC_DTYPE_MATCH(n, text, size, onnx)                                  \
  if (onnxType == onnx)                                                        \
    return DType::n;
  CNNC_DTYPES(CNNC_DTYPE_MATCH)
#undef CNNC_DTYPE_MATCH
  return std::nullopt;
}

int dtypeToOnnx(DType t) {
  switch (t) {
#define CNNC_DTYPE_CASE(name, text, size, onnx)                                \
  case DType::name:                                                            \
    return onnx;
    CNNC_DTYPES(CNNC_DTYPE_CASE)
#undef CNNC_DTYPE_CASE
  }
  return 0;
}

std::string_view layoutName(Layout l) {
  switch (l) {
  case Layout::Plain:
    return "plain";
  case Layout::NCHW8c:
    return "nchw8c";
  case Layout::NCHW16c:
    return "nchw16c";
  }
  return "?";
}

std::optional<Layout> layoutFromName(std::string_view name) {
  for (Layout l : {Layout::Plain, Layout::NCHW8c, Layout::NCHW16c})
    if (layoutName(l) == name)
      return l;
  return std::nullopt;
}

std::optional<int64_t> checkedElementCount(const Shape &shape) {
  // `bound` is the product of max(d, 1), kept <= kMaxElements; `n` the true
  // element count (0 once a dimension is 0), never larger than `bound`.
  int64_t bound = 1, n = 1;
  for (int64_t d : shape) {
    if (d < 0 || d > kMaxElements)
      return std::nullopt;
    int64_t factor = std::max<int64_t>(d, 1);
    if (bound > kMaxElements / factor)
      return std::nullopt;
    bound *= factor;
    n *= d;
  }
  return n;
}

int64_t elementCount(const Shape &shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end; ++i)
    n *= shape[i];
  return n;
}

std::vector<int64_t> rowMajorStrides(const Shape &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    strides[i - 1] = strides[i] * shape[i];
  return strides;
}

std::vector<int64_t> broadcastStrides(const Shape &operand, const Shape &out) {
  std::vector<int64_t> own = rowMajorStrides(operand);
  std::vector<int64_t> strides(out.size(), 0);
  size_t offset = out.size() - operand.size();
  for (size_t i = 0; i < operand.size(); ++i)
    if (operand[i] != 1)
      strides[offset + i] = own[i];
  return strides;
}

std::string shapeToString(const Shape &shape, char sep) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += sep;
    s += std::to_string(shape[i]);
  }
  return s;
}

std::string TensorType::str() const {
  std::string s = fmt::format("{}[{}]", dtypeName(dtype), shapeToString(shape));
  if (layout != Layout::Plain)
    s += fmt::format("<{}>", layoutName(layout));
  return s;
}

} // namespace cnnc
