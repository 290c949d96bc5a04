#include "ir/Tensor.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

namespace cnnc {

Tensor::Tensor(TensorType type, std::vector<uint8_t> bytes)
    : type_(std::move(type)), bytes_(std::move(bytes)) {
  assert(bytes_.size() == type_.byteSize());
}

Tensor relayout(const Tensor &t, Layout to) {
  const TensorType &from = t.type();
  TensorType type{from.dtype, from.shape, to};
  if (from.layout == to)
    return t;
  std::vector<uint8_t> bytes(type.byteSize(), 0);
  const Shape &shape = from.shape;
  if (shape.size() < 2 || from.numElements() == 0) // plain to plain only
    return Tensor(type, t.bytes());
  BlockedIndexer src(shape, from.layout), dst(shape, to);
  size_t size = dtypeSize(from.dtype);
  size_t srcStep = size_t(src.restStride()) * size,
         dstStep = size_t(dst.restStride()) * size;
  const uint8_t *in = t.bytes().data();
  // Every layout's offset is a sum of a term of i0, a term of i1 and
  // r * restStride (BlockedIndexer), so the terms are tabled once.
  auto table = [](const BlockedIndexer &ix, bool first) {
    std::vector<size_t> offsets(size_t(first ? ix.dim0 : ix.dim1));
    for (size_t i = 0; i < offsets.size(); ++i)
      offsets[i] = size_t(first ? ix(int64_t(i), 0, 0) : ix(0, int64_t(i), 0));
    return offsets;
  };
  std::vector<size_t> src0 = table(src, true), src1 = table(src, false),
                      dst0 = table(dst, true), dst1 = table(dst, false);
  // In tiles of 16 x 16 (i0, i1), so both sides of a tile stay in cache.
  constexpr size_t kTile = 16;
  for (size_t t0 = 0; t0 < src0.size(); t0 += kTile)
    for (size_t t1 = 0; t1 < src1.size(); t1 += kTile)
      for (size_t i0 = t0; i0 < std::min(t0 + kTile, src0.size()); ++i0)
        for (size_t i1 = t1; i1 < std::min(t1 + kTile, src1.size()); ++i1) {
          const uint8_t *from = in + (src0[i0] + src1[i1]) * size;
          uint8_t *into = bytes.data() + (dst0[i0] + dst1[i1]) * size;
          for (int64_t r = 0; r < src.rest;
               ++r, from += srcStep, into += dstStep)
            std::memcpy(into, from, size);
        }
  return Tensor(std::move(type), std::move(bytes));
}

Tensor Tensor::elided(TensorType type) {
  // Built as an empty tensor, then given its real type: no bytes to check.
  Tensor t(TensorType{type.dtype, {0}, type.layout}, {});
  t.type_ = std::move(type);
  t.hasData_ = false;
  return t;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else { // subnormal: renormalize
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000 | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bfloat16ToFloat(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint32_t sign = (bits >> 16) & 0x8000;
  uint32_t absBits = bits & 0x7fffffff;
  if (absBits >= 0x7f800000) // inf or nan
    return uint16_t(sign | 0x7c00 | (absBits > 0x7f800000 ? 0x200 : 0));
  if (absBits >= 0x477ff000) // rounds past the largest half: inf
    return uint16_t(sign | 0x7c00);
  if (absBits < 0x38800000) { // subnormal half (or zero)
    float magnitude;
    std::memcpy(&magnitude, &absBits, 4);
    // Scaling by 2^24 puts the half's subnormal steps on integers.
    return uint16_t(sign | uint32_t(std::nearbyint(magnitude * 16777216.0f)));
  }
  uint32_t mant = absBits & 0x7fffff;
  uint32_t exp = (absBits >> 23) - 127 + 15;
  uint32_t half = (exp << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half; // may carry into the exponent, which is still right
  return uint16_t(sign | half);
}

uint16_t floatToBfloat16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffff) > 0x7f800000)
    return uint16_t((bits >> 16) | 0x40); // quiet nan
  uint32_t rounding = 0x7fff + ((bits >> 16) & 1);
  return uint16_t((bits + rounding) >> 16);
}

// Converts v to integer type T, saturating at T's range (and NaN to 0), so
// the conversion is always defined.
template <typename T> static T saturate(double v) {
  if (std::isnan(v))
    return 0;
  if (v <= double(std::numeric_limits<T>::lowest()))
    return std::numeric_limits<T>::lowest();
  if (v >= double(std::numeric_limits<T>::max()))
    return std::numeric_limits<T>::max();
  return T(v);
}

Tensor scalarTensor(DType dtype, double v) {
  std::vector<uint8_t> bytes(dtypeSize(dtype));
  auto store = [&](auto x) { std::memcpy(bytes.data(), &x, sizeof x); };
  switch (dtype) {
  case DType::F32:
    store(float(v));
    break;
  case DType::F64:
    store(v);
    break;
  case DType::F16:
    store(floatToHalf(float(v)));
    break;
  case DType::BF16:
    store(floatToBfloat16(float(v)));
    break;
  case DType::Bool:
    store(uint8_t(v != 0));
    break;
  case DType::U8:
    store(saturate<uint8_t>(v));
    break;
  case DType::I8:
    store(saturate<int8_t>(v));
    break;
  case DType::U16:
    store(saturate<uint16_t>(v));
    break;
  case DType::I16:
    store(saturate<int16_t>(v));
    break;
  case DType::I32:
    store(saturate<int32_t>(v));
    break;
  case DType::I64:
    store(saturate<int64_t>(v));
    break;
  case DType::U32:
    store(saturate<uint32_t>(v));
    break;
  case DType::U64:
    store(saturate<uint64_t>(v));
    break;
  }
  return Tensor(TensorType{dtype, {}, Layout::Plain}, std::move(bytes));
}

double Tensor::floatAt(int64_t i) const {
  const uint8_t *p = bytes_.data() + i * dtypeSize(type_.dtype);
  switch (type_.dtype) {
  case DType::F32:
    return loadElement<float>(p);
  case DType::F64:
    return loadElement<double>(p);
  case DType::F16:
    return halfToFloat(loadElement<uint16_t>(p));
  case DType::BF16:
    return bfloat16ToFloat(loadElement<uint16_t>(p));
  case DType::U8:
  case DType::I8:
  case DType::U16:
  case DType::I16:
  case DType::I32:
  case DType::I64:
  case DType::U32:
  case DType::U64:
  case DType::Bool:
    return double(intAt(i));
  }
  return 0;
}

int64_t Tensor::intAt(int64_t i) const {
  const uint8_t *p = bytes_.data() + i * dtypeSize(type_.dtype);
  switch (type_.dtype) {
  case DType::U8:
  case DType::Bool:
    return loadElement<uint8_t>(p);
  case DType::I8:
    return loadElement<int8_t>(p);
  case DType::U16:
    return loadElement<uint16_t>(p);
  case DType::I16:
    return loadElement<int16_t>(p);
  case DType::I32:
    return loadElement<int32_t>(p);
  case DType::I64:
    return loadElement<int64_t>(p);
  case DType::U32:
    return loadElement<uint32_t>(p);
  case DType::U64:
    return int64_t(loadElement<uint64_t>(p));
  case DType::F32:
  case DType::F64:
  case DType::F16:
  case DType::BF16:
    return int64_t(floatAt(i));
  }
  return 0;
}

std::vector<int64_t> Tensor::toInts() const {
  std::vector<int64_t> v(static_cast<size_t>(numElements()));
  for (int64_t i = 0; i < numElements(); ++i)
    v[size_t(i)] = intAt(i);
  return v;
}

} // namespace cnnc
