// fold-pad-into-conv: folds an explicit zero Pad into the padding of the
// Conv and AveragePool nodes that read it, so that the padded copy of the
// tensor is never built.
//
// The math. A Conv pads its input with zeros; padding first by p_b / p_e
// zeros on a spatial axis and then by the Conv's own q_b / q_e is padding
// once by p_b + q_b / p_e + q_e, with the same windows at the same offsets,
// hence the same output. The same holds for an AveragePool that counts the
// padding in its divisor (count_include_pad = 1): the padded zeros add
// nothing to a window's sum, and both forms divide by the window size up to
// the end of all padding.
//
// Preconditions: the graph verifies. Folded is a Pad in mode constant whose
// pads are constants, non-negative, and zero on the batch and channel axes
// (dims 0 and 1 of an input of rank 3 or more); whose pad value is absent
// or a constant 0; and whose result is no graph output and is read only as
// the data operand (operand 0) of Conv nodes and of AveragePool nodes with
// count_include_pad = 1 and ceil_mode = 0 whose summed begin and end
// padding stays below the kernel size, all with auto_pad NOTSET (the
// importer's makeWindowExplicit resolves auto_pad into explicit pads; this
// pass calls it on each consumer before adding to its pads).
//
// Deliberately left alone:
//   - MaxPool: its own padding is -inf, ignored by the max, while padded
//     zeros take part in it (a window of negative values would then give 0);
//   - an AveragePool with count_include_pad = 0, which would stop counting
//     the padded zeros and divide by less; with ceil_mode, or with padding
//     as large as the kernel, where a window could then cover padding only,
//     which ONNX gives no value;
//   - a Pad with a non-zero value, or in mode edge, reflect or wrap (the
//     consumer would pad with zeros instead); with negative pads (a crop);
//     padding the batch or channel axis;
//   - a Pad read by anything else as well (it would have to stay anyway);
//   - a consumer with auto_pad SAME_UPPER, SAME_LOWER or VALID.
#include "ir/ShapeInference.h"
#include "passes/Passes.h"
#include "passes/Rewrite.h"

#include <algorithm>

namespace cnnc {

namespace {

bool hasData(const Tensor *t) { return t && t->hasData(); }

// Whether the Pad's fill value is zero: its value operand is absent or a
// constant 0.
bool padsWithZero(const Node &pad) {
  if (pad.getString("mode") != "constant")
    return false;
  if (!pad.input(2))
    return true;
  const Tensor *value = pad.constantInput(2);
  return hasData(value) && value->numElements() == 1 &&
         value->floatAt(0) == 0.0;
}

// The spatial padding a Pad adds, [begin..., end...] per spatial axis as in
// the pads attribute of Conv, or empty if it pads anything else or crops.
std::vector<int64_t> spatialPads(const Node &pad) {
  const Shape &in = pad.inputs[0]->type.shape,
              &out = pad.outputs[0]->type.shape;
  if (in.size() < 3 || !hasData(pad.constantInput(1)) ||
      (pad.input(3) && !hasData(pad.constantInput(3))))
    return {};
  std::vector<int64_t> before = padsBefore(pad);
  size_t sp = in.size() - 2;
  std::vector<int64_t> pads(2 * sp);
  for (size_t d = 0; d < in.size(); ++d) {
    // The shape gives the end padding whether or not axes are given.
    int64_t begin = before[d], end = out[d] - in[d] - begin;
    if (begin < 0 || end < 0 || (d < 2 && (begin != 0 || end != 0)))
      return {};
    if (d >= 2) {
      pads[d - 2] = begin;
      pads[d - 2 + sp] = end;
    }
  }
  return pads;
}

// Whether `consumer` reads `v` as its data operand only and can take
// `pads` (the Pad's spatial padding) into its own.
bool canAbsorb(const Node &consumer, const Value *v,
               const std::vector<int64_t> &pads) {
  if (consumer.kind != OpKind::Conv && consumer.kind != OpKind::AveragePool)
    return false;
  for (size_t i = 1; i < consumer.inputs.size(); ++i)
    if (consumer.inputs[i] == v)
      return false;
  if (consumer.getString("auto_pad") != "NOTSET")
    return false;
  if (consumer.kind == OpKind::Conv)
    return true;
  if (consumer.getInt("count_include_pad") != 1 ||
      consumer.getInt("ceil_mode") != 0)
    return false;
  Window w = resolvedWindow(consumer);
  size_t sp = w.kernel.size();
  for (size_t i = 0; i < 2 * sp; ++i)
    if (w.pads[i] + pads[i] >= w.kernel[i % sp])
      return false;
  return true;
}

// Folds `pad` into its readers, if it can; true if it was folded (and
// erased).
bool tryFold(Graph &graph, Node &pad) {
  Value *padded = pad.outputs[0];
  if (!padsWithZero(pad) || graph.isOutput(padded))
    return false;
  std::vector<int64_t> pads = spatialPads(pad);
  if (pads.empty())
    return false;
  std::vector<Node *> consumers;
  for (const auto &n : graph.nodes)
    if (n->input(0) == padded) {
      if (!canAbsorb(*n, padded, pads))
        return false;
      consumers.push_back(n.get());
    } else if (std::find(n->inputs.begin(), n->inputs.end(), padded) !=
               n->inputs.end()) {
      return false;
    }
  if (consumers.empty())
    return false; // dead, not ours to remove

  for (Node *consumer : consumers) {
    makeWindowExplicit(*consumer);
    std::vector<int64_t> total = consumer->getInts("pads");
    for (size_t i = 0; i < total.size(); ++i)
      total[i] += pads[i];
    consumer->attrs.insert_or_assign("pads", Attribute(total));
    consumer->inputs[0] = pad.inputs[0];
    reinferUnchanged(*consumer, "fold-pad-into-conv");
  }
  graph.eraseNode(&pad);
  return true;
}

} // namespace

bool foldPadIntoConv(Graph &graph, PassContext &ctx) {
  bool changed = false;
  // A folded Pad is erased at index i, so i then names the node after it.
  for (size_t i = 0; i < graph.nodes.size();) {
    Node &node = *graph.nodes[i];
    if (node.kind == OpKind::Pad && tryFold(graph, node)) {
      ctx.stats.add("folded");
      changed = true;
    } else {
      ++i;
    }
  }
  if (changed)
    graph.removeUnusedConstants();
  return changed;
}

} // namespace cnnc
