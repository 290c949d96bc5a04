#include "ir/interp/Kernels.h"

namespace cnnc::interp {

template <typename T> T elementAs(const Tensor &t, int64_t i) {
  const uint8_t *p = elementBytes(t, i);
  switch (t.type().dtype) {
  case DType::F32:
    return convertElement<T>(loadElement<float>(p));
  case DType::F64:
    return convertElement<T>(loadElement<double>(p));
  case DType::F16:
    return convertElement<T>(halfToFloat(loadElement<uint16_t>(p)));
  case DType::BF16:
    return convertElement<T>(bfloat16ToFloat(loadElement<uint16_t>(p)));
  case DType::I8:
    return convertElement<T>(loadElement<int8_t>(p));
  case DType::I16:
    return convertElement<T>(loadElement<int16_t>(p));
  case DType::I32:
    return convertElement<T>(loadElement<int32_t>(p));
  case DType::I64:
    return convertElement<T>(loadElement<int64_t>(p));
  case DType::U8:
    return convertElement<T>(loadElement<uint8_t>(p));
  case DType::U16:
    return convertElement<T>(loadElement<uint16_t>(p));
  case DType::U32:
    return convertElement<T>(loadElement<uint32_t>(p));
  case DType::U64:
    return convertElement<T>(loadElement<uint64_t>(p));
  case DType::Bool:
    return convertElement<T>(loadElement<uint8_t>(p) != 0);
  }
  throw InternalError("elementAs: unknown dtype");
}

template <typename T> std::vector<T> elementsAs(const Tensor &t) {
  if (!t.hasData())
    throw InternalError("interpreter: tensor " + t.type().str() +
                        " has no data (elided)");
  std::vector<T> out(size_t(t.numElements()));
  if constexpr (std::is_same_v<T, float>) {
    if (t.type().dtype == DType::F32 && !out.empty()) {
      // The common case, ResNet-sized: one copy, not a switch per element.
      std::memcpy(out.data(), t.bytes().data(), t.bytes().size());
      return out;
    }
  }
  for (int64_t i = 0; i < t.numElements(); ++i)
    out[size_t(i)] = elementAs<T>(t, i);
  return out;
}

namespace {

template <typename S, typename T>
void storeAs(std::vector<uint8_t> &bytes, size_t i, T v) {
  S s = convertElement<S>(v);
  std::memcpy(bytes.data() + i * sizeof(S), &s, sizeof(S));
}

} // namespace

template <typename T>
Tensor makeTensor(const TensorType &type, const std::vector<T> &values) {
  if (type.layout != Layout::Plain)
    throw InternalError(
        "interpreter: only the plain layout is supported, got " + type.str());
  if (int64_t(values.size()) != type.numElements())
    throw InternalError("interpreter: " + std::to_string(values.size()) +
                        " values for a tensor of type " + type.str());
  std::vector<uint8_t> bytes(type.byteSize());
  for (size_t i = 0; i < values.size(); ++i) {
    T v = values[i];
    switch (type.dtype) {
    case DType::F32:
      storeAs<float>(bytes, i, v);
      break;
    case DType::F64:
      storeAs<double>(bytes, i, v);
      break;
    case DType::F16:
      storeAs<uint16_t>(bytes, i, floatToHalf(convertElement<float>(v)));
      break;
    case DType::BF16:
      storeAs<uint16_t>(bytes, i, floatToBfloat16(convertElement<float>(v)));
      break;
    // Floats saturate at the integer's range, integers wrap to its width
    // (convertElement).
    case DType::I8:
      storeAs<int8_t>(bytes, i, v);
      break;
    case DType::I16:
      storeAs<int16_t>(bytes, i, v);
      break;
    case DType::I32:
      storeAs<int32_t>(bytes, i, v);
      break;
    case DType::I64:
      storeAs<int64_t>(bytes, i, v);
      break;
    case DType::U8:
      storeAs<uint8_t>(bytes, i, v);
      break;
    case DType::U16:
      storeAs<uint16_t>(bytes, i, v);
      break;
    case DType::U32:
      storeAs<uint32_t>(bytes, i, v);
      break;
    case DType::U64:
      storeAs<uint64_t>(bytes, i, v);
      break;
    case DType::Bool:
      storeAs<uint8_t>(bytes, i, uint8_t(convertElement<bool>(v)));
      break;
    }
  }
  return Tensor(type, std::move(bytes));
}

#define CNNC_INSTANTIATE(T)                                                    \
  template T elementAs<T>(const Tensor &, int64_t);                            \
  template std::vector<T> elementsAs<T>(const Tensor &);                       \
  template Tensor makeTensor<T>(const TensorType &, const std::vector<T> &);
CNNC_INSTANTIATE(float)
CNNC_INSTANTIATE(double)
CNNC_INSTANTIATE(int64_t)
CNNC_INSTANTIATE(uint64_t)
CNNC_INSTANTIATE(bool)
#undef CNNC_INSTANTIATE

int64_t dot(const std::vector<int64_t> &index,
            const std::vector<int64_t> &strides) {
  int64_t sum = 0;
  for (size_t i = 0; i < index.size(); ++i)
    sum += index[i] * strides[i];
  return sum;
}

} // namespace cnnc::interp
