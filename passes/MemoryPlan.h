// Static memory planning: where each intermediate tensor of a compiled model
// lives in the one caller-owned workspace its entry point runs in. There is
// one planner: the plan-memory pass (PlanMemory.cpp) records its plan in the
// graph (Value::workspaceOffset, Graph::workspaceSize), and code generation
// uses that plan, or plans here itself when no pass recorded one (-O0).
//
// What is planned: every result of a node that is not a graph output. Graph
// inputs and outputs live in the caller's buffers and constants in read-only
// data, so they get no place in the workspace.
//
// Live ranges are in node indices of the graph's node list, which is in
// topological order and is the order the generated code runs the nodes. A
// value made by node p and read last by node q is live over [p, q], both ends
// included: its memory may be reused only after its last reader has run, and
// a result shares memory with an operand of its own node only in place (see
// below), because other kernels are not written to work in place. A result
// that no node reads (an unused Dropout mask, a dead branch) is still written
// by its node, so it is planned like any other value with the live range
// [p, p].
//
// In place. The result of an element-wise op, or of a fused convolution
// with a blocked result over its residual (mayWriteInPlaceOver), takes the
// memory of an operand x instead of memory of its own when
//   - x is planned (an intermediate or a view of one: not the caller's
//     buffers, not read-only data) and the result is not a graph output;
//   - x has the result's type exactly (element type, shape, layout), so the
//     same bytes hold element i of both;
//   - nothing sharing x's memory is read after this node: the live range of
//     that memory (x, its views, results written in place over it before)
//     ends here.
// The result then owns nothing: it names the memory x named, which stays in
// use until the result's last reader. A chain Conv -> Relu -> Add -> Relu
// thus runs in one buffer. Why that is correct: code generation lowers these
// ops (LowerElementwise.cpp, unary and binary) to one loop nest
// (LoopNest.h) whose body, at each point, loads the operands' elements and
// then stores the result's; output element i depends on operand elements i
// only. An operand sharing the result's bytes has its element type and
// count and its order of elements (x itself, or a view of x read by the
// same node: row-major like x, or of x's type), so the nest reads it at
// index i, the index being written: each element is read before it is
// overwritten and never read again. The nest marks
// noalias only on buffers no other of its accesses names (Emitter::pointer
// gives each workspace offset one pointer), so LLVM sees the aliasing and
// vectorizes with it.
//
// A fused convolution (FusedConv, Gemm1x1) with a blocked result may take
// over its residual (operand 3, of the result's type) the same way, which
// spares the kernel a stream of fresh memory as large as the result (a
// ResNet-50 bottleneck's last convolution: 3 MiB at 56x56). blocked.c's
// kernel reads each residual element into its accumulator when it starts
// the register tile that computes that output element, before the tile
// stores anything, and reads no residual element elsewhere; its y and
// residual are not restrict. Not when the convolution's input (operand 0)
// is the residual: that is read all over while results are stored. Not with
// a plain result either: the plain kernels store the convolution and add
// the residual after. No other kernel (libjit's are
// written with restrict) ever gets an operand in place.
//
// Concatenation in place. An operand of a Concat whose result holds each
// operand as one run of bytes (concatPartOffset: SqueezeNet's fire modules,
// channels of a batch of one) is computed where the result holds it, so
// the Concat copies nothing for it: a part of the result, placed at the
// result's offset plus its own. Only an operand that would own its memory
// (a node's result, not a graph output, not a view or in place) and is
// read by no earlier Concat, and not itself a Concat's result. The
// result's memory is then in use from the first part's producer to the
// last reader of the result or of any part (or of anything sharing them);
// the Concat copies only the operands that are not parts.
//
// No-copy views. Reshape, Flatten, Squeeze, Unsqueeze and Identity move no
// bytes when operand and result are row-major (Layout::Plain; a blocked
// layout only stays byte-identical under Identity, whose types are equal). If
// the operand is itself planned (an intermediate, or a view of one) and the
// result is not a graph output, the result is a view: it takes the offset of
// the operand's memory and owns none, and that memory stays live until the
// last reader of any of its views. Otherwise the result is an ordinary value
// that code generation fills by copying: when the operand is a graph input, a
// constant or a graph output (none of which is in the workspace), when the
// result is a graph output (it must land in the caller's buffer), or when a
// blocked layout makes the reshape a reorder.
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
#include <optional>
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
  // For a no-copy view, the planned value whose bytes it names (never itself
  // a view); nullptr otherwise.
  const Value *viewOf = nullptr;
  // For a result written in place, the operand whose memory it takes over;
  // nullptr otherwise.
  const Value *inPlaceOf = nullptr;
  // For an operand of a Concat computed where the Concat's result holds it,
  // that result, and the operand's offset in it (concatPartOffset); nullptr
  // and 0 otherwise.
  const Value *partOf = nullptr;
  int64_t partOffset = 0;
  // Live range [firstNode, lastNode] in node indices. For a value owning its
  // memory (neither a view nor in place) this is the range the memory is in
  // use: from its producer to the last reader of anything sharing it (its
  // views, results in place over it, and theirs). For the others, their own
  // producer and last reader.
  size_t firstNode = 0;
  size_t lastNode = 0;

  bool ownsMemory() const { return !viewOf && !inPlaceOf && !partOf; }
};

