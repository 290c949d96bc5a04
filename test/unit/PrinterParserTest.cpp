// Round trip and error tests for the textual IR (Printer.h, Parser.h).
#include "ir/Parser.h"
#include "ir/Printer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

using namespace cnnc;

namespace {

TensorType ty(DType dt, Shape shape, Layout layout = Layout::Plain) {
  return TensorType{dt, std::move(shape), layout};
}

TensorRef tensorRef(Tensor t) { return std::make_shared<Tensor>(std::move(t)); }

// A graph touching every printer feature. With `elided`, it also holds a
// constant without data (such a graph cannot carry a blobs section, see
// Printer.cpp).
std::unique_ptr<Graph> buildGraph(bool elided) {
  auto g = std::make_unique<Graph>();
  g->name = "test net/1";
  Value *x = g->addInput("x", ty(DType::F32, {1, 3, 8, 8}));
  Value *q = g->addInput("in/put \"1\"", ty(DType::I64, {2}));

  // 18 elements: just over kInlineElements, so it prints as a blob.
  std::vector<float> wv(2 * 3 * 1 * 3);
  std::iota(wv.begin(), wv.end(), -5.0f);
  Value *w = g->addConstant(
      "w", tensorRef(Tensor::fromValues(DType::F32, {2, 3, 1, 3}, wv)));
  Value *b = g->addConstant("conv.b",
                            tensorRef(Tensor::fromValues<float>(
                                DType::F32, {4}, {0.5f, -1.0f, 0.1f, 3.0f})));
  Value *mx = g->addConstant(
      "max", tensorRef(Tensor::fromValues<float>(DType::F32, {}, {6.0f})));
  Value *shape =
      g->addConstant("shape", tensorRef(Tensor::fromValues<int64_t>(
                                  DType::I64, {2},
                                  {std::numeric_limits<int64_t>::min(),
                                   std::numeric_limits<int64_t>::max()})));
  g->addConstant("empty",
                 tensorRef(Tensor::fromValues<float>(DType::F32, {0, 3}, {})));
  g->addConstant("half", tensorRef(Tensor::fromValues<uint16_t>(
                             DType::F16, {2}, {0x3c00, 0xc000})));
  g->addConstant("flags", tensorRef(Tensor::fromValues<uint8_t>(
                              DType::Bool, {3}, {1, 0, 1})));
  g->addConstant("u",
                 tensorRef(Tensor::fromValues<uint64_t>(
                     DType::U64, {1}, {std::numeric_limits<uint64_t>::max()})));
  Value *blocked =
      g->addConstant("blocked", tensorRef(Tensor::fromValues<double>(
                                    DType::F64, {1, 2}, {1e-300, -2.5})));
  if (elided)
    g->addConstant("gone", tensorRef(Tensor::elided(ty(DType::F32, {64, 64}))));

  Node *conv =
      g->addNode(OpKind::Conv, "layer1/conv", {x, w, b}, {"c"},
                 {{"auto_pad", Attribute("NOTSET")},
                  {"kernel_shape", Attribute(std::vector<int64_t>{3, 3})},
                  {"pads", Attribute(std::vector<int64_t>{1, 1, 1, 1})},
                  {"group", Attribute(1)},
                  {"dilations", Attribute(std::vector<int64_t>{})}});
  conv->outputs[0]->type = ty(DType::F32, {1, 4, 8, 8});

  Node *clip = g->addNode(OpKind::Clip, "", {conv->outputs[0], nullptr, mx},
                          {"clipped"});
  clip->outputs[0]->type = ty(DType::F32, {1, 4, 8, 8});

  Node *split = g->addNode(
      OpKind::Split, "split \"a\"\n", {clip->outputs[0]}, {"s0", "s/1"},
      {{"axis", Attribute(1)}, {"num_outputs", Attribute(2)}});
  split->outputs[0]->type = ty(DType::F32, {1, 2, 8, 8});
  split->outputs[1]->type = ty(DType::F32, {1, 2, 8, 8});

  Node *lrelu = g->addNode(OpKind::LeakyRelu, "lrelu", {split->outputs[0]},
                           {"r"}, {{"alpha", Attribute(0.1)}});
  lrelu->outputs[0]->type = ty(DType::F32, {1, 16, 8, 8}, Layout::NCHW16c);

  // Attributes outside the op's schema, to cover the remaining kinds.
  Node *id = g->addNode(
      OpKind::Identity, "id", {split->outputs[1]}, {"i"},
      {{"floats", Attribute(std::vector<double>{1.5, -2.0, 1e-05})},
       {"strings", Attribute(std::vector<std::string>{"a", "b\"\\c", ""})},
       {"f", Attribute(3.0)},
       {"big", Attribute(std::numeric_limits<int64_t>::min())},
       {"odd name", Attribute("x")},
       {"half", Attribute(tensorRef(Tensor::fromValues<uint16_t>(
                    DType::F16, {1}, {0x3c00})))}});
  id->outputs[0]->type = ty(DType::F32, {1, 2, 8, 8});

  Node *cos =
      g->addNode(OpKind::ConstantOfShape, "cos", {shape}, {"filled"},
                 {{"value", Attribute(tensorRef(Tensor::fromValues<float>(
                                DType::F32, {1}, {0.0f})))}});
  cos->outputs[0]->type = ty(DType::F32, {2, 3});

  Node *shp =
      g->addNode(OpKind::Shape, "", {q}, {"sh"}, {{"start", Attribute(0)}});
  shp->outputs[0]->type = ty(DType::I64, {1});

  g->outputs = {lrelu->outputs[0], id->outputs[0], cos->outputs[0], x,
                blocked,           shp->outputs[0]};

  // A recorded memory plan (the parser takes it as written; whether it is
  // sound is verifyPlan's business).
  g->workspaceSize = 8192;
  conv->outputs[0]->workspaceOffset = 0;
  clip->outputs[0]->workspaceOffset = 0;
  split->outputs[0]->workspaceOffset = 4096;
  split->outputs[1]->workspaceOffset = 6144;
  split->outputs[1]->viewOf = clip->outputs[0];
  return g;
}

std::string roundTrip(const std::string &text, PrintOptions opts = {}) {
  return printGraph(*parseGraph(text), opts);
}

// Parses `text`, expecting a UserError; returns "LINE:COL: message".
std::string parseError(const std::string &text) {
  try {
    parseGraph(text);
  } catch (const UserError &e) {
    const Diagnostic &d = e.diagnostics().at(0);
    return d.location + ": " + d.message;
  }
  return "no error";
}

void expectSameGraph(const Graph &a, const Graph &b) {
  EXPECT_EQ(a.name, b.name);
  ASSERT_EQ(a.inputs.size(), b.inputs.size());
  ASSERT_EQ(a.constants().size(), b.constants().size());
  for (size_t i = 0; i < a.constants().size(); ++i) {
    EXPECT_EQ(a.constants()[i]->name, b.constants()[i]->name);
    EXPECT_TRUE(*a.constants()[i]->constant == *b.constants()[i]->constant)
        << a.constants()[i]->name;
  }
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const Node &na = *a.nodes[i], &nb = *b.nodes[i];
    EXPECT_EQ(na.kind, nb.kind);
    EXPECT_EQ(na.name, nb.name);
    EXPECT_TRUE(na.attrs == nb.attrs) << na.name;
    ASSERT_EQ(na.inputs.size(), nb.inputs.size());
    for (size_t j = 0; j < na.inputs.size(); ++j)
      EXPECT_EQ(na.inputs[j] ? na.inputs[j]->name : "_",
                nb.inputs[j] ? nb.inputs[j]->name : "_");
    ASSERT_EQ(na.outputs.size(), nb.outputs.size());
    for (size_t j = 0; j < na.outputs.size(); ++j) {
      const Value &va = *na.outputs[j], &vb = *nb.outputs[j];
      EXPECT_EQ(va.name, vb.name);
      EXPECT_EQ(va.type, vb.type);
      EXPECT_EQ(va.workspaceOffset, vb.workspaceOffset) << va.name;
      EXPECT_EQ(va.viewOf ? va.viewOf->name : "-",
                vb.viewOf ? vb.viewOf->name : "-")
          << va.name;
    }
  }
  EXPECT_EQ(a.workspaceSize, b.workspaceSize);
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (size_t i = 0; i < a.outputs.size(); ++i)
    EXPECT_EQ(a.outputs[i]->name, b.outputs[i]->name);
}

