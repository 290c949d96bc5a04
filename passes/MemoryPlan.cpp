#include "passes/MemoryPlan.h"

#include "ir/Diagnostics.h"
#include "ir/ShapeInference.h"
#include "ir/Summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <unordered_set>

namespace cnnc {

namespace {

int64_t padded(int64_t size) {
  return (size + kWorkspaceAlignment - 1) / kWorkspaceAlignment *
         kWorkspaceAlignment;
}

// Index in graph.nodes of the last node reading each value; values no node
// reads are absent.
std::unordered_map<const Value *, size_t> lastReaders(const Graph &graph) {
  std::unordered_map<const Value *, size_t> last;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (const Value *v : graph.nodes[i]->inputs)
      if (v)
        last[v] = i;
  return last;
}

// Whether result 0 of `node` is a view of its operand 0 in `plan` so far,
// that is, under the rules of the header: a reshape-like node over a planned
// operand, whose result is not a graph output.
bool becomesView(const Node &node, const MemoryPlan &plan,
                 const std::unordered_set<const Value *> &graphOutputs) {
  return isReshapeLike(node) && plan.find(node.inputs[0]) &&
         !graphOutputs.count(node.outputs[0]);
}

// The value whose memory a placement that owns none names: what it is a
// view of, written in place over, or a part of.
const Value *sharedValue(const TensorPlacement &p) {
  return p.viewOf ? p.viewOf : p.inPlaceOf ? p.inPlaceOf : p.partOf;
}

// The value owning the memory `v` uses in `plan`: `v` itself, or for a view
// or a result in place the owner of the value it shares with; nullptr when
// `v` or one on the way is not planned, or the chain loops (only in a
// recorded plan, which verifyPlan then rejects).
const Value *memoryOwner(const MemoryPlan &plan, const Value *v) {
  for (size_t steps = 0; steps <= plan.placements.size(); ++steps) {
    const TensorPlacement *p = plan.find(v);
    if (!p)
      return nullptr;
    if (p->ownsMemory())
      return v;
    v = sharedValue(*p);
  }
  return nullptr;
}

// Where the bytes of `v`, placed in `plan` with its owner placed, begin:
// its owner's offset plus the offsets of the parts on the way.
int64_t memoryOffset(const MemoryPlan &plan, const Value *v) {
  int64_t offset = 0;
  for (size_t steps = 0; steps <= plan.placements.size(); ++steps) {
    const TensorPlacement &p = plan.placements.at(v);
    if (p.ownsMemory())
      return offset + p.offset;
    offset += p.partOffset;
    v = sharedValue(p);
  }
  throw InternalError("a loop of values sharing memory in a memory plan");
}

// Extends the live range of the memory `owner` owns over every placement
// sharing it, some of which were placed before it: the parts of a Concat's
// result, and their views and results in place.
void extendOverSharers(MemoryPlan &plan, const Value *owner) {
  TensorPlacement &o = plan.placements.at(owner);
  for (const auto &[v, p] : plan.placements)
    if (!p.ownsMemory() && memoryOwner(plan, v) == owner) {
      o.firstNode = std::min(o.firstNode, p.firstNode);
      o.lastNode = std::max(o.lastNode, p.lastNode);
    }
}

// The element-wise and activation ops of the op table, which code
// generation lowers to one loop nest each (Emitter::unary and ::binary):
// output element i from operand elements i. Not Softmax and LogSoftmax,
// which normalize over an axis.
bool isElementwise(const Node &node) {
  std::string_view category = node.info().category;
  return (category == "elementwise" || category == "activation") &&
         node.kind != OpKind::Softmax && node.kind != OpKind::LogSoftmax;
}

// Adds `p`, the placement of `v` with its size, sharing and own live range
// set, to `plan`: counts it, and extends the live range of the memory it
// shares to its last reader.
void addPlacement(MemoryPlan &plan, const Value *v, const TensorPlacement &p) {
  plan.placements.emplace(v, p);
  if (p.ownsMemory()) {
    ++plan.numOwners;
    return;
  }
  ++(p.viewOf ? plan.numViews : plan.numInPlace);
  if (const Value *owner = memoryOwner(plan, v)) {
    size_t &last = plan.placements.at(owner).lastNode;
    last = std::max(last, p.lastNode);
  }
}

// The operand whose memory result 0 of `node`, node i, may take over by the
// rules of the header, or nullptr. `plan` holds the values made before node
// i, their memory's live ranges extended to all readers.
const Value *
inPlaceOperand(const Node &node, size_t i, const MemoryPlan &plan,
               const std::unordered_set<const Value *> &graphOutputs) {
  const Value *result = node.outputs[0];
  if (graphOutputs.count(result) || result->type.byteSize() == 0)
    return nullptr;
  for (const Value *x : node.inputs) {
    if (!x || x->type != result->type || !mayWriteInPlaceOver(node, x))
      continue;
    const Value *owner = memoryOwner(plan, x);
    if (owner && plan.find(owner)->lastNode == i)
      return x;
  }
  return nullptr;
}

// unsharedSize and peakLiveBytes of `plan`, from the placements of the
// graph's node results; the peak by a sweep over node indices with +size at
// an owner's first node and -size after its last.
void measure(MemoryPlan &plan, const Graph &graph) {
  std::vector<int64_t> delta(graph.nodes.size() + 1, 0);
  for (const auto &node : graph.nodes)
    for (const Value *v : node->outputs) {
      const TensorPlacement *p = plan.find(v);
      if (!p || p->viewOf)
        continue;
      plan.unsharedSize += padded(p->size);
      if (!p->ownsMemory())
        continue;
      delta[p->firstNode] += padded(p->size);
      delta[p->lastNode + 1] -= padded(p->size);
    }
  int64_t live = 0;
  for (int64_t d : delta) {
    live += d;
    plan.peakLiveBytes = std::max(plan.peakLiveBytes, live);
  }
}

// One past the last byte of `p`, saturating: a recorded offset may be any
// int64_t.
int64_t endOf(const TensorPlacement &p) {
  return p.offset > std::numeric_limits<int64_t>::max() - p.size
             ? std::numeric_limits<int64_t>::max()
             : p.offset + p.size;
}

// "512 B", "36.75 KiB", "9.19 MiB", "1.50 GiB".
std::string humanBytes(int64_t bytes) {
  const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024)
    return fmt::format("{} B", bytes);
  double v = double(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return fmt::format("{:.2f} {}", v, units[u]);
}

} // namespace

const TensorPlacement *MemoryPlan::find(const Value *v) const {
  auto it = placements.find(v);
  return it == placements.end() ? nullptr : &it->second;
}

bool isReshapeLike(const Node &node) {
  switch (node.kind) {
  case OpKind::Reshape:
  case OpKind::Flatten:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Identity:
    break;
  default:
    return false;
  }
  const TensorType &in = node.inputs[0]->type, &out = node.outputs[0]->type;
  // Same bytes in the same order: equal types, or both row-major with the
  // same element type (a reshape of a blocked layout reorders elements).
  return in == out ||
         (in.dtype == out.dtype && in.layout == Layout::Plain &&
          out.layout == Layout::Plain && in.byteSize() == out.byteSize());
}

bool mayWriteInPlaceOver(const Node &node, const Value *operand) {
  if (!operand ||
      std::find(node.inputs.begin(), node.inputs.end(), operand) ==
          node.inputs.end())
    return false;
  if (isElementwise(node))
    return true;
  // The residual of a convolution with a blocked result, which blocked.c's
  // kernel reads element by element into its accumulators before it stores
  // the result's element at the same place, and reads nowhere else. Not
  // when the residual is also the convolution's input, which it reads all
  // over (no other value shares a blocked residual's memory: blocked values
  // have no views, and one written in place over it would end its live
  // range before the convolution); and not with a plain result, whose
  // kernel stores the convolution first and adds the residual after.
  return (node.kind == OpKind::FusedConv || node.kind == OpKind::Gemm1x1) &&
         operand == node.input(3) && operand != node.inputs[0] &&
         node.outputs[0]->type.layout != Layout::Plain;
}

std::optional<int64_t> concatPartOffset(const Node &node, size_t i) {
  if (node.kind != OpKind::Concat || i >= node.inputs.size())
    return std::nullopt;
  const TensorType &result = node.outputs[0]->type;
  const Value *operand = node.inputs[i];
  Shape stored = storageShape(result.shape, result.layout);
  int64_t axis = normalizeAxis(node, node.getInt("axis"), result.rank());
  for (int64_t d = 0; d < axis; ++d)
    if (stored[size_t(d)] != 1)
      return std::nullopt;
  if (operand->type.dtype != result.dtype ||
      operand->type.layout != result.layout ||
      std::count(node.inputs.begin(), node.inputs.end(), operand) != 1)
    return std::nullopt;
  // The operands before it, as stored: whole blocks of channels for all but
  // the last operand of a blocked Concat (ir/LayoutRules.h).
  int64_t offset = 0;
  for (size_t k = 0; k < i; ++k)
    offset += int64_t(node.inputs[k]->type.byteSize());
  if (offset % kWorkspaceAlignment != 0)
    return std::nullopt;
  return offset;
}

namespace {

// Concat operands that are parts of their Concat's result, each with that
// result and its offset there (concatPartOffset): the operands of Concats
// that `accepts` takes, given the result, the operand and the offset. The
// first Concat reading an operand claims it.
using ConcatParts =
    std::unordered_map<const Value *, std::pair<const Value *, int64_t>>;
ConcatParts concatParts(
    const Graph &graph,
    const std::function<bool(const Value *, const Value *, int64_t)> &accepts) {
  ConcatParts parts;
  for (const auto &node : graph.nodes)
    for (size_t k = 0; node->kind == OpKind::Concat && k < node->inputs.size();
         ++k) {
      std::optional<int64_t> offset = concatPartOffset(*node, k);
      if (offset && accepts(node->outputs[0], node->inputs[k], *offset))
        parts.emplace(node->inputs[k], std::pair(node->outputs[0], *offset));
    }
  return parts;
}

} // namespace

MemoryPlan planMemory(const Graph &graph) {
  MemoryPlan plan;
  std::unordered_set<const Value *> graphOutputs(graph.outputs.begin(),
                                                 graph.outputs.end());
  std::unordered_map<const Value *, size_t> lastRead = lastReaders(graph);
  // Owners in order of their producers, for deterministic tie-breaking.
  std::vector<const Value *> owners;

  // The Concat operands to compute in their Concat's result (the header's
  // rules).
  ConcatParts parts = concatParts(
      graph, [&](const Value *result, const Value *x, int64_t) {
        return !graphOutputs.count(result) && result->type.byteSize() > 0 &&
               x->producer && x->producer->kind != OpKind::Concat &&
               !graphOutputs.count(x) && x->type.byteSize() > 0;
      });

  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node &node = *graph.nodes[i];
    for (const Value *v : node.outputs) {
      if (graphOutputs.count(v))
        continue;
      auto it = lastRead.find(v);
      TensorPlacement p;
      p.size = int64_t(v->type.byteSize());
      p.firstNode = i;
      p.lastNode = it == lastRead.end() ? i : it->second;
      if (auto part = parts.find(v); part != parts.end()) {
        p.partOf = part->second.first;
        p.partOffset = part->second.second;
      } else if (v == node.outputs[0] &&
                 becomesView(node, plan, graphOutputs)) {
        const TensorPlacement &operand = plan.placements.at(node.inputs[0]);
        p.viewOf = operand.viewOf ? operand.viewOf : node.inputs[0];
      } else if (v == node.outputs[0]) {
        p.inPlaceOf = inPlaceOperand(node, i, plan, graphOutputs);
      }
      if (p.ownsMemory())
        owners.push_back(v);
      addPlacement(plan, v, p);
      if (node.kind == OpKind::Concat && p.ownsMemory())
        extendOverSharers(plan, v);
    }
  }

