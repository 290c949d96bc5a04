/* libjit: Resize. See libjit.h.
 *
 * Resize is separable: output element y[o_0, ..., o_{R-1}] is the sum, over
 * one tap per axis, of the product of the taps' weights times the input
 * element the taps index. The code generator computes every axis's taps at
 * compile time (LowerResize.cpp) and passes them as tables. Axis d has
 *
 *   axes[5 * d + 0]  its output size
 *   axes[5 * d + 1]  K, its table stride: the most taps one position has;
 *                    0 for an axis whose position o reads input position o
 *                    alone (not resized), which has no table entries
 *   axes[5 * d + 2]  its input stride (used when K is 0)
 *   axes[5 * d + 3]  where its entries start in `counts` (c below)
 *   axes[5 * d + 4]  where its entries start in `offsets` and `weights` (t)
 *   counts[c + o]    the number of taps of position o; 0 if it lies outside
 *                    the crop of tf_crop_and_resize: the element is `fill`
 *   offsets[t + o * K + k], weights[t + o * K + k]
 *                    tap k of position o: the input element it reads times
 *                    the input stride, and its weight
 *
 * Work items are output rows (every axis but the last); the last axis, whose
 * input stride is 1, is the inner loop.
 */
#include "libjit.h"

/* Ranks up to this have a fixed-size state per row; the code generator
 * checks. */
#define RESIZE_MAX_RANK 64

/* Linear and cubic Resize of f32 data: rows [begin, end). */
KERNEL void cnnc_resize_f32(const float *restrict x, float *restrict y,
                            const int64_t *restrict axes,
                            const int64_t *restrict counts,
                            const int64_t *restrict offsets,
                            const float *restrict weights, int64_t rank,
                            float fill, int64_t begin, int64_t end) {
  const int64_t *last = axes + 5 * (rank - 1);
  int64_t width = last[0], K = last[1];
  const int64_t *lastCounts = counts + last[3];
  const int64_t *lastOffsets = offsets + last[4];
  const float *lastWeights = weights + last[4];
  /* Per outer axis: the row's position on it, its tap count and the tap
   * the current combination uses. */
  int64_t pos[RESIZE_MAX_RANK], taps[RESIZE_MAX_RANK], tap[RESIZE_MAX_RANK];
  for (int64_t r = begin; r < end; ++r) {
    float *out = y + r * width;
    int64_t rest = r, outside = 0;
    for (int64_t d = rank - 2; d >= 0; --d) {
      const int64_t *a = axes + 5 * d;
      pos[d] = rest % a[0];
      rest /= a[0];
      taps[d] = a[1] == 0 ? 1 : counts[a[3] + pos[d]];
      tap[d] = 0;
      outside |= taps[d] == 0;
    }
    if (outside) {
      for (int64_t j = 0; j < width; ++j)
        out[j] = fill;
      continue;
    }
    /* Every combination of one tap per outer axis adds a weighted row of
     * the last axis's interpolation. */
    for (int64_t j = 0; j < width; ++j)
      out[j] = 0.0f;
    int64_t d;
    do {
      float w = 1.0f;
      int64_t base = 0;
      for (d = 0; d + 1 < rank; ++d) {
        const int64_t *a = axes + 5 * d;
        if (a[1] == 0) {
          base += pos[d] * a[2];
        } else {
          int64_t t = a[4] + pos[d] * a[1] + tap[d];
          w *= weights[t];
          base += offsets[t];
        }
      }
      const float *in = x + base;
      if (K == 0) {
        for (int64_t j = 0; j < width; ++j)
          out[j] += w * in[j];
      } else {
        for (int64_t j = 0; j < width; ++j) {
          float sum = 0.0f;
          for (int64_t k = 0; k < lastCounts[j]; ++k)
            sum += lastWeights[j * K + k] * in[lastOffsets[j * K + k]];
          out[j] += w * sum;
        }
      }
      /* The next combination, the last outer axis fastest. */
      for (d = rank - 2; d >= 0 && ++tap[d] == taps[d]; --d)
        tap[d] = 0;
    } while (d >= 0);
    if (K != 0)
      for (int64_t j = 0; j < width; ++j)
        if (lastCounts[j] == 0)
          out[j] = fill;
  }
}

/* Nearest Resize of elements of `size` bytes (any type: it copies), rows
 * [begin, end). Every position has one tap of weight 1 (K is 0 or 1), so
 * `weights` is not needed; `fill` points to the extrapolation value as an
 * element. */
KERNEL void cnnc_resize_nearest(const uint8_t *restrict x, uint8_t *restrict y,
                                int64_t size, const int64_t *restrict axes,
                                const int64_t *restrict counts,
                                const int64_t *restrict offsets,
                                const uint8_t *restrict fill, int64_t rank,
                                int64_t begin, int64_t end) {
  const int64_t *last = axes + 5 * (rank - 1);
  int64_t width = last[0];
  const int64_t *lastCounts = counts + last[3];
  const int64_t *lastOffsets = offsets + last[4];
  for (int64_t r = begin; r < end; ++r) {
    uint8_t *out = y + r * width * size;
    int64_t rest = r, base = 0, outside = 0;
    for (int64_t d = rank - 2; d >= 0; --d) {
      const int64_t *a = axes + 5 * d;
      int64_t o = rest % a[0];
      rest /= a[0];
      if (a[1] == 0) {
        base += o * a[2];
      } else {
        outside |= counts[a[3] + o] == 0;
        base += offsets[a[4] + o];
      }
    }
    const uint8_t *in = x + base * size;
    if (last[1] == 0 && !outside) {
      memcpy(out, in, (size_t)(width * size));
      continue;
    }
    /* memcpy of the constant `size` becomes one load and store. */
    for (int64_t j = 0; j < width; ++j)
      memcpy(out + j * size,
             outside || (last[1] != 0 && lastCounts[j] == 0)
                 ? fill
                 : in + lastOffsets[j] * size,
             (size_t)size);
  }
}
