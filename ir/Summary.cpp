#include "ir/Summary.h"

#include <algorithm>
#include <cstdint>
#include <unordered_set>

namespace cnnc {

namespace {

// a * b and a + b for non-negative counts, saturating at INT64_MAX instead of
// overflowing.
int64_t saturatingMul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

int64_t saturatingAdd(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

int64_t macsOf(const Node &n) {
  auto shapeOf = [&](size_t i) -> const Shape & { return n.inputs[i]->type.shape; };
  const Shape &out = n.outputs[0]->type.shape;
  // Each factor is an element count of a verified shape (<= 2^31), so the
  // products fit in int64; they saturate all the same.
  switch (n.kind) {
  case OpKind::Conv:
  case OpKind::FusedConv: {
    // Each output element reads (Cin / group) * prod(kernel) inputs.
    const Shape &w = shapeOf(1);
    return saturatingMul(elementCount(out), elementCount(w, 1, w.size()));
  }
  case OpKind::Gemm1x1:
    return saturatingMul(elementCount(out), shapeOf(1)[1]);
  case OpKind::ExpandDepthwise: {
    // The expansion's (every expanded input element reads C inputs) and the
    // depthwise convolution's (each output element reads prod(kernel)).
    const Shape &x = shapeOf(0), &wd = shapeOf(2);
    int64_t expanded = saturatingMul(elementCount(x) / std::max<int64_t>(x[1], 1),
                                     shapeOf(1)[0]);
    return saturatingAdd(saturatingMul(expanded, x[1]),
                         saturatingMul(elementCount(out),
                                       elementCount(wd, 2, wd.size())));
  }
  case OpKind::ConvTranspose: {
    // Each input element scatters into (Cout / group) * prod(kernel) outputs.
    const Shape &w = shapeOf(1);
    return saturatingMul(elementCount(shapeOf(0)),
                         elementCount(w, 1, w.size()));
  }
  case OpKind::Gemm: {
    const Shape &a = shapeOf(0);
    int64_t k = n.getInt("transA") ? a[0] : a[1];
    return saturatingMul(elementCount(out), k);
  }
  case OpKind::MatMul: {
    const Shape &a = shapeOf(0);
    return saturatingMul(elementCount(out), a.back());
  }
  default:
    return 0;
  }
}


std::string humanCount(double v) {
  const char *units[] = {"", " K", " M", " G", " T"};
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  return u ? fmt::format("{:.2f}{}", v, units[u]) : fmt::format("{:.0f} ", v);
}

// Float operands that configure an op rather than hold learned weights:
// Clip's bounds, Resize's roi and scales, Pad's fill value, Pow's exponent,
// Dropout's ratio. They are not parameters.
bool isConfigurationOperand(const Node &n, size_t i) {
  switch (n.kind) {
  case OpKind::Clip:
  case OpKind::Resize:
  case OpKind::Pow:
  case OpKind::Dropout:
    return i >= 1;
  case OpKind::Pad:
    return i >= 2;
  default:
    return false;
  }
}

} // namespace

std::string withCommas(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

GraphSummary summarize(const Graph &graph) {
  GraphSummary s;
  std::unordered_set<const Value *> counted;
  for (const auto &node : graph.nodes) {
    LayerSummary layer{node.get(), 0, macsOf(*node)};
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const Value *in = node->inputs[i];
      if (!in || !in->isConstant() || !isFloat(in->type.dtype) ||
          isConfigurationOperand(*node, i) || !counted.insert(in).second)
        continue;
      layer.params = saturatingAdd(layer.params, in->type.numElements());
      s.paramBytes = saturatingAdd(s.paramBytes, int64_t(in->type.byteSize()));
    }
    s.totalParams = saturatingAdd(s.totalParams, layer.params);
    s.totalMacs = saturatingAdd(s.totalMacs, layer.macs);
    s.layers.push_back(layer);
  }
  return s;
}

void printSummary(const Graph &graph, std::ostream &os) {
  GraphSummary s = summarize(graph);
  std::vector<std::string> shapes;
  size_t nameWidth = 12, opWidth = 8, shapeWidth = 12;
  for (const LayerSummary &l : s.layers) {
    std::string shape;
    for (const Value *out : l.node->outputs)
      shape += (shape.empty() ? "" : " ") + fmt::format("[{}]", shapeToString(out->type.shape));
    nameWidth = std::max(nameWidth, l.node->name.size());
    opWidth = std::max(opWidth, l.node->opName().size());
    shapeWidth = std::max(shapeWidth, shape.size());
    shapes.push_back(std::move(shape));
  }
  std::string inputs;
  for (const Value *in : graph.inputs)
    inputs += (inputs.empty() ? "" : ", ") + in->name + ": " + in->type.str();
  os << fmt::format("Model: {} ({})\n", graph.name, inputs);
  std::string header = fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>13}  {:>17}",
                                   "Layer (name)", nameWidth, "Op", opWidth,
                                   "Output shape", shapeWidth, "Params", "MACs");
  os << header << "\n" << std::string(header.size(), '-') << "\n";
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const LayerSummary &l = s.layers[i];
    os << fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>13}  {:>17}\n", l.node->name,
                      nameWidth, l.node->opName(), opWidth, shapes[i],
                      shapeWidth, withCommas(l.params), withCommas(l.macs));
  }
  os << std::string(header.size(), '=') << "\n";
  os << fmt::format("Layers: {}\n", s.layers.size());
  os << fmt::format("Total params: {} ({:.2f} MiB)\n", withCommas(s.totalParams),
                    double(s.paramBytes) / (1024.0 * 1024.0));
  os << fmt::format("Total MACs: {} ({}MAC)\n", withCommas(s.totalMacs),
                    humanCount(double(s.totalMacs)));
}

} // namespace cnnc
