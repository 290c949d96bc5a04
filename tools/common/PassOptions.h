// The pass-pipeline flags that cnnc, cnnc-opt and cnnc-run share: -O (in
// cnnc and cnnc-run; cnnc-opt runs only what --passes names), --passes,
// --print-ir-after-all, --print-ir-after=, --print-ir-before=,
// --stop-after=, --time-passes, --stats, --verify-each, --channel-block.
#pragma once

#include "passes/Pass.h"

#include <llvm/Support/CommandLine.h>

namespace cnnc {

class PassOptions {
public:
  // The flags, registered in `category` on the first call. LLVM's own
  // --stop-after, --time-passes and --stats (of its codegen pipeline,
  // which the tools do not expose) make way for ours; so call this in main,
  // before parsing the command line, not from a global's constructor.
  static PassOptions &registerIn(llvm::cl::OptionCategory &category);
  // The pipeline: --passes if given, else the -O level's (optLevel); a
  // bad pass name or flag is a UserError.
  std::vector<const PassInfo *> pipeline(int optLevel) const;
  // The pass manager's options. The channel block of blocked layouts is
  // --channel-block if given, else `targetChannelBlock` if not 0 (cnnc
  // passes its target's), else the host's: 16 with AVX-512, else 8.
  PassManagerOptions managerOptions(int64_t targetChannelBlock = 0) const;
  bool passesGiven() const { return passes_.getNumOccurrences() > 0; }

private:
  explicit PassOptions(llvm::cl::OptionCategory &category);

  llvm::cl::opt<std::string> passes_;
  llvm::cl::opt<bool> printAfterAll_;
  llvm::cl::list<std::string> printAfter_, printBefore_;
  llvm::cl::opt<std::string> stopAfter_;
  llvm::cl::opt<bool> timePasses_, stats_, verifyEach_;
  llvm::cl::opt<int> channelBlock_;
};

} // namespace cnnc
