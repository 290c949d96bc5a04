/* libjit: Normalization and softmax kernels. See libjit.h. */
#include "libjit.h"

/* y = x * scale[c] + shift[c] over NC(HW) planes of `size`, channel count C;
 * planes [pBegin, pEnd). BatchNormalization in inference folds into this. */
KERNEL void cnnc_channel_affine_f32(const float *restrict x,
                                    const float *restrict scale,
                                    const float *restrict shift,
                                    float *restrict y, int64_t C, int64_t size,
                                    int64_t pBegin, int64_t pEnd) {
  for (int64_t p = pBegin; p < pEnd; ++p) {
    float s = scale[p % C], t = shift[p % C];
    const float *in = x + p * size;
    float *out = y + p * size;
    for (int64_t i = 0; i < size; ++i)
      out[i] = in[i] * s + t;
  }
}

/* BatchNormalization in inference with statistics known at run time only
 * (graph inputs): y = (x - mean[c]) / sqrt(var[c] + eps) * scale[c] + bias[c]
 * over NC(HW) planes of `size`, as one multiply-add per element. */
KERNEL void cnnc_batchnorm_f32(const float *restrict x,
                               const float *restrict scale,
                               const float *restrict bias,
                               const float *restrict mean,
                               const float *restrict var, float *restrict y,
                               float eps, int64_t C, int64_t size,
                               int64_t pBegin, int64_t pEnd) {
  for (int64_t p = pBegin; p < pEnd; ++p) {
    int64_t c = p % C;
    float s = scale[c] / sqrtf(var[c] + eps), t = bias[c] - mean[c] * s;
    const float *in = x + p * size;
    float *out = y + p * size;
    for (int64_t i = 0; i < size; ++i)
      out[i] = in[i] * s + t;
  }
}

/* Softmax (log = 0) or LogSoftmax (log = 1) along an axis of length `axis`
 * with `inner` elements after it; outer rows [begin, end). */
KERNEL void cnnc_softmax_f32(const float *restrict x, float *restrict y,
                             int64_t log, int64_t axis, int64_t inner,
                             int64_t begin, int64_t end) {
  for (int64_t o = begin; o < end; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const float *in = x + o * axis * inner + i;
      float *out = y + o * axis * inner + i;
      float m = -INFINITY;
      for (int64_t k = 0; k < axis; ++k)
        m = in[k * inner] > m ? in[k * inner] : m;
      float sum = 0.0f;
      for (int64_t k = 0; k < axis; ++k)
        sum += expf(in[k * inner] - m);
      for (int64_t k = 0; k < axis; ++k)
        out[k * inner] = log ? in[k * inner] - m - logf(sum)
                             : expf(in[k * inner] - m) / sum;
    }
  }
}

/* InstanceNormalization over NC(D)HW planes of `size` [pBegin, pEnd), C
 * channels: each plane normalized by its own mean and population variance,
 * then y = x * scale[c] + bias[c]. As in the interpreter, the statistics
 * and the result are computed in double (a plane can be large, and its mean
 * far from zero relative to its spread), folded into one multiply-add. */
KERNEL void cnnc_instance_norm_f32(const float *restrict x,
                                   const float *restrict scale,
                                   const float *restrict bias,
                                   float *restrict y, double eps, int64_t C,
                                   int64_t size, int64_t pBegin, int64_t pEnd) {
  for (int64_t p = pBegin; p < pEnd; ++p) {
    const float *in = x + p * size;
    float *out = y + p * size;
    /* Two passes, mean then squared deviations: no cancellation. */
    double sum = 0, squares = 0;
    for (int64_t i = 0; i < size; ++i)
      sum += in[i];
    double mean = sum / (double)size;
    for (int64_t i = 0; i < size; ++i)
      squares += (in[i] - mean) * (in[i] - mean);
    double s = scale[p % C] / sqrt(squares / (double)size + eps);
    double t = bias[p % C] - mean * s;
    for (int64_t i = 0; i < size; ++i)
      out[i] = (float)(in[i] * s + t);
  }
}

/* Local response normalization across channels of NC(D)HW planes of `size`
 * [pBegin, pEnd), C channels: y = x / (bias + alpha / n * sum of x^2 over
 * the channels [c - (n - 1) / 2, c + n / 2]) ^ beta, n the window size. The
 * sum builds up in y (no scratch memory), in the interpreter's order. */
KERNEL void cnnc_lrn_f32(const float *restrict x, float *restrict y,
                         float alpha, float beta, float bias, int64_t n,
                         int64_t C, int64_t size, int64_t pBegin,
                         int64_t pEnd) {
  for (int64_t p = pBegin; p < pEnd; ++p) {
    int64_t c = p % C;
    const float *in = x + p * size;
    float *out = y + p * size;
    for (int64_t i = 0; i < size; ++i)
      out[i] = 0.0f;
    for (int64_t k = max64(0, c - (n - 1) / 2); k <= min64(C - 1, c + n / 2);
         ++k) {
      const float *other = x + (p - c + k) * size;
      for (int64_t i = 0; i < size; ++i)
        out[i] += other[i] * other[i];
    }
    for (int64_t i = 0; i < size; ++i)
      out[i] = in[i] / powf(bias + alpha / (float)n * out[i], beta);
  }
}

/* BatchNormalization in training mode over channels [cBegin, cEnd) of an
 * [N, C, size...] tensor: the batch's own mean and population variance per
 * channel (summed in double, two passes), y = (x - mean) / sqrt(var + eps) *
 * scale + bias as one multiply-add, and, where the pointers are not null,
 * the updated running statistics runningMean = mean * momentum +
 * batchMean * (1 - momentum) (likewise the variance), as the interpreter
 * computes them. */
KERNEL void cnnc_batchnorm_train_f32(
    const float *restrict x, const float *restrict scale,
    const float *restrict bias, const float *restrict mean,
    const float *restrict var, float *restrict y, float *restrict runningMean,
    float *restrict runningVar, float eps, float momentum, int64_t N, int64_t C,
    int64_t size, int64_t cBegin, int64_t cEnd) {
  /* Rounded as the interpreter rounds (no fused multiply-adds): a channel
   * with (nearly) no variance scales by up to 1/sqrt(eps), so y = x * s + t
   * cancels, and its rounding error becomes a visible part of y. */
#pragma STDC FP_CONTRACT OFF
  for (int64_t c = cBegin; c < cEnd; ++c) {
    double sum = 0, squares = 0, count = (double)(N * size);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < size; ++i)
        sum += x[(n * C + c) * size + i];
    double m = count > 0 ? sum / count : 0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t i = 0; i < size; ++i) {
        double d = x[(n * C + c) * size + i] - m;
        squares += d * d;
      }
    float batchMean = (float)m,
          batchVar = (float)(count > 0 ? squares / count : 0);
    float s = scale[c] / sqrtf(batchVar + eps), t = bias[c] - batchMean * s;
    for (int64_t n = 0; n < N; ++n) {
      const float *in = x + (n * C + c) * size;
      float *out = y + (n * C + c) * size;
      for (int64_t i = 0; i < size; ++i)
        out[i] = in[i] * s + t;
    }
    if (runningMean)
      runningMean[c] = mean[c] * momentum + batchMean * (1 - momentum);
    if (runningVar)
      runningVar[c] = var[c] * momentum + batchVar * (1 - momentum);
  }
}
