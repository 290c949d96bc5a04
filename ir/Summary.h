// A Keras-style model summary: per layer (node) its ONNX name, op, output
// shape, parameter count and multiply-accumulate count, then totals.
//
// Parameters are the elements of the floating-point constants a node reads
// (weights, biases, BatchNorm statistics), each constant counted once, at its
// first user; operands that configure an op (Clip bounds, Resize scales, ...)
// are not parameters. MACs count the multiply-accumulates of Conv, ConvTranspose,
// Gemm and MatMul; other ops count 0, as in Keras and torchinfo.
//
// Overflow: the graph must verify (every shape passes checkedElementCount),
// which bounds each layer's MACs by 2^62. Hostile shapes can still make the
// sums exceed int64 (a few layers of 2^62 MACs), so every count and total
// here is computed with saturating arithmetic: a value that would exceed
// INT64_MAX is reported as INT64_MAX, never wraps.
#pragma once

#include "ir/Graph.h"

#include <ostream>

namespace cnnc {

struct LayerSummary {
  const Node *node;
  int64_t params;
  int64_t macs;
};

struct GraphSummary {
  std::vector<LayerSummary> layers;
  int64_t totalParams = 0;
  int64_t totalMacs = 0;
  int64_t paramBytes = 0;
};

GraphSummary summarize(const Graph &graph);
void printSummary(const Graph &graph, std::ostream &os);

// 1234567 -> "1,234,567" (the summary's number format).
std::string withCommas(int64_t v);

} // namespace cnnc
