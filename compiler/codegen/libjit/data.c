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

/* Rows [rBegin, rEnd) of every plane of src (`images` images of `planes`
 * planes of `rows` rows of rowBytes) into planes dstPlane0... of dst
 * (dstPlanes per image): an operand of a channel Concat of images, plain
 * or blocked (a plane is a channel or a block of channels), split over the
 * threads by rows as the convolutions that wrote it were, so each thread
 * copies what it wrote itself. */
KERNEL void cnnc_copy_plane_rows(char *restrict dst, const char *restrict src,
                                 int64_t images, int64_t planes,
                                 int64_t dstPlanes, int64_t dstPlane0,
                                 int64_t rows, int64_t rowBytes,
                                 int64_t rBegin, int64_t rEnd) {
  for (int64_t n = 0; n < images; ++n)
    for (int64_t p = 0; p < planes; ++p)
      memcpy(dst + ((n * dstPlanes + dstPlane0 + p) * rows + rBegin) * rowBytes,
             src + ((n * planes + p) * rows + rBegin) * rowBytes,
             (size_t)((rEnd - rBegin) * rowBytes));
}
