// Resize. How each output position samples the input is shared with the
// code generator (ir/ResizeTaps.h); here the taps are summed. Nearest mode
// picks one element per axis and copies its bytes, so it works for every
// dtype.

#include "ir/ResizeTaps.h"
#include "ir/interp/Kernels.h"

#include <algorithm>

namespace cnnc::interp {

Results resize(const Node &n, const Operands &in) {
  const Tensor &x = *in[0];
  const Shape &inShape = x.type().shape;
  const TensorType &type = resultType(n);
  size_t rank = inShape.size();
  if (type.numElements() == 0)
    return {Tensor(type, {})};
  ResizeOperands ops;
  if (const Tensor *scales = optionalOperand(in, 2))
    for (int64_t i = 0; i < scales->numElements(); ++i)
      ops.scales.push_back(elementAs<double>(*scales, i));
  if (const Tensor *sizes = optionalOperand(in, 3); sizes && ops.scales.empty())
    ops.sizes = sizes->toInts();
  if (const Tensor *roi = optionalOperand(in, 1);
      roi &&
      n.getString("coordinate_transformation_mode") == "tf_crop_and_resize")
    for (int64_t i = 0; i < roi->numElements(); ++i)
      ops.roi.push_back(elementAs<double>(*roi, i));
  // samples[d][o]: how output position o of axis d reads the input.
  std::vector<std::vector<ResizeSample>> samples =
      resizeSamples(n, inShape, type.shape, ops);

  std::vector<int64_t> strides = rowMajorStrides(inShape);
  auto isOutside = [&](const std::vector<int64_t> &index) {
    for (size_t d = 0; d < rank; ++d)
      if (samples[d][size_t(index[d])].outside)
        return true;
    return false;
  };
  double extrapolation = n.getFloat("extrapolation_value");

  if (n.getString("mode") == "nearest") {
    size_t size = dtypeSize(type.dtype);
    Tensor fill = makeTensor(TensorType{type.dtype, {}, Layout::Plain},
                             std::vector<double>{extrapolation});
    std::vector<uint8_t> bytes(type.byteSize());
    uint8_t *dst = bytes.data();
    forEachIndex(type.shape, [&](const std::vector<int64_t> &index) {
      const uint8_t *src = fill.bytes().data();
      if (!isOutside(index)) {
        int64_t offset = 0;
        for (size_t d = 0; d < rank; ++d)
          offset += samples[d][size_t(index[d])].taps[0].index * strides[d];
        src = elementBytes(x, offset);
      }
      std::memcpy(dst, src, size);
      dst += size;
    });
    return {Tensor(type, std::move(bytes))};
  }

  // Linear and cubic: the sum over every combination of one tap per axis.
  // Floats accumulate in their compute type, integers in double.
  return withComputeType(type.dtype, [&](auto zero) {
    using T = decltype(zero);
    using Acc = std::conditional_t<std::is_floating_point_v<T>, T, double>;
    std::vector<Acc> values = elementsAs<Acc>(x);
    std::vector<Acc> out;
    out.reserve(size_t(type.numElements()));
    std::vector<size_t> tap(rank);
    forEachIndex(type.shape, [&](const std::vector<int64_t> &index) {
      if (isOutside(index)) {
        out.push_back(Acc(extrapolation));
        return;
      }
      std::vector<const ResizeSample *> s;
      for (size_t d = 0; d < rank; ++d)
        s.push_back(&samples[d][size_t(index[d])]);
      Acc sum = 0;
      std::fill(tap.begin(), tap.end(), 0);
      while (true) {
        double weight = 1;
        int64_t offset = 0;
        for (size_t d = 0; d < rank; ++d) {
          const ResizeTap &t = s[d]->taps[tap[d]];
          weight *= t.weight;
          offset += t.index * strides[d];
        }
        sum += Acc(weight) * values[size_t(offset)];
        size_t k = rank;
        while (k > 0 && ++tap[k - 1] == s[k - 1]->taps.size())
          tap[--k] = 0;
        if (k == 0)
          break;
      }
      out.push_back(sum);
    });
    return Results{makeTensor(type, out)};
  });
}

} // namespace cnnc::interp
