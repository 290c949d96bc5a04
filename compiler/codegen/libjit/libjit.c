/* libjit: the kernels cnnc's code generator specializes.
 *
 * Written in plain C99 and compiled by clang to LLVM bitcode at build time
 * (the approach of Glow's libjit). The code generator links this bitcode
 * into each model's module and calls a kernel with the node's shapes and
 * attributes as constant arguments; after inlining, LLVM sees constant trip
 * counts and strides, unrolls and vectorizes for the target, and drops the
 * kernels a model does not use. So these functions take every size as an
 * argument and keep their innermost loops contiguous, branch-free and free
 * of aliasing (restrict), which is what the vectorizer needs.
 *
 * Nothing here may call anything but libm: the generated object must link
 * against the runtime and libc/libm only.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#define KERNEL __attribute__((visibility("hidden")))

static inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* The outputs o in [0, out) whose input position o * stride + offset lies in
 * [0, in): *first and *last (exclusive). Lets the inner loops run without
 * bound checks. */
static inline void validRange(int64_t out, int64_t in, int64_t stride,
                              int64_t offset, int64_t *first, int64_t *last) {
  /* o * stride + offset >= 0  <=>  o >= ceil(-offset / stride) */
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  /* o * stride + offset <= in - 1  <=>  o <= floor((in - 1 - offset) / stride) */
  int64_t hiNum = in - 1 - offset;
  int64_t hi = hiNum < 0 ? -1 : hiNum / stride;
  *first = min64(lo, out);
  *last = max64(*first, min64(hi + 1, out));
}

/* ------------------------------------------------------------ convolution */

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

/* ------------------------------------------------------------ pooling */

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

/* ------------------------------------------------------------ linear */

/* Y[M, N] = alpha * A' B' + beta * C, A' = A or A^T, B' = B or B^T.
 * C is absent (cKind 0), a scalar (1), a row [N] (2), a column [M, 1] (3) or
 * full [M, N] (4). Rows [mBegin, mEnd). */
KERNEL void cnnc_gemm_f32(const float *restrict a, const float *restrict b,
                          const float *restrict c, float *restrict y,
                          int64_t M, int64_t N, int64_t K, int64_t transA,
                          int64_t transB, float alpha, float beta,
                          int64_t cKind, int64_t mBegin, int64_t mEnd) {
  for (int64_t i = mBegin; i < mEnd; ++i) {
    float *row = y + i * N;
    for (int64_t j = 0; j < N; ++j)
      row[j] = 0.0f;
    if (transB) {
      /* Dot products of A's row with B's rows: contiguous in k. */
      for (int64_t j = 0; j < N; ++j) {
        float sum = 0.0f;
        for (int64_t k = 0; k < K; ++k)
          sum += (transA ? a[k * M + i] : a[i * K + k]) * b[j * K + k];
        row[j] = sum;
      }
    } else {
      for (int64_t k = 0; k < K; ++k) {
        float av = transA ? a[k * M + i] : a[i * K + k];
        const float *brow = b + k * N;
        for (int64_t j = 0; j < N; ++j)
          row[j] += av * brow[j];
      }
    }
    for (int64_t j = 0; j < N; ++j) {
      float cv = cKind == 0   ? 0.0f
                 : cKind == 1 ? c[0]
                 : cKind == 2 ? c[j]
                 : cKind == 3 ? c[i]
                              : c[i * N + j];
      row[j] = alpha * row[j] + beta * cv;
    }
  }
}

/* ------------------------------------------------------------ elementwise */

enum { UNARY_RELU, UNARY_LEAKY_RELU, UNARY_SIGMOID, UNARY_HARD_SIGMOID,
       UNARY_HARD_SWISH, UNARY_TANH, UNARY_ELU, UNARY_SELU, UNARY_SOFTPLUS,
       UNARY_SQRT, UNARY_EXP, UNARY_LOG, UNARY_ABS, UNARY_NEG, UNARY_RECIPROCAL,
       UNARY_ERF, UNARY_CLIP, UNARY_COPY };

/* y[i] = f(x[i]) for i in [begin, end); alpha/beta/gamma as the op defines
 * them (Clip: alpha = min, beta = max). */
