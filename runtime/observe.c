/* The hand-off of node results to the observer of models compiled with
 * `cnnc --observe` (see cnnc_tensor_info in cnnc_rt.h). */
#include "cnnc_rt.h"

#include <string.h>

void cnnc_observe_record(const cnnc_observer_slot *slot,
                         const cnnc_tensor_info *info, const void *data) {
  if (slot->fn)
    slot->fn(slot->user, info, data);
}

void cnnc_copy_row_major(const cnnc_tensor_info *info, const void *data,
                         void *out) {
  const unsigned char *from = (const unsigned char *)data;
  unsigned char *to = (unsigned char *)out;
  size_t size = (size_t)info->element_size;
  int64_t count = 1, d;
  for (d = 0; d < info->rank; ++d)
    count *= info->shape[d];
  if (info->block == 0 || info->rank < 2) {
    memcpy(to, from, (size_t)count * size);
    return;
  }
  /* [N, C, rest] row-major from [N, ceil(C/B), rest, B]. */
  {
    int64_t B = info->block, N = info->shape[0], C = info->shape[1];
    int64_t rest = 1, blocks = (C + B - 1) / B;
    int64_t n, c, r;
    for (d = 2; d < info->rank; ++d)
      rest *= info->shape[d];
    for (n = 0; n < N; ++n)
      for (c = 0; c < C; ++c) {
        const unsigned char *plane =
            from + ((n * blocks + c / B) * rest * B + c % B) * (int64_t)size;
        unsigned char *row = to + ((n * C + c) * rest) * (int64_t)size;
        for (r = 0; r < rest; ++r)
          memcpy(row + r * (int64_t)size, plane + r * B * (int64_t)size, size);
      }
  }
}
