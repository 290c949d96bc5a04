// How Resize samples its input, following the ONNX reference implementation
// (onnx/reference/ops/op_resize.py), which ONNX Runtime agrees with on the
// backend tests.
//
// Every axis is resampled separately: each output coordinate maps to a
// coordinate in the input (coordinate_transformation_mode), and the output
// element is a weighted sum of input elements ("taps") around it, one set
// per axis, multiplied together over the axes.
//
// Shared by the interpreter (ir/interp/ResizeKernels.cpp), which sums the
// taps as it goes, and the code generator (compiler/codegen/LowerResize.cpp),
// which stores them as tables for a libjit kernel: the op's coordinate and
// weight arithmetic is defined here once. Header-only because the two live
// in libraries that do not link each other.
#pragma once

#include "ir/Graph.h"
#include "ir/ShapeInference.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace cnnc {

struct ResizeTap {
  int64_t index; // into the axis of the input
  double weight;
};

// How output position `o` of one axis reads the input: the weighted input
// elements, or none when it falls outside the crop of tf_crop_and_resize
// (the element is then extrapolation_value).
struct ResizeSample {
  bool outside = false;
  std::vector<ResizeTap> taps;
};

// The values of Resize's roi, scales and sizes operands as the caller reads
// them (each empty when the operand is absent or empty). Sizes are read only
// when there are no scales, roi only for tf_crop_and_resize.
struct ResizeOperands {
  std::vector<double> roi, scales;
  std::vector<int64_t> sizes;
};

namespace resize_detail {

// Per-axis parameters of one Resize.
struct Axis {
  int64_t inSize;
  // length_resized of the ONNX formulas: in * scale, which need not be an
  // integer (the ONNX reference and the backend tests' align_corners cases
  // divide by it, not by the output size); the size itself where sizes were
  // given without a keep_aspect_ratio_policy.
  double outLength;
  double scale;
  double roiStart = 0, roiEnd = 1; // tf_crop_and_resize only
};

// The attributes sampling reads, looked up once.
struct Attrs {
  std::string mode, transform, nearestMode;
  double cubicA;
  bool antialias, excludeOutside;

  explicit Attrs(const Node &n)
      : mode(n.getString("mode")),
        transform(n.getString("coordinate_transformation_mode")),
        nearestMode(n.getString("nearest_mode")),
        cubicA(n.getFloat("cubic_coeff_a")),
        antialias(n.getInt("antialias") != 0),
        excludeOutside(n.getInt("exclude_outside") != 0) {}
};

// The input coordinate of output position `o` (ONNX Resize formulas).
inline double sourceCoordinate(const Node &n, const std::string &mode,
                               const Axis &a, int64_t o) {
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
inline int64_t nearestIndex(const Node &n, const std::string &nearestMode,
                            double x) {
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
inline double kernelWeight(bool cubic, double A, double d) {
  if (!cubic)
    return std::max(0.0, 1 - d);
  if (d <= 1)
    return ((A + 2) * d - (A + 3)) * d * d + 1;
  if (d < 2)
    return ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
  return 0;
}

inline ResizeSample sampleAxis(const Node &n, const Attrs &attrs, const Axis &a,
                               int64_t o) {
  double x = sourceCoordinate(n, attrs.transform, a, o);
  int64_t last = a.inSize - 1;
  ResizeSample s;
  if (attrs.transform == "tf_crop_and_resize" && (x < 0 || x > double(last))) {
    s.outside = true;
    return s;
  }
  if (attrs.mode == "nearest") {
    s.taps.push_back(
        {std::clamp<int64_t>(nearestIndex(n, attrs.nearestMode, x), 0, last),
         1.0});
    return s;
  }
  bool cubic = attrs.mode == "cubic";
  // Antialiasing stretches the kernel by 1/scale when downsampling, so every
  // input element contributes to some output.
  double stretch = attrs.antialias ? std::min(a.scale, 1.0) : 1.0;
  double support = (cubic ? 2.0 : 1.0) / stretch;
  double sum = 0;
  for (double p = std::floor(x - support); p <= x + support + 1; ++p) {
    double w = kernelWeight(cubic, attrs.cubicA, std::abs(p - x) * stretch);
    bool inside = p >= 0 && p <= double(last);
    if (w == 0 || (attrs.excludeOutside && !inside))
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
  if (stretch != 1.0 || attrs.excludeOutside)
    for (ResizeTap &t : s.taps)
      t.weight /= sum;
  return s;
}

// The scale of each axis: 1 for axes not resized, else the scales operand,
// or for sizes out / in, or with a keep_aspect_ratio_policy the one scale
// shape inference used for every resized axis.
inline std::vector<double> axisScales(const Node &n, const ResizeOperands &ops,
                                      const Shape &inShape,
                                      const std::vector<int64_t> &axes) {
  std::vector<double> scales(inShape.size(), 1.0);
  if (!ops.scales.empty()) {
    for (size_t i = 0; i < axes.size(); ++i)
      scales[size_t(axes[i])] = ops.scales.at(i);
    return scales;
  }
  const std::string &policy = n.getString("keep_aspect_ratio_policy");
  std::vector<double> ratios;
  for (size_t i = 0; i < axes.size(); ++i)
    ratios.push_back(double(ops.sizes.at(i)) /
                     double(inShape[size_t(axes[i])]));
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

} // namespace resize_detail

// samples[d][o]: how output position o of axis d of Resize `n` reads its
// input of shape `inShape`; `outShape` is n's output shape, which must not be
// empty. Axes not resized read position o itself. Errors (an empty input
// axis, a bad roi, a NaN coordinate) are UserErrors naming the node.
inline std::vector<std::vector<ResizeSample>>
resizeSamples(const Node &n, const Shape &inShape, const Shape &outShape,
              const ResizeOperands &ops) {
  using namespace resize_detail;
  size_t rank = inShape.size();
  std::vector<int64_t> axes = n.getInts("axes");
  if (axes.empty())
    for (size_t d = 0; d < rank; ++d)
      axes.push_back(int64_t(d));
  for (int64_t &a : axes)
    a = normalizeAxis(n, a, int64_t(rank));
  for (size_t d = 0; d < rank; ++d)
    if (inShape[d] == 0)
      n.error("cannot resize the empty axis {} to size {}", d, outShape[d]);

  std::vector<double> scales = axisScales(n, ops, inShape, axes);
  bool exactSizes = ops.scales.empty() &&
                    n.getString("keep_aspect_ratio_policy") == "stretch";
  std::vector<Axis> params;
  for (size_t d = 0; d < rank; ++d)
    params.push_back(
        {inShape[d],
         exactSizes ? double(outShape[d]) : double(inShape[d]) * scales[d],
         scales[d]});
  // roi holds the crop's starts then its ends, one per resized axis.
  Attrs attrs(n);
  if (attrs.transform == "tf_crop_and_resize") {
    if (ops.roi.size() != 2 * axes.size())
      n.error("tf_crop_and_resize needs roi with {} values", 2 * axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      params[size_t(axes[i])].roiStart = ops.roi[i];
      params[size_t(axes[i])].roiEnd = ops.roi[i + axes.size()];
    }
  }

  std::vector<bool> resized(rank, false);
  for (int64_t a : axes)
    resized[size_t(a)] = true;
  std::vector<std::vector<ResizeSample>> samples(rank);
  for (size_t d = 0; d < rank; ++d)
    for (int64_t o = 0; o < outShape[d]; ++o)
      samples[d].push_back(resized[d] ? sampleAxis(n, attrs, params[d], o)
                                      : ResizeSample{false, {{o, 1.0}}});
  return samples;
}

} // namespace cnnc
