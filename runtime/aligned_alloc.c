/* Aligned allocation for workspaces and tensors.
 *
 * posix_memalign rather than C11 aligned_alloc: the runtime is C99, and
 * aligned_alloc wants the size to be a multiple of the alignment, which a
 * workspace size need not be. The pointer comes straight from the C library,
 * so cnnc_aligned_free is free(); it exists so that applications do not
 * depend on that and so that memory from the runtime goes back to it. */
#define _POSIX_C_SOURCE 200112L

#include "cnnc_rt.h"

#include <stdint.h>
#include <stdlib.h>

void *cnnc_aligned_alloc(size_t size, size_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    return NULL;
  if (alignment < sizeof(void *))
    alignment = sizeof(void *); /* posix_memalign's minimum */
  /* No object may exceed PTRDIFF_MAX (pointer differences within it must be
   * defined), and sanitizer allocators abort on absurd sizes instead of
   * returning NULL: refuse them here. */
  if (size > (size_t)PTRDIFF_MAX - alignment)
    return NULL;
  /* size 0 would leave it to the C library whether NULL means failure. */
  void *ptr = NULL;
  if (posix_memalign(&ptr, alignment, size ? size : 1) != 0)
    return NULL;
  return ptr;
}

void cnnc_aligned_free(void *ptr) { free(ptr); }
