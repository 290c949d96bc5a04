// Element types, layouts and tensor types of the cnnc IR.
//
// A TensorType is an element type, a static shape (every dimension known and
// non-negative once a model is imported) and a layout tag. The shape is always
// the logical NCHW-style shape; the layout only says how the elements are laid
// out in memory, so shape inference never looks at it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cnnc {

// X-macro: enum name, text spelling, byte size, ONNX TensorProto::DataType.
#define CNNC_DTYPES(X)                                                         \
  X(F32, "f32", 4, 1)                                                          \
  X(U8, "u8", 1, 2)                                                            \
  X(I8, "i8", 1, 3)                                                            \
  X(U16, "u16", 2, 4)                                                          \
  X(I16, "i16", 2, 5)                                                          \
  X(I32, "i32", 4, 6)                                                          \
  X(I64, "i64", 8, 7)                                                          \
  X(Bool, "bool", 1, 9)                                                        \
  X(F16, "f16", 2, 10)                                                         \
  X(F64, "f64", 8, 11)                                                         \
  X(U32, "u32", 4, 12)                                                         \
  X(U64, "u64", 8, 13)                                                         \
  X(BF16, "bf16", 2, 16)

enum class DType : uint8_t {
#define CNNC_DTYPE_ENUM(name, text, size, onnx) name,
  CNNC_DTYPES(CNNC_DTYPE_ENUM)
#undef CNNC_DTYPE_ENUM
};

std::string_view dtypeName(DType t);
size_t dtypeSize(DType t);
bool isFloat(DType t);
bool isInteger(DType t); // signed or unsigned integers, not bool
// Floats and signed integers: what compares, divides and negates as signed.
bool isSignedType(DType t);
std::optional<DType> dtypeFromName(std::string_view name);
std::optional<DType> dtypeFromOnnx(int onnxType);
int dtypeToOnnx(DType t);

// Memory layouts. Plain is row-major over the logical shape. The blocked
// layouts split a dimension into blocks of B (8 or 16) whose elements are
// innermost in memory, the last block padded to B:
//   NCHWBc     activations [N,C,...]: dim 1 blocked; stored as
//              [N, ceil(C/B), ..., B] (oneDNN's nChw16c, MLAS's NCHWc).
//   OIHWBo     weights [O,I,...]: dim 0 blocked; stored as
//              [ceil(O/B), I, ..., B] (the weights of a blocked convolution
//              that reads a plain input, or of a depthwise one).
//   OIHWBiBo   weights [O,I,...]: dims 0 and 1 blocked; stored as
//              [ceil(O/B), ceil(I/B), ..., B(i), B(o)] (oneDNN's OIhw16i16o).
// The padding lanes are zero in constants; in computed values they hold
// whatever the kernels leave there, and nothing reads them as data.
// Passes choose layouts (choose-layout); nothing before them does.
#define CNNC_LAYOUTS(X)                                                        \
  X(Plain, "plain")                                                            \
  X(NCHW8c, "nchw8c")                                                          \
  X(NCHW16c, "nchw16c")                                                        \
  X(OIHW8o, "oihw8o")                                                          \
  X(OIHW16o, "oihw16o")                                                        \
  X(OIHW8i8o, "oihw8i8o")                                                      \
  X(OIHW16i16o, "oihw16i16o")

enum class Layout : uint8_t {
#define CNNC_LAYOUT_ENUM(name, text) name,
  CNNC_LAYOUTS(CNNC_LAYOUT_ENUM)
#undef CNNC_LAYOUT_ENUM
};
std::string_view layoutName(Layout l);
std::optional<Layout> layoutFromName(std::string_view name);
// The block size B of a layout (0 for Plain).
int64_t layoutBlock(Layout l);
// The activation layout NCHWBc for block size B (8 or 16).
Layout activationLayout(int64_t block);
bool isActivationLayout(Layout l); // NCHW8c, NCHW16c
bool isWeightLayout(Layout l);     // OIHW*
// Whether a tensor of this rank can have layout l: blocked layouts need a
// dimension 1 (rank >= 2).
bool layoutFitsRank(Layout l, int64_t rank);

using Shape = std::vector<int64_t>;

// Largest element count cnnc accepts for one tensor: 2^31 elements (8 GiB of
// f32). Anything bigger in a CNN is a corrupt or hostile model, and it is
// refused before anything is allocated.
constexpr int64_t kMaxElements = int64_t(1) << 31;

