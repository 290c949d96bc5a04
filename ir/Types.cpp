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
#define CNNC_LAYOUT_CASE(name, text)                                           \
  case Layout::name:                                                           \
    return text;
    CNNC_LAYOUTS(CNNC_LAYOUT_CASE)
#undef CNNC_LAYOUT_CASE
  }
  return "?";
}

std::optional<Layout> layoutFromName(std::string_view name) {
#define CNNC_LAYOUT_MATCH(name_, text)                                         \
  if (name == text)                                                            \
    return Layout::name_;
  CNNC_LAYOUTS(CNNC_LAYOUT_MATCH)
#undef CNNC_LAYOUT_MATCH
  return std::nullopt;
}

int64_t layoutBlock(Layout l) {
  switch (l) {
  case Layout::Plain:
    return 0;
  case Layout::NCHW8c:
  case Layout::OIHW8o:
  case Layout::OIHW8i8o:
    return 8;
  case Layout::NCHW16c:
  case Layout::OIHW16o:
  case Layout::OIHW16i16o:
    return 16;
  }
  return 0;
}

Layout activationLayout(int64_t block) {
  return block == 8 ? Layout::NCHW8c : Layout::NCHW16c;
}

bool isActivationLayout(Layout l) {
  return l == Layout::NCHW8c || l == Layout::NCHW16c;
}

bool isWeightLayout(Layout l) {
  return l != Layout::Plain && !isActivationLayout(l);
}

bool layoutFitsRank(Layout l, int64_t rank) {
  return l == Layout::Plain || rank >= 2;
}

static bool blocksInputs(Layout l) {
  return l == Layout::OIHW8i8o || l == Layout::OIHW16i16o;
}

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

Shape storageShape(const Shape &shape, Layout l) {
  if (!layoutFitsRank(l, int64_t(shape.size())) || l == Layout::Plain)
    return shape; // the verifier refuses such a type; sizes stay defined

  int64_t b = layoutBlock(l);
  Shape s;
  if (isActivationLayout(l)) {
    s = shape;
    s[1] = ceilDiv(shape[1], b);
  } else {
    s = shape;
    s[0] = ceilDiv(shape[0], b);
    if (blocksInputs(l)) {
      s[1] = ceilDiv(shape[1], b);
      s.push_back(b); // the input lanes
    }
  }
  s.push_back(b);
  return s;
}

int64_t storageOffset(const Shape &shape, Layout l, const Shape &index) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    flat = flat * shape[d] + index[d];
  if (l == Layout::Plain || shape.size() < 2)
    return flat;
  int64_t rest = elementCount(shape, 2, shape.size());
  return BlockedIndexer(shape, l)(index[0], index[1], flat % rest);
}

BlockedIndexer::BlockedIndexer(const Shape &shape, Layout l)
    : layout(l), block(layoutBlock(l)), dim0(shape.at(0)), dim1(shape.at(1)),
      rest(elementCount(shape, 2, shape.size())),
      dim1Blocks(block ? ceilDiv(dim1, block) : 0) {}

int64_t BlockedIndexer::restStride() const {
  switch (layout) {
  case Layout::OIHW8i8o:
  case Layout::OIHW16i16o:
    return block * block;
  case Layout::Plain:
    return 1;
  default:
    return block;
  }
}

int64_t BlockedIndexer::operator()(int64_t i0, int64_t i1, int64_t r) const {
  int64_t b = block;
  switch (layout) {
  case Layout::Plain:
    return (i0 * dim1 + i1) * rest + r;
  case Layout::NCHW8c:
  case Layout::NCHW16c:
    return ((i0 * dim1Blocks + i1 / b) * rest + r) * b + i1 % b;
  case Layout::OIHW8o:
  case Layout::OIHW16o:
    return ((i0 / b * dim1 + i1) * rest + r) * b + i0 % b;
  case Layout::OIHW8i8o:
  case Layout::OIHW16i16o:
    return (((i0 / b * dim1Blocks + i1 / b) * rest + r) * b + i1 % b) * b +
           i0 % b;
  }
  return 0;
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
