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
