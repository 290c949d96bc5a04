// eliminate-dead-code: removes every node whose results nothing reads (no
// node operand, no graph output), then every constant nothing reads. The
// walk goes backwards over the topologically ordered nodes, so a node whose
// only readers were removed is itself removed in the same walk: whole dead
// chains go in one pass, and a fixed point is reached without iterating.
// No op of the IR has a side effect, so an unread node never matters.
//
// Preconditions: the graph verifies.
//
// Deliberately left alone: graph inputs, even unread ones (they are the
// compiled model's interface), and a node any one of whose results is read
// (an unread second result, such as a MaxPool's indices, does not make the
// node dead).
#include "passes/Passes.h"

#include <unordered_map>

namespace cnnc {

bool eliminateDeadCode(Graph &graph, PassContext &ctx) {
  std::unordered_map<const Value *, size_t> uses = graph.useCounts();
  auto unread = [&](const Value *v) {
    auto it = uses.find(v);
    return it == uses.end() || it->second == 0;
  };
  int64_t removed = 0;
  for (size_t i = graph.nodes.size(); i-- > 0;) {
    Node *node = graph.nodes[i].get();
    bool dead = true;
    for (const Value *v : node->outputs)
      dead &= unread(v);
    if (!dead)
      continue;
    for (const Value *v : node->inputs)
      if (v)
        --uses[v];
    graph.eraseNode(node); // only shifts the nodes after i, already visited
    ++removed;
  }
  size_t constantsBefore = graph.constants().size();
  graph.removeUnusedConstants();
  int64_t removedConstants =
      int64_t(constantsBefore - graph.constants().size());
  if (removed)
    ctx.stats.add("removed", removed);
  if (removedConstants)
    ctx.stats.add("removed constants", removedConstants);
  return removed || removedConstants;
}

} // namespace cnnc
