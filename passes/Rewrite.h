// Helpers the passes share to rewrite a graph without losing what the user
// sees: graph outputs keep their ONNX names through every rewrite.
#pragma once

#include "ir/Graph.h"

#include <unordered_map>
#include <vector>

namespace cnnc {

// The nodes that read each value, in graph order (a node reading a value
// twice appears twice).
std::unordered_map<const Value *, std::vector<Node *>>
usersOf(const Graph &graph);

// Whether replaceValue(graph, old, replacement) keeps the graph's interface:
// false when `old` is a graph output and `replacement` is a graph input, a
// constant or already an output (the output would change its name).
bool canReplace(const Graph &graph, const Value *old, const Value *replacement);

// Makes every use of `old` read `replacement`; when `old` is a graph output,
// `replacement` takes over its name. Precondition: canReplace.
void replaceValue(Graph &graph, Value *old, Value *replacement);

} // namespace cnnc