  // The buffers to place, in order of their first nodes (a Concat's result
  // with parts starts before its producer).
  std::vector<TensorPlacement *> buffers;
  for (const Value *v : owners)
    if (plan.placements.at(v).size > 0)
      buffers.push_back(&plan.placements.at(v));
  std::stable_sort(buffers.begin(), buffers.end(),
                   [](const TensorPlacement *a, const TensorPlacement *b) {
                     return a->firstNode < b->firstNode;
                   });

  // Which buffers are live together, found by one sweep over the first
  // nodes, so placing costs the number of such pairs rather than B^2.
  std::vector<std::vector<size_t>> conflicts(buffers.size());
  std::vector<size_t> active;
  for (size_t b = 0; b < buffers.size(); ++b) {
    size_t first = buffers[b]->firstNode;
    active.erase(
        std::remove_if(active.begin(), active.end(),
                       [&](size_t a) { return buffers[a]->lastNode < first; }),
        active.end());
    for (size_t a : active) {
      conflicts[a].push_back(b);
      conflicts[b].push_back(a);
    }
    active.push_back(b);
  }

  // Largest first; stable, so equal sizes keep producer order.
  std::vector<size_t> order(buffers.size());
  for (size_t b = 0; b < order.size(); ++b)
    order[b] = b;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return padded(buffers[a]->size) > padded(buffers[b]->size);
  });

  std::vector<bool> placed(buffers.size(), false);
  std::vector<const TensorPlacement *> overlapping;
  for (size_t b : order) {
    TensorPlacement &p = *buffers[b];
    int64_t size = padded(p.size);
    overlapping.clear();
    for (size_t q : conflicts[b])
      if (placed[q])
        overlapping.push_back(buffers[q]);
    std::sort(overlapping.begin(), overlapping.end(),
              [](const TensorPlacement *a, const TensorPlacement *b) {
                return a->offset < b->offset;
              });
    // Best fit: the smallest gap below or between the overlapping buffers
    // that holds `size`; failing that, the first free byte above them all.
    int64_t end = 0, best = -1, bestGap = std::numeric_limits<int64_t>::max();
    for (const TensorPlacement *q : overlapping) {
      int64_t gap = q->offset - end;
      if (gap >= size && gap < bestGap) {
        best = end;
        bestGap = gap;
      }
      end = std::max(end, q->offset + padded(q->size));
    }
    p.offset = best >= 0 ? best : end;
    plan.workspaceSize = std::max(plan.workspaceSize, p.offset + size);
    placed[b] = true;
  }

  // Views, results in place and parts name their owner's memory.
  for (auto &[v, p] : plan.placements)
    if (!p.ownsMemory())
      p.offset = memoryOffset(plan, v);
  measure(plan, graph);
  return plan;
}

