// The reference interpreter: runs a Graph on concrete tensors with one plain
// kernel per op of the op table (ir/Ops.def).
//
// It is the oracle inside cnnc (DESIGN.md "Tests"): constant folding, pass
// equivalence checks and end-to-end tests compare against it, and it is
// itself checked against the ONNX backend test suite (docs/conformance.md).
// Its kernels are written to be obviously right, not fast: no blocking, no
// vectorization, no threads.
//
// Values are computed in the element type of the graph: f32 in f32 (f16 and
// bf16 in f32, rounded on store), f64 in f64, integers in 64 bits and
// truncated to their width on store, as ONNX Runtime does. Only the plain
// layout is supported.
#pragma once

#include "ir/Graph.h"

#include <functional>

namespace cnnc {

// The results of `node`, one per node output and of exactly its type, for
// the operand values `operands` (one per node operand, nullptr where the
// operand is absent). The node's output types must be inferred (the
// importer and the parser do that). Run-time values the op rejects (a
// Gather index out of range, an integer division by zero) are a UserError
// naming the node.
std::vector<Tensor> evaluateNode(const Node &node,
                                 const std::vector<const Tensor *> &operands);

// Called after each node runs, with its results (e.g. to dump them).
using NodeObserver =
    std::function<void(const Node &node, const std::vector<Tensor> &results)>;

// Runs `graph` on `inputs` (one per graph input, in order, each of exactly
// that input's type) and returns one tensor per graph output. Intermediate
// tensors are freed as soon as their last reader has run.
std::vector<Tensor> interpretGraph(const Graph &graph,
                                   const std::vector<Tensor> &inputs,
                                   const NodeObserver &observer = {});

} // namespace cnnc
