/* libjit: the kernels cnnc's code generator specializes.
 *
 * Written in plain C99 and compiled by clang to LLVM bitcode at build time
 * (the approach of Glow's libjit). The code generator links this bitcode
 * into each model's module and calls a kernel with the node's shapes and
 * attributes as constant arguments; after inlining, LLVM sees constant trip
 * counts and strides, unrolls and vectorizes for the target, and drops the
 * kernels a model does not use. So these functions take every size as an
 * argument and keep their innermost loops contiguous, branch-free and free
 * of aliasing (restrict), which is what the vectorizer needs.
 *
 * Nothing here may call anything but libm: the generated object must link
 * against the runtime and libc/libm only.
 *
 * libjit.h holds what the kernel files share; each file is compiled to
 * bitcode and the files are linked into one module (CMakeLists.txt).
 */
#ifndef CNNC_LIBJIT_H
#define CNNC_LIBJIT_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define KERNEL __attribute__((visibility("hidden")))

static inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* The outputs o in [0, out) whose input position o * stride + offset lies in
 * [0, in): *first and *last (exclusive). Lets the inner loops run without
 * bound checks. */
static inline void validRange(int64_t out, int64_t in, int64_t stride,
                              int64_t offset, int64_t *first, int64_t *last) {
  /* o * stride + offset >= 0  <=>  o >= ceil(-offset / stride) */
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  /* o * stride + offset <= in - 1  <=>  o <= floor((in - 1 - offset) / stride) */
  int64_t hiNum = in - 1 - offset;
  int64_t hi = hiNum < 0 ? -1 : hiNum / stride;
  *first = min64(lo, out);
  *last = max64(*first, min64(hi + 1, out));
}

/* Vectors of B floats (a channel block of blocked.c, a column panel of
 * linear.c). Loads and stores go through memcpy, so
 * they need no alignment. Every function taking or returning one is
 * inlined into the model, compiled for its target, so no call ever passes
 * a vector in registers whose ABI the bitcode's generic x86-64 would
 * choose differently: clang's warning about that does not apply. */
#pragma clang diagnostic ignored "-Wpsabi"
typedef float vf8 __attribute__((vector_size(32)));
typedef float vf16 __attribute__((vector_size(64)));
#define DEFINE_VECTOR_ACCESS(B)                                                \
  static inline vf##B load##B(const float *p) {                                \
    vf##B v;                                                                   \
    memcpy(&v, p, sizeof v);                                                   \
    return v;                                                                  \
  }                                                                            \
  static inline void store##B(float *p, vf##B v) { memcpy(p, &v, sizeof v); }
DEFINE_VECTOR_ACCESS(8)
DEFINE_VECTOR_ACCESS(16)

/* A fused convolution's activation of one value, which the blocked kernels
 * (blocked.c) apply to each lane of their accumulators before they store
 * them, rather than in a second pass over the stored results (which took
 * 20% of the time of a 1x1 convolution over 16 channels). Generated per node
 * by the code generator and passed as a constant, so after inlining the
 * call is direct and inlined too, and the lanes' copies vectorize. (The
 * plain kernels' epilogue is generated code around the kernel call: see
 * Emitter::convWithEpilogue.) */
typedef float (*cnnc_activation)(float x);

#endif