const char *kSmall =
    R"(graph @small(%x: f32[1,3,32,32]) -> (%y: f32[1,10,32,32]) {
  %w = const f32[10,3,5,5] blob(0)
  %b = const f32[2] [1.0, -0.5]
  %c = Conv(%x, %w, %b) {kernel_shape=[5, 5], pads=[2, 2, 2, 2]} : f32[1,10,32,32] loc("conv1")
  %y = Relu(%c) : f32[1,10,32,32] loc("relu1")
  return %y
}
)";

} // namespace

TEST(Printer, ExactFormat) {
  auto g = std::make_unique<Graph>();
  g->name = "g";
  Value *x = g->addInput("x", ty(DType::F32, {1, 2}));
  Value *s = g->addConstant(
      "s", tensorRef(Tensor::fromValues<int64_t>(DType::I64, {2}, {1, -1})));
  g->addConstant("big", tensorRef(Tensor::fromValues<float>(
                            DType::F32, {17}, std::vector<float>(17, 1.0f))));
  Node *r = g->addNode(OpKind::Reshape, "reshape", {x, s}, {"a/b"});
  r->outputs[0]->type = ty(DType::F32, {2, 1});
  Node *e = g->addNode(OpKind::Elu, "", {r->outputs[0]}, {"e"},
                       {{"alpha", Attribute(2.0)}});
  e->outputs[0]->type = ty(DType::F32, {2, 1});
  g->outputs = {e->outputs[0], s};

  std::string text = printGraph(*g);
  EXPECT_EQ(text, "graph @g(%x: f32[1,2]) -> (%e: f32[2,1], %s: i64[2]) {\n"
                  "  %s = const i64[2] [1, -1]\n"
                  "  %big = const f32[17] blob(0)\n"
                  "  %\"a/b\" = Reshape(%x, %s) : f32[2,1] loc(\"reshape\")\n"
                  "  %e = Elu(%\"a/b\") {alpha=2.0} : f32[2,1]\n"
                  "  return %e, %s\n"
                  "}\n");
  std::string withBlobs = printGraph(*g, PrintOptions{true});
  EXPECT_EQ(
      withBlobs, text + "blobs {\n  0: 0x" + [] {
        std::string h;
        for (int i = 0; i < 17; ++i)
          h += "0000803f";
        return h;
      }() + "\n}\n");
}