// Largest number of values cnnc reads from an operand that lists one value
// per dimension or axis (Reshape's and Expand's shape, Slice's starts/ends/
// axes/steps, the axes of Squeeze, Unsqueeze and the reductions, Resize's
// scales and sizes, ...); Pad's pads, two per axis, may hold 2 * kMaxRank.
// Real CNNs use rank 6 at most; a longer list is a hostile model, refused
// before its values are read.
constexpr int64_t kMaxRank = 64;

// The element count of a tensor of this shape, or std::nullopt if a
// dimension is negative or the shape is too large. The size rule: the
// product of max(d, 1) over all dimensions d must be at most kMaxElements.
// Counting a 0 dimension as 1 means an empty tensor such as [0,2^31,2^31]
// is refused too: its non-zero dimensions would overflow the products later
// stages form over parts of the shape (Flatten, strides, MAC counts). For a
// shape that passes, every product over any subset of its dimensions is at
// most kMaxElements, so it fits comfortably in int64_t.
std::optional<int64_t> checkedElementCount(const Shape &shape);

// Product of the dimensions shape[begin, end) (1 for an empty range), and of
// all of them. The one piece of code that multiplies dimensions out.
// Precondition: `shape` passed checkedElementCount (the importer, the parser
// and shape inference ensure this for every value in a graph), so the result
// is at most kMaxElements; begin <= end <= shape.size().
int64_t elementCount(const Shape &shape, size_t begin, size_t end);
inline int64_t elementCount(const Shape &shape) {
  return elementCount(shape, 0, shape.size());
}

// Row-major strides of `shape` (the last dimension has stride 1).
std::vector<int64_t> rowMajorStrides(const Shape &shape);

// The shape a tensor of logical shape `shape` is stored in under layout `l`
// (see Layout): `shape` itself for Plain (and for a layout that does not
// fit the rank, which the verifier refuses).
Shape storageShape(const Shape &shape, Layout l);

// The offset, in elements, of the element at logical `index` in a tensor of
// logical shape `shape` stored in layout `l`.
int64_t storageOffset(const Shape &shape, Layout l, const Shape &index);

// storageOffset for many elements of one tensor of rank >= 2: the offset of
// logical element (i0, i1, r), r the row-major index over dims 2 and up. In
// every layout it is separable: (i0, 0, 0) + (0, i1, 0) + r * restStride().
struct BlockedIndexer {
  BlockedIndexer(const Shape &shape, Layout l);
  int64_t operator()(int64_t i0, int64_t i1, int64_t r) const;
  // The offset's step from r to r + 1 (the same for every i0, i1).
  int64_t restStride() const;
  Layout layout;
  int64_t block, dim0, dim1, rest, dim1Blocks;
};

// Strides to read an operand of shape `operand` broadcast (NumPy rules) to
// `out`: one per dimension of `out`, 0 where the operand is broadcast or has
// no such dimension. Precondition: `operand` broadcasts to `out`.
std::vector<int64_t> broadcastStrides(const Shape &operand, const Shape &out);

std::string shapeToString(const Shape &shape, char sep = ',');

struct TensorType {
  DType dtype = DType::F32;
  Shape shape;
  Layout layout = Layout::Plain;

  int64_t rank() const { return int64_t(shape.size()); }
  // Precondition: the shape passed checkedElementCount (the verifier ensures
  // this for every value in a graph).
  // Logical elements: the product of the shape.
  int64_t numElements() const { return elementCount(shape); }
  // Elements in memory: numElements() plus the padding of a blocked layout.
  int64_t storageElements() const {
    return layout == Layout::Plain ? numElements()
                                   : elementCount(storageShape(shape, layout));
  }
  // Bytes in memory (storageElements() elements): what a buffer, a constant's
  // data and a workspace slot of this type hold.
  size_t byteSize() const {
    return size_t(storageElements()) * dtypeSize(dtype);
  }
  std::string str() const; // "f32[1,3,224,224]" or "f32[1,16,8,8]<nchw16c>"
  bool operator==(const TensorType &o) const {
    return dtype == o.dtype && shape == o.shape && layout == o.layout;
  }
  bool operator!=(const TensorType &o) const { return !(*this == o); }
};

} // namespace cnnc
