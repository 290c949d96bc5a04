// The FP32 peak of one core, measured by a loop of FMAs that never touches
// memory: what "% of peak" in cnnc-bench is relative to.
#pragma once

#include <string>

namespace cnnc {

struct PeakFlops {
  double gflops = 0;  // per thread
  std::string method; // e.g. "256-bit FMA, 12 chains"
};

// Runs the widest FMA loop the host supports (512-bit with AVX-512F, else
// 256-bit with AVX2+FMA, else plain vector multiply-adds) on the calling
// thread for about 0.1 s and returns the best of several timings. The
// multi-thread peak is this times the thread count: each core has its own
// FMA units, and measuring all cores at once on a shared machine would
// only add the neighbours' noise.
PeakFlops measurePeakFlops();

} // namespace cnnc
