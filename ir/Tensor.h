// Tensor: a TensorType plus its elements, used for constants (weights,
// shape vectors) and tensor-valued attributes.
//
// The bytes are little-endian, row-major over the logical shape. A tensor can
// be "elided": its type is known but its data is not (textual IR printed
// without its blob section). Elided tensors verify and print, but anything
// that needs the values must check hasData().
#pragma once

#include "ir/Types.h"

#include <cstring>
#include <memory>
#include <vector>

namespace cnnc {

class Tensor {
public:
  Tensor(TensorType type, std::vector<uint8_t> bytes);
  static Tensor elided(TensorType type);
  // Builds a plain tensor from typed values; T must match the dtype's size.
  template <typename T>
  static Tensor fromValues(DType dtype, Shape shape, const std::vector<T> &v) {
    std::vector<uint8_t> bytes(v.size() * sizeof(T));
    if (!v.empty())
      std::memcpy(bytes.data(), v.data(), bytes.size());
    return Tensor(TensorType{dtype, std::move(shape), Layout::Plain},
                  std::move(bytes));
  }

  const TensorType &type() const { return type_; }
  bool hasData() const { return hasData_; }
  const std::vector<uint8_t> &bytes() const { return bytes_; }
  int64_t numElements() const { return type_.numElements(); }

  // Element i converted to int64 / double, for integer, bool and float dtypes
  // (f16/bf16 included). Precondition: hasData() and i < numElements().
  int64_t intAt(int64_t i) const;
  double floatAt(int64_t i) const;
  std::vector<int64_t> toInts() const;

  bool operator==(const Tensor &o) const {
    return type_ == o.type_ && hasData_ == o.hasData_ && bytes_ == o.bytes_;
  }

private:
  TensorType type_;
  std::vector<uint8_t> bytes_;
  bool hasData_ = true;
};

using TensorRef = std::shared_ptr<const Tensor>;

// Reads a T stored at p (any alignment) in the tensors' byte order, which is
// the host's (little-endian).
template <typename T> T loadElement(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

float halfToFloat(uint16_t h);
float bfloat16ToFloat(uint16_t h);
uint16_t floatToHalf(float f);     // round to nearest even
uint16_t floatToBfloat16(float f); // round to nearest even

// `t` stored in layout `to` (see Layout in ir/Types.h): the same logical
// elements, moved; padding lanes of a blocked layout are zero. Precondition:
// t.hasData() and layoutFitsRank(to, rank).
Tensor relayout(const Tensor &t, Layout to);

// A rank-0 tensor of `dtype` holding `v` converted to that type.
Tensor scalarTensor(DType dtype, double v);

} // namespace cnnc
