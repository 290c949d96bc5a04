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
