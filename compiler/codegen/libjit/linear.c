/* libjit: Matrix products. See libjit.h. */
#include "libjit.h"

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