TEST(Printer, Pieces) {
  EXPECT_EQ(printValueName("conv1.w_0"), "%conv1.w_0");
  EXPECT_EQ(printValueName("a/b"), "%\"a/b\"");
  EXPECT_EQ(printValueName("q\"\\"), "%\"q\\\"\\\\\"");
  EXPECT_EQ(printValueName(""), "%\"\"");
  EXPECT_EQ(printAttribute(Attribute(3)), "3");
  EXPECT_EQ(printAttribute(Attribute(1.0)), "1.0");
  EXPECT_EQ(printAttribute(Attribute(-0.0)), "-0.0");
  EXPECT_EQ(printAttribute(Attribute(1e-05)), "1e-05");
  EXPECT_EQ(printAttribute(Attribute(1e20)), "1e+20");
  EXPECT_EQ(printAttribute(Attribute(double(INFINITY))), "inf");
  EXPECT_EQ(printAttribute(Attribute(-double(INFINITY))), "-inf");
  EXPECT_EQ(printAttribute(Attribute(double(NAN))), "nan");
  EXPECT_EQ(printAttribute(Attribute("a\"b\\c\nd")), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(printAttribute(Attribute(std::vector<int64_t>{1, 2})), "[1, 2]");
  EXPECT_EQ(printAttribute(Attribute(std::vector<int64_t>{})), "[]");
  EXPECT_EQ(printAttribute(Attribute(std::vector<double>{1, 0.5})),
            "[1.0, 0.5]");
  EXPECT_EQ(printAttribute(Attribute(std::vector<std::string>{"a", "b"})),
            "[\"a\", \"b\"]");
  EXPECT_EQ(printAttribute(Attribute(
                tensorRef(Tensor::fromValues<float>(DType::F32, {1}, {0.0f})))),
            "f32[1] [0.0]");
}

// The memory plan plan-memory records (Printer.h): a "workspace" line,
// "@ws[N]" after a result's type and "view(%v)" after a view's.
const char *kPlanned =
    R"(graph @planned(%x: f32[1,8]) -> (%y: f32[8,1], %q: f32[1,4]) {
  workspace 128 bytes
  %s = const i64[2] [8, 1]
  %a = Relu(%x) : f32[1,8] @ws[0] loc("a")
  %b = Reshape(%a, %s) : f32[8,1] @ws[0] view(%a)
  %p, %q = Split(%x) {axis=1, num_outputs=2} : f32[1,4] @ws[64], f32[1,4]
  %y = Sigmoid(%b) : f32[8,1]
  return %y, %q
}
)";

TEST(RoundTrip, MemoryPlan) {
  EXPECT_EQ(roundTrip(kPlanned), kPlanned);
  auto g = parseGraph(kPlanned);
  EXPECT_EQ(g->workspaceSize, 128);
  const Value *a = g->nodes[0]->outputs[0], *b = g->nodes[1]->outputs[0];
  EXPECT_EQ(a->workspaceOffset, 0);
  EXPECT_EQ(a->viewOf, nullptr);
  EXPECT_EQ(b->workspaceOffset, 0);
  EXPECT_EQ(b->viewOf, a);
  EXPECT_EQ(g->nodes[2]->outputs[0]->workspaceOffset, 64);
  EXPECT_FALSE(g->nodes[2]->outputs[1]->workspaceOffset);
  EXPECT_FALSE(g->nodes[3]->outputs[0]->workspaceOffset);

  // Without a plan, none of it prints.
  g->clearMemoryPlan();
  std::string plain = printGraph(*g);
  EXPECT_EQ(plain.find("workspace"), std::string::npos);
  EXPECT_EQ(plain.find("@ws"), std::string::npos);
  EXPECT_EQ(plain.find("view("), std::string::npos);
}

