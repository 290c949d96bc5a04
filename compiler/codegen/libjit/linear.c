/* libjit: Matrix products. See libjit.h. */
#include "libjit.h"

/* Output columns per work unit of cnnc_gemm_f32. */
#define GEMM_COLUMNS 16

/* How B is stored (bLayout): as the product uses it [K, N]; transposed
 * [N, K] (transB, a fully connected layer's weights); or, for constant
 * weights the code generator repacked, in panels [ceil(N / 16), K, 16] of
 * GEMM_COLUMNS columns, zero past N, so a unit reads one contiguous panel
 * and its 16 sums are two vectors. */
enum { GEMM_B_PLAIN = 0, GEMM_B_TRANSPOSED = 1, GEMM_B_PANELS = 2 };

/* Y[M, N] = alpha * A' B' + beta * C, A' = A or A^T, B' = B or B^T.
 * C is absent (cKind 0), a scalar (1), a row [N] (2), a column [M, 1] (3) or
 * full [M, N] (4). Work units [uBegin, uEnd) of GEMM_COLUMNS columns of one
 * row each (row u / ceil(N / GEMM_COLUMNS)), so a classifier's single row
 * splits over the threads too. Each output is summed over k in order, as a
 * plain dot product would; the GEMM_COLUMNS sums of a unit are independent,
 * so with B^T they run as that many chains of FMAs at once rather than one
 * chain waiting on each FMA's latency, and otherwise as vectors over the
 * contiguous columns. */
KERNEL void cnnc_gemm_f32(const float *restrict a, const float *restrict b,
                          const float *restrict c, float *restrict y,
                          int64_t M, int64_t N, int64_t K, int64_t transA,
                          int64_t bLayout, float alpha, float beta,
                          int64_t cKind, int64_t uBegin, int64_t uEnd) {
  (void)M;
  int64_t unitsPerRow = (N + GEMM_COLUMNS - 1) / GEMM_COLUMNS;
  for (int64_t u = uBegin; u < uEnd; ++u) {
    int64_t i = u / unitsPerRow, j0 = u % unitsPerRow * GEMM_COLUMNS;
    /* Constant for all units but a short last one, so the loops over jj
     * unroll. */
    int64_t columns = min64(GEMM_COLUMNS, N - j0);
    float acc[GEMM_COLUMNS];
    for (int64_t jj = 0; jj < GEMM_COLUMNS; ++jj)
      acc[jj] = 0.0f;
    int transB = bLayout == GEMM_B_TRANSPOSED;
    if (bLayout == GEMM_B_PANELS) {
      const float *panel = b + j0 * K;
      vf8 low = {0}, high = {0};
      for (int64_t k = 0; k < K; ++k) {
        float av = transA ? a[k * M + i] : a[i * K + k];
        low += av * load8(panel + k * GEMM_COLUMNS);
        high += av * load8(panel + k * GEMM_COLUMNS + 8);
      }
      store8(acc, low);
      store8(acc + 8, high);
    } else if (columns == GEMM_COLUMNS) {
      for (int64_t k = 0; k < K; ++k) {
        float av = transA ? a[k * M + i] : a[i * K + k];
        for (int64_t jj = 0; jj < GEMM_COLUMNS; ++jj)
          acc[jj] += av * (transB ? b[(j0 + jj) * K + k] : b[k * N + j0 + jj]);
      }
    } else {
      for (int64_t k = 0; k < K; ++k) {
        float av = transA ? a[k * M + i] : a[i * K + k];
        for (int64_t jj = 0; jj < columns; ++jj)
          acc[jj] += av * (transB ? b[(j0 + jj) * K + k] : b[k * N + j0 + jj]);
      }
    }
    for (int64_t jj = 0; jj < columns; ++jj) {
      int64_t j = j0 + jj;
      float cv = cKind == 0   ? 0.0f
                 : cKind == 1 ? c[0]
                 : cKind == 2 ? c[j]
                 : cKind == 3 ? c[i]
                              : c[i * N + j];
      y[i * N + j] = alpha * acc[jj] + beta * cv;
    }
  }
}
