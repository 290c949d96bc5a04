// fold-batchnorm: folds inference BatchNormalization, and per-channel Mul
// and Add by constants, into the weights and bias of a neighbouring Conv,
// ConvTranspose or Gemm, so that no separate pass over the tensor is left.
//
// The algebra. BatchNormalization in inference computes, per channel c,
//   y = (x - mean) / sqrt(var + eps) * scale + bias = x * s + t,
//   s = scale / sqrt(var + eps),  t = bias - mean * s.
// After a producer whose output channel m is linear in its weights,
// y = (W x + b) * s + t is again a producer, with
//   W'[m] = W[m] * s[m]  (every weight of output channel m),
//   b'[m] = b[m] * s[m] + t[m].
// Conv weights are [M, C/group, k...], ConvTranspose weights [C, M/group,
// k...] and Gemm's B' (B, or B transposed when transB) [K, N] with channel
// n a column; Gemm's C becomes the [N] vector beta * C * s + t and beta 1.
// Mul by a per-channel constant k is the same with s = k, t = 0; Add is
// s = 1, t = k. Before a Conv, BatchNorm folds the other way:
//   W'[m, c, k...] = W[m, c, k...] * s[c'],
//   b'[m] = b[m] + sum over c, k... of W[m, c, k...] * t[c'],
// where c' = group(m) * C/group + c is the input channel weight c of output
// channel m reads. Everything is computed in double and stored as f32.
//
// Preconditions: the graph verifies. Folded are: BatchNormalization with
// training_mode 0 and one result, whose scale, bias, mean and variance are
// constants; Mul and Add whose other operand is a constant that broadcasts
// only along the channel axis (dim 1) of the result, which keeps its type;
// a producer (Conv, ConvTranspose or Gemm) whose weights are a constant,
// whose bias is a constant or absent, whose result nothing else reads, and
// for Gemm whose C does not vary along the rows; a Conv after the
// BatchNorm that has no padding and is the BatchNorm's only reader. All
// f32, plain layout. A folded node's readers read the producer's result,
// which takes over a graph output's name; the producer keeps its name and
// gets new weight and bias constants (the old ones are dropped once
// unread).
//
// Deliberately left alone: a BatchNorm in front of a Conv with padding (the
// padding zeros would have to become t, which Conv's padding cannot
// express), in front of a ConvTranspose or Gemm, or that folds into nothing
// (code generation computes it as x * s + t); a producer whose result has
// other readers (they would see the folded values); Sub and Div by
// constants (exporters emit Mul and Add; they would fold the same way);
// FusedConv
// (fusion runs after this pass); a scale or shift that is not finite
// (variance + epsilon <= 0, a Mul by inf); other dtypes.
#include "ir/ShapeInference.h"
#include "passes/Passes.h"
#include "passes/Rewrite.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace cnnc {

