/* libjit: Pooling kernels. See libjit.h. */
#include "libjit.h"

#include <tgmath.h>

/* Whether v is a NaN, for every element type (a self-comparison of an
 * integer would draw a warning; LLVM folds this to false for them). */
static inline int isNaN(double v) { return v != v; }

/* Max (kind 0), average (kind 1) or Lp (kind 2, the p-norm) pooling over 3-D
 * windows of NC(D)HW planes [pBegin, pEnd); the code generator passes 1-D
 * and 2-D windows with leading dims of extent 1. Padding never wins a max
 * and adds nothing to a sum. An average divides by the window's elements
 * inside the image, or, with countPad, inside the padded image (ONNX
 * Runtime's rule: not the ceil_mode overhang).
 *
 * The max is the first largest element in the window's row-major order, a
 * NaN winning, as in the interpreter; with `indices`, its flat index in x
 * goes there, the spatial position row-major (storageOrder 0) or
 * column-major (1).
 *
 * As in cnnc_conv_f32, each output row accumulates tap by tap (in the
 * window's row-major order) along a contiguous loop over the outputs whose
 * tap lies inside the image, with no bound checks. With indices, an index
 * of -1 marks an output no tap has reached yet; without, the max starts at
 * the type's lowest value, which only an equal element would keep. One
 * kernel per element type: MaxPool is also defined on int8 and uint8
 * tensors (whose kernels the code generator calls with kind 0 only). */
#define DEFINE_POOL(T, LOWEST, NAME)                                           \
  KERNEL void NAME(                                                            \
      const T *restrict x, T *restrict y, int64_t *restrict indices,           \
      int64_t kind, T p, int64_t D, int64_t H, int64_t W, int64_t OD,          \
      int64_t OH, int64_t OW, int64_t KD, int64_t KH, int64_t KW, int64_t SD,  \
      int64_t SH, int64_t SW, int64_t DD, int64_t DH, int64_t DW, int64_t PF,  \
      int64_t PT, int64_t PL, int64_t PBack, int64_t PB, int64_t PR,           \
      int64_t countPad, int64_t storageOrder, int64_t pBegin, int64_t pEnd) {  \
    for (int64_t plane = pBegin; plane < pEnd; ++plane) {                      \
      const T *in = x + plane * D * H * W;                                     \
      for (int64_t od = 0; od < OD; ++od) {                                    \
        int64_t kd0, kd1;                                                      \
        validRange(KD, D, DD, od * SD - PF, &kd0, &kd1);                       \
        for (int64_t oh = 0; oh < OH; ++oh) {                                  \
          int64_t kh0, kh1;                                                    \
          validRange(KH, H, DH, oh * SH - PT, &kh0, &kh1);                     \
          int64_t first = ((plane * OD + od) * OH + oh) * OW;                  \
          T *out = y + first;                                                  \
          int64_t *at = indices ? indices + first : 0;                         \
          for (int64_t ow = 0; ow < OW; ++ow)                                  \
            out[ow] = kind == 0 && !at ? LOWEST : 0;                           \
          for (int64_t ow = 0; at && ow < OW; ++ow)                            \
            at[ow] = -1;                                                       \
          for (int64_t kd = kd0; kd < kd1; ++kd) {                             \
            for (int64_t kh = kh0; kh < kh1; ++kh) {                           \
              int64_t rowStart =                                               \
                  ((od * SD - PF + kd * DD) * H + oh * SH - PT + kh * DH) * W; \
              const T *row = in + rowStart;                                    \
              for (int64_t kw = 0; kw < KW; ++kw) {                            \
                int64_t ow0, ow1, col = kw * DW - PL;                          \
                validRange(OW, W, SW, col, &ow0, &ow1);                        \
                for (int64_t ow = ow0; ow < ow1; ++ow) {                       \
                  T v = row[ow * SW + col], acc = out[ow];                     \
                  if (kind == 0 && at) {                                       \
                    if (at[ow] < 0 ||                                          \
                        (!isNaN(acc) && (v > acc || isNaN(v)))) {              \
                      out[ow] = v;                                             \
                      at[ow] = rowStart + ow * SW + col;                       \
                    }                                                          \
                  } else if (kind == 0) {                                      \
                    /* A NaN, once in acc, stays: nothing is > NaN. */         \
                    out[ow] = v > acc || isNaN(v) ? v : acc;                   \
                  } else if (kind == 1) {                                      \
                    out[ow] = acc + v;                                         \
                  } else {                                                     \
                    out[ow] = acc + pow(fabs(v), p);                           \
                  }                                                            \
                }                                                              \
              }                                                                \
            }                                                                  \
          }                                                                    \
          if (kind == 1) {                                                     \
            /* The divisor: the taps inside the (padded) image per dim. */    \
            int64_t dPad0, dPad1, hPad0, hPad1;                                \
            validRange(KD, PF + D + PBack, DD, od * SD, &dPad0, &dPad1);       \
            validRange(KH, PT + H + PB, DH, oh * SH, &hPad0, &hPad1);          \
            for (int64_t ow = 0; ow < OW; ++ow) {                              \
              int64_t kw0, kw1, wPad0, wPad1;                                  \
              validRange(KW, W, DW, ow * SW - PL, &kw0, &kw1);                 \
              validRange(KW, PL + W + PR, DW, ow * SW, &wPad0, &wPad1);        \
              out[ow] /= (T)(countPad ? (dPad1 - dPad0) * (hPad1 - hPad0) *    \
                                            (wPad1 - wPad0)                    \
                                      : (kd1 - kd0) * (kh1 - kh0) *            \
                                            (kw1 - kw0));                      \
            }                                                                  \
          }                                                                    \
          for (int64_t ow = 0; kind == 2 && ow < OW; ++ow)                     \
            out[ow] = pow(out[ow], (T)1 / p);                                  \
          for (int64_t ow = 0; at && ow < OW; ++ow) {                          \
            int64_t best = at[ow];                                             \
            at[ow] = plane * D * H * W +                                       \
                     (storageOrder == 0                                        \
                          ? best                                               \
                          : best / (H * W) +                                   \
                                D * (best / W % H + H * (best % W)));          \
          }                                                                    \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  }

DEFINE_POOL(float, -INFINITY, cnnc_pool_f32)
DEFINE_POOL(double, -INFINITY, cnnc_pool_f64)
DEFINE_POOL(int8_t, INT8_MIN, cnnc_pool_i8)
DEFINE_POOL(uint8_t, 0, cnnc_pool_u8)

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
