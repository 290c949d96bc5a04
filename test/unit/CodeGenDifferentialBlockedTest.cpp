// Randomized differential tests of the blocked layouts (see
// DifferentialTestSupport.h, passes/ChooseLayout.cpp and
// ir/LayoutRules.h): each batch builds a graph of plain ops, interprets it
// for the expected results, runs choose-layout with a block of 8 or 16
// channels (alternating by batch; both run on any x86-64 host, the blocked
// kernels of compiler/codegen/libjit/blocked.c being plain C), checks that
// the pass blocked what the case meant it to (the layout of each node's
// result, of a convolution's operand and weights, the number of Reorders
// and of blocked nodes, so that no case passes on plain code), interprets
// the blocked graph (it must give the same results bit for bit: the
// interpreter computes on plain copies) and compares the compiled blocked
// graph with the plain graph's interpretation at the tolerance of close().
//
// Covered: Conv and FusedConv with a blocked operand (kernels 1, 3, 5, 7,
// strides 1 and 2, dilations 1 and 2, pads none, symmetric, asymmetric or
// auto_pad, output rows of whole 8-column tiles and not, channel counts
// with and without padding lanes, batch 1 and 2, bias or not); a first
// layer reading 1 to 3 plain channels; depthwise; FusedConv with a residual
// and each activation; Gemm1x1 with strides 1 and 2; convolutions of large
// images (the kernel's bands-outermost loop order); MaxPool (NaN and
// infinities too), AveragePool, GlobalMaxPool and GlobalAveragePool after a
// blocked convolution; the blocked element-wise ops, with blocked, plain
// and constant operands, Clip with scalar bounds, and ops that broadcast
// (which run plain on a plain copy); and small CNNs chaining all of these,
// squeeze-and-excitation blocks among them, with Reorders at the edges and
// blocked values that are graph outputs too.
//
// Explore other cases with CNNC_DIFF_SEED=N; a failure names the seed, the
// batch, the block size, the -O level and the node, and prints the graph
// after choose-layout.
#include "DifferentialTestSupport.h"
#include "passes/Pass.h"

using namespace cnnc;
using namespace cnnc::difftest;

namespace {

// How choose-layout must block a convolution: a blocked operand with
// OIHWBiBo weights, a plain operand (a few channels) with OIHWBo weights,
// or depthwise (blocked operand, OIHWBo weights).
enum class ConvMode { Blocked, Plain, Depthwise };

// One graph of independent cases (or chains), what choose-layout must make
// of it, and the check. The graph is built plain, as the importer leaves
// it; Batch (of DifferentialTestSupport.h) draws the data.
class BlockedBatch {
public:
  // `pipeline`: choose-layout, then plan-memory sometimes, as -O2 does.
  BlockedBatch(Rng &rng, std::string where, int64_t block, int optLevel,
               std::string pipeline)
      : rng_(rng), data_(rng, where), where_(std::move(where)), block_(block),
        optLevel_(optLevel), pipeline_(std::move(pipeline)) {}

  Rng &rng() { return rng_; }
  int64_t block() const { return block_; }
  Layout blockedLayout() const { return activationLayout(block_); }

  Value *input(const Shape &shape, Range r = {}) {
    Value *v = g_.addInput("x" + std::to_string(g_.inputs.size()),
                           TensorType{DType::F32, shape, Layout::Plain});
    inputs_.push_back(data_.randomTensor(DType::F32, shape, r));
    return v;
  }
  Value *constant(const Shape &shape, Range r = {}) {
    return g_.addConstant("w", std::make_shared<Tensor>(
                                   data_.randomTensor(DType::F32, shape, r)));
  }
  Value *operand(const Shape &shape, Range r = {},
                 double constantChance = 0.3) {
    return rng_.chance(constantChance) ? constant(shape, r) : input(shape, r);
  }
  Value *floatScalar(float v) {
    return g_.addConstant("s",
                          std::make_shared<Tensor>(Tensor::fromValues(
                              DType::F32, Shape{}, std::vector<float>{v})));
  }

  // Adds a node with its types inferred and its window made explicit, its
  // result a graph output with `isOutput`. With `probe`, the node is first
  // evaluated (on zeros for operands that are results of other nodes) and
  // dropped (nullptr) if the interpreter rejects it as a user error.
  Node *add(OpKind kind, std::vector<Value *> operands, AttrMap attrs,
            bool isOutput = true, bool probe = false) {
    Node *n = g_.addNode(kind, "n" + std::to_string(g_.nodes.size()), operands,
                         {"y"}, std::move(attrs));
    try {
      setInferredTypes(*n);
      makeWindowExplicit(*n);
      if (probe) {
        std::vector<Tensor> zeros;
        zeros.reserve(operands.size());
        std::vector<const Tensor *> in;
        for (Value *v : operands) {
          const Tensor *t = v ? tensorOf(v) : nullptr;
          if (v && !t) {
            zeros.push_back(interp::makeTensor(
                v->type, std::vector<float>(size_t(v->type.numElements()))));
            t = &zeros.back();
          }
          in.push_back(t);
        }
        evaluateNode(*n, in);
      }
    } catch (const UserError &) {
      if (!probe)
        throw;
      g_.nodes.pop_back();
      return nullptr;
    }
    descriptions_[n] = Batch::describe(*n);
    if (isOutput)
      markOutput(n);
    return n;
  }
  void markOutput(Node *n) {
    g_.outputs.push_back(n->outputs[0]);
    producers_.push_back(n);
  }

  // What choose-layout must do: `n`'s result blocked (or plain), a
  // convolution's operand and weights as `mode` says, and `k` more Reorders
  // in the graph. Nodes not named stay plain.
  void expectBlocked(Node *n) { blocked_.push_back(n); }
  void expectConv(Node *n, ConvMode mode) {
    blocked_.push_back(n);
    convs_.push_back({n, mode});
  }
  void expectPlain(Node *n) { plain_.push_back(n); }
  // `n` (blocked) must have become a cnnc.ExpandDepthwise.
  void expectExpandDepthwise(Node *n) {
    blocked_.push_back(n);
    expandDepthwise_.push_back(n);
  }
  void expectReorders(int64_t k) { reorders_ += k; }

  size_t size() const { return g_.nodes.size(); }

