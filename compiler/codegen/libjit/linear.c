/* libjit: Matrix products. See libjit.h. */
#include "libjit.h"

/* Output columns per work unit of cnnc_gemm_f32; columns per panel of
 * repacked weights (one vector of 16 sums); and the independent sums over
 * k that a unit with repacked weights keeps. */
#define GEMM_COLUMNS 64
#define GEMM_PANEL 16
#define GEMM_CHAINS 8

/* How B is stored (bLayout): as the product uses it [K, N]; transposed
 * [N, K] (transB, a fully connected layer's weights); or, for constant
 * weights the code generator repacked, in panels [ceil(N / 16), K, 16] of
 * GEMM_PANEL columns, zero past N, so a panel is read as one contiguous
 * stream and its 16 sums are one vector. */
enum { GEMM_B_PLAIN = 0, GEMM_B_TRANSPOSED = 1, GEMM_B_PANELS = 2 };

/* The sums of `panels` consecutive panels (1 to 4, a constant after
 * inlining) over all of k, for row i of A: the panels are read side by
 * side, because a core streams several arrays from memory much faster than
 * one (a fully connected layer at batch 1 reads its weights once, at the
 * memory's pace: AlexNet's 150 MB layer went from 27 to 39 GB/s), and each
 * panel keeps GEMM_CHAINS / panels sums over every so-many-th k, added at
 * the end, so that no sum waits for the FMA before it (LeNet's 400 x 120
 * layer ran at 27 GFLOP/s with one). */
static inline __attribute__((always_inline)) void
gemmPanels(const float *restrict a, const float *restrict panel, float *acc,
           int64_t M, int64_t K, int64_t i, int64_t transA, int64_t panels) {
  int64_t chains = GEMM_CHAINS / panels;
  vf16 sums[GEMM_CHAINS] = {{0}};
  int64_t k = 0;
  for (; k + chains <= K; k += chains)
    for (int64_t c = 0; c < chains; ++c) {
      float av = transA ? a[(k + c) * M + i] : a[i * K + k + c];
      for (int64_t p = 0; p < panels; ++p)
        sums[p * chains + c] +=
            av * load16(panel + (p * K + k + c) * GEMM_PANEL);
    }
  for (; k < K; ++k) {
    float av = transA ? a[k * M + i] : a[i * K + k];
    for (int64_t p = 0; p < panels; ++p)
      sums[p * chains] += av * load16(panel + (p * K + k) * GEMM_PANEL);
  }
  for (int64_t p = 0; p < panels; ++p) {
    for (int64_t width = chains / 2; width > 0; width /= 2)
      for (int64_t c = 0; c < width; ++c)
        sums[p * chains + c] += sums[p * chains + c + width];
    store16(acc + p * GEMM_PANEL, sums[p * chains]);
  }
}

/* Y[M, N] = alpha * A' B' + beta * C, A' = A or A^T, B' = B or B^T.
 * C is absent (cKind 0), a scalar (1), a row [N] (2), a column [M, 1] (3) or
 * full [M, N] (4). Work units [uBegin, uEnd) of GEMM_COLUMNS columns of one
 * row each (row u / ceil(N / GEMM_COLUMNS)), so a classifier's single row
 * splits over the threads too. With repacked weights each output is the
 * sum of partial sums over k (gemmPanels); otherwise it is summed over k in
 * order, as a plain dot product would, 16 columns at a time whose sums are
 * independent, so with B^T they run as that many chains of FMAs at once
 * rather than one chain waiting on each FMA's latency, and otherwise as
 * vectors over the contiguous columns. */
KERNEL void cnnc_gemm_f32(const float *restrict a, const float *restrict b,
                          const float *restrict c, float *restrict y, int64_t M,
                          int64_t N, int64_t K, int64_t transA, int64_t bLayout,
                          float alpha, float beta, int64_t cKind,
                          int64_t uBegin, int64_t uEnd) {
  int64_t unitsPerRow = (N + GEMM_COLUMNS - 1) / GEMM_COLUMNS;
  for (int64_t u = uBegin; u < uEnd; ++u) {
    int64_t i = u / unitsPerRow, j0 = u % unitsPerRow * GEMM_COLUMNS;
    /* Constant for all units but a short last one. */
    int64_t columns = min64(GEMM_COLUMNS, N - j0);
    float acc[GEMM_COLUMNS];
    int transB = bLayout == GEMM_B_TRANSPOSED;
    if (bLayout == GEMM_B_PANELS) {
      const float *panel = b + j0 * K;
      /* A constant panel count in each call, for the inliner. */
      switch ((columns + GEMM_PANEL - 1) / GEMM_PANEL) {
      case 4:
        gemmPanels(a, panel, acc, M, K, i, transA, 4);
        break;
      case 3:
        gemmPanels(a, panel, acc, M, K, i, transA, 3);
        break;
      case 2:
        gemmPanels(a, panel, acc, M, K, i, transA, 2);
        break;
      default:
        gemmPanels(a, panel, acc, M, K, i, transA, 1);
        break;
      }
    } else {
      for (int64_t s0 = 0; s0 < columns; s0 += GEMM_PANEL) {
        /* GEMM_PANEL columns, or fewer at the end of a row. */
        int64_t width = min64(GEMM_PANEL, columns - s0);
        float *sums = acc + s0;
        int64_t js = j0 + s0;
        for (int64_t jj = 0; jj < GEMM_PANEL; ++jj)
          sums[jj] = 0.0f;
        if (width == GEMM_PANEL) {
          for (int64_t k = 0; k < K; ++k) {
            float av = transA ? a[k * M + i] : a[i * K + k];
            for (int64_t jj = 0; jj < GEMM_PANEL; ++jj)
              sums[jj] +=
                  av * (transB ? b[(js + jj) * K + k] : b[k * N + js + jj]);
          }
        } else {
          for (int64_t k = 0; k < K; ++k) {
            float av = transA ? a[k * M + i] : a[i * K + k];
            for (int64_t jj = 0; jj < width; ++jj)
              sums[jj] +=
                  av * (transB ? b[(js + jj) * K + k] : b[k * N + js + jj]);
          }
        }
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
