/* Per-node timing for models compiled with `cnnc --profile`.
 *
 * The generated code owns the table (cnnc_profile, in its data) and calls
 * cnnc_profile_clock before a node and cnnc_profile_record after it: two
 * calls and a few atomic adds per node, no allocation, no lock. The clock is
 * CLOCK_MONOTONIC rather than the TSC: it needs no calibration, is in
 * nanoseconds everywhere, and costs about 20 ns through the vDSO, far below
 * the microseconds even a small layer takes. */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */

#include "cnnc_rt.h"

#include <time.h>

uint64_t cnnc_profile_clock(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

void cnnc_profile_record(const cnnc_profile *profile, int64_t node,
                         uint64_t start) {
  uint64_t elapsed = cnnc_profile_clock() - start;
  /* Relaxed atomics: concurrent runs of one model (it is reentrant) must
   * not lose counts; nothing else is ordered by them. */
  __atomic_fetch_add(&profile->nanoseconds[node], elapsed, __ATOMIC_RELAXED);
  __atomic_fetch_add(&profile->calls[node], 1, __ATOMIC_RELAXED);
}

void cnnc_profile_reset(const cnnc_profile *profile) {
  int64_t i;
  for (i = 0; i < profile->num_nodes; ++i) {
    __atomic_store_n(&profile->nanoseconds[i], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&profile->calls[i], 0, __ATOMIC_RELAXED);
  }
}
