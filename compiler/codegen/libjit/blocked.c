/* libjit: kernels on blocked layouts. See libjit.h.
 *
 * An NCHWBc tensor [N, C, H, W] is stored as [N, ceil(C/B), H, W, B]: the B
 * channels of a block are innermost, so one vector register of B floats (B =
 * 16 on AVX-512, 8 on AVX2) holds one pixel of a block, and a convolution
 * computes B output channels with one FMA per input channel and tap (see
 * Layout in ir/Types.h for the weight layouts, ir/LayoutRules.h for which
 * op reads which). The padding lanes of the last block are computed like
 * the others (zero weights and bias), but no kernel reads a padding lane
 * into a real one: a convolution skips them, and pooling and element-wise
 * ops keep lanes apart. So even a NaN or an infinity there stays there.
 *
 * Every kernel is defined for B = 8 and B = 16 (the _b8 and _b16 names), so
 * the lane loops have constant trip counts and vectorize to whole registers.
 * Work is split over planes (n, channel block) [pBegin, pEnd). */
#include "libjit.h"

/* Output columns one convolution step computes: TILE x B accumulators stay
 * in registers (8 of 32 zmm, or 8 of 16 ymm), and each weight vector loaded
 * serves TILE columns. */
#define TILE 8
/* Columns per step with two output blocks: 2 x 6 accumulators. */
#define TILE2 6

/* Where a convolution reads its input:
 *   CONV_BLOCKED    x NCHWBc, weights OIHWBiBo [Mb, Cb, KH, KW, Bi, Bo]
 *   CONV_PLAIN      x plain NCHW, weights OIHWBo [Mb, C, KH, KW, Bo]
 *   CONV_DEPTHWISE  x NCHWBc, weights OIHWBo [Mb, 1, KH, KW, Bo], lane o of
 *                   the output reads lane o of the input only */
enum { CONV_BLOCKED = 0, CONV_PLAIN = 1, CONV_DEPTHWISE = 2 };

/* T output columns starting at ow0 of output row oh, accumulated over every
 * input channel and tap, then stored. `checked` is for the columns at the
 * borders: a tap outside the image is skipped (T is 1 there). Inlined with
 * constant T, B and mode, so acc is T x B registers. */
#define DEFINE_CONV_COLUMNS(B)                                                 \
  static inline __attribute__((always_inline)) void convColumns##B(           \
      const float *restrict x, const float *restrict w,                        \
      const float *restrict bv, float *restrict out, int64_t mode, int64_t n,  \
      int64_t ob, int64_t C, int64_t H, int64_t W, int64_t KH, int64_t KW,    \
      int64_t SW, int64_t DH, int64_t DW, int64_t PL, int64_t ihBase,          \
      int64_t kh0, int64_t kh1, int64_t ow0, int64_t T, int checked,           \
      int64_t OB, int64_t outStride) {                                         \
    float acc[2][TILE][B];                                                     \
    for (int64_t j = 0; j < OB; ++j)                                           \
      for (int64_t t = 0; t < T; ++t)                                          \
        for (int64_t o = 0; o < B; ++o)                                        \
          acc[j][t][o] = bv[j * B + o];                                        \
    int64_t Cb = (C + B - 1) / B;                                              \
    for (int64_t kh = kh0; kh < kh1; ++kh) {                                   \
      int64_t ih = ihBase + kh * DH;                                           \
      for (int64_t kw = 0; kw < KW; ++kw) {                                    \
        int64_t col = ow0 * SW - PL + kw * DW;                                 \
        if (checked && (col < 0 || col >= W))                                  \
          continue;                                                            \
        if (mode == CONV_BLOCKED) {                                            \
          for (int64_t icb = 0; icb < Cb; ++icb) {                             \
            const float *src = x + (((n * Cb + icb) * H + ih) * W + col) * B;  \
            const float *wk = w + (((ob * Cb + icb) * KH + kh) * KW + kw) * B * B; \
            /* Not the padding lanes of the last block: never read. */         \
            int64_t lanes = min64(B, C - icb * B);                             \
            int64_t wNext = Cb * KH * KW * B * B; /* the next output block */  \
            for (int64_t ic = 0; ic < lanes; ++ic)                             \
              for (int64_t t = 0; t < T; ++t) {                                \
                float xv = src[t * SW * B + ic];                               \
                for (int64_t j = 0; j < OB; ++j)                               \
                  for (int64_t o = 0; o < B; ++o)                              \
                    acc[j][t][o] += xv * wk[j * wNext + ic * B + o];           \
              }                                                                \
          }                                                                    \
        } else if (mode == CONV_PLAIN) {                                       \
          for (int64_t c = 0; c < C; ++c) {                                    \
            const float *src = x + ((n * C + c) * H + ih) * W + col;           \
            const float *wk = w + (((ob * C + c) * KH + kh) * KW + kw) * B;    \
            for (int64_t t = 0; t < T; ++t) {                                  \
              float xv = src[t * SW];                                          \
              for (int64_t o = 0; o < B; ++o)                                  \
                acc[0][t][o] += xv * wk[o];                                    \
            }                                                                  \
          }                                                                    \
        } else {                                                               \
          const float *src = x + (((n * Cb + ob) * H + ih) * W + col) * B;     \
          const float *wk = w + ((ob * KH + kh) * KW + kw) * B;                \
          for (int64_t t = 0; t < T; ++t)                                      \
            for (int64_t o = 0; o < B; ++o)                                    \
              acc[0][t][o] += src[t * SW * B + o] * wk[o];                     \
        }                                                                      \
      }                                                                        \
    }                                                                          \
    for (int64_t j = 0; j < OB; ++j)                                           \
      for (int64_t t = 0; t < T; ++t)                                          \
        for (int64_t o = 0; o < B; ++o)                                        \
          out[j * outStride + (ow0 + t) * B + o] = acc[j][t][o];               \
  }