TEST(RoundTrip, SmallExample) {
  EXPECT_EQ(roundTrip(kSmall), kSmall);
  auto g = parseGraph(kSmall);
  EXPECT_FALSE(g->constants()[0]->constant->hasData());
  EXPECT_TRUE(g->constants()[1]->constant->hasData());
  EXPECT_EQ(g->nodes[0]->name, "conv1");
  EXPECT_EQ(g->nodes[0]->outputs[0]->producer, g->nodes[0].get());
  EXPECT_EQ(g->nodes[1]->inputs[0], g->nodes[0]->outputs[0]);
}

TEST(RoundTrip, HandBuiltGraphWithoutBlobs) {
  auto g = buildGraph(/*elided=*/true);
  std::string text = printGraph(*g);
  auto parsed = parseGraph(text);
  EXPECT_EQ(printGraph(*parsed), text);
  // Blob constants come back elided; inline ones are identical.
  ASSERT_EQ(parsed->constants().size(), g->constants().size());
  for (size_t i = 0; i < g->constants().size(); ++i) {
    const Value *orig = g->constants()[i], *back = parsed->constants()[i];
    EXPECT_EQ(orig->name, back->name);
    bool isBlob = text.find(printValueName(orig->name) + " = const " +
                            orig->type.str() + " blob(") != std::string::npos;
    if (isBlob) {
      EXPECT_FALSE(back->constant->hasData()) << orig->name;
      EXPECT_EQ(back->constant->type(), orig->constant->type());
    } else {
      EXPECT_TRUE(*back->constant == *orig->constant) << orig->name;
    }
  }
  EXPECT_NE(text.find("%gone = const f32[64,64] blob(2)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("loc(\"split \\\"a\\\"\\n\")"), std::string::npos);
  EXPECT_NE(text.find("%clipped = Clip(%c, _, %max) : f32[1,4,8,8] @ws[0]\n"),
            std::string::npos);
  EXPECT_NE(text.find(") {\n  workspace 8192 bytes\n"), std::string::npos);
  EXPECT_NE(text.find(": f32[1,2,8,8] @ws[4096], f32[1,2,8,8] @ws[6144] "
                      "view(%clipped) loc("),
            std::string::npos);
  EXPECT_NE(text.find(": f32[1,16,8,8]<nchw16c> loc(\"lrelu\")"),
            std::string::npos);
  EXPECT_NE(text.find("%empty = const f32[0,3] []"), std::string::npos);
  EXPECT_NE(text.find("%flags = const bool[3] [1, 0, 1]"), std::string::npos);
  EXPECT_NE(text.find("[-9223372036854775808, 9223372036854775807]"),
            std::string::npos);
  EXPECT_NE(text.find("[18446744073709551615]"), std::string::npos);
  EXPECT_NE(text.find("{big=-9223372036854775808, f=3.0, floats=[1.5, -2.0, "
                      "1e-05], half=f16[1] 0x003c, \"odd name\"=\"x\", "
                      "strings=[\"a\", \"b\\\"\\\\c\", \"\"]}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("{value=f32[1] [0.0]}"), std::string::npos);
  EXPECT_NE(text.find("graph @\"test net/1\"(%x: f32[1,3,8,8], "
                      "%\"in/put \\\"1\\\"\": i64[2]) -> ("),
            std::string::npos);
}

TEST(RoundTrip, HandBuiltGraphWithBlobs) {
  auto g = buildGraph(/*elided=*/false);
  PrintOptions withBlobs{true};
  std::string text = printGraph(*g, withBlobs);
  EXPECT_NE(text.find("\n}\nblobs {\n  0: 0x"), std::string::npos);
  auto parsed = parseGraph(text);
  EXPECT_EQ(printGraph(*parsed, withBlobs), text);
  expectSameGraph(*g, *parsed);
  // The same text without the section parses to elided blobs.
  std::string plain = printGraph(*g);
  EXPECT_EQ(text.substr(0, plain.size()), plain);
  EXPECT_EQ(roundTrip(plain), plain);
  EXPECT_EQ(roundTrip(plain, withBlobs), plain);
}

TEST(RoundTrip, AllBlobsElidedPrintsNoSection) {
  std::string text = roundTrip(kSmall, PrintOptions{true});
  EXPECT_EQ(text, kSmall);
}

TEST(RoundTrip, ElidedTensorAttribute) {
  std::string text = "graph @g(%s: i64[1]) -> (%y: f32[2]) {\n"
                     "  %y = ConstantOfShape(%s) {value=f32[1] elided} : "
                     "f32[2]\n"
                     "  return %y\n"
                     "}\n";
  EXPECT_EQ(roundTrip(text), text);
  auto g = parseGraph(text);
  EXPECT_FALSE(g->nodes[0]->attrs.at("value").getTensor()->hasData());
}

TEST(RoundTrip, EmptyGraphAndNoInputs) {
  std::string text = "graph @e() -> () {\n  return\n}\n";
  EXPECT_EQ(roundTrip(text), text);
  std::string constOnly = "graph @c() -> (%k: f32[]) {\n"
                          "  %k = const f32[] [2.5]\n"
                          "  return %k\n"
                          "}\n";
  EXPECT_EQ(roundTrip(constOnly), constOnly);
}

TEST(Parser, WhitespaceAndComments) {
  std::string messy = R"(// leading comment
graph@small  (  %x :f32 [ 1 , 3,32,32 ])->(%y:f32[1,10,32,32]){ // header
  %w=const f32[10,3,5,5]blob( 0 )
  %b = const f32[2]
    [1, -0.5]   // ints are fine for floats
  %c = Conv(%x,%w,%b){pads=[2,2,2,2],kernel_shape=[5,5]}:f32[1,10,32,32]loc("conv1")
  %y = Relu ( %c ) : f32[1,10,32,32]
       loc ( "relu1" )
  return %y}
// trailing comment)";
  EXPECT_EQ(roundTrip(messy), kSmall);
}

TEST(Parser, AttributeCoercion) {
  auto g = parseGraph(
      "graph @g(%x: f32[1,1,4,4]) -> (%y: f32[1,1,4,4]) {\n"
      "  %a = LeakyRelu(%x) {alpha=1} : f32[1,1,4,4]\n"
      "  %b = Conv(%a, %a) {pads=[], group=2, foo=[], bar=1, baz=[1, 2.5]} "
      ": f32[1,1,4,4]\n"
      "  %y = Elu(%b) {alpha=2.0, weird=1.0} : f32[1,1,4,4]\n"
      "  return %y\n"
      "}\n");
  const AttrMap &a = g->nodes[0]->attrs;
  EXPECT_EQ(a.at("alpha").kind(), AttrKind::Float);
  EXPECT_EQ(a.at("alpha").getFloat(), 1.0);
  const AttrMap &b = g->nodes[1]->attrs;
  EXPECT_EQ(b.at("pads").kind(), AttrKind::Ints);
  EXPECT_TRUE(b.at("pads").getInts().empty());
  EXPECT_EQ(b.at("group").kind(), AttrKind::Int);
  // Not in the schema: the literal's own kind.
  EXPECT_EQ(b.at("foo").kind(), AttrKind::Ints);
  EXPECT_EQ(b.at("bar").kind(), AttrKind::Int);
  EXPECT_EQ(b.at("baz").kind(), AttrKind::Floats);
  EXPECT_EQ(b.at("baz").getFloats(), (std::vector<double>{1.0, 2.5}));
  EXPECT_EQ(g->nodes[2]->attrs.at("weird").kind(), AttrKind::Float);
}

TEST(Parser, KeepsExactNames) {
  auto g = parseGraph("graph @g(%x_1: f32[1]) -> (%x: f32[1]) {\n"
                      "  %x = Relu(%x_1) : f32[1]\n"
                      "  return %x\n"
                      "}\n");
  EXPECT_EQ(g->inputs[0]->name, "x_1");
  EXPECT_EQ(g->nodes[0]->outputs[0]->name, "x");
}

TEST(NumericRoundTrip, F32Constants) {
  const float values[] = {0.1f,
                          1e-05f,
                          -3.4028235e+38f,
                          std::numeric_limits<float>::max(),
                          std::numeric_limits<float>::min(),
                          std::numeric_limits<float>::denorm_min(),
                          -std::numeric_limits<float>::denorm_min() * 3,
                          std::numeric_limits<float>::min() / 2,
                          -0.0f,
                          1.0f,
                          16777216.0f,
                          1.0f / 3.0f,
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity()};
  std::vector<float> v(std::begin(values), std::end(values));
  auto g = std::make_unique<Graph>();
  Value *c = g->addConstant(
      "c", tensorRef(Tensor::fromValues(DType::F32, {int64_t(v.size())}, v)));
  g->outputs = {c};
  std::string text = printGraph(*g);
  EXPECT_NE(text.find("[0.1, 1e-05, -3.4028235e+38, 3.4028235e+38, "
                      "1.1754944e-38, 1e-45, -4e-45, 5.877472e-39, -0.0, 1.0, "
                      "16777216.0, 0.33333334, inf, -inf]"),
            std::string::npos)
      << text;
  auto parsed = parseGraph(text);
  EXPECT_EQ(printGraph(*parsed), text);
  EXPECT_TRUE(*parsed->constants()[0]->constant == *c->constant);
}

TEST(NumericRoundTrip, NanConstant) {
  std::string text = "graph @g() -> (%c: f32[2]) {\n"
                     "  %c = const f32[2] [nan, -inf]\n"
                     "  return %c\n"
                     "}\n";
  auto g = parseGraph(text);
  EXPECT_TRUE(std::isnan(g->constants()[0]->constant->floatAt(0)));
  EXPECT_EQ(printGraph(*g), text);
}

TEST(NumericRoundTrip, F64AndIntegerConstants) {
  auto g = std::make_unique<Graph>();
  std::vector<double> d = {1e-05, 0.1, 5e-324, -1.7976931348623157e+308, 2.0};
  std::vector<Value *> outs;
  outs.push_back(
      g->addConstant("d", tensorRef(Tensor::fromValues(DType::F64, {5}, d))));
  outs.push_back(g->addConstant(
      "i64", tensorRef(Tensor::fromValues<int64_t>(
                 DType::I64, {4},
                 {std::numeric_limits<int64_t>::min(),
                  std::numeric_limits<int64_t>::max(), 0, -1}))));
  outs.push_back(g->addConstant("i8", tensorRef(Tensor::fromValues<int8_t>(
                                          DType::I8, {2}, {-128, 127}))));
  outs.push_back(g->addConstant(
      "u8", tensorRef(Tensor::fromValues<uint8_t>(DType::U8, {2}, {0, 255}))));
  outs.push_back(g->addConstant("i16", tensorRef(Tensor::fromValues<int16_t>(
                                           DType::I16, {2}, {-32768, 32767}))));
  outs.push_back(g->addConstant("u16", tensorRef(Tensor::fromValues<uint16_t>(
                                           DType::U16, {1}, {65535}))));
  outs.push_back(
      g->addConstant("i32", tensorRef(Tensor::fromValues<int32_t>(
                                DType::I32, {2},
                                {std::numeric_limits<int32_t>::min(),
                                 std::numeric_limits<int32_t>::max()}))));
  outs.push_back(g->addConstant("u32", tensorRef(Tensor::fromValues<uint32_t>(
                                           DType::U32, {1}, {4294967295u}))));
  outs.push_back(g->addConstant(
      "u64", tensorRef(Tensor::fromValues<uint64_t>(
                 DType::U64, {2}, {0, std::numeric_limits<uint64_t>::max()}))));
  g->outputs = outs;
  std::string text = printGraph(*g);
  EXPECT_NE(text.find("[1e-05, 0.1, 5e-324, -1.7976931348623157e+308, 2.0]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("[-9223372036854775808, 9223372036854775807, 0, -1]"),
            std::string::npos);
  auto parsed = parseGraph(text);
  EXPECT_EQ(printGraph(*parsed), text);
  for (size_t i = 0; i < outs.size(); ++i)
    EXPECT_TRUE(*parsed->constants()[i]->constant == *outs[i]->constant)
        << outs[i]->name;
}

TEST(NumericRoundTrip, FloatAttributes) {
  auto g = std::make_unique<Graph>();
  Value *x = g->addInput("x", ty(DType::F32, {1}));
  const double values[] = {0.1,   1e-05, double(1e-05f),         5e-324,
                           1e300, -0.0,  double(-3.4028235e+38f)};
  for (double v : values) {
    Node *n = g->addNode(OpKind::LeakyRelu, "", {x}, {"y"},
                         {{"alpha", Attribute(v)}});
    n->outputs[0]->type = ty(DType::F32, {1});
  }
  g->outputs = {g->nodes.back()->outputs[0]};
  std::string text = printGraph(*g);
  auto parsed = parseGraph(text);
  EXPECT_EQ(printGraph(*parsed), text);
  for (size_t i = 0; i < std::size(values); ++i) {
    double got = parsed->nodes[i]->attrs.at("alpha").getFloat();
    EXPECT_EQ(std::memcmp(&got, &values[i], sizeof(double)), 0) << i;
  }
}

// --- errors -----------------------------------------------------------------

TEST(ParseErrors, UnknownOp) {
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> (%y: f32[1]) {\n"
                       "  %y = Frobnicate(%x) : f32[1]\n"
                       "  return %y\n}\n"),
            "2:8: unknown op 'Frobnicate'");
}

TEST(ParseErrors, Redefinition) {
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> (%x: f32[1]) {\n"
                       "  %x = Relu(%x) : f32[1]\n"
                       "  return %x\n}\n"),
            "2:3: redefinition of %x");
  EXPECT_EQ(parseError("graph @g(%x: f32[1], %x: f32[1]) -> () {\n"
                       "  return\n}\n"),
            "1:22: redefinition of %x");
  EXPECT_EQ(parseError("graph @g(%x: f32[4]) -> () {\n"
                       "  %a, %a = Split(%x) : f32[2], f32[2]\n"
                       "  return\n}\n"),
            "2:7: redefinition of %a");
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %\"a b\" = const f32[] [1.0]\n"
                       "  %\"a b\" = const f32[] [1.0]\n"
                       "  return\n}\n"),
            "3:3: redefinition of %\"a b\"");
}

