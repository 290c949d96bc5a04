/* libjit: Pooling kernels. See libjit.h. */
#include "libjit.h"

/* 2-D max (kind 0) or average (kind 1) pooling over NCHW planes
 * [pBegin, pEnd). Padding never wins a max; an average divides by the
 * window's elements inside the image, or, with countPad, inside the padded
 * image (ONNX Runtime's rule: not the ceil_mode overhang). */
KERNEL void cnnc_pool2d_f32(const float *restrict x, float *restrict y,
                            int64_t kind, int64_t H, int64_t W, int64_t OH,
                            int64_t OW, int64_t KH, int64_t KW, int64_t SH,
                            int64_t SW, int64_t DH, int64_t DW, int64_t PT,
                            int64_t PL, int64_t PB, int64_t PR, int64_t countPad,
                            int64_t pBegin, int64_t pEnd) {
  for (int64_t p = pBegin; p < pEnd; ++p) {
    const float *in = x + p * H * W;
    float *out = y + p * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) {
        float acc = kind == 0 ? -INFINITY : 0.0f;
        int64_t count = 0, padded = 0;
        for (int64_t kh = 0; kh < KH; ++kh) {
          int64_t ih = oh * SH - PT + kh * DH;
          for (int64_t kw = 0; kw < KW; ++kw) {
            int64_t iw = ow * SW - PL + kw * DW;
            if (ih >= -PT && ih < H + PB && iw >= -PL && iw < W + PR)
              ++padded;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W)
              continue;
            float v = in[ih * W + iw];
            if (kind == 0)
              acc = (v > acc || v != v) && acc == acc ? v : acc;
            else
              acc += v;
            ++count;
          }
        }
        if (kind == 1)
          acc /= (float)(countPad ? padded : count);
        out[oh * OW + ow] = acc;
      }
    }
  }
}

/* Global average (kind 1) or max (kind 0) over planes of `size` elements. */
KERNEL void cnnc_global_pool_f32(const float *restrict x, float *restrict y,
                                 int64_t kind, int64_t size, int64_t pBegin,
                                 int64_t pEnd) {
  for (int64_t p = pBegin; p < pEnd; ++p) {
    const float *in = x + p * size;
    float acc = kind == 0 ? in[0] : 0.0f;
    for (int64_t i = 0; i < size; ++i) {
      if (kind == 0)
        acc = (in[i] > acc || in[i] != in[i]) && acc == acc ? in[i] : acc;
      else
        acc += in[i];
    }
    y[p] = kind == 0 ? acc : acc / (float)size;
  }
}
