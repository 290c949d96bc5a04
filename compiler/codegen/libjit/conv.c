/* libjit: Convolution kernels. See libjit.h.
 *
 * Both kernels take 3-D windows (depth, height, width); the code generator
 * passes 1-D and 2-D ones with leading dims of extent 1 (kernel, stride and
 * dilation 1, no padding), which constant folding turns back into the 2-D
 * and 1-D loop nests. */
#include "libjit.h"

/* Convolution, NC(D)HW, weights [M, C / group, KD, KH, KW], optional bias
 * [M]. y[n, m, od, oh, ow] = bias[m] + sum over c, kd, kh, kw of
 *   w[m, c, kd, kh, kw] * x[n, g * C/group + c, od*SD - PF + kd*DD,
 *                           oh*SH - PT + kh*DH, ow*SW - PL + kw*DW]
 * where the input position lies inside the image (padding adds nothing).
 * Output planes (n, m) [nBegin, nEnd). The innermost loop runs along an
 * output row: contiguous for stride 1, and free of bound checks. */
KERNEL void cnnc_conv_f32(const float *restrict x, const float *restrict w,
                          const float *restrict bias, float *restrict y,
                          int64_t C, int64_t D, int64_t H, int64_t W, int64_t M,
                          int64_t OD, int64_t OH, int64_t OW, int64_t KD,
                          int64_t KH, int64_t KW, int64_t SD, int64_t SH,
                          int64_t SW, int64_t DD, int64_t DH, int64_t DW,
                          int64_t PF, int64_t PT, int64_t PL, int64_t group,
                          int64_t nBegin, int64_t nEnd) {
  int64_t groupC = C / group, groupM = M / group;
  for (int64_t nm = nBegin; nm < nEnd; ++nm) {
    int64_t n = nm / M, m = nm % M;
    float *out = y + (n * M + m) * OD * OH * OW;
    float b = bias ? bias[m] : 0.0f;
    for (int64_t i = 0; i < OD * OH * OW; ++i)
      out[i] = b;
    int64_t g = m / groupM;
    for (int64_t c = 0; c < groupC; ++c) {
      const float *in = x + (n * C + g * groupC + c) * D * H * W;
      const float *ker = w + (m * groupC + c) * KD * KH * KW;
      for (int64_t kd = 0; kd < KD; ++kd) {
        int64_t odFirst, odLast;
        validRange(OD, D, SD, kd * DD - PF, &odFirst, &odLast);
        for (int64_t kh = 0; kh < KH; ++kh) {
          int64_t ohFirst, ohLast;
          validRange(OH, H, SH, kh * DH - PT, &ohFirst, &ohLast);
          for (int64_t kw = 0; kw < KW; ++kw) {
            float wv = ker[(kd * KH + kh) * KW + kw];
            int64_t owFirst, owLast;
            validRange(OW, W, SW, kw * DW - PL, &owFirst, &owLast);
            for (int64_t od = odFirst; od < odLast; ++od) {
              const float *slice = in + (od * SD - PF + kd * DD) * H * W;
              for (int64_t oh = ohFirst; oh < ohLast; ++oh) {
                /* The column offset stays an index: a pointer to `row - PL`
                 * could point before the tensor, which C does not allow. */
                const float *row = slice + (oh * SH - PT + kh * DH) * W;
                int64_t col = kw * DW - PL;
                float *dst = out + (od * OH + oh) * OW;
                /* Vectorized along the row. Left to itself, LLVM unrolls
                 * a short row (constant here) completely and then
                 * vectorizes the loop over rows with gathers and scatters,
                 * 20x slower (LeNet's first layer on AVX-512). */
#pragma clang loop unroll(disable) vectorize(enable)
                for (int64_t ow = owFirst; ow < owLast; ++ow)
                  dst[ow] += wv * row[ow * SW + col];
              }
            }
          }
        }
      }
    }
  }
}

/* Transposed convolution, NC(D)HW, weights [C, M / group, KD, KH, KW],
 * optional bias [M]: every input element x[n, c, id, ih, iw] adds
 *   w[c, m % (M/group), kd, kh, kw] * x[n, c, id, ih, iw]
 * to y[n, m, id*SD - PF + kd*DD, ih*SH - PT + kh*DH, iw*SW - PL + kw*DW]
 * for the output channels m of c's group, where that lies inside y (the
 * output size, with output_padding or output_shape, is OD x OH x OW); y
 * starts at the bias. Output planes (n, m) [nBegin, nEnd), so the tasks
 * never write the same element. The innermost loop runs along an input row:
 * contiguous reads, stores with stride SW, no bound checks. */
