#include "passes/Rewrite.h"

#include <algorithm>
#include <utility>

namespace cnnc {

std::unordered_map<const Value *, std::vector<Node *>>
usersOf(const Graph &graph) {
  std::unordered_map<const Value *, std::vector<Node *>> users;
  for (const auto &n : graph.nodes)
    for (const Value *v : n->inputs)
      if (v)
        users[v].push_back(n.get());
  return users;
}

namespace {
bool isInput(const Graph &graph, const Value *v) {
  return std::find(graph.inputs.begin(), graph.inputs.end(), v) !=
         graph.inputs.end();
}
} // namespace

bool canReplace(const Graph &graph, const Value *old,
                const Value *replacement) {
  if (!graph.isOutput(old))
    return true;
  return !isInput(graph, replacement) && !replacement->isConstant() &&
         !graph.isOutput(replacement);
}

void replaceValue(Graph &graph, Value *old, Value *replacement) {
  if (!canReplace(graph, old, replacement))
    throw InternalError("replaceValue: '" + replacement->name +
                        "' cannot take over graph output '" + old->name + "'");
  if (graph.isOutput(old))
    std::swap(old->name, replacement->name); // both names stay in use
  graph.replaceAllUsesWith(old, replacement);
}

} // namespace cnnc
