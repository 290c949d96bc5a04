/* libjit: Element-wise kernels. See libjit.h. */
#include "libjit.h"

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
