// Code compiled with per-node timers (CodeGenOptions::profile): it must
// compute exactly what the code without them computes, and its table
// (cnnc_profile of cnnc_rt.h) must list every node and count every run.
// No test here looks at how long anything took. And code compiled for an
// observer (CodeGenOptions::observe): the same results, and every node's
// result handed over in execution order, described and laid out as
// cnnc_tensor_info says, equal to the reference interpreter's.
#include "compiler/codegen/Jit.h"
#include "ir/Parser.h"
#include "ir/interp/Interpreter.h"
#include "passes/Pass.h"
#include "tools/common/ToolSupport.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

using namespace cnnc;

namespace {

// `%name = const f32[shape] [...]` with seeded values in [-1, 1).
std::string constant(const std::string &name, const Shape &shape,
                     std::mt19937_64 &rng) {
  std::uniform_real_distribution<float> value(-1, 1);
  std::ostringstream s;
  s << "  %" << name << " = const f32[" << shapeToString(shape) << "] [";
  for (int64_t i = 0; i < elementCount(shape); ++i)
    s << (i ? ", " : "") << value(rng);
  s << "]\n";
  return s.str();
}

// A small CNN after the -O3 pipeline: fused and blocked convolutions (one
// large enough to run on the thread pool), a blocked pool, a reorder and a
// fully connected layer, so the timers surround every kind of lowering.
std::unique_ptr<Graph> smallCnn() {
  std::mt19937_64 rng(1);
  std::string text =
      "graph @small(%x: f32[1,3,64,64]) -> (%y: f32[1,10]) {\n" +
      constant("w1", {16, 3, 3, 3}, rng) + constant("b1", {16}, rng) +
      constant("w2", {8, 16, 3, 3}, rng) +
      constant("fc", {10, 8 * 15 * 15}, rng) +
      "  %c1 = Conv(%x, %w1, %b1) {kernel_shape=[3,3], pads=[1,1,1,1]} : "
      "f32[1,16,64,64] loc(\"conv1\")\n"
      "  %r1 = Relu(%c1) : f32[1,16,64,64] loc(\"relu1\")\n"
      "  %p1 = MaxPool(%r1) {kernel_shape=[2,2], strides=[2,2]} : "
      "f32[1,16,32,32] loc(\"pool1\")\n"
      "  %c2 = Conv(%p1, %w2) {kernel_shape=[3,3], strides=[2,2]} : "
      "f32[1,8,15,15] loc(\"conv2\")\n"
      "  %f = Flatten(%c2) : f32[1,1800] loc(\"flatten\")\n"
      "  %y = Gemm(%f, %fc) {transB=1} : f32[1,10] loc(\"fc\")\n"
      "  return %y\n}\n";
  std::unique_ptr<Graph> g = parseGraph(text);
  PassManagerOptions options;
  options.target.channelBlock = 8;
  std::ostringstream log;
  runPasses(*g, defaultPipeline(3), options, log);
  return g;
}

std::vector<Tensor> randomInputs(const Graph &g) {
  std::mt19937_64 rng(7);
  std::vector<Tensor> inputs;
  for (const Value *v : g.inputs)
    inputs.push_back(randomTensor(v->type, rng));
  return inputs;
}

TEST(ProfileTest, ProfiledCodeComputesWhatPlainCodeComputes) {
  std::unique_ptr<Graph> g = smallCnn();
  std::vector<Tensor> inputs = randomInputs(*g);
  JitModel plain(*g), profiled(*g, 3, Instrumentation::Profile);
  EXPECT_EQ(plain.profile(), nullptr);
  ASSERT_NE(profiled.profile(), nullptr);
  for (int threads : {1, 2}) {
    ASSERT_EQ(cnnc_set_num_threads(threads), CNNC_OK);
    std::vector<Tensor> expected = plain.run(inputs);
    std::vector<Tensor> actual = profiled.run(inputs);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
      ASSERT_EQ(actual[i].type(), expected[i].type());
      // The same kernels, only with calls between them: bit for bit equal.
      EXPECT_EQ(std::memcmp(actual[i].bytes().data(),
                            expected[i].bytes().data(),
                            actual[i].bytes().size()),
                0)
          << "output " << i << " with " << threads << " threads";
    }
  }
}

TEST(ProfileTest, TableListsEveryNodeAndCountsEveryRun) {
  std::unique_ptr<Graph> g = smallCnn();
  std::vector<Tensor> inputs = randomInputs(*g);
  JitModel model(*g, 3, Instrumentation::Profile);
  const cnnc_profile *p = model.profile();
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->num_nodes, int64_t(g->nodes.size()));
  bool sawFusedConv = false;
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    EXPECT_EQ(p->node_names[i], g->nodes[i]->name);
    EXPECT_EQ(p->op_names[i], g->nodes[i]->opName());
    sawFusedConv |= g->nodes[i]->kind == OpKind::FusedConv;
    EXPECT_EQ(p->calls[i], 0u);
    EXPECT_EQ(p->nanoseconds[i], 0u);
  }
  EXPECT_TRUE(sawFusedConv) << "the pipeline no longer fuses conv1 + relu1";

  for (int run = 0; run < 3; ++run)
    model.run(inputs);
  for (size_t i = 0; i < g->nodes.size(); ++i)
    EXPECT_EQ(p->calls[i], 3u) << g->nodes[i]->name;
  // Some time was recorded (how much is not this test's business).
  EXPECT_GT(std::accumulate(p->nanoseconds, p->nanoseconds + p->num_nodes,
                            uint64_t(0)),
            0u);

  cnnc_profile_reset(p);
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    EXPECT_EQ(p->calls[i], 0u);
    EXPECT_EQ(p->nanoseconds[i], 0u);
  }
  model.run(inputs);
  for (size_t i = 0; i < g->nodes.size(); ++i)
    EXPECT_EQ(p->calls[i], 1u) << g->nodes[i]->name;
}

