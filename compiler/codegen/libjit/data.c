/* libjit: Data movement kernels. See libjit.h. */
#include "libjit.h"

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