namespace {

bool isPlainF32(const TensorType &t) {
  return t.dtype == DType::F32 && t.layout == Layout::Plain;
}

// The elements of operand i as doubles, if it is a plain f32 constant with
// data; nullopt otherwise (absent included).
std::optional<std::vector<double>> f32Constant(const Node &node, size_t i) {
  const Tensor *t = node.constantInput(i);
  if (!t || !t->hasData() || !isPlainF32(t->type()))
    return std::nullopt;
  std::vector<double> v(size_t(t->numElements()));
  for (size_t k = 0; k < v.size(); ++k)
    v[k] = t->floatAt(int64_t(k));
  return v;
}

// How many node operands and graph outputs read `v`.
size_t readers(const Graph &graph, const Value *v) {
  size_t n = size_t(std::count(graph.outputs.begin(), graph.outputs.end(), v));
  for (const auto &node : graph.nodes)
    n += size_t(std::count(node->inputs.begin(), node->inputs.end(), v));
  return n;
}

// Makes operand i of `node` (a bias slot may be absent) a new f32 constant
// of `shape` holding `values`. It takes the name of the constant it
// replaces when nothing else reads that one (the pass drops it at the end),
// so that weights keep their ONNX names; a new bias is named after the
// weights.
void setConstantOperand(Graph &graph, Node &node, size_t i, Shape shape,
                        const std::vector<double> &values) {
  Value *old = node.input(i);
  std::string base = old ? old->name : node.inputs[1]->name + "_bias";
  std::vector<float> f(values.begin(), values.end());
  Value *v = graph.addConstant(
      base, Tensor::fromValues(DType::F32, std::move(shape), f));
  if (node.inputs.size() <= i)
    node.inputs.resize(i + 1);
  node.inputs[i] = v;
  if (old && readers(graph, old) == 0)
    std::swap(old->name, v->name); // both names stay in use
}

// y -> y * scale[m] + shift[m] per channel m of axis 1.
struct ChannelAffine {
  std::vector<double> scale, shift;
};

// The per-channel affine map of a BatchNormalization in inference with
// constant parameters, or nullopt.
std::optional<ChannelAffine> batchNormAffine(const Node &bn) {
  if (bn.getInt("training_mode") != 0 || bn.outputs.size() != 1 ||
      !isPlainF32(bn.inputs[0]->type) || !isPlainF32(bn.outputs[0]->type))
    return std::nullopt;
  auto scale = f32Constant(bn, 1), bias = f32Constant(bn, 2),
       mean = f32Constant(bn, 3), var = f32Constant(bn, 4);
  if (!scale || !bias || !mean || !var)
    return std::nullopt;
  double eps = bn.getFloat("epsilon");
  ChannelAffine a;
  for (size_t c = 0; c < scale->size(); ++c) {
    double s = (*scale)[c] / std::sqrt((*var)[c] + eps);
    a.scale.push_back(s);
    a.shift.push_back((*bias)[c] - (*mean)[c] * s);
  }
  return a;
}

// Whether a constant of shape `k` broadcast against `y` varies at most
// along y's axis 1 and leaves y's shape as is.
bool isPerChannel(const Shape &k, const Shape &y) {
  if (k.size() > y.size() || y.size() < 2)
    return false;
  size_t offset = y.size() - k.size();
  for (size_t j = 0; j < k.size(); ++j)
    if (k[j] != 1 && (j + offset != 1 || k[j] != y[1]))
      return false;
  return true;
}

// The per-channel affine map of a Mul or Add of `y` by a per-channel
// constant, or nullopt.
std::optional<ChannelAffine> mulAddAffine(const Node &node, const Value *y) {
  size_t other = node.inputs[0] == y ? 1 : 0;
  auto k = f32Constant(node, other);
  if (node.inputs[1 - other] != y || !k || k->empty() ||
      !isPerChannel(node.inputs[other]->type.shape, y->type.shape) ||
      node.outputs[0]->type != y->type)
    return std::nullopt;
  // All dims of k but the channel's are 1: k is either one value or one
  // per channel, in channel order.
  int64_t channels = y->type.shape[1];
  ChannelAffine a;
  for (int64_t m = 0; m < channels; ++m) {
    double v = (*k)[k->size() == 1 ? 0 : size_t(m)];
    a.scale.push_back(node.kind == OpKind::Mul ? v : 1.0);
    a.shift.push_back(node.kind == OpKind::Mul ? 0.0 : v);
  }
  return a;
}

// The output channel of each weight element of a Conv, ConvTranspose or
// Gemm (see the file comment for the layouts).
std::vector<int64_t> weightChannels(const Node &producer) {
  const Shape &w = producer.inputs[1]->type.shape;
  int64_t count = producer.inputs[1]->type.numElements();
  std::vector<int64_t> channel(static_cast<size_t>(count));
  if (producer.kind == OpKind::Gemm) {
    bool transB = producer.getInt("transB") != 0;
    for (int64_t i = 0; i < count; ++i)
      channel[size_t(i)] = transB ? i / w[1] : i % w[1];
  } else if (producer.kind == OpKind::Conv) {
    int64_t perChannel = w[0] ? count / w[0] : 0;
    for (int64_t i = 0; i < count; ++i)
      channel[size_t(i)] = i / perChannel;
  } else { // ConvTranspose
    int64_t group = producer.getInt("group");
    int64_t kernel = elementCount(w, 2, w.size());
    int64_t inPerGroup = w[0] / group, outPerGroup = w[1];
    for (int64_t i = 0; i < count; ++i) {
      int64_t j = i / kernel % outPerGroup, c = i / (kernel * outPerGroup);
      channel[size_t(i)] = c / inPerGroup * outPerGroup + j;
    }
  }
  return channel;
}

// Whether `producer` is a Conv, ConvTranspose or Gemm whose result channels
// an affine map can be folded into.
bool canFoldAfter(const Graph &graph, const Node &producer,
                  const ChannelAffine &a) {
  if (producer.kind != OpKind::Conv && producer.kind != OpKind::ConvTranspose &&
      producer.kind != OpKind::Gemm)
    return false;
  const TensorType &y = producer.outputs[0]->type;
  if (!isPlainF32(y) || y.rank() < 2 || int64_t(a.scale.size()) != y.shape[1])
    return false;
  if (!f32Constant(producer, 1))
    return false;
  if (producer.input(2)) {
    if (!f32Constant(producer, 2))
      return false;
    // Gemm's C must not vary along the rows, to become a [N] vector.
    const Shape &c = producer.inputs[2]->type.shape;
    if (producer.kind == OpKind::Gemm && c.size() == 2 && c[0] != 1)
      return false;
  }
  return soleUser(graph, producer.outputs[0]) != nullptr;
}

// Folds y -> y * scale + shift into `producer` (canFoldAfter holds).
void foldAfter(Graph &graph, Node &producer, const ChannelAffine &a) {
  Value *w = producer.inputs[1];
  // An Add scales nothing: its producer keeps its weights.
  if (std::any_of(a.scale.begin(), a.scale.end(),
                  [](double s) { return s != 1.0; })) {
    std::vector<double> weights = *f32Constant(producer, 1);
    std::vector<int64_t> channel = weightChannels(producer);
    for (size_t i = 0; i < weights.size(); ++i)
      weights[i] *= a.scale[size_t(channel[i])];
    setConstantOperand(graph, producer, 1, w->type.shape, weights);
  }

  size_t channels = a.scale.size();
  std::vector<double> bias(channels, 0.0);
  Value *b = producer.input(2);
  if (b) {
    std::vector<double> old = *f32Constant(producer, 2);
    // Gemm's C may broadcast (one value, or [1, N]); beta scales it.
    double beta =
        producer.kind == OpKind::Gemm ? producer.getFloat("beta") : 1.0;
    for (size_t m = 0; m < channels; ++m)
      bias[m] = beta * old[old.size() == 1 ? 0 : m];
  }
  for (size_t m = 0; m < channels; ++m)
    bias[m] = bias[m] * a.scale[m] + a.shift[m];

  setConstantOperand(graph, producer, 2, {int64_t(channels)}, bias);
  producer.attrs.erase("beta");
  reinferUnchanged(producer, "fold-batchnorm");
}

// Folds `node` (a BatchNorm, Mul or Add computing `a` of its operand `y`)
// into y's producer, if it can.
bool tryFoldAfter(Graph &graph, Node &node, const ChannelAffine &a, Value *y) {
  Node *producer = y->producer;
  if (!producer || !canFoldAfter(graph, *producer, a) ||
      !canReplace(graph, node.outputs[0], y))
    return false;
  foldAfter(graph, *producer, a);
  replaceValue(graph, node.outputs[0], y);
  graph.eraseNode(&node);
  return true;
}

// Folds BatchNorm `bn` (computing `a`) into the Conv that is the only
// reader of its result, if that Conv has no padding.
bool tryFoldBefore(Graph &graph, Node &bn, const ChannelAffine &a) {
  Node *conv = soleUser(graph, bn.outputs[0]);
  if (!conv || conv->kind != OpKind::Conv || conv->inputs[0] != bn.outputs[0] ||
      !isPlainF32(conv->outputs[0]->type))
    return false;
  for (int64_t p : resolvedWindow(*conv).pads)
    if (p != 0)
      return false;
  auto weights = f32Constant(*conv, 1);
  if (!weights)
    return false;
  std::optional<std::vector<double>> bias;
  if (conv->input(2) && !(bias = f32Constant(*conv, 2)))
    return false;

  Shape w = conv->inputs[1]->type.shape;
  int64_t outChannels = w[0], inPerGroup = w[1];
  int64_t outPerGroup = outChannels / conv->getInt("group");
  int64_t kernel = elementCount(w, 2, w.size());
  std::vector<double> newBias(size_t(outChannels), 0.0);
  for (int64_t m = 0; m < outChannels; ++m) {
    double sum = bias ? (*bias)[size_t(m)] : 0.0;
    for (int64_t c = 0; c < inPerGroup; ++c) {
      size_t input = size_t(m / outPerGroup * inPerGroup + c);
      for (int64_t k = 0; k < kernel; ++k) {
        double &weight = (*weights)[size_t((m * inPerGroup + c) * kernel + k)];
        sum += weight * a.shift[input];
        weight *= a.scale[input];
      }
    }
    newBias[size_t(m)] = sum;
  }

  conv->inputs[0] = bn.inputs[0];
  setConstantOperand(graph, *conv, 1, w, *weights);
  setConstantOperand(graph, *conv, 2, {outChannels}, newBias);
  reinferUnchanged(*conv, "fold-batchnorm");
  graph.eraseNode(&bn);
  return true;
}

// Folds `node` if it can; true if it was folded (and erased).
// Whether every scale and shift is finite. Folding an infinite or NaN one
// (a variance of -epsilon, a Mul by inf) would turn zero weights into NaN
// where the unfolded graph multiplies only the results.
bool isFinite(const ChannelAffine &a) {
  auto finite = [](double v) { return std::isfinite(v); };
  return std::all_of(a.scale.begin(), a.scale.end(), finite) &&
         std::all_of(a.shift.begin(), a.shift.end(), finite);
}

bool tryFold(Graph &graph, Node &node) {
  if (node.kind == OpKind::BatchNormalization) {
    std::optional<ChannelAffine> a = batchNormAffine(node);
    return a && isFinite(*a) &&
           (tryFoldAfter(graph, node, *a, node.inputs[0]) ||
            tryFoldBefore(graph, node, *a));
  }
  if (node.kind == OpKind::Mul || node.kind == OpKind::Add) {
    for (Value *y : node.inputs) {
      if (!y->producer)
        continue;
      std::optional<ChannelAffine> a = mulAddAffine(node, y);
      if (a && isFinite(*a) && tryFoldAfter(graph, node, *a, y))
        return true;
    }
  }
  return false;
}

} // namespace

bool foldBatchNorm(Graph &graph, PassContext &ctx) {
  bool changed = false;
  // One walk in graph order folds chains (Conv -> BatchNorm -> Mul): each
  // fold leaves the producer feeding the next node. A folded node is erased
  // at index i, so i then names the node after it.
  for (size_t i = 0; i < graph.nodes.size();) {
    if (tryFold(graph, *graph.nodes[i])) {
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
