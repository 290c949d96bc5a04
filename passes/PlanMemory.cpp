// plan-memory: assigns every intermediate tensor its offset in the
// workspace (passes/MemoryPlan.h, the one planner) and records the plan in
// the graph, where the printer shows it and code generation follows it.
//
// Tensors whose live ranges do not overlap share memory; an element-wise
// result whose operand dies at its node takes the operand's memory (in
// place); a Reshape of an intermediate names its operand's bytes (a view).
// The statistics compare the workspace with the lower bound no placement of
// these live ranges can beat, the most bytes live at one node.
//
// Preconditions: the graph verifies. The plan describes the graph as it is,
// so this pass runs last: after a pass that rewrites the graph the recorded
// plan must still pass verifyPlan (the PassManager checks it after every
// pass; an InternalError naming the pass otherwise). It replaces a plan
// recorded before. It does not reorder nodes to shorten live ranges.
#include "passes/MemoryPlan.h"
#include "passes/Passes.h"

namespace cnnc {

bool planMemoryPass(Graph &graph, PassContext &ctx) {
  MemoryPlan plan = checkedMemoryPlan(graph, /*useRecorded=*/false);
  ctx.stats.add("bytes of workspace", plan.workspaceSize);
  ctx.stats.add("bytes peak live (lower bound)", plan.peakLiveBytes);
  ctx.stats.add("tensors owning memory", int64_t(plan.numOwners));
  ctx.stats.add("results in place", int64_t(plan.numInPlace));
  ctx.stats.add("no-copy views", int64_t(plan.numViews));
  // A graph whose every node result is a graph output needs no workspace:
  // no "workspace 0 bytes" line in its IR (code generation plans the same
  // empty workspace itself).
  if (plan.placements.empty()) {
    bool had = graph.workspaceSize.has_value();
    graph.clearMemoryPlan();
    return had;
  }
  return recordMemoryPlan(graph, plan);
}

} // namespace cnnc
