// The pass pipeline of each optimization level, in order, one line per pass
// with why it sits there.
#include "passes/Pass.h"

namespace cnnc {

std::vector<const PassInfo *> defaultPipeline(int optLevel) {
  if (optLevel <= 0)
    return {}; // -O0: the graph as imported; codegen needs no pass
  std::vector<std::string_view> names = {
      "verify", // the imported graph is well formed before any rewrite
  };
  std::vector<const PassInfo *> pipeline;
  for (std::string_view name : names) {
    const PassInfo *pass = findPass(name);
    if (!pass)
      throw InternalError("pipeline names unknown pass '" + std::string(name) +
                          "'");
    pipeline.push_back(pass);
  }
  return pipeline;
}

} // namespace cnnc
