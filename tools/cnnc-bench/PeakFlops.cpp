#include "tools/cnnc-bench/PeakFlops.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace cnnc {

namespace {

// Each chain is a dependent sequence acc = acc * a + b; a core retires two
// FMAs per cycle with a latency of 4-5 cycles, so at least 10 chains must be
// in flight to keep both units busy. 12 chains of 16 ymm registers (24 of
// the 32 zmm ones) leave room for the constants and never spill. a and b
// keep every accumulator near 1, far from denormals and infinities; no
// chain starts at 1, which a * 1 + b rounds back to, or the compiler could
// see that chain stay constant and drop it.
constexpr float kA = 0.999999f, kB = 1e-6f;

// One loop per vector width: the same code over the width's type and
// operations, each in a function whose target attribute lets it use them
// (the caller picks one the host supports). It returns a sum of the
// accumulators, so no chain is dead code.
#define DEFINE_FMA_LOOP(NAME, ATTRIBUTES, VEC, LANES, CHAINS, SET1, FMA, ADD,  \
                        STORE)                                                 \
  ATTRIBUTES float NAME(int64_t iterations) {                                  \
    VEC acc[CHAINS];                                                           \
    for (int k = 0; k < CHAINS; ++k)                                           \
      acc[k] = SET1(float(k + 2));                                             \
    const VEC a = SET1(kA), b = SET1(kB);                                      \
    for (int64_t i = 0; i < iterations; ++i) {                                 \
      _Pragma("GCC unroll 32") for (int k = 0; k < CHAINS; ++k) acc[k] =       \
          FMA(acc[k], a, b);                                                   \
    }                                                                          \
    for (int k = 1; k < CHAINS; ++k)                                           \
      acc[0] = ADD(acc[0], acc[k]);                                            \
    float lanes[LANES];                                                        \
    STORE(lanes, acc[0]);                                                      \
    return lanes[0] + lanes[LANES - 1];                                        \
  }

#if defined(__x86_64__) || defined(__i386__)
constexpr int kChains256 = 12, kChains512 = 24;
DEFINE_FMA_LOOP(fmaLoop256, __attribute__((target("avx2,fma"))), __m256, 8,
                kChains256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps,
                _mm256_storeu_ps)
DEFINE_FMA_LOOP(fmaLoop512, __attribute__((target("avx512f"))), __m512, 16,
                kChains512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps,
                _mm512_storeu_ps)
#endif

// Without FMA (or off x86): 4-wide multiply-adds in the compiler's own
// vector type, two flops per lane as well.
constexpr int kChainsGeneric = 8;
typedef float Float4 __attribute__((vector_size(16)));
Float4 set1(float x) { return Float4{} + x; }
Float4 mulAdd(Float4 x, Float4 a, Float4 b) { return x * a + b; }
Float4 add(Float4 x, Float4 y) { return x + y; }
void store(float *to, Float4 v) { std::memcpy(to, &v, sizeof v); }
DEFINE_FMA_LOOP(mulAddLoop, , Float4, 4, kChainsGeneric, set1, mulAdd, add,
                store)

struct Loop {
  float (*run)(int64_t iterations);
  int lanes, chains;
  const char *kind;
};

Loop widestLoop() {
#if defined(__x86_64__) || defined(__i386__)
  if (__builtin_cpu_supports("avx512f"))
    return {fmaLoop512, 16, kChains512, "512-bit FMA"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return {fmaLoop256, 8, kChains256, "256-bit FMA"};
#endif
  return {mulAddLoop, 4, kChainsGeneric, "128-bit multiply-add"};
}

} // namespace

PeakFlops measurePeakFlops() {
  Loop loop = widestLoop();
  // 2M iterations are about 10 ms at 3 GHz; the best of 10 runs filters
  // out a preemption or a slow clock ramp-up.
  constexpr int64_t kIterations = 2'000'000;
  constexpr int kRuns = 10;
  volatile float sink = 0;
  double best = 1e30;
  for (int r = 0; r < kRuns; ++r) {
    auto start = std::chrono::steady_clock::now();
    sink = sink + loop.run(kIterations);
    std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  double flops = 2.0 * double(kIterations) * loop.chains * loop.lanes;
  return {flops / best / 1e9, std::string(loop.kind) + ", " +
                                  std::to_string(loop.chains) + " chains"};
}

} // namespace cnnc
