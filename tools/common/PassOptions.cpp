#include "tools/common/PassOptions.h"

#include "ir/Diagnostics.h"
#include "tools/common/ToolSupport.h"

#include <llvm/TargetParser/Host.h>

namespace cnnc {

namespace cl = llvm::cl;

PassOptions &PassOptions::registerIn(cl::OptionCategory &category) {
  static PassOptions *options = [&] {
    for (const char *name : {"stop-after", "time-passes", "stats"})
      releaseLLVMOption(name);
    return new PassOptions(category);
  }();
  return *options;
}

PassOptions::PassOptions(cl::OptionCategory &category)
    : passes_("passes",
              cl::desc("Comma-separated passes to run in order, instead of "
                       "the -O level's pipeline (see --list-passes)"),
              cl::value_desc("a,b,c"), cl::cat(category)),
      printAfterAll_("print-ir-after-all",
                     cl::desc("Print the IR after every pass (to stderr; "
                              "\"(unchanged)\" when the pass changed nothing)"),
                     cl::init(false), cl::cat(category)),
      printAfter_("print-ir-after",
                  cl::desc("Print the IR after this pass (repeatable)"),
                  cl::value_desc("pass"), cl::cat(category)),
      printBefore_("print-ir-before",
                   cl::desc("Print the IR before this pass (repeatable)"),
                   cl::value_desc("pass"), cl::cat(category)),
      stopAfter_("stop-after",
                 cl::desc("Run no pass after this one"),
                 cl::value_desc("pass"), cl::cat(category)),
      timePasses_("time-passes",
                  cl::desc("Print a table of each pass's time (stderr)"),
                  cl::init(false), cl::cat(category)),
      stats_("stats",
             cl::desc("Print what each pass did, e.g. "
                      "\"fuse-conv-activation: 49 fused\" (stderr)"),
             cl::init(false), cl::cat(category)),
      verifyEach_("verify-each",
                  cl::desc("Verify the IR after every pass (default on)"),
                  cl::init(true), cl::cat(category)),
      channelBlock_("channel-block",
                    cl::desc("Channels per block of the blocked layouts "
                             "choose-layout assigns: 8 or 16 (default: 16 "
                             "if the target has AVX-512, else 8)"),
                    cl::init(0), cl::cat(category)) {}

std::vector<const PassInfo *> PassOptions::pipeline(int optLevel) const {
  std::vector<const PassInfo *> passes =
      passesGiven() ? parsePipeline(passes_) : defaultPipeline(optLevel);
  auto check = [&](const std::string &name, const char *flag) {
    if (!findPass(name))
      parsePipeline(name); // the UserError listing the known passes
    bool inPipeline = false;
    for (const PassInfo *p : passes)
      inPipeline |= p->name == name;
    if (!inPipeline)
      userError("{}={}: that pass is not in the pipeline", flag, name);
  };
  for (const std::string &name : printAfter_)
    check(name, "--print-ir-after");
  for (const std::string &name : printBefore_)
    check(name, "--print-ir-before");
  if (!stopAfter_.empty())
    check(stopAfter_, "--stop-after");
  return passes;
}

PassManagerOptions
PassOptions::managerOptions(int64_t targetChannelBlock) const {
  PassManagerOptions o;
  if (channelBlock_.getNumOccurrences()) {
    if (channelBlock_ != 8 && channelBlock_ != 16)
      userError("--channel-block={}: the blocked layouts have 8 or 16 "
                "channels per block",
                int(channelBlock_));
    o.target.channelBlock = channelBlock_;
  } else if (targetChannelBlock) {
    o.target.channelBlock = targetChannelBlock;
  } else {
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    o.target.channelBlock = features.lookup("avx512f") ? 16 : 8;
  }
  o.verifyEach = verifyEach_;
  o.printAfterAll = printAfterAll_;
  o.printAfter.assign(printAfter_.begin(), printAfter_.end());
  o.printBefore.assign(printBefore_.begin(), printBefore_.end());
  o.stopAfter = stopAfter_;
  o.timePasses = timePasses_;
  o.stats = stats_;
  return o;
}

} // namespace cnnc
