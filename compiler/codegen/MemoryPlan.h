// Static memory planning: where each intermediate tensor of a compiled model
// lives in the one caller-owned workspace its entry point runs in.
//
// What is planned: every result of a node that is not a graph output. Graph
// inputs and outputs live in the caller's buffers and constants in read-only
// data, so they get no place in the workspace.
//
// Live ranges are in node indices of the graph's node list, which is in
// topological order and is the order the generated code runs the nodes. A
// value made by node p and read last by node q is live over [p, q], both ends
// included: its memory may be reused only after its last reader has run, and
// a result never shares memory with an operand of its own node, because the
// kernels are not written to work in place. A result that no node reads (an
// unused Dropout mask, a dead branch) is still written by its node, so it is
// planned like any other value with the live range [p, p].
//
// No-copy views. Reshape, Flatten, Squeeze, Unsqueeze and Identity move no
// bytes when operand and result are row-major (Layout::Plain; a blocked
// layout only stays byte-identical under Identity, whose types are equal). If
// the operand is itself planned (an intermediate, or a view of one) and the
// result is not a graph output, the result is a view: it takes the offset of
// the operand's buffer and owns no memory, and that buffer stays live until
// the last reader of any of its views (views of views resolve to the one
// owning buffer). Otherwise the result is an ordinary value that code
// generation fills by copying: when the operand is a graph input, a constant
// or a graph output (none of which is in the workspace), when the result is a
// graph output (it must land in the caller's buffer), or when a blocked
// layout makes the reshape a reorder.
//
// Sizes: a value's size is its type's byte size (0 for a tensor with a 0
// dimension; such values get offset 0 and take no memory). Buffers are placed
// at multiples of kWorkspaceAlignment and padded to it, so every tensor starts
// on a cache line and an AVX-512 vector boundary. A verified graph bounds each
// size by 2^34 bytes (kMaxElements elements of at most 8 bytes), so the sums
// below fit in int64_t for any graph that fits in memory.
#pragma once

#include "ir/Graph.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

namespace cnnc {

// Alignment of the workspace base (the caller's duty) and of every offset.
constexpr int64_t kWorkspaceAlignment = 64;

// Where one planned value lives.
struct TensorPlacement {
  // Bytes from the workspace start; a multiple of kWorkspaceAlignment.
  int64_t offset = 0;
  int64_t size = 0; // the value's byte size, unpadded
  // For a no-copy view, the planned value owning the memory it names (never
  // itself a view); nullptr for a value that owns its memory.
  const Value *viewOf = nullptr;
  // Live range [firstNode, lastNode] in node indices. For an owner this is
  // the range its memory is in use: from its producer to the last reader of
  // it or of any of its views. For a view, its own producer and last reader.
  size_t firstNode = 0;
  size_t lastNode = 0;
};

struct MemoryPlan {
  // Every planned value; see the file comment for which values these are.
  std::unordered_map<const Value *, TensorPlacement> placements;
  // Bytes of workspace the model needs; a multiple of kWorkspaceAlignment.
  int64_t workspaceSize = 0;
  // The workspace a plan that shares nothing would need: the padded sizes of
  // all owning values added up (views are free either way).
  int64_t unsharedSize = 0;
  // The largest sum of padded sizes of owning values live at one node. No
  // placement of these live ranges can use less, so workspaceSize /
  // peakLiveBytes says how close the heuristic got to optimal.
  int64_t peakLiveBytes = 0;
  size_t numOwners = 0; // planned values that own their memory
  size_t numViews = 0;  // planned values that are no-copy views

  // The placement of `v`, or nullptr if `v` is not planned (graph input or
  // output, constant, or not in the graph).
  const TensorPlacement *find(const Value *v) const;
};

// Whether `node` is one of the ops whose result may be a no-copy view of its
// first operand (Reshape, Flatten, Squeeze, Unsqueeze, Identity), judging by
// op and types only; planMemory adds the conditions on operand and result.
bool isReshapeLike(const Node &node);

// Plans the workspace of `graph`. Precondition: the graph verifies (nodes in
// topological order, static shapes within kMaxElements).
//
// Heuristic: greedy by size with best fit, the "Greedy by Size" planner of
// Pisarchyk and Lee (arXiv:2001.03288) that TensorFlow Lite's arena planner
// also follows: owning values, largest first (ties: earlier producer first),
// each go to the smallest gap that fits between the already placed values
// whose live ranges overlap its own, or above the highest of them when no gap
// fits. Large activations are placed while the workspace is empty, and small
// ones fill the holes between them. Deterministic for a given graph.
// O(B log B + P log P) for B owning values of which P pairs are live at
// once (about B times the number of values live at a node).
MemoryPlan planMemory(const Graph &graph);

// Checks `plan` against `graph` without trusting the planner's bookkeeping:
// exactly the values the file comment names are planned, sizes equal the
// types' byte sizes, offsets are aligned and within workspaceSize, and no two
// values that are live at the same node (live ranges recomputed from the
// graph) overlap in memory unless one is a no-copy view of the other through
// a chain of reshape-like nodes. Also checks peakLiveBytes <= workspaceSize
// <= unsharedSize. Returns one line per problem; empty when the plan is sound.
// Costs O(V + P) for V planned values and P pairs of them live at once.
std::vector<std::string> verifyPlan(const Graph &graph, const MemoryPlan &plan);

// One line for the model summary:
//   "Workspace: 1,204,224 bytes (1.15 MiB) for 41 intermediate tensors + 1
//   view (5.60 MiB without sharing; peak live 1.15 MiB)"
// ("+ N views" only when there are views; sizes in B, KiB, MiB or GiB),
// followed by a newline. The tensor count is of the values owning memory.
void printMemoryPlanSummary(const MemoryPlan &plan, std::ostream &os);

} // namespace cnnc