KERNEL void cnnc_unary_f32(const float *restrict x, float *restrict y,
                           int64_t op, float alpha, float beta, float gamma,
                           int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    float v = x[i], r;
    switch (op) {
    case UNARY_RELU: r = v > 0.0f ? v : (v != v ? v : 0.0f); break;
    case UNARY_LEAKY_RELU: r = v < 0.0f ? alpha * v : v; break;
    case UNARY_SIGMOID: r = 1.0f / (1.0f + expf(-v)); break;
    /* fminf/fmaxf drop a NaN operand: keep NaN explicitly, as Clip does. */
    case UNARY_HARD_SIGMOID:
      r = v != v ? v : fmaxf(0.0f, fminf(1.0f, alpha * v + beta));
      break;
    case UNARY_HARD_SWISH:
      r = v != v ? v : v * fmaxf(0.0f, fminf(1.0f, v / 6.0f + 0.5f));
      break;
    case UNARY_TANH: r = tanhf(v); break;
    case UNARY_ELU: r = v < 0.0f ? alpha * expm1f(v) : v; break;
    case UNARY_SELU: r = gamma * (v <= 0.0f ? alpha * expm1f(v) : v); break;
    case UNARY_SOFTPLUS: r = v > 0.0f ? v + log1pf(expf(-v)) : log1pf(expf(v)); break;
    case UNARY_SQRT: r = sqrtf(v); break;
    case UNARY_EXP: r = expf(v); break;
    case UNARY_LOG: r = logf(v); break;
    case UNARY_ABS: r = fabsf(v); break;
    case UNARY_NEG: r = -v; break;
    case UNARY_RECIPROCAL: r = 1.0f / v; break;
    case UNARY_ERF: r = erff(v); break;
    case UNARY_CLIP: r = v != v ? v : fminf(fmaxf(v, alpha), beta); break;
    default: r = v; break;
    }
    y[i] = r;
  }
}

enum { BINARY_ADD, BINARY_SUB, BINARY_MUL, BINARY_DIV, BINARY_POW,
       BINARY_MAX, BINARY_MIN, BINARY_PRELU };

/* y = a (op) b over a 4-D iteration space [d0, d1, d2, d3] (ranks are padded
 * with leading 1s), reading a and b through their broadcast strides (0 on
 * broadcast dimensions). Outer index range [begin, end) of d0 * d1. */
KERNEL void cnnc_binary_f32(const float *restrict a, const float *restrict b,
                            float *restrict y, int64_t op, int64_t d1,
                            int64_t d2, int64_t d3, int64_t as0, int64_t as1,
                            int64_t as2, int64_t as3, int64_t bs0, int64_t bs1,
                            int64_t bs2, int64_t bs3, int64_t begin,
                            int64_t end) {
  for (int64_t outer = begin; outer < end; ++outer) {
    int64_t i0 = outer / d1, i1 = outer % d1;
    for (int64_t i2 = 0; i2 < d2; ++i2) {
      const float *pa = a + i0 * as0 + i1 * as1 + i2 * as2;
      const float *pb = b + i0 * bs0 + i1 * bs1 + i2 * bs2;
      float *py = y + (outer * d2 + i2) * d3;
      for (int64_t i3 = 0; i3 < d3; ++i3) {
        float u = pa[i3 * as3], v = pb[i3 * bs3], r;
        switch (op) {
        case BINARY_ADD: r = u + v; break;
        case BINARY_SUB: r = u - v; break;
        case BINARY_MUL: r = u * v; break;
        case BINARY_DIV: r = u / v; break;
        case BINARY_POW: r = powf(u, v); break;
        case BINARY_MAX: r = u != u || v != v ? u + v : fmaxf(u, v); break;
        case BINARY_MIN: r = u != u || v != v ? u + v : fminf(u, v); break;
        case BINARY_PRELU: r = u < 0.0f ? v * u : u; break;
        default: r = u; break;
        }
        py[i3] = r;
      }
    }
  }
}

/* ------------------------------------------------------------ normalization */

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

/* ------------------------------------------------------------ data movement */

/* Copies `count` blocks of `block` bytes: block i from src + i * srcStride
 * to dst + i * dstStride (Concat, Split, Slice rows). */
KERNEL void cnnc_copy_blocks(char *restrict dst, const char *restrict src,
                             int64_t count, int64_t block, int64_t dstStride,
                             int64_t srcStride) {
  for (int64_t i = 0; i < count; ++i)
    memcpy(dst + i * dstStride, src + i * srcStride, (size_t)block);
}

/* Transposes 4-byte elements over a 6-D space: y is row-major over
 * [d0..d5], x is read through strides s0..s5 (in elements). */
KERNEL void cnnc_transpose_u32(const uint32_t *restrict x, uint32_t *restrict y,
                               int64_t d0, int64_t d1, int64_t d2, int64_t d3,
                               int64_t d4, int64_t d5, int64_t s0, int64_t s1,
                               int64_t s2, int64_t s3, int64_t s4, int64_t s5) {
  for (int64_t i0 = 0; i0 < d0; ++i0)
    for (int64_t i1 = 0; i1 < d1; ++i1)
      for (int64_t i2 = 0; i2 < d2; ++i2)
        for (int64_t i3 = 0; i3 < d3; ++i3)
          for (int64_t i4 = 0; i4 < d4; ++i4)
            for (int64_t i5 = 0; i5 < d5; ++i5)
              *y++ = x[i0 * s0 + i1 * s1 + i2 * s2 + i3 * s3 + i4 * s4 + i5 * s5];
}
