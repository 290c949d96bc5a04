// eliminate-common-subexpressions: two nodes of the same op reading the same
// operands (the same values, absent in the same places) with the same
// attributes compute the same results, because no op of the IR has a side
// effect or randomness. Uses of the later node's results then read the
// earlier node's, and the later node is erased. Attributes are compared as
// the op sees them: one set explicitly to its default equals one left out.
// Identical constants (same type, same bytes) are merged first, so that two
// Reshapes of one value by two equal shape constants also become one; the
// constants nothing reads any more are then dropped. The walk goes in graph
// order, so chains of duplicates collapse in one pass.
//
// Preconditions: the graph verifies.
//
// Deliberately left alone:
//   - a duplicate whose result is a graph output while the surviving value is
//     a graph input, a constant or another graph output (canReplace): ONNX
//     names each output, and merging would lose a name;
//   - commutative duplicates with swapped operands (Add(a, b), Add(b, a)):
//     rare in exported CNNs;
//   - elided constants (no data to compare).
#include "ir/Printer.h"
#include "passes/Passes.h"
#include "passes/Rewrite.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <unordered_map>

namespace cnnc {

namespace {

// Bytes that a constant's bucket is hashed from: enough to tell different
// weights apart, few enough that hashing a 100 MB model costs nothing. Equal
// buckets are then compared in full.
constexpr size_t kHashedBytes = 4096;

size_t constantKey(const Tensor &t) {
  const std::vector<uint8_t> &bytes = t.bytes();
  std::string_view head(reinterpret_cast<const char *>(bytes.data()),
                        std::min(bytes.size(), kHashedBytes));
  return std::hash<std::string_view>()(head) ^
         std::hash<std::string>()(t.type().str());
}

// Replaces each constant by an earlier identical one where the graph's
// interface allows it; returns how many were merged.
int64_t mergeConstants(Graph &graph) {
  std::unordered_map<size_t, std::vector<Value *>> buckets;
  int64_t merged = 0;
  // Copy: replacing does not change the list, but removeUnusedConstants does.
  std::vector<Value *> constants = graph.constants();
  for (Value *c : constants) {
    if (!c->constant->hasData())
      continue;
    std::vector<Value *> &bucket = buckets[constantKey(*c->constant)];
    Value *same = nullptr;
    for (Value *earlier : bucket)
      if (*earlier->constant == *c->constant) {
        same = earlier;
        break;
      }
    if (!same) {
      bucket.push_back(c);
    } else if (canReplace(graph, c, same)) {
      replaceValue(graph, c, same);
      ++merged;
    }
  }
  if (merged)
    graph.removeUnusedConstants();
  return merged;
}

// The attributes as the op sees them, minus those equal to their default,
// so that equal behaviour means equal maps.
AttrMap effectiveAttrs(const Node &node) {
  AttrMap attrs;
  for (const auto &[name, value] : node.attrs) {
    const AttrSpec *spec = node.info().findAttr(name);
    if (!spec || !spec->defaultValue || *spec->defaultValue != value)
      attrs.emplace(name, value);
  }
  return attrs;
}

// What a node computes. The result types are part of it because a pass may
// give equal computations different layouts.
struct Key {
  OpKind kind;
  std::vector<Value *> inputs;
  std::vector<TensorType> outputs;
  AttrMap attrs;

  bool operator==(const Key &o) const {
    return kind == o.kind && inputs == o.inputs && outputs == o.outputs &&
           attrs == o.attrs;
  }
};

struct KeyHash {
  size_t operator()(const Key &k) const {
    size_t h = std::hash<int>()(int(k.kind)) ^ k.outputs.size();
    for (const Value *v : k.inputs)
      h = h * 31 + std::hash<const Value *>()(v);
    // Attribute maps are small; their printed form is a faithful hash input.
    for (const auto &[name, value] : k.attrs)
      h = h * 31 + std::hash<std::string>()(name + "=" + printAttribute(value));
    return h;
  }
};

} // namespace

bool eliminateCommonSubexpressions(Graph &graph, PassContext &ctx) {
  int64_t mergedConstants = mergeConstants(graph);

  std::unordered_map<Key, Node *, KeyHash> seen;
  std::vector<Node *> duplicates;
  for (const auto &n : graph.nodes) {
    Node *node = n.get();
    Key key{node->kind, node->inputs, {}, effectiveAttrs(*node)};
    for (const Value *v : node->outputs)
      key.outputs.push_back(v->type);
    auto [it, inserted] = seen.emplace(std::move(key), node);
    if (inserted)
      continue;
    Node *earlier = it->second;
    bool replaceable = true;
    for (size_t i = 0; i < node->outputs.size(); ++i)
      replaceable &= canReplace(graph, node->outputs[i], earlier->outputs[i]);
    if (!replaceable)
      continue;
    // Later nodes are keyed after this, so they see the earlier results.
    for (size_t i = 0; i < node->outputs.size(); ++i)
      replaceValue(graph, node->outputs[i], earlier->outputs[i]);
    duplicates.push_back(node);
  }
  for (Node *node : duplicates)
    graph.eraseNode(node);

  int64_t merged = int64_t(duplicates.size());
  if (merged)
    ctx.stats.add("merged", merged);
  if (mergedConstants)
    ctx.stats.add("merged constants", mergedConstants);
  return merged || mergedConstants;
}

} // namespace cnnc
