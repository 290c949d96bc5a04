#include "ir/Graph.h"
#include "ir/Tensor.h"
#include "ir/Verifier.h"
#include "tools/common/ToolSupport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <variant>
#include <unordered_set>

using namespace cnnc;

namespace {

TensorRef floats(Shape shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return std::make_shared<Tensor>(
      Tensor::fromValues(DType::F32, shape, std::vector<float>(size_t(n), 0.5f)));
}

std::string verifyMessage(const Graph &g) {
  try {
    verifyGraph(g);
  } catch (const UserError &e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(Types, ElementCountRejectsNegativeAndAbsurdShapes) {
  EXPECT_EQ(checkedElementCount({1, 3, 224, 224}), 150528);
  EXPECT_EQ(checkedElementCount({}), 1);
  EXPECT_EQ(checkedElementCount({0, 5}), 0);
  EXPECT_FALSE(checkedElementCount({-1, 3}));
  EXPECT_FALSE(checkedElementCount({0, -3}));
  EXPECT_FALSE(checkedElementCount({1000000, 1000000}));      // 10^12
  EXPECT_FALSE(checkedElementCount({1 << 20, 1 << 20, 1 << 20})); // overflows int64 naively
}

TEST(Types, NamesRoundTrip) {
  for (DType t : {DType::F32, DType::I64, DType::Bool, DType::BF16}) {
    EXPECT_EQ(dtypeFromName(dtypeName(t)), t);
    EXPECT_EQ(dtypeFromOnnx(dtypeToOnnx(t)), t);
  }
  EXPECT_EQ((TensorType{DType::F32, {1, 16, 8, 8}, Layout::NCHW16c}.str()),
            "f32[1,16,8,8]<nchw16c>");
}

TEST(Types, BlockedLayoutsStoreWholePaddedBlocks) {
  EXPECT_EQ(storageShape({2, 20, 3, 5}, Layout::NCHW8c),
            (Shape{2, 3, 3, 5, 8}));
  EXPECT_EQ(storageShape({20, 3, 3, 3}, Layout::OIHW16o),
            (Shape{2, 3, 3, 3, 16}));
  EXPECT_EQ(storageShape({20, 9, 3, 3}, Layout::OIHW8i8o),
            (Shape{3, 2, 3, 3, 8, 8}));
  EXPECT_EQ(storageShape({20, 9}, Layout::OIHW8i8o), (Shape{3, 2, 8, 8}));
  EXPECT_EQ((TensorType{DType::F32, {1, 20, 2, 2}, Layout::NCHW16c}.byteSize()),
            size_t(1 * 32 * 2 * 2 * 4));
  // Channel 11 of image 1 at (h, w) = (2, 4) in [2, 20, 3, 5] NCHW8c:
  // block 1, lane 3.
  EXPECT_EQ(storageOffset({2, 20, 3, 5}, Layout::NCHW8c, {1, 11, 2, 4}),
            (((1 * 3 + 1) * 3 + 2) * 5 + 4) * 8 + 3);
  // Output 10, input 9, tap (1, 2) of [20, 9, 3, 3] OIHW8i8o: output block 1
  // lane 2, input block 1 lane 1.
  EXPECT_EQ(storageOffset({20, 9, 3, 3}, Layout::OIHW8i8o, {10, 9 - 1, 1, 2}),
            (((1 * 2 + 1) * 9 + 1 * 3 + 2) * 8 + 0) * 8 + 2);
}

TEST(Tensor, RelayoutRoundTripsAndZeroesThePadding) {
  for (Layout l : {Layout::NCHW8c, Layout::NCHW16c, Layout::OIHW8o,
                   Layout::OIHW16o, Layout::OIHW8i8o, Layout::OIHW16i16o}) {
    Shape shape{19, 10, 2, 3};
    std::vector<float> values(size_t(elementCount(shape)));
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = float(i) + 1; // no zero among them
    Tensor plain = Tensor::fromValues(DType::F32, shape, values);
    Tensor blocked = relayout(plain, l);
    EXPECT_EQ(blocked.type().layout, l);
    // Each element where storageOffset says; the rest (padding) is zero.
    std::vector<bool> used(size_t(blocked.type().storageElements()));
    for (int64_t i0 = 0; i0 < 19; ++i0)
      for (int64_t i1 = 0; i1 < 10; ++i1)
        for (int64_t h = 0; h < 2; ++h)
          for (int64_t w = 0; w < 3; ++w) {
            int64_t at = storageOffset(shape, l, {i0, i1, h, w});
            used[size_t(at)] = true;
            EXPECT_EQ(blocked.floatAt(at),
                      plain.floatAt(((i0 * 10 + i1) * 2 + h) * 3 + w));
          }
    for (size_t k = 0; k < used.size(); ++k) {
      if (!used[k]) {
        EXPECT_EQ(blocked.floatAt(int64_t(k)), 0.0) << layoutName(l);
      }
    }
    EXPECT_EQ(relayout(blocked, Layout::Plain), plain) << layoutName(l);
  }
}

TEST(OpTable, DefaultsComeFromTheSchema) {
  Graph g;
  Value *x = g.addInput("x", {DType::F32, {1, 4}, Layout::Plain});
  Node *n = g.addNode(OpKind::LeakyRelu, "lrelu", {x}, {"y"});
  EXPECT_DOUBLE_EQ(n->getFloat("alpha"), 0.01);
  n->attrs.insert_or_assign("alpha", Attribute(0.2));
  EXPECT_DOUBLE_EQ(n->getFloat("alpha"), 0.2);
  EXPECT_EQ(opKindFromName("Conv"), OpKind::Conv);
  EXPECT_FALSE(opKindFromName("NoSuchOp"));
}

TEST(Verifier, AcceptsAWellFormedGraph) {
  Graph g;
  Value *x = g.addInput("x", {DType::F32, {1, 3, 8, 8}, Layout::Plain});
  Value *w = g.addConstant("w", floats({4, 3, 3, 3}));
  Node *conv = g.addNode(OpKind::Conv, "conv", {x, w}, {"c"},
                         {{"pads", Attribute(std::vector<int64_t>{1, 1, 1, 1})}});
  conv->outputs[0]->type = {DType::F32, {1, 4, 8, 8}, Layout::Plain};
  Node *relu = g.addNode(OpKind::Relu, "relu", {conv->outputs[0]}, {"y"});
  relu->outputs[0]->type = conv->outputs[0]->type;
  g.outputs.push_back(relu->outputs[0]);
  EXPECT_EQ(verifyMessage(g), "");
}

TEST(Verifier, ReportsWrongTypesUnknownAttributesAndBadOrder) {
  Graph g;
  Value *x = g.addInput("x", {DType::F32, {1, 4}, Layout::Plain});
  // Uses %b before the node that defines it: out of order (a cycle in ONNX).
  Node *a = g.addNode(OpKind::Relu, "a", {x}, {"a"});
  a->outputs[0]->type = {DType::F32, {1, 5}, Layout::Plain}; // wrong shape
  a->attrs.insert_or_assign("bogus", Attribute(int64_t(1)));
  Node *b = g.addNode(OpKind::Add, "b", {a->outputs[0], x}, {"b"});
  b->outputs[0]->type = {DType::F32, {1, 4}, Layout::Plain};
  a->inputs[0] = b->outputs[0];
  g.outputs.push_back(b->outputs[0]);
  std::string msg = verifyMessage(g);
  EXPECT_NE(msg.find("node 'a' (Relu): unknown attribute 'bogus'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("used before it is defined"), std::string::npos) << msg;
}

TEST(Graph, ReplaceNodeWithConstants) {
  Graph g;
  Value *x = g.addInput("x", {DType::F32, {2, 3}, Layout::Plain});
  Node *shape = g.addNode(OpKind::Shape, "shape", {x}, {"s"});
  shape->outputs[0]->type = {DType::I64, {2}, Layout::Plain};
  Value *s = shape->outputs[0];
  g.outputs.push_back(s);
  g.replaceNodeWithConstants(
      shape, {std::make_shared<Tensor>(
                 Tensor::fromValues(DType::I64, {2}, std::vector<int64_t>{2, 3}))});
  EXPECT_TRUE(g.nodes.empty());
  ASSERT_TRUE(s->isConstant());
  EXPECT_EQ(s->constant->toInts(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(verifyMessage(g), "");
}

TEST(Graph, UniqueNamesSkipTakenSuffixes) {
  Graph g;
  TensorType t{DType::F32, {1}, Layout::Plain};
  EXPECT_EQ(g.addInput("a", t)->name, "a");
  EXPECT_EQ(g.addInput("a_2", t)->name, "a_2");
  EXPECT_EQ(g.addInput("a", t)->name, "a_1");
  EXPECT_EQ(g.addInput("a", t)->name, "a_3"); // a_2 was taken explicitly
  EXPECT_EQ(g.addInput("a_1", t)->name, "a_1_1");
  EXPECT_EQ(g.addInput("", t)->name, "v");
  EXPECT_EQ(g.addInput("", t)->name, "v_1");
  // uniqueName only proposes: asking twice gives the same free name.
  EXPECT_EQ(g.uniqueName("a"), "a_4");
  EXPECT_EQ(g.uniqueName("a"), "a_4");
  EXPECT_EQ(g.addInput("a", t)->name, "a_4");
}

// Naming used to rescan base_1, base_2, ... on every call: quadratic, minutes
// for models with tens of thousands of unnamed outputs.
TEST(Graph, ManyValuesWithOneBaseNameAreFastAndUnique) {
  constexpr size_t kCount = 100000;
  Graph g;
  auto start = std::chrono::steady_clock::now();
  std::unordered_set<std::string> names;
  for (size_t i = 0; i < kCount; ++i)
    names.insert(
        g.newValue("out", TensorType{DType::F32, {1}, Layout::Plain})->name);
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  EXPECT_EQ(names.size(), kCount);
  EXPECT_TRUE(names.count("out"));
  EXPECT_TRUE(names.count("out_1"));
  EXPECT_TRUE(names.count("out_" + std::to_string(kCount - 1)));
  // Linear time takes well under a second even in sanitizer builds; the
  // quadratic scan took minutes.
  EXPECT_LT(seconds, 10.0);
}

// runTool's exit codes: user errors 1, anything else (InternalError, and
// standard exceptions such as bad_variant_access, which only a compiler bug
// can raise) 2, reported as an internal compiler error.
TEST(ToolSupport, RunToolMapsExceptionsToExitCodes) {
  auto run = [](const std::function<int()> &body, std::string *err) {
    testing::internal::CaptureStderr();
    int rc = runTool("tool", "model.onnx", body);
    *err = testing::internal::GetCapturedStderr();
    return rc;
  };
  std::string err;
  EXPECT_EQ(run([] { return 0; }, &err), 0);
  EXPECT_EQ(err, "");
  EXPECT_EQ(run([]() -> int { userError("bad model"); }, &err), 1);
  EXPECT_EQ(err, "model.onnx: error: bad model\n");
  EXPECT_EQ(run([]() -> int { throw InternalError("oops"); }, &err), 2);
  EXPECT_EQ(err, "tool: internal compiler error: oops\n");
  EXPECT_EQ(run(
                []() -> int {
                  std::variant<int, double> v = 1.0;
                  return std::get<int>(v);
                },
                &err),
            2);
  EXPECT_EQ(err.rfind("tool: internal compiler error: ", 0), 0u) << err;
  EXPECT_EQ(run([]() -> int { throw std::out_of_range("vector"); }, &err), 2);
  EXPECT_EQ(err, "tool: internal compiler error: vector\n");
}

TEST(ToolSupport, ReadInputFileAndWriteOutput) {
  std::string path = testing::TempDir() + "cnnc-toolsupport-test.txt";
  writeOutput(path, "graph text\n");
  EXPECT_EQ(readInputFile(path), "graph text\n");
  writeOutput(path, "");
  EXPECT_EQ(readInputFile(path), "");
  std::remove(path.c_str());
  try {
    readInputFile(path);
    ADD_FAILURE() << "no error for a missing file";
  } catch (const UserError &e) {
    EXPECT_STREQ(e.what(), "cannot open file");
  }
  std::string badPath = testing::TempDir() + "no-such-dir/out.txt";
  try {
    writeOutput(badPath, "x");
    ADD_FAILURE() << "no error for an unwritable path";
  } catch (const UserError &e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot write output file '" + badPath + "'");
  }
}