TEST(ParseErrors, UndefinedValue) {
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> (%y: f32[1]) {\n"
                       "  %y = Add(%x, %z) : f32[1]\n"
                       "  return %y\n}\n"),
            "2:16: use of undefined value %z");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> (%y: f32[1]) {\n"
                       "  %y = Relu(%y) : f32[1]\n"
                       "  return %y\n}\n"),
            "2:13: use of undefined value %y");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> (%y: f32[1]) {\n"
                       "  return %y\n}\n"),
            "2:10: use of undefined value %y");
}

TEST(ParseErrors, HeaderReturnMismatch) {
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> (%y: f32[1]) {\n"
                       "  return %x\n}\n"),
            "2:10: return value %x does not match header output %y");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> (%x: f32[2]) {\n"
                       "  return %x\n}\n"),
            "1:26: header declares %x as f32[2] but it is f32[1]");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> (%x: f32[1]) {\n"
                       "  return %x, %x\n}\n"),
            "2:3: return has 2 values but the graph header declares 1 outputs");
}

TEST(ParseErrors, Blobs) {
  const std::string graph = "graph @g() -> (%a: f32[2], %b: f32[1]) {\n"
                            "  %a = const f32[2] blob(0)\n"
                            "  %b = const f32[1] blob(1)\n"
                            "  return %a, %b\n"
                            "}\n";
  EXPECT_EQ(parseError(graph + "blobs {\n  0: 0x0000803f00000040\n}\n"),
            "3:21: blob 1 is missing from the blobs section");
  EXPECT_EQ(
      parseError(graph + "blobs {\n  0: 0x0000803f\n  1: 0x00000000\n}\n"),
      "7:6: 4 bytes of data, but f32[2] needs 8");
  EXPECT_EQ(parseError(graph + "blobs {\n  0: 0x0000803f00000040\n"
                               "  1: 0x000\n}\n"),
            "8:6: odd number of hex digits");
  EXPECT_EQ(parseError(graph + "blobs {\n  0: 0x00\n  0: 0x00\n}\n"),
            "8:3: duplicate blob 0");
  EXPECT_EQ(parseError(graph + "blobs {\n  0: 0x00zz\n}\n"),
            "7:10: invalid hex digit");
  auto g = parseGraph(graph + "blobs {\n  1: 0x0000c03f\n"
                              "  0: 0x0000803f00000040\n}\n");
  EXPECT_EQ(g->constants()[0]->constant->floatAt(1), 2.0);
  EXPECT_EQ(g->constants()[1]->constant->floatAt(0), 1.5);
}