  void check() {
    if (g_.nodes.empty())
      return;
    g_.removeUnusedConstants();
    std::string before = printGraph(g_);
    std::vector<Tensor> expected = interpretGraph(g_, inputs_);
    PassManagerOptions options;
    options.target.channelBlock = block_;
    // Small images are all the tests compile: fuse-expand-depthwise must
    // take them as if they did not fit in the cache.
    options.target.l2CacheBytes = 0;
    std::ostringstream log;
    try {
      runPasses(g_, parsePipeline(pipeline_), options, log);
    } catch (const std::exception &e) {
      ADD_FAILURE() << where_ << ": " << pipeline_ << " failed: " << e.what()
                    << "\n"
                    << before;
      return;
    }
    std::string after = printGraph(g_);
    if (!checkLayouts()) {
      ADD_FAILURE() << where_ << ": choose-layout did not block as expected\n"
                    << "before:\n"
                    << before << "after:\n"
                    << after;
      return;
    }
    ASSERT_EQ(g_.outputs.size(), expected.size()) << where_;

    // The interpreter on the blocked graph: plain copies of the operands,
    // the same plain computation, so exactly the same results.
    std::vector<Tensor> reinterpreted = interpretGraph(g_, inputs_);
    for (size_t i = 0; i < expected.size(); ++i)
      compare(i, reinterpreted[i], expected[i], /*exact=*/true,
              "interpreting the blocked graph", after);

    std::vector<Tensor> actual;
    try {
      JitModel jit(g_, optLevel_);
      actual = jit.run(inputs_);
    } catch (const std::exception &e) {
      ADD_FAILURE() << where_ << ": compiling failed: " << e.what() << "\n"
                    << after;
      return;
    }
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
      compare(i, actual[i], expected[i], /*exact=*/false, "compiled", after);
  }

private:
  const Tensor *tensorOf(const Value *v) const {
    if (v->isConstant())
      return v->constant.get();
    for (size_t i = 0; i < g_.inputs.size(); ++i)
      if (g_.inputs[i] == v)
        return &inputs_[i];
    return nullptr; // the result of another node
  }

  // Whether the blocked graph is what the case asked for; each miss is
  // reported.
  bool checkLayouts() {
    bool ok = true;
    auto fail = [&](const Node *n, const std::string &what) {
      ADD_FAILURE() << where_ << ": " << descriptions_[n] << ": " << what;
      ok = false;
    };
    Layout act = blockedLayout();
    for (const Node *n : blocked_)
      if (n->outputs[0]->type.layout != act)
        fail(n, "result " + n->outputs[0]->type.str() + ", expected " +
                    std::string(layoutName(act)));
    for (const Node *n : plain_)
      if (n->outputs[0]->type.layout != Layout::Plain)
        fail(n, "result " + n->outputs[0]->type.str() + ", expected plain");
    for (const auto &[n, mode] : convs_) {
      Layout x = mode == ConvMode::Plain ? Layout::Plain : act;
      Layout w = mode == ConvMode::Blocked
                     ? (block_ == 8 ? Layout::OIHW8i8o : Layout::OIHW16i16o)
                     : (block_ == 8 ? Layout::OIHW8o : Layout::OIHW16o);
      if (n->inputs[0]->type.layout != x)
        fail(n, "operand " + n->inputs[0]->type.str() + ", expected " +
                    std::string(layoutName(x)));
      if (!n->inputs[1]->isConstant() || n->inputs[1]->type.layout != w)
        fail(n, "weights " + n->inputs[1]->type.str() + ", expected " +
                    std::string(layoutName(w)));
      if (n->input(3) && n->input(3)->type.layout != act)
        fail(n, "residual " + n->input(3)->type.str() + ", expected " +
                    std::string(layoutName(act)));
    }
    for (const Node *n : expandDepthwise_)
      if (n->kind != OpKind::ExpandDepthwise)
        fail(n, "not fused into a cnnc.ExpandDepthwise");
    int64_t reorders = 0, blocked = 0;
    for (const auto &n : g_.nodes) {
      if (n->kind == OpKind::Reorder)
        ++reorders;
      else if (n->outputs[0]->type.layout != Layout::Plain)
        ++blocked;
    }
    if (reorders != reorders_) {
      ADD_FAILURE() << where_ << ": " << reorders << " Reorders, expected "
                    << reorders_;
      ok = false;
    }
    if (blocked != int64_t(blocked_.size())) {
      ADD_FAILURE() << where_ << ": " << blocked << " blocked nodes, expected "
                    << blocked_.size();
      ok = false;
    }
    for (const Value *out : g_.outputs)
      if (out->type.layout != Layout::Plain) {
        ADD_FAILURE() << where_ << ": graph output " << out->type.str();
        ok = false;
      }
    return ok;
  }



  void compare(size_t output, const Tensor &actual, const Tensor &expected,
               bool exact, const char *how, const std::string &graph) {
    std::string what = where_ + ", " + how + ", output " +
                       std::to_string(output) + " of " +
                       descriptions_[producers_[output]];
    ASSERT_EQ(actual.type(), expected.type()) << what;
    int64_t count = expected.numElements(), bad = 0;
    std::ostringstream first;
    for (int64_t i = 0; i < count; ++i) {
      double a = actual.floatAt(i), e = expected.floatAt(i);
      bool same =
          exact ? (a == e || (std::isnan(a) && std::isnan(e))) : close(a, e);
      if (!same && bad++ < 4)
        first << "\n  element " << i << ": " << how << " " << a
              << ", interpreter " << e;
    }
    EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << count
                      << " elements differ" << first.str() << "\n"
                      << graph;
  }