KERNEL void cnnc_conv_transpose_f32(
    const float *restrict x, const float *restrict w,
    const float *restrict bias, float *restrict y, int64_t C, int64_t D,
    int64_t H, int64_t W, int64_t M, int64_t OD, int64_t OH, int64_t OW,
    int64_t KD, int64_t KH, int64_t KW, int64_t SD, int64_t SH, int64_t SW,
    int64_t DD, int64_t DH, int64_t DW, int64_t PF, int64_t PT, int64_t PL,
    int64_t group, int64_t nBegin, int64_t nEnd) {
  int64_t groupC = C / group, groupM = M / group;
  for (int64_t nm = nBegin; nm < nEnd; ++nm) {
    int64_t n = nm / M, m = nm % M;
    float *out = y + (n * M + m) * OD * OH * OW;
    float b = bias ? bias[m] : 0.0f;
    for (int64_t i = 0; i < OD * OH * OW; ++i)
      out[i] = b;
    int64_t g = m / groupM;
    for (int64_t c = g * groupC; c < (g + 1) * groupC; ++c) {
      const float *in = x + (n * C + c) * D * H * W;
      const float *ker = w + (c * groupM + m % groupM) * KD * KH * KW;
      for (int64_t kd = 0; kd < KD; ++kd) {
        /* The input positions whose output position is inside y. */
        int64_t idFirst, idLast;
        validRange(D, OD, SD, kd * DD - PF, &idFirst, &idLast);
        for (int64_t kh = 0; kh < KH; ++kh) {
          int64_t ihFirst, ihLast;
          validRange(H, OH, SH, kh * DH - PT, &ihFirst, &ihLast);
          for (int64_t kw = 0; kw < KW; ++kw) {
            float wv = ker[(kd * KH + kh) * KW + kw];
            int64_t iwFirst, iwLast;
            validRange(W, OW, SW, kw * DW - PL, &iwFirst, &iwLast);
            for (int64_t id = idFirst; id < idLast; ++id) {
              float *slice = out + (id * SD - PF + kd * DD) * OH * OW;
              for (int64_t ih = ihFirst; ih < ihLast; ++ih) {
                /* As in cnnc_conv_f32, the column offset stays an index. */
                float *row = slice + (ih * SH - PT + kh * DH) * OW;
                int64_t col = kw * DW - PL;
                const float *src = in + (id * H + ih) * W;
                for (int64_t iw = iwFirst; iw < iwLast; ++iw)
                  row[iw * SW + col] += wv * src[iw];
              }
            }
          }
        }
      }
    }
  }
}

/* A 1x1 convolution (group 1, no padding) as a matrix product per image:
 * y[n, m, :] = bias[m] + sum over c of w[m, c] * x[n, c, :], the input
 * plane read with strides SH, SW (a subsampled view). Output planes (n, m)
 * [pBegin, pEnd), four at a time: each input row loaded serves four output
 * rows, which is what makes the product faster than the direct
 * convolution's one row per pass. */
KERNEL void cnnc_gemm1x1_f32(const float *restrict x, const float *restrict w,
                             const float *restrict bias, float *restrict y,
                             int64_t C, int64_t H, int64_t W, int64_t M,
                             int64_t OH, int64_t OW, int64_t SH, int64_t SW,
                             int64_t pBegin, int64_t pEnd) {
  int64_t plane = OH * OW;
  for (int64_t p = pBegin; p < pEnd;) {
    int64_t n = p / M, m = p % M;
    /* Rows of one image only, at most four. */
    int64_t rows = min64(min64(4, M - m), pEnd - p);
    float *out = y + p * plane;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < plane; ++i)
        out[r * plane + i] = bias ? bias[m + r] : 0.0f;
    const float *image = x + n * C * H * W;
    for (int64_t c = 0; c < C; ++c) {
      const float *in = image + c * H * W;
      if (rows == 4) {
        float w0 = w[m * C + c], w1 = w[(m + 1) * C + c],
              w2 = w[(m + 2) * C + c], w3 = w[(m + 3) * C + c];
        for (int64_t oh = 0; oh < OH; ++oh) {
          const float *row = in + oh * SH * W;
          float *o = out + oh * OW;
          for (int64_t ow = 0; ow < OW; ++ow) {
            float v = row[ow * SW];
            o[ow] += w0 * v;
            o[plane + ow] += w1 * v;
            o[2 * plane + ow] += w2 * v;
            o[3 * plane + ow] += w3 * v;
          }
        }
      } else {
        for (int64_t r = 0; r < rows; ++r) {
          float wv = w[(m + r) * C + c];
          for (int64_t oh = 0; oh < OH; ++oh) {
            const float *row = in + oh * SH * W;
            float *o = out + r * plane + oh * OW;
            for (int64_t ow = 0; ow < OW; ++ow)
              o[ow] += wv * row[ow * SW];
          }
        }
      }
    }
    p += rows;
  }
}