TEST(ParseErrors, InlineValueCount) {
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const f32[3] [1.0, 2.0]\n"
                       "  return\n}\n"),
            "2:21: expected 3 values for f32[3], got 2");
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const i64[1] [1, 2]\n"
                       "  return\n}\n"),
            "2:25: too many values for i64[1]");
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const i64[1] [1.5]\n"
                       "  return\n}\n"),
            "2:22: expected an integer");
}

TEST(ParseErrors, NumbersOutOfRange) {
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const i8[1] [128]\n"
                       "  return\n}\n"),
            "2:21: integer out of range");
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const i64[1] [9223372036854775808]\n"
                       "  return\n}\n"),
            "2:22: integer out of range");
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const u64[1] [18446744073709551616]\n"
                       "  return\n}\n"),
            "2:22: integer out of range");
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const u64[1] [-1]\n"
                       "  return\n}\n"),
            "2:22: integer out of range");
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const bool[1] [2]\n"
                       "  return\n}\n"),
            "2:23: integer out of range");
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const f32[1] [1e39]\n"
                       "  return\n}\n"),
            "2:22: number out of range");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> () {\n"
                       "  %a = LeakyRelu(%x) {alpha=1e999} : f32[1]\n"
                       "  return\n}\n"),
            "2:29: number out of range");
  EXPECT_EQ(parseError("graph @g(%x: f32[99999999999999999999]) -> () {\n"
                       "  return\n}\n"),
            "1:18: integer out of range");
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const f32[1] [" +
                       std::string(200, '1') + "]\n  return\n}\n"),
            "2:22: number too long");
}