/* A 2-D convolution with an NCHWBc result [N, M, OH, OW]: output planes
 * (n, output channel block) [pBegin, pEnd), of OH * OW * B floats each. The
 * columns whose taps all lie inside the image run TILE at a time without
 * checks; the border columns one at a time with them. A 1x1 convolution
 * (Gemm1x1) is the case KH = KW = 1: a matrix product per pixel tile. */
#define DEFINE_CONV_NCHWC(B)                                                   \
  DEFINE_CONV_COLUMNS(B)                                                       \
  KERNEL void cnnc_conv_nchwc_b##B##_f32(                                      \
      const float *restrict x, const float *restrict w,                        \
      const float *restrict bias, float *restrict y, int64_t C, int64_t H,     \
      int64_t W, int64_t M, int64_t OH, int64_t OW, int64_t KH, int64_t KW,    \
      int64_t SH, int64_t SW, int64_t DH, int64_t DW, int64_t PT, int64_t PL,  \
      int64_t mode, int64_t pBegin, int64_t pEnd) {                            \
    int64_t Mb = (M + B - 1) / B;                                              \
    /* Columns with every tap inside: ow * SW - PL in [0, W - (KW-1)*DW). */   \
    int64_t inner0, inner1;                                                    \
    validRange(OW, W - (KW - 1) * DW, SW, -PL, &inner0, &inner1);              \
    for (int64_t p = pBegin; p < pEnd;) {                                      \
      int64_t n = p / Mb, ob = p % Mb;                                         \
      /* Two output blocks at once where a group-1 convolution has them in   \
       * this range and image: each input value loaded feeds 2 B FMAs. */     \
      int64_t OB = mode == CONV_BLOCKED && ob + 1 < Mb && p + 1 < pEnd ? 2 : 1; \
      float bv[2 * B];                                                         \
      for (int64_t o = 0; o < 2 * B; ++o)                                      \
        bv[o] = bias && ob * B + o < M ? bias[ob * B + o] : 0.0f;              \
      int64_t plane = OH * OW * B;                                             \
      for (int64_t oh = 0; oh < OH; ++oh) {                                    \
        int64_t kh0, kh1, ihBase = oh * SH - PT;                               \
        validRange(KH, H, DH, ihBase, &kh0, &kh1);                             \
        float *out = y + (p * OH + oh) * OW * B;                               \
        int64_t ow = 0;                                                        \
        if (OB == 2) {                                                         \
          for (; ow < inner0; ++ow)                                            \
            convColumns##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW,    \
                           DH, DW, PL, ihBase, kh0, kh1, ow, 1, 1, 2, plane);  \
          for (; ow + TILE2 <= inner1; ow += TILE2)                            \
            convColumns##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW,    \
                           DH, DW, PL, ihBase, kh0, kh1, ow, TILE2, 0, 2,      \
                           plane);                                             \
          for (; ow < inner1; ++ow)                                            \
            convColumns##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW,    \
                           DH, DW, PL, ihBase, kh0, kh1, ow, 1, 0, 2, plane);  \
          for (; ow < OW; ++ow)                                                \
            convColumns##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW,    \
                           DH, DW, PL, ihBase, kh0, kh1, ow, 1, 1, 2, plane);  \
          continue;                                                            \
        }                                                                      \
        for (; ow < inner0; ++ow)                                              \
          convColumns##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW, DH,  \
                         DW, PL, ihBase, kh0, kh1, ow, 1, 1, 1, plane);        \
        for (; ow + TILE <= inner1; ow += TILE)                                \
          convColumns##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW, DH,  \
                         DW, PL, ihBase, kh0, kh1, ow, TILE, 0, 1, plane);     \
        for (; ow < inner1; ++ow)                                              \
          convColumns##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW, DH,  \
                         DW, PL, ihBase, kh0, kh1, ow, 1, 0, 1, plane);        \
        for (; ow < OW; ++ow)                                                  \
          convColumns##B(x, w, bv, out, mode, n, ob, C, H, W, KH, KW, SW, DH,  \
                         DW, PL, ihBase, kh0, kh1, ow, 1, 1, 1, plane);        \
      }                                                                        \
      p += OB;                                                                 \
    }                                                                          \
  }

