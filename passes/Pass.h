// The pass registry: every graph pass has one kebab-case name here.
//
// A pass is a function that rewrites a Graph in place and returns whether it
// changed it. cnnc-opt --passes= reads this registry. runPasses only runs the
// passes in order: verifying, printing and timing after each pass are not
// here yet.
#pragma once

#include "ir/Graph.h"

#include <functional>
#include <string_view>
#include <vector>

namespace cnnc {

struct PassInfo {
  std::string_view name;
  std::string_view description;
  std::function<bool(Graph &)> run;
};

const std::vector<PassInfo> &allPasses();
const PassInfo *findPass(std::string_view name);

// The passes of the comma-separated `pipeline` (e.g. "verify"), in order. An
// unknown pass name is a UserError listing the known ones.
std::vector<const PassInfo *> parsePipeline(std::string_view pipeline);

void runPasses(Graph &graph, const std::vector<const PassInfo *> &pipeline);

} // namespace cnnc
