// The IR verifier: structural and type invariants of a Graph.
//
// Checks that every value is defined once before it is used (so nodes are in
// topological order and there is no cycle), that each node's operand, result
// and attribute lists match its op table entry, that every shape is static
// and within kMaxElements, that constants hold data of their type's size,
// and that each node's recorded output types equal what shape inference
// computes.
#pragma once

#include "ir/Graph.h"

namespace cnnc {

// Throws UserError listing every problem found (each naming its node).
void verifyGraph(const Graph &graph);

// The node-local part: operand and result counts within the op table's
// range, required operands present, every attribute known with the right
// kind. Shape inference may assume these hold.
std::vector<Diagnostic> checkNodeStructure(const Node &node);

} // namespace cnnc