DEFINE_CONV_NCHWC(8)
DEFINE_CONV_NCHWC(16)

/* One element `e` into a pool's accumulator `a`: the max, a NaN winning
 * (kind 0), or the sum (kind 1). */
static inline float poolStep(int64_t kind, float a, float e) {
  return kind == 0 ? (e > a || e != e ? e : a) : a + e;
}

/* Max (kind 0) or average (kind 1) pooling of NCHWBc planes (n, channel
 * block) [pBegin, pEnd), B lanes at once, with the rules of cnnc_pool_f32
 * (pool.c): padding never wins a max and adds nothing to a sum, a NaN wins
 * a max, an average divides by the taps inside the image or, with
 * countPad, inside the padded image. */
#define DEFINE_POOL_NCHWC(B)                                                   \
  KERNEL void cnnc_pool_nchwc_b##B##_f32(                                      \
      const float *restrict x, float *restrict y, int64_t kind, int64_t H,     \
      int64_t W, int64_t OH, int64_t OW, int64_t KH, int64_t KW, int64_t SH,   \
      int64_t SW, int64_t DH, int64_t DW, int64_t PT, int64_t PL, int64_t PB,  \
      int64_t PR, int64_t countPad, int64_t pBegin, int64_t pEnd) {            \
    for (int64_t p = pBegin; p < pEnd; ++p) {                                  \
      const float *in = x + p * H * W * B;                                     \
      for (int64_t oh = 0; oh < OH; ++oh) {                                    \
        int64_t kh0, kh1, hPad0, hPad1;                                        \
        validRange(KH, H, DH, oh * SH - PT, &kh0, &kh1);                       \
        validRange(KH, PT + H + PB, DH, oh * SH, &hPad0, &hPad1);              \
        for (int64_t ow = 0; ow < OW; ++ow) {                                  \
          int64_t kw0, kw1, wPad0, wPad1;                                      \
          validRange(KW, W, DW, ow * SW - PL, &kw0, &kw1);                     \
          validRange(KW, PL + W + PR, DW, ow * SW, &wPad0, &wPad1);            \
          float acc[B];                                                        \
          for (int64_t o = 0; o < B; ++o)                                      \
            acc[o] = kind == 0 ? -INFINITY : 0.0f;                             \
          for (int64_t kh = kh0; kh < kh1; ++kh)                               \
            for (int64_t kw = kw0; kw < kw1; ++kw) {                           \
              const float *v = in + ((oh * SH - PT + kh * DH) * W +            \
                                     ow * SW - PL + kw * DW) * B;              \
              for (int64_t o = 0; o < B; ++o)                                  \
                acc[o] = poolStep(kind, acc[o], v[o]);                         \
            }                                                                  \
          if (kind == 1) {                                                     \
            float count = (float)(countPad ? (hPad1 - hPad0) * (wPad1 - wPad0) \
                                           : (kh1 - kh0) * (kw1 - kw0));       \
            for (int64_t o = 0; o < B; ++o)                                    \
              acc[o] /= count;                                                 \
          }                                                                    \
          float *out = y + ((p * OH + oh) * OW + ow) * B;                      \
          for (int64_t o = 0; o < B; ++o)                                      \
            out[o] = acc[o];                                                   \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  }

DEFINE_POOL_NCHWC(8)
DEFINE_POOL_NCHWC(16)

/* GlobalMaxPool (kind 0) or GlobalAveragePool (kind 1) of NCHWBc planes
 * [pBegin, pEnd) of `pixels` pixels each; the result is NCHWBc [N, C, 1, 1]. */
#define DEFINE_GLOBAL_POOL_NCHWC(B)                                            \
  KERNEL void cnnc_global_pool_nchwc_b##B##_f32(                               \
      const float *restrict x, float *restrict y, int64_t kind,                \
      int64_t pixels, int64_t pBegin, int64_t pEnd) {                          \
    for (int64_t p = pBegin; p < pEnd; ++p) {                                  \
      const float *in = x + p * pixels * B;                                    \
      float acc[B];                                                            \
      for (int64_t o = 0; o < B; ++o)                                          \
        acc[o] = kind == 0 ? -INFINITY : 0.0f;                                 \
      for (int64_t i = 0; i < pixels; ++i)                                     \
        for (int64_t o = 0; o < B; ++o)                                        \
          acc[o] = poolStep(kind, acc[o], in[i * B + o]);                      \
      for (int64_t o = 0; o < B; ++o)                                          \
        y[p * B + o] = kind == 0 ? acc[o] : acc[o] / (float)pixels;            \
    }                                                                          \
  }

DEFINE_GLOBAL_POOL_NCHWC(8)
DEFINE_GLOBAL_POOL_NCHWC(16)

/* Reorder between plain [N, C, R] (R the product of the dims after C) and
 * NCHWBc [N, ceil(C/B), R, B], over planes (n, channel block) [pBegin, pEnd):
 * toBlocked 1 writes the blocked form, zero in the padding lanes; 0 reads it
 * back. */
#define DEFINE_REORDER_NCHWC(B)                                                \
  KERNEL void cnnc_reorder_nchwc_b##B##_f32(                                   \
      const float *restrict x, float *restrict y, int64_t C, int64_t R,        \
      int64_t toBlocked, int64_t pBegin, int64_t pEnd) {                       \
    int64_t Cb = (C + B - 1) / B;                                              \
    for (int64_t p = pBegin; p < pEnd; ++p) {                                  \
      int64_t n = p / Cb, c0 = p % Cb * B, lanes = min64(B, C - c0);          \
      if (toBlocked) {                                                         \
        const float *src = x + (n * C + c0) * R;                               \
        float *dst = y + p * R * B;                                            \
        for (int64_t r = 0; r < R; ++r)                                        \
          for (int64_t o = 0; o < B; ++o)                                      \
            dst[r * B + o] = o < lanes ? src[o * R + r] : 0.0f;                \
      } else {                                                                 \
        const float *src = x + p * R * B;                                      \
        float *dst = y + (n * C + c0) * R;                                     \
        for (int64_t o = 0; o < lanes; ++o)                                    \
          for (int64_t r = 0; r < R; ++r)                                      \
            dst[o * R + r] = src[r * B + o];                                   \
      }                                                                        \
    }                                                                          \
  }

DEFINE_REORDER_NCHWC(8)
DEFINE_REORDER_NCHWC(16)
