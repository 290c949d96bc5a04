/* libjit: Convolution kernels. See libjit.h. */
#include "libjit.h"

/* 2-D convolution, NCHW, weights [M, C / group, KH, KW], optional bias [M].
 * y[n, m, oh, ow] = bias[m] + sum over c, kh, kw of
 *   w[m, c, kh, kw] * x[n, g * C/group + c, oh*SH - PT + kh*DH, ow*SW - PL + kw*DW]
 * where the input position lies inside the image (padding adds nothing).
 * The innermost loop runs along an output row: contiguous for stride 1. */
KERNEL void cnnc_conv2d_f32(const float *restrict x, const float *restrict w,
                            const float *restrict bias, float *restrict y,
                            int64_t C, int64_t H, int64_t W,
                            int64_t M, int64_t OH, int64_t OW, int64_t KH,
                            int64_t KW, int64_t SH, int64_t SW, int64_t DH,
                            int64_t DW, int64_t PT, int64_t PL, int64_t group,
                            int64_t nBegin, int64_t nEnd) {
  int64_t groupC = C / group, groupM = M / group;
  for (int64_t nm = nBegin; nm < nEnd; ++nm) {
    int64_t n = nm / M, m = nm % M;
    float *out = y + (n * M + m) * OH * OW;
    float b = bias ? bias[m] : 0.0f;
    for (int64_t i = 0; i < OH * OW; ++i)
      out[i] = b;
    int64_t g = m / groupM;
    for (int64_t c = 0; c < groupC; ++c) {
      const float *in = x + (n * C + g * groupC + c) * H * W;
      const float *ker = w + (m * groupC + c) * KH * KW;
      for (int64_t kh = 0; kh < KH; ++kh) {
        int64_t ohFirst, ohLast;
        validRange(OH, H, SH, kh * DH - PT, &ohFirst, &ohLast);
        for (int64_t kw = 0; kw < KW; ++kw) {
          float wv = ker[kh * KW + kw];
          int64_t owFirst, owLast;
          validRange(OW, W, SW, kw * DW - PL, &owFirst, &owLast);
          for (int64_t oh = ohFirst; oh < ohLast; ++oh) {
            /* The column offset stays an index: a pointer to `row - PL`
             * could point before the tensor, which C does not allow. */
            const float *row = in + (oh * SH - PT + kh * DH) * W;
            int64_t col = kw * DW - PL;
            float *dst = out + oh * OW;
            for (int64_t ow = owFirst; ow < owLast; ++ow)
              dst[ow] += wv * row[ow * SW + col];
          }
        }
      }
    }
  }
}