TEST(ParseErrors, BadShapes) {
  EXPECT_EQ(parseError("graph @g(%x: f32[1,-1]) -> () {\n  return\n}\n"),
            "1:14: tensor too large or negative dimension");
  EXPECT_EQ(parseError("graph @g() -> () {\n"
                       "  %a = const f32[65536,65536] blob(0)\n"
                       "  return\n}\n"),
            "2:14: tensor too large or negative dimension");
  EXPECT_EQ(parseError("graph @g(%x: f99[1]) -> () {\n  return\n}\n"),
            "1:14: unknown type 'f99'");
  EXPECT_EQ(parseError("graph @g(%x: f32[1,8]<nchw4c>) -> () {\n"
                       "  return\n}\n"),
            "1:23: unknown layout 'nchw4c'");
}

TEST(ParseErrors, Syntax) {
  EXPECT_EQ(parseError(""), "1:1: expected 'graph'");
  EXPECT_EQ(parseError("graph @g(%x: f32[1] -> () {\n"), "1:21: expected ')'");
  EXPECT_EQ(parseError("graph @g() -> () {\n  return\n}\nextra"),
            "4:1: expected end of input");
  EXPECT_EQ(parseError("graph @g() -> () {\n  %a = const f32[1] \"x\"\n"),
            "2:21: expected '[' or 'blob'");
  EXPECT_EQ(parseError("graph @g() -> () {\n  loc(\"x\")\n}\n"),
            "2:3: expected a value definition or 'return'");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> () {\n"
                       "  %a = Relu(%x) {alpha=\"unterminated} : f32[1]\n"),
            "2:24: unterminated string");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> () {\n"
                       "  %a = Relu(%x) : f32[1] # comment\n"),
            "2:26: unexpected character '#'");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> () {\n"
                       "  %a = Relu(%x) {a=1, a=2} : f32[1]\n"),
            "2:23: duplicate attribute 'a'");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> () {\n"
                       "  %a = Relu(%x) {a=[1, \"s\"]} : f32[1]\n"),
            "2:24: mixed strings and numbers in a list");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> () {\n"
                       "  %a = Relu(%x) {a=\"\\q\"} : f32[1]\n"),
            "2:21: unknown escape sequence in string");
  EXPECT_EQ(parseError("graph @g(%x: f32[1]) -> () {\n"
                       "  %a, %b = const f32[1] [1.0]\n"),
            "2:7: a constant defines exactly one value");
  EXPECT_EQ(parseError("graph @g(%\"\": f32[1]) -> () {\n  return\n}\n"),
            "1:10: empty value name");
}