  Rng &rng_;
  Batch data_; // draws the random tensors
  std::string where_;
  int64_t block_;
  int optLevel_;
  std::string pipeline_;
  Graph g_;
  std::vector<Tensor> inputs_;
  std::vector<const Node *> producers_; // per graph output
  std::map<const Node *, std::string> descriptions_;
  std::vector<const Node *> blocked_, plain_, expandDepthwise_;
  std::vector<std::pair<const Node *, ConvMode>> convs_;
  int64_t reorders_ = 0;
};

// runCases for BlockedBatch: batch b draws from seed base + b. Batches go
// in fours: blocks of 8 and 16 channels compiled at -O3 (vectorized, as
// shipped: B = 16 is two AVX2 registers per pixel), then both at -O0 (the
// kernels' own semantics, without the optimizer); the middle two record a
// memory plan (plan-memory after choose-layout, as the -O2 pipeline does),
// the others leave code generation to plan. JIT compile time is most of a
// test's time, about 35 ms per blocked convolution at -O3 and a tenth of
// that at -O0, which sets the number of cases.
// `fusions`: passes to run after choose-layout, as the -O2 pipeline does.
int64_t runBlockedCases(const char *test, int cases, int perBatch,
                        const std::function<void(BlockedBatch &, int)> &gen,
                        std::string fusions = "") {
  int64_t nodes = 0;
  for (int first = 0, batch = 0; first < cases; first += perBatch, ++batch) {
    uint32_t seed = baseSeed() + uint32_t(batch);
    Rng rng(seed);
    int64_t block = batch % 2 ? 16 : 8;
    int optLevel = batch / 2 % 2 ? 0 : 3;
    bool plan = batch % 4 == 1 || batch % 4 == 2;
    BlockedBatch b(
        rng,
        std::string(test) + ": seed " + std::to_string(seed) +
            " (CNNC_DIFF_SEED=" + std::to_string(baseSeed()) + ", batch " +
            std::to_string(batch) + ", block " + std::to_string(block) +
            ", -O" + std::to_string(optLevel) + (plan ? ", plan-memory" : "") +
            ")",
        block, optLevel,
        "choose-layout" + (fusions.empty() ? "" : "," + fusions) +
            (plan ? ",plan-memory" : ""));
    for (int c = first; c < std::min(cases, first + perBatch); ++c)
      gen(b, c);
    nodes += int64_t(b.size());
    b.check();
  }
  return nodes;
}

// ------------------------------------------------------------- geometry

// A channel count for a blocked tensor: at least one block, a whole number
// of blocks or not (padding lanes).
int64_t blockedChannels(Rng &rng, int64_t block) {
  return rng.pick<int64_t>({block, 2 * block, block + rng.intIn(1, block - 1),
                            2 * block + rng.intIn(1, block - 1)});
}

// An output width for the convolution kernel, whose register tiles are 1 to
// 12 columns wide (chosen per layer; the last tile of a row overlaps the
// one before it when the width is not a multiple): below a tile, whole
// tiles, and whole tiles plus a few.
int64_t outputWidth(Rng &rng) {
  return rng.pick<int64_t>(
      {rng.intIn(1, 7), 8, 16, rng.intIn(9, 15), rng.intIn(17, 27)});
}

// A window dimension (pads as randomDim draws them: 0 none, 1 symmetric,
// 2 asymmetric) of an input giving `out` outputs, or a few more if the
// padding alone covers the window.
Dim dimFor(Rng &rng, int64_t kernel, int64_t stride, int64_t dilation,
           int padMode, int64_t out) {
  Dim d = randomDim(rng, kernel, stride, dilation, padMode);
  int64_t extent = (kernel - 1) * dilation + 1;
  d.size = (out - 1) * stride + extent - d.padBegin - d.padEnd +
           rng.intIn(0, stride - 1);
  while (d.size < 1)
    d.size += stride;
  return d;
}

// The epilogue attributes of FusedConv and Gemm1x1.
void addActivation(Rng &rng, AttrMap &attrs, const std::string &activation) {
  if (activation.empty())
    return;
  attrs.insert_or_assign("activation", Attribute(activation));
  if (activation == "LeakyRelu")
    attrs.insert_or_assign("leaky_alpha",
                           Attribute(double(rng.floatIn(0, 0.5))));
  if (activation == "Clip") {
    attrs.insert_or_assign("clip_min", Attribute(double(rng.floatIn(-1, 0))));
    attrs.insert_or_assign("clip_max", Attribute(double(rng.floatIn(0, 2))));
  }
}

const std::vector<std::string> kActivations{"",     "Relu",    "LeakyRelu",
                                            "Clip", "Sigmoid", "HardSwish"};

// Weights for a convolution of fan-in `fanIn` that keep the results near
// the data's scale, for chains (a single convolution uses [-1, 1], like
// the other differential tests).
Range weightRange(int64_t fanIn) {
  float r = 1.7f / std::sqrt(float(fanIn));
  return {-r, r};
}

// A 2-D convolution `kind` (Conv, or FusedConv with `activation`) of `x`,
// its result not a graph output: "same" pads for odd k and stride 1,
// scaled weights, a bias.
Node *sameConv(BlockedBatch &b, Value *x, int64_t M, int64_t k,
               int64_t stride = 1, int64_t group = 1,
               OpKind kind = OpKind::Conv, const std::string &activation = "") {
  int64_t C = x->type.shape[1], p = k / 2;
  AttrMap attrs{{"pads", ints({p, p, p, p})},
                {"strides", ints({stride, stride})},
                {"kernel_shape", ints({k, k})},
                {"group", Attribute(group)}};
  if (kind == OpKind::FusedConv)
    addActivation(b.rng(), attrs, activation);
  return b.add(
      kind,
      {x, b.constant({M, C / group, k, k}, weightRange(C / group * k * k)),
       b.constant({M})},
      attrs, /*isOutput=*/false);
}

// The first convolution of a case: from a new graph input of C channels,
// blocked; reading the input plain below a block of channels, else through
// a Reorder (counted).
Node *firstConv(BlockedBatch &b, Shape x, int64_t M, int64_t k, int64_t stride,
                Range data = {}) {
  Node *n = sameConv(b, b.input(x, data), M, k, stride);
  bool plain = x[1] < b.block();
  b.expectConv(n, plain ? ConvMode::Plain : ConvMode::Blocked);
  if (!plain)
    b.expectReorders(1);
  return n;
}

// A random MaxPool or AveragePool window on `x` (a blocked intermediate),
// with pads, ceil_mode, dilations (MaxPool) and count_include_pad
// (AveragePool: `countPad` 0 or 1, or -1 for either); windows the
// interpreter rejects are drawn again, and a 1x1 window is the fallback.
Node *addPool(BlockedBatch &b, OpKind kind, Value *x, bool isOutput,
              int countPad = -1) {
  Rng &rng = b.rng();
  bool average = kind == OpKind::AveragePool;
  for (int attempt = 0; attempt < 30; ++attempt) {
    int padMode = int(rng.pick<int64_t>({0, 1, 2, 2}));
    std::vector<Dim> dims;
    for (size_t i = 0; i < 2; ++i) {
      Dim d = randomDim(rng, rng.intIn(1, 4), rng.intIn(1, 3),
                        average ? 1 : rng.intIn(1, 2), padMode);
      d.size = x->type.shape[2 + i];
      dims.push_back(d);
    }
    AttrMap attrs = windowAttrs(dims, true, !average && rng.chance(0.7));
    if (rng.chance(0.5))
      attrs.insert_or_assign("ceil_mode", Attribute(1));
    if (average && (countPad < 0 ? rng.chance(0.5) : countPad == 1))
      attrs.insert_or_assign("count_include_pad", Attribute(1));
    if (Node *n = b.add(kind, {x}, attrs, isOutput, /*probe=*/true))
      return n;
  }
  return b.add(kind, {x}, {{"kernel_shape", ints({1, 1})}}, isOutput);
}

// ---------------------------------------------------------------- Conv

// Conv or FusedConv (with an activation, no residual) on a blocked operand:
// kernels 1, 3, 5, 7, strides and dilations 1 or 2 per dimension, pads
// none, symmetric, asymmetric or auto_pad, output rows below, at and above
// whole 8-column tiles, channels with and without padding lanes, batch 1
// or 2, bias or not (a constant or a graph input).
void blockedConvCase(BlockedBatch &b, int c) {
  Rng &rng = b.rng();
  int64_t k = std::vector<int64_t>{1, 3, 5, 7}[size_t(c % 4)];
  int padMode = int(rng.intIn(0, 2));
  int64_t C = blockedChannels(rng, b.block());
  int64_t M = blockedChannels(rng, b.block());
  // Big windows over many channels keep few output rows.
  int64_t rows = k >= 5 ? rng.intIn(1, 2) : rng.intIn(1, 4);
  Dim h = dimFor(rng, k, rng.intIn(1, 2), rng.intIn(1, 2), padMode, rows);
  Dim w = dimFor(rng, k, rng.intIn(1, 2), rng.intIn(1, 2), padMode,
                 outputWidth(rng));
  Shape x{rng.chance(0.3) ? 2 : 1, C, h.size, w.size};
  AttrMap attrs = windowAttrs({h, w}, rng.chance(0.5), true);
  if (rng.chance(0.15)) { // VALID only where the window fits unpadded
    bool fits = true;
    for (const Dim &d : {h, w})
      fits &= d.size >= (d.kernel - 1) * d.dilation + 1;
    attrs.erase("pads");
    attrs.insert_or_assign("auto_pad", Attribute(rng.pick<std::string>(
                                           {"SAME_UPPER", "SAME_LOWER",
                                            fits ? "VALID" : "SAME_UPPER"})));
  }
  bool fused = rng.chance(0.5);
  if (fused)
    addActivation(rng, attrs, rng.pick(kActivations));
  std::vector<Value *> operands{b.input(x), b.constant({M, C, k, k})};
  if (rng.chance(0.6))
    operands.push_back(b.operand({M}, {}, 0.8));
  Node *n = b.add(fused ? OpKind::FusedConv : OpKind::Conv, operands, attrs);
  b.expectConv(n, ConvMode::Blocked);
  b.expectReorders(2); // the operand in, the result out
}

TEST(CodeGenDifferentialBlockedTest, Conv) {
  // Each kernel size five times, two or three times at -O3.
  int64_t nodes = runBlockedCases("Conv", 20, 5, blockedConvCase);
  EXPECT_EQ(nodes, 20);
}

// A first layer: 1 to 3 plain channels (a few more below a block
// sometimes), read without a Reorder, weights OIHWBo.
TEST(CodeGenDifferentialBlockedTest, ConvPlainInput) {
  int64_t nodes =
      runBlockedCases("ConvPlainInput", 16, 4, [](BlockedBatch &b, int c) {
        Rng &rng = b.rng();
        int64_t k = std::vector<int64_t>{3, 7, 1, 5}[size_t(c % 4)];
        int padMode = int(rng.intIn(0, 2));
        int64_t C =
            rng.chance(0.8) ? rng.intIn(1, 3) : rng.intIn(4, b.block() - 1);
        int64_t M = blockedChannels(rng, b.block());
        Dim h = dimFor(rng, k, rng.intIn(1, 2), rng.intIn(1, 2), padMode,
                       rng.intIn(1, 4));
        Dim w = dimFor(rng, k, rng.intIn(1, 2), rng.intIn(1, 2), padMode,
                       outputWidth(rng));
        Shape x{rng.chance(0.3) ? 2 : 1, C, h.size, w.size};
        AttrMap attrs = windowAttrs({h, w}, rng.chance(0.5), true);
        bool fused = rng.chance(0.5);
        if (fused)
          addActivation(rng, attrs, rng.pick(kActivations));
        std::vector<Value *> operands{b.input(x), b.constant({M, C, k, k})};
        if (rng.chance(0.6))
          operands.push_back(b.operand({M}, {}, 0.8));
        Node *n =
            b.add(fused ? OpKind::FusedConv : OpKind::Conv, operands, attrs);
        b.expectConv(n, ConvMode::Plain);
        b.expectReorders(1); // the result out
      });
  EXPECT_EQ(nodes, 16);
}

// Depthwise (group = channels in = channels out), kernels 1 to 7, strides,
// dilations and pads as above, Conv or FusedConv with an activation.
TEST(CodeGenDifferentialBlockedTest, Depthwise) {
  int64_t nodes =
      runBlockedCases("Depthwise", 16, 4, [](BlockedBatch &b, int c) {
        Rng &rng = b.rng();
        int64_t k = std::vector<int64_t>{3, 5, 7, 1}[size_t(c % 4)];
        int padMode = int(rng.intIn(0, 2));
        int64_t C = blockedChannels(rng, b.block());
        Dim h = dimFor(rng, k, rng.intIn(1, 2), rng.intIn(1, 2), padMode,
                       rng.intIn(1, 5));
        Dim w = dimFor(rng, k, rng.intIn(1, 2), rng.intIn(1, 2), padMode,
                       outputWidth(rng));
        Shape x{rng.chance(0.3) ? 2 : 1, C, h.size, w.size};
        AttrMap attrs = windowAttrs({h, w}, rng.chance(0.5), true);
        attrs.insert_or_assign("group", Attribute(C));
        bool fused = rng.chance(0.5);
        if (fused)
          addActivation(rng, attrs, rng.pick(kActivations));
        std::vector<Value *> operands{b.input(x), b.constant({C, 1, k, k})};
        if (rng.chance(0.6))
          operands.push_back(b.operand({C}, {}, 0.8));
        Node *n =
            b.add(fused ? OpKind::FusedConv : OpKind::Conv, operands, attrs);
        b.expectConv(n, ConvMode::Depthwise);
        b.expectReorders(2);
      });
  EXPECT_EQ(nodes, 16);
}

// cnnc.ExpandDepthwise (fuse-expand-depthwise after choose-layout): a
// Gemm1x1 expansion and the depthwise convolution (3x3 or 5x5, stride 1 or
// 2, pads 0 to k/2 on each side) reading it, each with any activation or
// none and a bias or none; expanded channels of whole blocks, partial
// blocks and odd block counts (the last unit a lone block); images
// narrower and wider than a register tile, down to one window; a batch of
// 1 or 2.
TEST(CodeGenDifferentialBlockedTest, ExpandDepthwise) {
  int64_t nodes = runBlockedCases(
      "ExpandDepthwise", 16, 4,
      [](BlockedBatch &b, int c) {
        Rng &rng = b.rng();
        int64_t B = b.block(), k = c % 4 == 3 ? 5 : 3;
        int64_t C = blockedChannels(rng, B);
        int64_t E = rng.pick<int64_t>(
            {2 * B, 3 * B, 2 * B + rng.intIn(1, B - 1), 5 * B - 3});
        int64_t stride = rng.intIn(1, 2);
        // Pads first: the image must hold at least one window.
        std::vector<int64_t> pads;
        for (int i = 0; i < 4; ++i)
          pads.push_back(rng.intIn(0, k / 2));
        int64_t minH = std::max<int64_t>(1, k - pads[0] - pads[2]);
        int64_t minW = std::max<int64_t>(1, k - pads[1] - pads[3]);
        Shape x{rng.chance(0.8) ? 1 : 2, C, rng.intIn(minH, 9),
                rng.pick<int64_t>({rng.intIn(minW, 7), rng.intIn(8, 30)})};
        AttrMap expand{{"strides", ints({1, 1})}};
        addActivation(rng, expand, rng.pick(kActivations));
        std::vector<Value *> expandOperands{
            b.input(x), b.constant({E, C}, weightRange(C))};
        if (rng.chance(0.7))
          expandOperands.push_back(b.constant({E}));
        Node *e = b.add(OpKind::Gemm1x1, expandOperands, expand, false);
        AttrMap dw{{"kernel_shape", ints({k, k})},
                   {"strides", ints({stride, stride})},
                   {"dilations", ints({1, 1})},
                   {"group", Attribute(E)},
                   {"pads", ints(pads)}};
        addActivation(rng, dw, rng.pick(kActivations));
        std::vector<Value *> dwOperands{e->outputs[0],
                                        b.constant({E, 1, k, k})};
        if (rng.chance(0.7))
          dwOperands.push_back(b.constant({E}));
        Node *n = b.add(OpKind::FusedConv, dwOperands, dw);
        b.expectExpandDepthwise(n);
        b.expectReorders(2);
      },
      "fuse-expand-depthwise");
  EXPECT_EQ(nodes, 32);
}

// FusedConv with a residual (a graph input, reordered to blocked, or a
// constant, re-laid out at compile time) and each activation; stride 1 and
// "same" pads; the operand blocked or plain (a few channels), bias or not.
TEST(CodeGenDifferentialBlockedTest, FusedConvResidual) {
  // 24: each activation four times, twice at -O3 (once per block size).
  int cases = int(kActivations.size()) * 4;
  int64_t nodes = runBlockedCases(
      "FusedConvResidual", cases, 6, [](BlockedBatch &b, int c) {
        Rng &rng = b.rng();
        std::string activation = kActivations[size_t(c) % kActivations.size()];
        int64_t k = rng.pick<int64_t>({1, 3, 5}), p = k / 2;
        bool plain = rng.chance(0.3);
        int64_t C = plain ? rng.intIn(1, 3) : blockedChannels(rng, b.block());
        int64_t M = blockedChannels(rng, b.block());
        Shape x{rng.chance(0.3) ? 2 : 1, C, rng.intIn(1, 5), outputWidth(rng)};
        AttrMap attrs{{"pads", ints({p, p, p, p})},
                      {"strides", ints({1, 1})},
                      {"kernel_shape", ints({k, k})}};
        addActivation(rng, attrs, activation);
        Shape y = x;
        y[1] = M;
        Value *residual = b.operand(y, {-2, 2}, 0.25);
        std::vector<Value *> operands{
            b.input(x), b.constant({M, C, k, k}),
            rng.chance(0.5) ? b.operand({M}, {}, 0.8) : nullptr, residual};
        Node *n = b.add(OpKind::FusedConv, operands, attrs);
        b.expectConv(n, plain ? ConvMode::Plain : ConvMode::Blocked);
        // The operand unless plain, the residual unless constant, the result.
        b.expectReorders(int64_t(!plain) + int64_t(!residual->isConstant()) +
                         1);
      });
  EXPECT_EQ(nodes, cases);
}

// cnnc.Gemm1x1 on a blocked operand: strides 1 and 2 (and 1 to 3 mixed
// sometimes), widths around the 8-column tiles, bias, residual and
// activation sometimes.
TEST(CodeGenDifferentialBlockedTest, Gemm1x1) {
  int64_t nodes = runBlockedCases("Gemm1x1", 16, 4, [](BlockedBatch &b, int c) {
    Rng &rng = b.rng();
    int64_t C = blockedChannels(rng, b.block()),
            M = blockedChannels(rng, b.block());
    std::vector<int64_t> strides{c % 2 ? 2 : 1, c % 2 ? 2 : 1};
    if (c % 5 == 4)
      strides = {rng.intIn(1, 3), rng.intIn(1, 3)};
    int64_t OH = rng.intIn(1, 4), OW = outputWidth(rng);
    Shape x{rng.chance(0.3) ? 2 : 1, C,
            (OH - 1) * strides[0] + 1 + rng.intIn(0, strides[0] - 1),
            (OW - 1) * strides[1] + 1 + rng.intIn(0, strides[1] - 1)};
    Shape y{x[0], M, OH, OW};
    AttrMap attrs{{"strides", ints(strides)}};
    if (rng.chance(0.5))
      addActivation(rng, attrs, rng.pick(kActivations));
    bool residual = rng.chance(0.4);
    std::vector<Value *> operands{b.input(x), b.constant({M, C})};
    operands.push_back(rng.chance(0.5) ? b.operand({M}, {}, 0.8) : nullptr);
    if (residual)
      operands.push_back(b.input(y, {-2, 2}));
    else if (!operands.back())
      operands.pop_back();
    Node *n = b.add(OpKind::Gemm1x1, operands, attrs);
    b.expectConv(n, ConvMode::Blocked);
    b.expectReorders(residual ? 3 : 2);
  });
  EXPECT_EQ(nodes, 16);
}

// ---------------------------------------------------------------- pools

// A blocked convolution (operand blocked or plain) followed by MaxPool
// (pads, ceil_mode, dilations), AveragePool (pads, ceil_mode,
// count_include_pad), GlobalMaxPool or GlobalAveragePool; before max
// pools, the image holds NaN, infinities and signed zeros sometimes, which
// the convolution spreads over the channels of their pixels (a NaN must
// win a max).
TEST(CodeGenDifferentialBlockedTest, Pool) {
  int64_t nodes = runBlockedCases("Pool", 24, 6, [](BlockedBatch &b, int c) {
    Rng &rng = b.rng();
    OpKind kind = std::vector<OpKind>{OpKind::MaxPool,
                                      OpKind::AveragePool,
                                      OpKind::GlobalMaxPool,
                                      OpKind::MaxPool,
                                      OpKind::AveragePool,
                                      OpKind::GlobalAveragePool}[size_t(c % 6)];
    int64_t C =
        rng.chance(0.3) ? rng.intIn(1, 3) : blockedChannels(rng, b.block());
    Shape x{rng.chance(0.3) ? 2 : 1, C, rng.intIn(1, 9), rng.intIn(1, 26)};
    // Special values in the second MaxPool of each batch and half the
    // GlobalMaxPools, through a 1x1 convolution (which keeps them to their
    // pixels).
    Range r;
    r.special = c % 6 == 3 || (c % 6 == 2 && rng.chance(0.5));
    Node *conv = firstConv(b, x, blockedChannels(rng, b.block()),
                           r.special ? 1 : rng.pick<int64_t>({1, 3}), 1, r);
    Node *pool =
        kind == OpKind::GlobalMaxPool || kind == OpKind::GlobalAveragePool
            ? b.add(kind, {conv->outputs[0]}, {})
            : addPool(b, kind, conv->outputs[0], true, c % 6 == 4);
    b.expectBlocked(pool);
    b.expectReorders(1);
  });
  EXPECT_EQ(nodes, 48);
}

// ------------------------------------------------------------ element-wise

// A bound of Clip: a constant or a graph input, a scalar in [lo, hi].
Value *clipBound(BlockedBatch &b, float lo, float hi) {
  return b.rng().chance(0.7) ? b.floatScalar(b.rng().floatIn(lo, hi))
                             : b.input({}, {lo, hi});
}

// The element-wise ops that stay blocked, two per case on a blocked
// convolution's result: a unary op (Clip with scalar bounds, constants or
// graph inputs, both, one or none), then a binary one whose other operand
// is another blocked convolution of the same graph input (one Reorder
// serves both), a graph input or a constant of the same shape (reordered to
// blocked, or re-laid out at compile time), or a tensor that broadcasts,
// so that the op runs plain on a plain copy. The unary op's result is a
// graph output too sometimes.
TEST(CodeGenDifferentialBlockedTest, Elementwise) {
  const std::vector<OpKind> unary{
      OpKind::Relu,    OpKind::LeakyRelu,   OpKind::Clip,
      OpKind::Sigmoid, OpKind::HardSigmoid, OpKind::HardSwish,
      OpKind::Tanh,    OpKind::Abs,         OpKind::Neg};
  const std::vector<OpKind> binary{OpKind::Add, OpKind::Sub, OpKind::Mul,
                                   OpKind::Max, OpKind::Min, OpKind::Sum};
  int64_t nodes =
      runBlockedCases("Elementwise", 20, 5, [&](BlockedBatch &b, int c) {
        Rng &rng = b.rng();
        int64_t C =
            rng.chance(0.3) ? rng.intIn(1, 3) : blockedChannels(rng, b.block());
        int64_t M = blockedChannels(rng, b.block());
        Shape xShape{rng.chance(0.3) ? 2 : 1, C, rng.intIn(1, 5),
                     rng.intIn(1, 20)};
        Node *conv = firstConv(b, xShape, M, rng.pick<int64_t>({1, 3}), 1);
        const Shape &y = conv->outputs[0]->type.shape;

        OpKind kind = unary[size_t(c) % unary.size()];
        std::vector<Value *> operands{conv->outputs[0]};
        AttrMap attrs;
        if (kind == OpKind::Clip) {
          if (rng.chance(0.8))
            operands.push_back(clipBound(b, -1, 0));
          if (rng.chance(0.8)) {
            operands.resize(2, nullptr);
            operands.push_back(clipBound(b, 0, 1));
          }
        } else if (kind == OpKind::LeakyRelu) {
          attrs.insert_or_assign("alpha",
                                 Attribute(double(rng.floatIn(0, 0.5))));
        } else if (kind == OpKind::HardSigmoid) {
          attrs.insert_or_assign("alpha",
                                 Attribute(double(rng.floatIn(0.1f, 0.5f))));
          attrs.insert_or_assign("beta",
                                 Attribute(double(rng.floatIn(0.2f, 0.8f))));
        }
        bool unaryOut = rng.chance(0.3);
        Node *u = b.add(kind, operands, attrs, unaryOut);
        b.expectBlocked(u);

        kind = binary[size_t(c) % binary.size()];
        // The second operand: 0 another blocked convolution of the same graph
        // input (the graph is built plain: the pass gives both one Reorder), 1
        // a graph input or constant of the same shape, 2 one that broadcasts.
        int mode = int(rng.pick<int64_t>({0, 1, 1, 2}));
        Value *other;
        if (mode == 0) {
          Node *second =
              sameConv(b, conv->inputs[0], M, rng.pick<int64_t>({1, 3}));
          b.expectConv(second,
                       C < b.block() ? ConvMode::Plain : ConvMode::Blocked);
          other = second->outputs[0];
        } else if (mode == 1) {
          other = b.operand(y, {-2, 2}, 0.3);
          if (!other->isConstant())
            b.expectReorders(1);
        } else {
          Shape s;
          do
            s = broadcastFrom(rng, y);
          while (s == y);
          other = b.operand(s, {-2, 2}, 0.5);
        }
        operands = {u->outputs[0], other};
        if (rng.chance(0.5))
          std::swap(operands[0], operands[1]);
        if (kind == OpKind::Sum && rng.chance(0.5))
          operands.push_back(rng.chance(0.5) ? other : u->outputs[0]);
        Node *n = b.add(kind, operands, {});
        if (mode == 2) {
          // It reads a plain copy of u (the one u's graph output takes too);
          // its result is plain.
          b.expectPlain(n);
          b.expectReorders(1);
        } else {
          b.expectBlocked(n);
          b.expectReorders(1 + int64_t(unaryOut)); // the results out
        }
      });
  EXPECT_GE(nodes, 20 * 3);
}

// ------------------------------------------------------------- threads

// Layers big enough for the code generator to split their work over the
// thread pool (a convolution's chunks get at least 2^21 multiply-adds, the
// other ops' 16384 output elements): FusedConv with a residual -> MaxPool
// -> depthwise Conv -> Add, on an image of two blocks and 3 channels, 20x40
// pixels, at -O3 with both block sizes. Five output blocks, so three units
// of the convolution (two pairs and a lone block): with two threads or
// more, a chunk starts at a unit other than the first.
TEST(CodeGenDifferentialBlockedTest, Threads) {
  int64_t nodes = runBlockedCases("Threads", 2, 1, [](BlockedBatch &b, int) {
    Rng &rng = b.rng();
    int64_t B = b.block(), C = 2 * B + 3, M = 4 * B + 5;
    Shape x{1, C, 20, 40}, y{1, M, 20, 40};
    AttrMap attrs{{"pads", ints({1, 1, 1, 1})}, {"kernel_shape", ints({3, 3})}};
    addActivation(rng, attrs, rng.pick(kActivations));
    Node *conv = b.add(OpKind::FusedConv,
                       {b.input(x), b.constant({M, C, 3, 3}),
                        b.constant({M}), b.input(y, {-2, 2})},
                       attrs, false);
    b.expectConv(conv, ConvMode::Blocked);
    Node *pool = b.add(
        OpKind::MaxPool, {conv->outputs[0]},
        {{"kernel_shape", ints({3, 3})}, {"pads", ints({1, 1, 1, 1})}}, false);
    b.expectBlocked(pool);
    Node *depthwise = sameConv(b, pool->outputs[0], M, 3, 1, M);
    b.expectConv(depthwise, ConvMode::Depthwise);
    Node *add =
        b.add(OpKind::Add, {depthwise->outputs[0], conv->outputs[0]}, {});
    b.expectBlocked(add);
    b.expectReorders(3); // x, the residual, the result
  });
  EXPECT_EQ(nodes, 2 * 4);
}

// cnnc.ExpandDepthwise on images of 16 output rows or more, whose work
// the code generator splits by output rows into chunks of at least 8 rows
// (LowerWindow.cpp): with two threads or more, chunks start below the first
// row and compute the expanded rows above them again. 3x3 and 5x5, stride
// 1 and 2, 17 to 40 output rows, a pair and a lone expanded block, batch 1
// or 2.
TEST(CodeGenDifferentialBlockedTest, ExpandDepthwiseThreads) {
  int64_t nodes = runBlockedCases(
      "ExpandDepthwiseThreads", 8, 2,
      [](BlockedBatch &b, int c) {
        Rng &rng = b.rng();
        int64_t B = b.block(), k = c % 2 ? 5 : 3, p = k / 2;
        int64_t stride = c % 4 < 2 ? 1 : 2, C = B + 3, E = 3 * B;
        int64_t outRows = rng.intIn(17, 40);
        Shape x{rng.chance(0.7) ? 1 : 2, C, outRows * stride,
                rng.intIn(10, 24)};
        AttrMap expand{{"strides", ints({1, 1})}};
        addActivation(rng, expand, rng.pick(kActivations));
        Node *e = b.add(OpKind::Gemm1x1,
                        {b.input(x), b.constant({E, C}, weightRange(C)),
                         b.constant({E})},
                        expand, false);
        AttrMap dw{{"kernel_shape", ints({k, k})},
                   {"strides", ints({stride, stride})},
                   {"dilations", ints({1, 1})},
                   {"group", Attribute(E)},
                   {"pads", ints({p, p, p, p})}};
        addActivation(rng, dw, rng.pick(kActivations));
        Node *n = b.add(OpKind::FusedConv,
                        {e->outputs[0], b.constant({E, 1, k, k}),
                         b.constant({E})},
                        dw);
        b.expectExpandDepthwise(n);
        b.expectReorders(2);
      },
      "fuse-expand-depthwise");
  EXPECT_EQ(nodes, 16);
}

// ------------------------------------------------------------ large images

// A FusedConv of x to M channels with a k x k kernel, "same" padding and
// `stride`, a random activation and, half the time, a residual; blocked.
void addSquareFusedConv(BlockedBatch &b, const Shape &x, int64_t M, int64_t k,
                        int64_t stride) {
  Rng &rng = b.rng();
  int64_t C = x[1], p = k / 2;
  Shape y{x[0], M, (x[2] + 2 * p - k) / stride + 1,
          (x[3] + 2 * p - k) / stride + 1};
  AttrMap attrs{{"pads", ints({p, p, p, p})},
                {"strides", ints({stride, stride})},
                {"kernel_shape", ints({k, k})}};
  addActivation(rng, attrs, rng.pick(kActivations));
  bool residual = rng.chance(0.5);
  std::vector<Value *> operands{
      b.input(x), b.constant({M, C, k, k}, weightRange(C * k * k)),
      b.constant({M})};
  if (residual)
    operands.push_back(b.input(y, {-2, 2}));
  Node *n = b.add(OpKind::FusedConv, operands, attrs);
  b.expectConv(n, ConvMode::Blocked);
  b.expectReorders(residual ? 3 : 2);
}

// Convolutions whose input is larger than the code generator lets be read
// once per unit of output blocks (half the L2 cache, 512 KiB), so the
// kernel runs bands of columns outermost (blocked.c): a 1x1 convolution of
// 64 channels over 48x48 pixels (one flattened row of 2304 columns, nine
// bands), a 3x3 one over 22x100 (two bands per row, the last narrower than
// a band), and a 1x1 of 256 channels with stride 2 (bands of 32 output
// columns in rows of 33 to 40). Output blocks 3 (pairs and a lone block) or
// 2, batch 2 sometimes (units of two images in one band), an activation
// and a residual sometimes.
TEST(CodeGenDifferentialBlockedTest, LargeImages) {
  int64_t nodes = runBlockedCases("LargeImages", 8, 2, [](BlockedBatch &b,
                                                         int c) {
    Rng &rng = b.rng();
    int64_t B = b.block(), M = rng.chance(0.5) ? 3 * B - 3 : 2 * B;
    int64_t k = c % 4 == 1 ? 3 : 1, stride = c % 4 == 3 ? 2 : 1;
    int64_t C = c % 4 == 3 ? 256 : 64 - (c % 4 == 2 ? 3 : 0);
    Shape x = k == 3         ? Shape{1, C, 22, 100}
              : stride == 2 ? Shape{1, C, 8, rng.intIn(66, 80)}
                            : Shape{1, C, 48, 48};
    if (rng.chance(0.3))
      x[0] = 2;
    addSquareFusedConv(b, x, M, k, stride);
  });
  EXPECT_EQ(nodes, 8);
}

// 3x3 convolutions whose weights per unit exceed what the code generator
// keeps in one group of input channels (LowerWindow.cpp), so that the
// kernel runs several groups, the last one shorter and, with C % B != 0,
// ending in a partial block: on a small image (units outermost) and on one
// whose input exceeds the cache (bands outermost), with the residual and
// activation applied after the last group only.
TEST(CodeGenDifferentialBlockedTest, InputChannelGroups) {
  int64_t nodes = runBlockedCases("InputChannelGroups", 8, 2, [](BlockedBatch &b,
                                                                int c) {
    Rng &rng = b.rng();
    int64_t B = b.block(), M = rng.chance(0.5) ? 3 * B - 3 : 2 * B;
    int64_t C = std::vector<int64_t>{253, 261, 320, 256}[size_t(c % 4)];
    int64_t stride = rng.chance(0.3) ? 2 : 1;
    Shape x = c % 2 ? Shape{1, C, 26, 26}
                    : Shape{1, C, rng.intIn(3, 9), rng.intIn(3, 14)};
    addSquareFusedConv(b, x, M, 3, stride);
  });
  EXPECT_EQ(nodes, 8);
}

// ---------------------------------------------------------------- chains

// Small CNNs: Conv (reading the image plain or reordered, to a block of
// channels or more, or to fewer, padded) -> Relu, Clip
// with scalar bounds or LeakyRelu -> MaxPool (pads, ceil_mode, dilations)
// [-> a per-channel Mul or Add that broadcasts, so runs plain] -> Conv or
// FusedConv -> AveragePool (count_include_pad 0 or 1) -> Add with another
// Conv of it [-> squeeze-and-excitation: GlobalAveragePool, a Conv to at
// most a quarter block of channels (plain), Relu, a Conv back (reading plain),
// Sigmoid, a broadcasting Mul (plain)] -> GlobalAveragePool or
// GlobalMaxPool -> Flatten -> Gemm. The activation's and the MaxPool's
// results are graph outputs sometimes (blocked values read blocked and
// returned plain). Reorders appear at the edges only.
TEST(CodeGenDifferentialBlockedTest, Chain) {
  int64_t nodes = runBlockedCases("Chain", 4, 1, [](BlockedBatch &b, int) {
    Rng &rng = b.rng();
    int64_t B = b.block();
    int64_t C0 = rng.chance(0.5) ? rng.intIn(1, 3) : blockedChannels(rng, B);
    Shape x{rng.chance(0.5) ? 1 : 2, C0, rng.intIn(5, 14), rng.intIn(5, 24)};
    // The first layer sometimes narrower than a block (LeNet's 6 of 16).
    int64_t M1 = rng.chance(0.25) ? rng.intIn(B / 4 + 1, B - 1)
                                  : blockedChannels(rng, B);
    int64_t M2 = blockedChannels(rng, B);
    Node *conv1 =
        firstConv(b, x, M1, rng.pick<int64_t>({1, 3, 5}), rng.intIn(1, 2));
    Value *a = conv1->outputs[0];
    Node *act;
    switch (rng.intIn(0, 2)) {
    case 0:
      act = b.add(OpKind::Relu, {a}, {}, false);
      break;
    case 1:
      act =
          b.add(OpKind::Clip,
                {a, clipBound(b, -1, 0), clipBound(b, 0.2f, 1.5f)}, {}, false);
      break;
    default:
      act = b.add(OpKind::LeakyRelu, {a},
                  {{"alpha", Attribute(double(rng.floatIn(0, 0.5)))}}, false);
      break;
    }
    b.expectBlocked(act);
    if (rng.chance(0.4)) {
      b.markOutput(act);
      b.expectReorders(1);
    }
    Node *maxPool = addPool(b, OpKind::MaxPool, act->outputs[0], false);
    b.expectBlocked(maxPool);
    Value *p = maxPool->outputs[0];
    bool broadcast = rng.chance(0.5), poolOut = rng.chance(0.3);
    if (poolOut) { // with `broadcast`, one plain copy serves both
      b.markOutput(maxPool);
      b.expectReorders(1);
    }
    if (broadcast) {
      Node *scale = b.add(rng.chance(0.5) ? OpKind::Mul : OpKind::Add,
                          {p, b.constant({M1, 1, 1}, {0.5f, 1.5f})}, {}, false);
      b.expectPlain(scale);
      // A plain copy of p for it (unless made for the output), and its
      // result reordered to blocked for the next convolution, which reads
      // fewer channels than a block plain instead.
      b.expectReorders((poolOut ? 0 : 1) + (M1 >= B ? 1 : 0));
      p = scale->outputs[0];
    }
    Node *conv2 = sameConv(b, p, M2, rng.pick<int64_t>({1, 3}), 1, 1,
                           rng.chance(0.5) ? OpKind::FusedConv : OpKind::Conv,
                           rng.pick(kActivations));
    b.expectConv(conv2, broadcast && M1 < B ? ConvMode::Plain
                                            : ConvMode::Blocked);
    Node *avgPool = addPool(b, OpKind::AveragePool, conv2->outputs[0], false);
    b.expectBlocked(avgPool);
    Value *q = avgPool->outputs[0];
    Node *conv3 = sameConv(b, q, M2, rng.pick<int64_t>({1, 3}));
    b.expectConv(conv3, ConvMode::Blocked);
    std::vector<Value *> sum{q, conv3->outputs[0]};
    if (rng.chance(0.5))
      std::swap(sum[0], sum[1]);
    Node *add = b.add(OpKind::Add, sum, {}, false);
    b.expectBlocked(add);
    Value *s = add->outputs[0];
    bool plainMul = false; // the squeeze-and-excitation's Mul broadcasts
    if (rng.chance(0.5)) {
      Node *squeeze = b.add(OpKind::GlobalAveragePool, {s}, {}, false);
      b.expectBlocked(squeeze);
      Node *reduce = sameConv(b, squeeze->outputs[0], rng.intIn(2, B / 4), 1);
      b.expectPlain(reduce);
      Node *relu = b.add(OpKind::Relu, {reduce->outputs[0]}, {}, false);
      b.expectPlain(relu);
      Node *expand = sameConv(b, relu->outputs[0], M2, 1);
      b.expectConv(expand, ConvMode::Plain);
      Node *gate = b.add(OpKind::Sigmoid, {expand->outputs[0]}, {}, false);
      b.expectBlocked(gate);
      Node *mul = b.add(OpKind::Mul, {s, gate->outputs[0]}, {}, false);
      // A plain copy of the squeeze for `reduce`. The Mul broadcasts,
      // so runs plain on plain copies of s and the gate, unless the
      // pools left 1x1 images: then it is blocked like its operands.
      plainMul = s->type.shape != gate->outputs[0]->type.shape;
      if (!plainMul) {
        b.expectBlocked(mul);
        b.expectReorders(1);
      } else {
        b.expectPlain(mul);
        b.expectReorders(3);
      }
      s = mul->outputs[0];
    }
    Node *global = b.add(rng.chance(0.5) ? OpKind::GlobalAveragePool
                                         : OpKind::GlobalMaxPool,
                         {s}, {}, false);
    Node *flatten = b.add(OpKind::Flatten, {global->outputs[0]}, {}, false);
    b.expectPlain(flatten);
    if (plainMul) {
      b.expectPlain(global);
    } else {
      b.expectBlocked(global);
      b.expectReorders(1); // for the Flatten
    }
    int64_t classes = rng.intIn(2, 10);
    Node *gemm = b.add(
        OpKind::Gemm,
        {flatten->outputs[0], b.constant({classes, M2}), b.constant({classes})},
        {{"transB", Attribute(1)}});
    b.expectPlain(gemm);
  });
  EXPECT_GE(nodes, 4 * 10);
}

} // namespace
