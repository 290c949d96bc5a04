// Resize, following the ONNX reference implementation (onnx/reference/ops/
// op_resize.py), which ONNX Runtime agrees with on the backend tests.
//
// Every axis is resampled separately: each output coordinate maps to a
// coordinate in the input (coordinate_transformation_mode), and the output
// element is a weighted sum of input elements ("taps") around it, one set
// per axis, multiplied together over the axes. Nearest mode picks one
// element per axis and copies its bytes, so it works for every dtype.

#include "ir/ShapeInference.h"
#include "ir/interp/Kernels.h"

#include <algorithm>

namespace cnnc::interp {

namespace {

struct Tap {
  int64_t index;
  double weight;
};

// How output position `o` of one axis reads the input: the weighted input
// elements, or none when it falls outside the crop of tf_crop_and_resize
// (the element is then extrapolation_value).
struct Sample {
  bool outside = false;
  std::vector<Tap> taps;
};

// Per-axis parameters of one Resize.
struct AxisResize {
  int64_t inSize;
  // length_resized of the ONNX formulas: in * scale, which need not be an
  // integer (the ONNX reference and the backend tests' align_corners cases
  // divide by it, not by the output size); the size itself where sizes were
  // given without a keep_aspect_ratio_policy.
  double outLength;
  double scale;
  double roiStart = 0, roiEnd = 1; // tf_crop_and_resize only
};

// The input coordinate of output position `o` (ONNX Resize formulas).
double sourceCoordinate(const Node &n, const std::string &mode,
                        const AxisResize &a, int64_t o) {
  double x = double(o), in = double(a.inSize), out = a.outLength;
  if (mode == "half_pixel")
    return (x + 0.5) / a.scale - 0.5;
  if (mode == "pytorch_half_pixel")
    return out > 1 ? (x + 0.5) / a.scale - 0.5 : 0;
  if (mode == "align_corners")
    return out > 1 ? x * (in - 1) / (out - 1) : 0;
  if (mode == "asymmetric")
    return x / a.scale;
  if (mode == "tf_half_pixel_for_nn")
    return (x + 0.5) / a.scale;
  if (mode == "tf_crop_and_resize")
    return out > 1 ? a.roiStart * (in - 1) +
                         x * (a.roiEnd - a.roiStart) * (in - 1) / (out - 1)
                   : 0.5 * (a.roiStart + a.roiEnd) * (in - 1);
  n.error("unsupported coordinate_transformation_mode '{}'", mode);
}

// The input index nearest to coordinate x under `nearestMode`; ties (x an
// integer plus one half) go as the mode says.
int64_t nearestIndex(const Node &n, const std::string &nearestMode, double x) {
  double f = std::floor(x);
  double r;
  if (nearestMode == "round_prefer_floor")
    r = x - f <= 0.5 ? f : f + 1;
  else if (nearestMode == "round_prefer_ceil")
    r = x - f < 0.5 ? f : f + 1;
  else if (nearestMode == "floor")
    r = f;
  else if (nearestMode == "ceil")
    r = std::ceil(x);
  else
    n.error("unsupported nearest_mode '{}'", nearestMode);
  // The caller clamps; keep the cast itself defined for any coordinate
  // (a NaN one comes from a NaN roi).
  if (std::isnan(r))
    n.error("the sampling coordinate is NaN (is the roi NaN?)");
  return int64_t(std::clamp(r, -1.0, double(kMaxElements)));
}

// The interpolation kernel at distance d >= 0 (in input elements, scaled by
// the antialiasing factor): the triangle for linear, Keys' cubic with
// coefficient A for cubic.
double kernelWeight(bool cubic, double A, double d) {
  if (!cubic)
    return std::max(0.0, 1 - d);
  if (d <= 1)
    return ((A + 2) * d - (A + 3)) * d * d + 1;
  if (d < 2)
    return ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
  return 0;
}

Sample sampleAxis(const Node &n, const AxisResize &a, int64_t o) {
  const std::string &mode = n.getString("mode");
  const std::string &transform = n.getString("coordinate_transformation_mode");
  double x = sourceCoordinate(n, transform, a, o);
  int64_t last = a.inSize - 1;
  Sample s;
  if (transform == "tf_crop_and_resize" && (x < 0 || x > double(last))) {
    s.outside = true;
    return s;
  }
  if (mode == "nearest") {
    s.taps.push_back(
        {std::clamp<int64_t>(nearestIndex(n, n.getString("nearest_mode"), x), 0,
                             last),
         1.0});
    return s;
  }
  bool cubic = mode == "cubic";
  double A = n.getFloat("cubic_coeff_a");
  // Antialiasing stretches the kernel by 1/scale when downsampling, so every
  // input element contributes to some output.
  double stretch = n.getInt("antialias") ? std::min(a.scale, 1.0) : 1.0;
  double support = (cubic ? 2.0 : 1.0) / stretch;
  bool excludeOutside = n.getInt("exclude_outside") != 0;
  double sum = 0;
  for (double p = std::floor(x - support); p <= x + support + 1; ++p) {
    double w = kernelWeight(cubic, A, std::abs(p - x) * stretch);
    bool inside = p >= 0 && p <= double(last);
    if (w == 0 || (excludeOutside && !inside))
      continue;
    // Outside the input the edge element repeats.
    s.taps.push_back({int64_t(std::clamp(p, 0.0, double(last))), w});
    sum += w;
  }
  if (s.taps.empty())
    n.error("output position {} maps to input coordinate {}, out of reach of "
            "every input element",
            o, x);
  // The plain kernels' weights sum to 1 already; the stretched ones and
  // what exclude_outside leaves are normalized to 1.
  if (stretch != 1.0 || excludeOutside)
    for (Tap &t : s.taps)
      t.weight /= sum;
  return s;
}

// The scale of each axis: 1 for axes not resized, else the scales operand,
// or for sizes out / in, or with a keep_aspect_ratio_policy the one scale
// shape inference used for every resized axis.
std::vector<double> axisScales(const Node &n, const Operands &in,
                               const Shape &inShape,
                               const std::vector<int64_t> &axes) {
  std::vector<double> scales(inShape.size(), 1.0);
  const Tensor *scalesOperand = optionalOperand(in, 2);
  if (scalesOperand && scalesOperand->numElements() > 0) {
    for (size_t i = 0; i < axes.size(); ++i)
      scales[size_t(axes[i])] = elementAs<double>(*scalesOperand, int64_t(i));
    return scales;
  }
  std::vector<int64_t> sizes = in.at(3)->toInts();
  const std::string &policy = n.getString("keep_aspect_ratio_policy");
  std::vector<double> ratios;
  for (size_t i = 0; i < axes.size(); ++i)
    ratios.push_back(double(sizes[i]) / double(inShape[size_t(axes[i])]));
  for (size_t i = 0; i < axes.size(); ++i) {
    double &s = scales[size_t(axes[i])];
    if (policy == "not_larger")
      s = *std::min_element(ratios.begin(), ratios.end());
    else if (policy == "not_smaller")
      s = *std::max_element(ratios.begin(), ratios.end());
    else
      s = ratios[i];
  }
  return scales;
}

} // namespace

Results resize(const Node &n, const Operands &in) {
  const Tensor &x = *in[0];
  const Shape &inShape = x.type().shape;
  const TensorType &type = resultType(n);
  size_t rank = inShape.size();
  std::vector<int64_t> axes = n.getInts("axes");
  if (axes.empty())
    for (size_t d = 0; d < rank; ++d)
      axes.push_back(int64_t(d));
  for (int64_t &a : axes)
    a = normalizeAxis(n, a, int64_t(rank));
  if (type.numElements() == 0)
    return {Tensor(type, {})};
  for (size_t d = 0; d < rank; ++d)
    if (inShape[d] == 0)
      n.error("cannot resize the empty axis {} to size {}", d, type.shape[d]);

  std::vector<double> scales = axisScales(n, in, inShape, axes);
  bool exactSizes = !(optionalOperand(in, 2) && in[2]->numElements() > 0) &&
                    n.getString("keep_aspect_ratio_policy") == "stretch";
  std::vector<AxisResize> params;
  for (size_t d = 0; d < rank; ++d)
    params.push_back(
        {inShape[d],
         exactSizes ? double(type.shape[d]) : double(inShape[d]) * scales[d],
         scales[d]});
  // roi holds the crop's starts then its ends, one per resized axis.
  if (n.getString("coordinate_transformation_mode") == "tf_crop_and_resize") {
    const Tensor *roi = optionalOperand(in, 1);
    if (!roi || size_t(roi->numElements()) != 2 * axes.size())
      n.error("tf_crop_and_resize needs roi with {} values", 2 * axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      params[size_t(axes[i])].roiStart = elementAs<double>(*roi, int64_t(i));
      params[size_t(axes[i])].roiEnd =
          elementAs<double>(*roi, int64_t(i + axes.size()));
    }
  }

  // samples[d][o]: how output position o of axis d reads the input. Axes not
  // resized read position o itself.
  std::vector<bool> resized(rank, false);
  for (int64_t a : axes)
    resized[size_t(a)] = true;
  std::vector<std::vector<Sample>> samples(rank);
  for (size_t d = 0; d < rank; ++d)
    for (int64_t o = 0; o < type.shape[d]; ++o)
      samples[d].push_back(resized[d] ? sampleAxis(n, params[d], o)
                                      : Sample{false, {{o, 1.0}}});

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
      std::vector<const Sample *> s;
      for (size_t d = 0; d < rank; ++d)
        s.push_back(&samples[d][size_t(index[d])]);
      Acc sum = 0;
      std::fill(tap.begin(), tap.end(), 0);
      while (true) {
        double weight = 1;
        int64_t offset = 0;
        for (size_t d = 0; d < rank; ++d) {
          const Tap &t = s[d]->taps[tap[d]];
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