struct MemoryPlan {
  // Every planned value; see the file comment for which values these are.
  std::unordered_map<const Value *, TensorPlacement> placements;
  // Bytes of workspace the model needs; a multiple of kWorkspaceAlignment.
  int64_t workspaceSize = 0;
  // The workspace a plan that shares nothing would need: the padded sizes of
  // all owning values and results in place added up (views are free either
  // way).
  int64_t unsharedSize = 0;
  // The largest sum of padded sizes of owning values live at one node. No
  // placement of these live ranges can use less, so workspaceSize /
  // peakLiveBytes says how close the heuristic got to optimal.
  int64_t peakLiveBytes = 0;
  size_t numOwners = 0;  // planned values that own their memory
  size_t numViews = 0;   // planned values that are no-copy views
  // planned values written in place over an operand or into the result of
  // the Concat that reads them
  size_t numInPlace = 0;

  // The placement of `v`, or nullptr if `v` is not planned (graph input or
  // output, constant, or not in the graph).
  const TensorPlacement *find(const Value *v) const;
};

// Whether `node` is one of the ops whose result may be a no-copy view of its
// first operand (Reshape, Flatten, Squeeze, Unsqueeze, Identity), judging by
// op and types only; planMemory adds the conditions on operand and result.
bool isReshapeLike(const Node &node);

// Whether result 0 of `node` may be written in place over `operand`, one of
// its operands: any operand of an element-wise op (the activations and unary
// math ops, Clip, and Add, Sub, Mul, Div, Pow, Max, Min, Sum, Mean, PRelu),
// or the residual of a FusedConv or Gemm1x1 with a blocked result that is
// not also its input (see the file comment). Judges op, operand position and
// layout only; planMemory adds the conditions on operand and result.
bool mayWriteInPlaceOver(const Node &node, const Value *operand);

// Where operand i of `node`, a Concat, lies in the Concat's result when the
// result holds each operand as one run of bytes (every dimension before the
// axis, as stored, is 1: a batch of one, channels as blocks of them), so
// that the operand can be computed there and not copied: its byte offset,
// if that is aligned (kWorkspaceAlignment), the operand has the result's
// element type and layout, and it is no other operand of the Concat too.
// Judges the graph only; planMemory adds the conditions on the values.
std::optional<int64_t> concatPartOffset(const Node &node, size_t i);

// Plans the workspace of `graph`. Precondition: the graph verifies (nodes in
// topological order, static shapes within kMaxElements).
//
// Views and results in place are decided first, walking the nodes in order.
// Then the owning values are placed. Heuristic: greedy by size with best
// fit, the "Greedy by Size" planner of Pisarchyk and Lee (arXiv:2001.03288)
// that TensorFlow Lite's arena planner also follows: owning values, largest
// first (ties: earlier producer first), each go to the smallest gap that
// fits between the already placed values whose live ranges overlap its own,
// or above the highest of them when no gap fits. Large activations are
// placed while the workspace is empty, and small ones fill the holes between
// them. Deterministic for a given graph. O(B log B + P log P) for B owning
// values of which P pairs are live at once (about B times the number of
// values live at a node).
MemoryPlan planMemory(const Graph &graph);

// Checks `plan` against `graph` without trusting the planner's bookkeeping:
// exactly the values the file comment names are planned, sizes equal the
// types' byte sizes, offsets and the workspace size are aligned and offsets
// within workspaceSize, and no two values that are live at the same node
// (live ranges recomputed from the graph) overlap in memory unless one is a
// no-copy view of the other through a chain of reshape-like nodes, or the
// later one is written in place over the other by the rules of the file
// comment (recomputed here: same bytes, an element-wise node reading the
// other for the last time). Also checks peakLiveBytes <= workspaceSize <=
// unsharedSize. Returns one line per problem; empty when the plan is sound.
// Costs O(V + P) for V planned values and P pairs of them live at once.
std::vector<std::string> verifyPlan(const Graph &graph, const MemoryPlan &plan);

// Records `plan` in `graph` (Graph::workspaceSize, and each planned value's
// workspaceOffset and viewOf), replacing any plan recorded before. Returns
// whether the recorded plan changed.
bool recordMemoryPlan(Graph &graph, const MemoryPlan &plan);

// The plan recorded in `graph`, read back: offsets and views as recorded,
// sizes from the types, live ranges and the rest recomputed; a result at the
// offset of an operand of its own element-wise node counts as in place.
// Precondition: graph.workspaceSize is set. verifyPlan judges the result.
MemoryPlan recordedPlan(const Graph &graph);

// A UserError if `graph` records a plan that verifyPlan rejects (or workspace
// offsets without a workspace size): "the recorded memory plan is unsound:
// <first problem> (and N more)". Nothing when it records none. The verify
// pass, the PassManager after every pass, and cnnc-opt after parsing call it.
void verifyRecordedPlan(const Graph &graph);

// The plan code generation follows: the one recorded in `graph` if any (and
// `useRecorded`), else planMemory(graph); either way checked with
// verifyPlan, whose complaint is an InternalError (a plan that let live
// tensors overlap would miscompile silently). Precondition: the graph
// verifies.
MemoryPlan checkedMemoryPlan(const Graph &graph, bool useRecorded = true);

// One line for the model summary:
//   "Workspace: 1,204,224 bytes (1.15 MiB) for 41 intermediate tensors + 1
//   view + 3 in place (5.60 MiB without sharing; peak live 1.15 MiB)"
// ("+ N views" and "+ N in place" only when there are such values; sizes in
// B, KiB, MiB or GiB), followed by a newline. The tensor count is of the
// values owning memory.
void printMemoryPlanSummary(const MemoryPlan &plan, std::ostream &os);

} // namespace cnnc