std::vector<std::string> verifyPlan(const Graph &graph,
                                    const MemoryPlan &plan) {
  std::vector<std::string> problems;
  std::unordered_set<const Value *> graphOutputs(graph.outputs.begin(),
                                                 graph.outputs.end());
  std::unordered_map<const Value *, size_t> lastRead = lastReaders(graph);

  // The values that must be planned, with their own live ranges and the
  // start of their chain of reshape-like producers at the same offset (two
  // values with the same chain start hold the same bytes).
  struct Planned {
    const Value *value;
    const TensorPlacement *placement;
    size_t first, last;
    const Value *chainStart;
  };
  std::vector<Planned> planned;
  std::unordered_map<const Value *, const Value *> chainStart;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node &node = *graph.nodes[i];
    for (const Value *v : node.outputs) {
      const TensorPlacement *p = plan.find(v);
      if (graphOutputs.count(v)) {
        if (p)
          problems.push_back(
              fmt::format("graph output '{}' is planned", v->name));
        continue;
      }
      if (!p) {
        problems.push_back(
            fmt::format("intermediate '{}' is not planned", v->name));
        continue;
      }
      if (p->size != int64_t(v->type.byteSize()))
        problems.push_back(fmt::format("'{}' has size {}, its type {} bytes",
                                       v->name, p->size, v->type.byteSize()));
      if (p->offset < 0 || p->offset % kWorkspaceAlignment != 0)
        problems.push_back(
            fmt::format("'{}' is at unaligned offset {}", v->name, p->offset));
      if (p->offset > plan.workspaceSize - p->size)
        problems.push_back(fmt::format(
            "'{}' at [{}, {}) ends beyond the workspace of {} bytes", v->name,
            p->offset, endOf(*p), plan.workspaceSize));
      if (const Value *operand = p->inPlaceOf) {
        const TensorPlacement *o = plan.find(operand);
        if (!o || o->offset != p->offset ||
            std::find(node.inputs.begin(), node.inputs.end(), operand) ==
                node.inputs.end())
          problems.push_back(fmt::format("'{}' is written in place over '{}', "
                                         "which is no operand at its offset",
                                         v->name, operand->name));
      }
      const Value *start = v;
      if (v == node.outputs[0] && isReshapeLike(node)) {
        // (An operand with no chain is no intermediate: reported below.)
        const TensorPlacement *operand = plan.find(node.inputs[0]);
        auto chain = chainStart.find(node.inputs[0]);
        if (operand && operand->offset == p->offset &&
            chain != chainStart.end())
          start = chain->second;
      }
      chainStart[v] = start;
      auto it = lastRead.find(v);
      planned.push_back(
          {v, p, i, it == lastRead.end() ? i : it->second, start});
    }
  }
  // Graph outputs were reported above; graph inputs, constants and values
  // of other graphs must not be planned either.
  for (const auto &entry : plan.placements)
    if (!chainStart.count(entry.first) &&
        !(graphOutputs.count(entry.first) && entry.first->producer))
      problems.push_back(fmt::format("'{}' is planned but is no node's "
                                     "intermediate result",
                                     entry.first->name));

  // Code generation emits no copy for a view and reads its owner's bytes.
  for (const Planned &x : planned) {
    const Value *owner = x.placement->viewOf;
    if (!owner)
      continue;
    const TensorPlacement *o = plan.find(owner);
    if (!o || o->viewOf || o->offset != x.placement->offset ||
        chainStart.count(owner) == 0 || chainStart.at(owner) != x.chainStart)
      problems.push_back(
          fmt::format("'{}' is a view of '{}', which is not its owning buffer",
                      x.value->name, owner->name));
  }

  // Whether y may overwrite x's bytes in place (the header's rules, from the
  // graph alone): y is the result of an element-wise node that reads x for
  // the last time, and both are the same bytes holding element i of each at
  // the same place (one element type and size, both row-major or both of
  // one blocked type), so the node reads each element of x before writing
  // it.
  auto inPlace = [&](const Planned &x, const Planned &y) {
    const Node &node = *graph.nodes[y.first];
    const TensorType &tx = x.value->type, &ty = y.value->type;
    bool sameOrder =
        tx == ty || (tx.layout == Layout::Plain && ty.layout == Layout::Plain);
    return mayWriteInPlaceOver(node, x.value) && node.outputs[0] == y.value &&
           x.last == y.first &&
           x.placement->offset == y.placement->offset &&
           x.placement->size == y.placement->size && tx.dtype == ty.dtype &&
           sameOrder;
  };

  // Whether x's bytes are a part of y's (concatenation in place, the
  // header's rules, from the graph alone): x, or the value x is a view of,
  // is an operand of the Concat whose result y is (or is a view of), and x
  // lies where concatPartOffset puts that operand in it.
  std::unordered_map<const Value *, const Planned *> plannedOf;
  for (const Planned &p : planned)
    plannedOf[p.value] = &p;
  auto isPart = [&](const Planned &x, const Planned &y) {
    const Planned &result = *plannedOf.at(y.chainStart);
    const Node &node = *graph.nodes[result.first];
    if (node.kind != OpKind::Concat || node.outputs[0] != result.value)
      return false;
    for (size_t i = 0; i < node.inputs.size(); ++i)
      if (node.inputs[i] == x.chainStart) {
        std::optional<int64_t> offset = concatPartOffset(node, i);
        return offset &&
               x.placement->offset == result.placement->offset + *offset &&
               *offset + x.placement->size <= result.placement->size;
      }
    return false;
  };

  // Pairs live at once, by a sweep: `planned` is in producer order.
  std::vector<const Planned *> active;
  for (const Planned &y : planned) {
    active.erase(
        std::remove_if(active.begin(), active.end(),
                       [&](const Planned *x) { return x->last < y.first; }),
        active.end());
    for (const Planned *xp : active) {
      const Planned &x = *xp;
      if (x.placement->size == 0 || y.placement->size == 0 ||
          x.chainStart == y.chainStart || inPlace(x, y) || isPart(x, y) ||
          isPart(y, x))
        continue;
      int64_t xEnd = endOf(*x.placement), yEnd = endOf(*y.placement);
      if (x.placement->offset < yEnd && y.placement->offset < xEnd)
        problems.push_back(fmt::format(
            "'{}' (nodes {}-{}, bytes [{}, {})) and '{}' (nodes {}-{}, bytes "
            "[{}, {})) are live at once in overlapping memory",
            x.value->name, x.first, x.last, x.placement->offset, xEnd,
            y.value->name, y.first, y.last, y.placement->offset, yEnd));
    }
    active.push_back(&y);
  }

  if (plan.workspaceSize < 0 || plan.workspaceSize % kWorkspaceAlignment != 0)
    problems.push_back(
        fmt::format("the workspace size {} is not a multiple of {}",
                    plan.workspaceSize, kWorkspaceAlignment));
  if (plan.peakLiveBytes > plan.workspaceSize)
    problems.push_back(fmt::format("peak live bytes {} exceed the workspace {}",
                                   plan.peakLiveBytes, plan.workspaceSize));
  if (plan.workspaceSize > plan.unsharedSize)
    problems.push_back(fmt::format("workspace {} exceeds the unshared size {}",
                                   plan.workspaceSize, plan.unsharedSize));
  return problems;
}

