#include "compiler/codegen/MemoryPlan.h"

#include "ir/Summary.h"

#include <fmt/format.h>

#include <algorithm>
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

MemoryPlan planMemory(const Graph &graph) {
  MemoryPlan plan;
  std::unordered_set<const Value *> graphOutputs(graph.outputs.begin(),
                                                 graph.outputs.end());
  std::unordered_map<const Value *, size_t> lastRead = lastReaders(graph);
  // Owners in order of their producers, for deterministic tie-breaking.
  std::vector<const Value *> owners;

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
      if (v == node.outputs[0] && becomesView(node, plan, graphOutputs)) {
        const TensorPlacement &operand = plan.placements.at(node.inputs[0]);
        p.viewOf = operand.viewOf ? operand.viewOf : node.inputs[0];
        TensorPlacement &owner = plan.placements.at(p.viewOf);
        owner.lastNode = std::max(owner.lastNode, p.lastNode);
        ++plan.numViews;
      } else {
        owners.push_back(v);
        ++plan.numOwners;
      }
      plan.placements.emplace(v, p);
    }
  }

  // The buffers to place, in producer order, so their first nodes ascend.
  std::vector<TensorPlacement *> buffers;
  for (const Value *v : owners)
    if (plan.placements.at(v).size > 0)
      buffers.push_back(&plan.placements.at(v));

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
    plan.unsharedSize += size;
    placed[b] = true;
  }

  for (auto &[v, p] : plan.placements)
    if (p.viewOf)
      p.offset = plan.placements.at(p.viewOf).offset;

  // Peak live bytes: a sweep over node indices with +size at a buffer's
  // first node and -size after its last.
  std::vector<int64_t> delta(graph.nodes.size() + 1, 0);
  for (const TensorPlacement *p : buffers) {
    delta[p->firstNode] += padded(p->size);
    delta[p->lastNode + 1] -= padded(p->size);
  }
  int64_t live = 0;
  for (int64_t d : delta) {
    live += d;
    plan.peakLiveBytes = std::max(plan.peakLiveBytes, live);
  }
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
      if (p->offset + p->size > plan.workspaceSize)
        problems.push_back(fmt::format(
            "'{}' at [{}, {}) ends beyond the workspace of {} bytes", v->name,
            p->offset, p->offset + p->size, plan.workspaceSize));
      const Value *start = v;
      if (v == node.outputs[0] && isReshapeLike(node)) {
        const TensorPlacement *operand = plan.find(node.inputs[0]);
        if (operand && operand->offset == p->offset)
          start = chainStart.at(node.inputs[0]);
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
          x.chainStart == y.chainStart)
        continue;
      int64_t xEnd = x.placement->offset + x.placement->size;
      int64_t yEnd = y.placement->offset + y.placement->size;
      if (x.placement->offset < yEnd && y.placement->offset < xEnd)
        problems.push_back(fmt::format(
            "'{}' (nodes {}-{}, bytes [{}, {})) and '{}' (nodes {}-{}, bytes "
            "[{}, {})) are live at once in overlapping memory",
            x.value->name, x.first, x.last, x.placement->offset, xEnd,
            y.value->name, y.first, y.last, y.placement->offset, yEnd));
    }
    active.push_back(&y);
  }

  if (plan.peakLiveBytes > plan.workspaceSize)
    problems.push_back(fmt::format("peak live bytes {} exceed the workspace {}",
                                   plan.peakLiveBytes, plan.workspaceSize));
  if (plan.workspaceSize > plan.unsharedSize)
    problems.push_back(fmt::format("workspace {} exceeds the unshared size {}",
                                   plan.workspaceSize, plan.unsharedSize));
  return problems;
}

void printMemoryPlanSummary(const MemoryPlan &plan, std::ostream &os) {
  std::string views;
  if (plan.numViews)
    views = fmt::format(" + {} view{}", plan.numViews,
                        plan.numViews == 1 ? "" : "s");
  os << fmt::format(
      "Workspace: {} bytes ({}) for {} intermediate tensor{}{} "
      "({} without sharing; peak live {})\n",
      withCommas(plan.workspaceSize), humanBytes(plan.workspaceSize),
      plan.numOwners, plan.numOwners == 1 ? "" : "s", views,
      humanBytes(plan.unsharedSize), humanBytes(plan.peakLiveBytes));
}

} // namespace cnnc