TEST(ObserveTest, CopyRowMajorUndoesBlockingAndSkipsPadding) {
  // [2, 6, 2, 3] in blocks of 8: stored [2, 1, 2, 3, 8], lanes 6 and 7 of
  // each pixel padding (NaN here, which must not reach the copy).
  const int64_t shape[4] = {2, 6, 2, 3};
  cnnc_tensor_info info{};
  info.dtype = "f32";
  info.element_size = 4;
  info.rank = 4;
  info.shape = shape;
  info.block = 8;
  std::vector<float> stored(2 * 1 * 2 * 3 * 8, NAN);
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 6; ++c)
      for (int r = 0; r < 6; ++r)
        stored[size_t((n * 6 + r) * 8 + c)] = float(n * 1000 + c * 100 + r);
  std::vector<float> plain(2 * 6 * 6, -1.0f);
  cnnc_copy_row_major(&info, stored.data(), plain.data());
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 6; ++c)
      for (int r = 0; r < 6; ++r)
        ASSERT_EQ(plain[size_t((n * 6 + c) * 6 + r)],
                  float(n * 1000 + c * 100 + r))
            << n << " " << c << " " << r;
  // Row-major stays as it is.
  info.block = 0;
  std::vector<float> same(plain.size());
  cnnc_copy_row_major(&info, plain.data(), same.data());
  EXPECT_EQ(same, plain);
}

TEST(ObserveTest, ObservedCodeComputesWhatPlainCodeComputes) {
  std::unique_ptr<Graph> g = smallCnn();
  std::vector<Tensor> inputs = randomInputs(*g);
  JitModel plain(*g), observed(*g, 3, Instrumentation::Observe);
  std::vector<Tensor> expected = plain.run(inputs);
  // Without an observer set, and with one.
  int calls = 0;
  for (bool observing : {false, true}) {
    std::vector<Tensor> actual =
        observing ? observed.run(inputs, [&](const cnnc_tensor_info &,
                                             const void *) { ++calls; })
                  : observed.run(inputs);
    ASSERT_EQ(actual.size(), expected.size());
    EXPECT_EQ(std::memcmp(actual[0].bytes().data(), expected[0].bytes().data(),
                          actual[0].bytes().size()),
              0);
  }
  EXPECT_EQ(calls, int(g->nodes.size()));
  EXPECT_THROW(plain.run(inputs, [](const cnnc_tensor_info &, const void *) {}),
               InternalError);
}

TEST(ObserveTest, EveryNodeResultIsHandedOverInOrderAsTheInterpreterHasIt) {
  std::unique_ptr<Graph> g = smallCnn();
  std::vector<Tensor> inputs = randomInputs(*g);
  // The interpreter's result of every node, row-major.
  std::map<const Value *, Tensor> reference;
  interpretGraph(
      *g, inputs, [&](const Node &n, const std::vector<Tensor> &results) {
        for (size_t i = 0; i < results.size(); ++i)
          reference.emplace(n.outputs[i], relayout(results[i], Layout::Plain));
      });
  JitModel model(*g, 3, Instrumentation::Observe);
  int64_t previous = -1;
  size_t seen = 0;
  bool sawBlocked = false;
  model.run(inputs, [&](const cnnc_tensor_info &info, const void *data) {
    ASSERT_GE(info.node, previous) << "out of execution order";
    ASSERT_LT(info.node, int64_t(g->nodes.size()));
    previous = info.node;
    const Node &n = *g->nodes[size_t(info.node)];
    ASSERT_EQ(n.outputs.size(), 1u);
    const Value *v = n.outputs[0];
    EXPECT_EQ(info.result, 0);
    EXPECT_EQ(info.node_name, n.name);
    EXPECT_EQ(info.op_name, n.opName());
    EXPECT_EQ(info.name, v->name);
    EXPECT_EQ(info.dtype, std::string("f32"));
    EXPECT_EQ(info.element_size, 4);
    EXPECT_EQ(Shape(info.shape, info.shape + info.rank), v->type.shape);
    EXPECT_EQ(info.block, layoutBlock(v->type.layout));
    EXPECT_EQ(info.bytes, int64_t(v->type.byteSize()));
    sawBlocked |= info.block != 0;
    Tensor actual = observedTensor(info, data);
    const Tensor &want = reference.at(v);
    ASSERT_EQ(actual.type(), want.type());
    for (int64_t i = 0; i < actual.type().numElements(); ++i)
      ASSERT_NEAR(actual.floatAt(i), want.floatAt(i),
                  1e-4 * (1 + std::fabs(want.floatAt(i))))
          << n.name << " element " << i;
    ++seen;
  });
  EXPECT_EQ(seen, g->nodes.size());
  EXPECT_TRUE(sawBlocked) << "no blocked result: the test lost its point";
}

} // namespace
