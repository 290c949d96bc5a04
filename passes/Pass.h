// Graph passes: the registry, the pipelines, and the PassManager that runs
// them.
//
// A pass is one function in one file of passes/ that rewrites a Graph in
// place and returns whether it changed it; it counts what it did in
// PassStats ("fused", "folded"), which --stats prints. Its registry line
// (Pass.cpp) gives it a kebab-case name; Pipeline.cpp lists the passes of
// each optimization level in order. The PassManager gives every pass, for
// free: verification after it, printing before/after it, its time, and
// stopping after it.
#pragma once

#include "ir/Graph.h"

#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cnnc {

// What a pass did, by counter name ("fused" -> 49).
class PassStats {
public:
  void add(const std::string &counter, int64_t n = 1) { counts_[counter] += n; }
  const std::map<std::string, int64_t> &counts() const { return counts_; }

private:
  std::map<std::string, int64_t> counts_;
};

// What the passes know of the machine the code is for.
struct PassTarget {
  // Channels per block of the blocked layouts choose-layout assigns: 16 for
  // AVX-512 targets (one zmm register of f32), 8 otherwise (one ymm register;
  // two NEON registers on AArch64).
  int64_t channelBlock = 16;
  // Bytes of the L2 cache of a core: what stays cached between one node and
  // the next (fuse-expand-depthwise fuses expansions larger than this).
  // 1 MiB on Zen 4/5 and recent Intel server cores.
  int64_t l2CacheBytes = 1024 * 1024;
};

// What a pass gets besides the graph: the target, and the counters it fills.
struct PassContext {
  PassTarget target;
  PassStats stats;
};

struct PassInfo {
  std::string_view name;
  std::string_view description;
  std::function<bool(Graph &, PassContext &)> run;
};

const std::vector<PassInfo> &allPasses();
const PassInfo *findPass(std::string_view name);

// The passes of the comma-separated `pipeline`, in order. An unknown pass
// name is a UserError listing the known ones.
std::vector<const PassInfo *> parsePipeline(std::string_view pipeline);

// The pipeline of an optimization level (Pipeline.cpp): -O0 runs none.
std::vector<const PassInfo *> defaultPipeline(int optLevel);

struct PassManagerOptions {
  bool verifyEach = true;               // verify the IR after every pass
  bool printAfterAll = false;           // print the IR after every pass
  std::vector<std::string> printAfter;  // ... after these passes
  std::vector<std::string> printBefore; // ... before these passes
  std::string stopAfter;                // run no pass after this one
  bool timePasses = false;              // a table of each pass's time
  bool stats = false;                   // each pass's counters
  PassTarget target;                    // what the code is for
};

// Runs `pipeline` over `graph`. Printing, timing and statistics go to `log`
// (stderr in the tools). The IR failing verification after a pass (its
// invariants, or a memory plan it records) is an InternalError naming the
// pass; a UserError from a pass propagates.
void runPasses(Graph &graph, const std::vector<const PassInfo *> &pipeline,
               const PassManagerOptions &options, std::ostream &log);

} // namespace cnnc