bool recordMemoryPlan(Graph &graph, const MemoryPlan &plan) {
  bool changed = graph.workspaceSize != plan.workspaceSize;
  auto compare = [&](const Value *v) {
    const TensorPlacement *p = plan.find(v);
    changed |=
        v->workspaceOffset != (p ? std::optional(p->offset) : std::nullopt) ||
        v->viewOf != (p ? p->viewOf : nullptr);
  };
  for (const Value *v : graph.inputs)
    compare(v);
  for (const Value *v : graph.constants())
    compare(v);
  for (const auto &node : graph.nodes)
    for (const Value *v : node->outputs)
      compare(v);

  graph.clearMemoryPlan();
  graph.workspaceSize = plan.workspaceSize;
  for (const auto &node : graph.nodes)
    for (Value *v : node->outputs)
      if (const TensorPlacement *p = plan.find(v)) {
        v->workspaceOffset = p->offset;
        v->viewOf = p->viewOf;
      }
  return changed;
}

MemoryPlan recordedPlan(const Graph &graph) {
  MemoryPlan plan;
  plan.workspaceSize = graph.workspaceSize.value_or(0);
  std::unordered_map<const Value *, size_t> lastRead = lastReaders(graph);
  // Concat operands recorded where concatPartOffset puts them in the
  // result: parts of it.
  ConcatParts parts = concatParts(
      graph, [](const Value *result, const Value *x, int64_t offset) {
        return result->workspaceOffset && x->producer && !x->viewOf &&
               x->workspaceOffset &&
               *x->workspaceOffset == *result->workspaceOffset + offset &&
               x->type.byteSize() > 0;
      });
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node &node = *graph.nodes[i];
    for (const Value *v : node.outputs) {
      if (!v->workspaceOffset)
        continue;
      auto it = lastRead.find(v);
      TensorPlacement p;
      p.offset = *v->workspaceOffset;
      p.size = int64_t(v->type.byteSize());
      p.viewOf = v->viewOf;
      p.firstNode = i;
      p.lastNode = it == lastRead.end() ? i : it->second;
      if (auto part = parts.find(v); part != parts.end()) {
        p.partOf = part->second.first;
        p.partOffset = part->second.second;
      } else if (!p.viewOf && p.size > 0 && v == node.outputs[0])
        for (const Value *x : node.inputs)
          if (const TensorPlacement *o = plan.find(x);
              o && o->offset == p.offset && o->size == p.size &&
              mayWriteInPlaceOver(node, x)) {
            p.inPlaceOf = x;
            break;
          }
      addPlacement(plan, v, p);
      if (node.kind == OpKind::Concat && p.ownsMemory())
        extendOverSharers(plan, v);
    }
  }
  // planMemory places no graph input or constant; a recorded offset on one
  // is kept for verifyPlan to report.
  auto stray = [&](const Value *v) {
    if (v->workspaceOffset)
      plan.placements.emplace(v, TensorPlacement{*v->workspaceOffset,
                                                 int64_t(v->type.byteSize()),
                                                 v->viewOf});
  };
  for (const Value *v : graph.inputs)
    stray(v);
  for (const Value *v : graph.constants())
    stray(v);
  measure(plan, graph);
  return plan;
}