TEST(ParseErrors, ResultTypeCount) {
  EXPECT_EQ(parseError("graph @g(%x: f32[4]) -> () {\n"
                       "  %a, %b = Split(%x) : f32[2]\n"
                       "  return\n}\n"),
            "2:24: expected 2 result types, got 1");
  EXPECT_EQ(parseError("graph @g(%x: f32[4]) -> () {\n"
                       "  %a = Relu(%x) : f32[4], f32[4]\n"
                       "  return\n}\n"),
            "2:19: expected 1 result type, got 2");
}

TEST(ParseErrors, MemoryPlan) {
  const std::string header = "graph @g(%x: f32[1,16]) -> (%y: f32[1,16]) {\n";
  const std::string tail = "  %y = Relu(%a) : f32[1,16]\n  return %y\n}\n";
  EXPECT_EQ(parseError(header + "  %a = Relu(%x) : f32[1,16] @ws[0]\n" + tail),
            "2:29: a workspace offset in a graph without a 'workspace N "
            "bytes' line");
  EXPECT_EQ(parseError(header + "  %a = Relu(%x) : f32[1,16]\n" +
                       "  workspace 64 bytes\n" + tail),
            "3:3: 'workspace' must be the first line of the graph body");
  EXPECT_EQ(parseError(header +
                       "  workspace 64\n  %a = Relu(%x) : f32[1,16]\n" + tail),
            "3:3: expected 'bytes'");
  EXPECT_EQ(parseError(header + "  workspace -64 bytes\n" + tail),
            "2:13: integer out of range");
  const std::string planned = header + "  workspace 64 bytes\n";
  EXPECT_EQ(
      parseError(planned + "  %a = Relu(%x) : f32[1,16] @heap[0]\n" + tail),
      "3:29: unknown annotation '@heap' (expected '@ws')");
  EXPECT_EQ(
      parseError(planned + "  %a = Relu(%x) : f32[1,16] @ws[-64]\n" + tail),
      "3:33: integer out of range");
  EXPECT_EQ(
      parseError(planned + "  %a = Relu(%x) : f32[1,16] @ws[0.5]\n" + tail),
      "3:33: expected an integer");
  EXPECT_EQ(parseError(planned +
                       "  %a = Relu(%x) : f32[1,16] @ws[0] view(%q)\n" + tail),
            "3:41: use of undefined value %q");
  EXPECT_EQ(parseError(planned + "  %a = Relu(%x) : f32[1,16] @ws 0\n" + tail),
            "3:33: expected '['");
}

TEST(ParseErrors, DiagnosticFormat) {
  try {
    parseGraph("graph @g() -> () {\n  %y = Nope() : f32[1]\n");
    FAIL() << "expected an error";
  } catch (const UserError &e) {
    EXPECT_EQ(e.diagnostics().at(0).format("m.cnnc"),
              "m.cnnc:2:8: error: unknown op 'Nope'");
  }
}

// Every prefix and many single-byte corruptions of valid text must either
// parse or be reported as a UserError: never a crash or another exception.
TEST(ParseErrors, NeverCrashes) {
  auto g = buildGraph(false);
  std::string text = printGraph(*g, PrintOptions{true});
  auto tryParse = [](const std::string &t) {
    try {
      parseGraph(t);
    } catch (const UserError &) {
    }
  };
  for (size_t n = 0; n <= text.size(); ++n)
    tryParse(text.substr(0, n));
  // A stride keeps this quick under sanitizers while still hitting every
  // construct of the text.
  const char replacements[] = {'%', '"', ']', '-', 'x', '\\', '\0', '9'};
  for (size_t i = 0; i < text.size(); i += 5)
    for (char r : replacements) {
      std::string t = text;
      t[i] = r;
      tryParse(t);
    }
}
