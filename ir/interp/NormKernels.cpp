#include "ir/interp/Kernels.h"

#include <functional>
#include <numeric>

namespace cnnc::interp {

namespace {

// y = scale * (x - mean) / sqrt(variance + epsilon) + bias per channel.
// In inference the statistics are the given running ones. In training mode
// (training_mode=1) they are the batch's own mean and population variance,
// summed in double, and the optional results 1 and 2 are the updated running
// statistics, running * momentum + batch * (1 - momentum), as ONNX defines.
template <typename T>
Results batchNormalizationOf(const Node &n, const Operands &in) {
  const Shape &xShape = in[0]->type().shape;
  int64_t batch = xShape[0], channels = xShape[1];
  int64_t plane = elementCount(xShape, 2, xShape.size());
  T epsilon = T(n.getFloat("epsilon"));
  std::vector<T> x = elementsAs<T>(*in[0]), scale = elementsAs<T>(*in[1]),
                 bias = elementsAs<T>(*in[2]), mean = elementsAs<T>(*in[3]),
                 variance = elementsAs<T>(*in[4]);
  bool training = n.getInt("training_mode") != 0;
  std::vector<T> runningMean = mean, runningVariance = variance;
  if (training) {
    T momentum = T(n.getFloat("momentum"));
    double count = double(batch * plane);
    for (int64_t c = 0; c < channels; ++c) {
      // Two passes, mean then squared deviations: no cancellation.
      auto at = [&](int64_t b, int64_t j) {
        return double(x[size_t((b * channels + c) * plane + j)]);
      };
      double sum = 0, deviations = 0;
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t j = 0; j < plane; ++j)
          sum += at(b, j);
      double m = count ? sum / count : 0;
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t j = 0; j < plane; ++j)
          deviations += (at(b, j) - m) * (at(b, j) - m);
      size_t ci = size_t(c);
      mean[ci] = T(m);
      variance[ci] = T(count ? deviations / count : 0);
      runningMean[ci] = runningMean[ci] * momentum + mean[ci] * (1 - momentum);
      runningVariance[ci] =
          runningVariance[ci] * momentum + variance[ci] * (1 - momentum);
    }
  }
  std::vector<T> y(x.size());
  for (int64_t c = 0; c < channels; ++c) {
    // y = x * a + b, folded once per channel.
    size_t ci = size_t(c);
    T a = scale[ci] / std::sqrt(variance[ci] + epsilon);
    T b = bias[ci] - mean[ci] * a;
    for (int64_t i = 0; i < batch; ++i) {
      size_t first = size_t((i * channels + c) * plane);
      for (size_t j = first; j < first + size_t(plane); ++j)
        y[j] = x[j] * a + b;
    }
  }
  Results results{makeTensor(resultType(n), y)};
  if (n.outputs.size() > 1 && !training)
    n.error("the running statistics (results 1 and 2) exist in training mode "
            "only");
  if (n.outputs.size() > 1)
    results.push_back(makeTensor(resultType(n, 1), runningMean));
  if (n.outputs.size() > 2)
    results.push_back(makeTensor(resultType(n, 2), runningVariance));
  return results;
}

// Each [spatial...] plane normalized by its own mean and (population)
// variance, then scaled and shifted per channel. The statistics are summed
// in double: a plane can be large.
template <typename T>
Results instanceNormalizationOf(const Node &n, const Operands &in) {
  const Shape &xShape = in[0]->type().shape;
  int64_t channels = xShape[1], plane = elementCount(xShape, 2, xShape.size());
  int64_t planes = xShape[0] * channels;
  double epsilon = n.getFloat("epsilon");
  std::vector<T> x = elementsAs<T>(*in[0]), scale = elementsAs<T>(*in[1]),
                 bias = elementsAs<T>(*in[2]);
  std::vector<T> y(x.size());
  for (int64_t p = 0; p < planes; ++p) {
    const T *src = x.data() + p * plane;
    T *out = y.data() + p * plane;
    double sum = 0, squares = 0;
    for (int64_t j = 0; j < plane; ++j)
      sum += double(src[j]);
    double mean = sum / double(plane);
    for (int64_t j = 0; j < plane; ++j)
      squares += (double(src[j]) - mean) * (double(src[j]) - mean);
    double invStd = 1 / std::sqrt(squares / double(plane) + epsilon);
    size_t c = size_t(p % channels);
    for (int64_t j = 0; j < plane; ++j)
      out[j] = T((double(src[j]) - mean) * invStd * double(scale[c]) +
                 double(bias[c]));
  }
  return {makeTensor(resultType(n), y)};
}

// Local response normalization across channels:
// y = x / (bias + alpha / size * sum of x^2 over the channels
// [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)]) ^ beta.
template <typename T> Results lrnOf(const Node &n, const Operands &in) {
  const Shape &xShape = in[0]->type().shape;
  int64_t batch = xShape[0], channels = xShape[1],
          plane = elementCount(xShape, 2, xShape.size());
  int64_t size = n.getInt("size");
  T alpha = T(n.getFloat("alpha")), beta = T(n.getFloat("beta")),
    bias = T(n.getFloat("bias"));
  int64_t below = (size - 1) / 2, above = size - 1 - below;
  std::vector<T> x = elementsAs<T>(*in[0]);
  std::vector<T> y(x.size()), squares(static_cast<size_t>(plane));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < channels; ++c) {
      std::fill(squares.begin(), squares.end(), T(0));
      for (int64_t k = std::max<int64_t>(0, c - below);
           k <= std::min(channels - 1, c + above); ++k) {
        const T *src = x.data() + (b * channels + k) * plane;
        for (int64_t j = 0; j < plane; ++j)
          squares[size_t(j)] += src[j] * src[j];
      }
      int64_t first = (b * channels + c) * plane;
      for (int64_t j = 0; j < plane; ++j)
        y[size_t(first + j)] =
            x[size_t(first + j)] /
            std::pow(bias + alpha / T(size) * squares[size_t(j)], beta);
    }
  }
  return {makeTensor(resultType(n), y)};
}

} // namespace

Results batchNormalization(const Node &n, const Operands &in) {
  return withFloatType(n, in[0]->type().dtype, [&](auto zero) {
    return batchNormalizationOf<decltype(zero)>(n, in);
  });
}

Results instanceNormalization(const Node &n, const Operands &in) {
  return withFloatType(n, in[0]->type().dtype, [&](auto zero) {
    return instanceNormalizationOf<decltype(zero)>(n, in);
  });
}

Results lrn(const Node &n, const Operands &in) {
  return withFloatType(n, in[0]->type().dtype,
                       [&](auto zero) { return lrnOf<decltype(zero)>(n, in); });
}

} // namespace cnnc::interp