namespace {

// "<first problem>", plus " (and N more)" when there are others: one line.
std::string firstProblem(const std::vector<std::string> &problems) {
  return problems.size() == 1
             ? problems.front()
             : fmt::format("{} (and {} more)", problems.front(),
                           problems.size() - 1);
}

} // namespace

void verifyRecordedPlan(const Graph &graph) {
  if (!graph.workspaceSize) {
    for (const auto &node : graph.nodes)
      for (const Value *v : node->outputs)
        if (v->workspaceOffset)
          userError("'{}' has a workspace offset, but the graph records no "
                    "workspace size",
                    v->name);
    return;
  }
  std::vector<std::string> problems = verifyPlan(graph, recordedPlan(graph));
  if (!problems.empty())
    userError("the recorded memory plan is unsound: {}",
              firstProblem(problems));
}

MemoryPlan checkedMemoryPlan(const Graph &graph, bool useRecorded) {
  bool recorded = useRecorded && graph.workspaceSize;
  MemoryPlan plan = recorded ? recordedPlan(graph) : planMemory(graph);
  std::vector<std::string> problems = verifyPlan(graph, plan);
  if (!problems.empty())
    throw InternalError(fmt::format("unsound {} memory plan: {}",
                                    recorded ? "recorded" : "new",
                                    firstProblem(problems)));
  return plan;
}

void printMemoryPlanSummary(const MemoryPlan &plan, std::ostream &os) {
  auto count = [](size_t n, const char *what, const char *plural) {
    return n ? fmt::format(" + {} {}", n, n == 1 ? what : plural)
             : std::string();
  };
  os << fmt::format(
      "Workspace: {} bytes ({}) for {} intermediate tensor{}{}{} "
      "({} without sharing; peak live {})\n",
      withCommas(plan.workspaceSize), humanBytes(plan.workspaceSize),
      plan.numOwners, plan.numOwners == 1 ? "" : "s",
      count(plan.numViews, "view", "views"),
      count(plan.numInPlace, "in place", "in place"),
      humanBytes(plan.unsharedSize), humanBytes(plan.peakLiveBytes));
}

} // namespace cnnc
