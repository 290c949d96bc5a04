// Helpers the passes share to rewrite a graph without losing what the user
// sees: graph outputs keep their ONNX names through every rewrite.
#pragma once

#include "ir/Graph.h"

#include <string_view>
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

// The one node that reads `v`, if exactly one operand of one node reads it
// and it is not a graph output; else nullptr. A node that is the only user
// of a result can take over the work of its producer.
Node *soleUser(const Graph &graph, const Value *v);

// Re-infers `node`'s result types after a pass changed its operands or
// attributes: a rewrite that changes them is a bug in `pass`, an
// InternalError naming it and the node.
void reinferUnchanged(Node &node, std::string_view pass);

// Moves `node` to just before `before` in graph order. Precondition: every
// operand of `node` is defined before `before`, and every user of its
// results comes after it.
void moveBefore(Graph &graph, Node *node, const Node *before);

// fuse-conv-activation's rewrite, shared with fuse-residual-add: when the
// only user of `conv`'s result (a Conv, or a FusedConv without activation)
// is an activation FusedConv can apply (Relu, LeakyRelu, Sigmoid, HardSwish,
// Clip with constant bounds), `conv` becomes a FusedConv applying it, takes
// over the activation's result (and name, if a graph output), and the
// activation node is erased. Returns whether it fused.
bool absorbActivation(Graph &graph, Node *conv);

} // namespace cnnc
