#include "compiler/onnx/ShapeFolding.h"
#include "ir/ShapeInference.h"
#include "ir/Summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

using namespace cnnc;

namespace {

// Builds a one-node graph and returns its inferred output types (or the
// error text).
struct OneNode {
  Graph g;
  std::vector<Value *> operands;

  OneNode &input(Shape shape, DType t = DType::F32) {
    operands.push_back(g.addInput("in" + std::to_string(operands.size()),
                                  {t, std::move(shape), Layout::Plain}));
    return *this;
  }
  OneNode &ints(std::vector<int64_t> v) {
    operands.push_back(g.addConstant(
        "c" + std::to_string(operands.size()),
        std::make_shared<Tensor>(
            Tensor::fromValues(DType::I64, {int64_t(v.size())}, v))));
    return *this;
  }
  OneNode &floats(std::vector<float> v) {
    operands.push_back(g.addConstant(
        "c" + std::to_string(operands.size()),
        std::make_shared<Tensor>(
            Tensor::fromValues(DType::F32, {int64_t(v.size())}, v))));
    return *this;
  }
  OneNode &absent() {
    operands.push_back(nullptr);
    return *this;
  }
  Node *add(OpKind kind, AttrMap attrs, size_t results) {
    std::vector<std::string> names;
    for (size_t i = 0; i < results; ++i)
      names.push_back("r" + std::to_string(i));
    return g.addNode(kind, "n", operands, names, std::move(attrs));
  }
  std::string infer(OpKind kind, AttrMap attrs = {}, size_t results = 1) {
    Node *n = add(kind, std::move(attrs), results);
    try {
      std::string s;
      for (const TensorType &t : inferOutputTypes(*n))
        s += (s.empty() ? "" : " ") + t.str();
      return s;
    } catch (const UserError &e) {
      return std::string("error: ") + e.what();
    }
  }
  // The values foldShapeComputation computes for a one-result node, after
  // shape inference as the importer does it: "[1,2,3]", "not folded" or the
  // error of inference.
  std::string fold(OpKind kind, AttrMap attrs = {}) {
    Node *n = add(kind, std::move(attrs), 1);
    try {
      setInferredTypes(*n);
    } catch (const UserError &e) {
      return std::string("error: ") + e.what();
    }
    std::optional<std::vector<TensorRef>> folded = foldShapeComputation(*n);
    if (!folded)
      return "not folded";
    return "[" + shapeToString((*folded)[0]->toInts()) + "]";
  }
};

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

Attribute ints(std::vector<int64_t> v) { return Attribute(std::move(v)); }

} // namespace

TEST(ShapeInference, Conv) {
  // The lesson's example: ten 5x5 filters, stride 1, padding 2, 3x32x32 input.
  EXPECT_EQ(OneNode().input({1, 3, 32, 32}).input({10, 3, 5, 5}).input({10})
                .infer(OpKind::Conv, {{"pads", ints({2, 2, 2, 2})}}),
            "f32[1,10,32,32]");
  EXPECT_EQ(OneNode().input({1, 3, 224, 224}).input({64, 3, 7, 7})
                .infer(OpKind::Conv, {{"strides", ints({2, 2})},
                                      {"pads", ints({3, 3, 3, 3})}}),
            "f32[1,64,112,112]");
  // Depthwise, SAME_UPPER with stride 2 on an odd size.
  EXPECT_EQ(OneNode().input({1, 32, 15, 15}).input({32, 1, 3, 3})
                .infer(OpKind::Conv, {{"group", Attribute(int64_t(32))},
                                      {"strides", ints({2, 2})},
                                      {"auto_pad", Attribute("SAME_UPPER")}}),
            "f32[1,32,8,8]");
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({4, 2, 3, 3}).infer(OpKind::Conv),
            "error: node 'n' (Conv): input has 3 channels but weight f32[4,2,3,3] "
            "with group 1 expects 2");
  EXPECT_NE(OneNode().input({1, 3, 2, 2}).input({4, 3, 5, 5}).infer(OpKind::Conv)
                .find("larger than padded input"),
            std::string::npos);
}

TEST(ShapeInference, ConvTransposeAndPools) {
  EXPECT_EQ(OneNode().input({1, 8, 4, 4}).input({8, 3, 2, 2})
                .infer(OpKind::ConvTranspose, {{"strides", ints({2, 2})}}),
            "f32[1,3,8,8]");
  EXPECT_EQ(OneNode().input({1, 3, 5, 5}).infer(
                OpKind::MaxPool, {{"kernel_shape", ints({2, 2})},
                                  {"strides", ints({2, 2})},
                                  {"ceil_mode", Attribute(int64_t(1))}}),
            "f32[1,3,3,3]");
  EXPECT_EQ(OneNode().input({1, 3, 5, 5}).infer(
                OpKind::MaxPool, {{"kernel_shape", ints({2, 2})},
                                  {"strides", ints({2, 2})}}, 2),
            "f32[1,3,2,2] i64[1,3,2,2]");
  EXPECT_EQ(OneNode().input({2, 7, 9, 9}).infer(OpKind::GlobalAveragePool),
            "f32[2,7,1,1]");
}

TEST(ShapeInference, GemmMatMulBroadcast) {
  EXPECT_EQ(OneNode().input({1, 400}).input({120, 400}).input({120})
                .infer(OpKind::Gemm, {{"transB", Attribute(int64_t(1))}}),
            "f32[1,120]");
  EXPECT_EQ(OneNode().input({2, 1, 3, 4}).input({5, 4, 6}).infer(OpKind::MatMul),
            "f32[2,5,3,6]");
  EXPECT_EQ(OneNode().input({4}).input({4, 6}).infer(OpKind::MatMul), "f32[6]");
  EXPECT_EQ(OneNode().input({1, 3, 1, 5}).input({3, 1, 1}).infer(OpKind::Add),
            "f32[1,3,1,5]");
  EXPECT_NE(OneNode().input({2, 3}).input({4, 3}).infer(OpKind::Mul).find(
                "do not broadcast"),
            std::string::npos);
}

TEST(ShapeInference, ShapeOps) {
  EXPECT_EQ(OneNode().input({2, 3, 4}).ints({0, -1}).infer(OpKind::Reshape),
            "f32[2,12]");
  EXPECT_EQ(OneNode().input({2, 3, 4}).infer(OpKind::Flatten), "f32[2,12]");
  EXPECT_EQ(OneNode().input({2, 3, 4}).infer(OpKind::Transpose), "f32[4,3,2]");
  EXPECT_EQ(OneNode().input({1, 3, 1}).ints({0, 2}).infer(OpKind::Squeeze), "f32[3]");
  EXPECT_EQ(OneNode().input({3}).ints({0, -1}).infer(OpKind::Unsqueeze), "f32[1,3,1]");
  EXPECT_EQ(OneNode().input({1, 2}).input({1, 3}).infer(
                OpKind::Concat, {{"axis", Attribute(int64_t(-1))}}),
            "f32[1,5]");
  EXPECT_EQ(OneNode().input({6, 2}).ints({1, 5}).infer(OpKind::Split, {}, 2),
            "f32[1,2] f32[5,2]");
  EXPECT_EQ(OneNode().input({10, 8}).ints({1, -100}).ints({1000, 5}).ints({0, 1})
                .ints({3, 2}).infer(OpKind::Slice),
            "f32[3,3]");
  EXPECT_EQ(OneNode().input({10}).ints({-1}).ints({-100000}).ints({0}).ints({-1})
                .infer(OpKind::Slice),
            "f32[10]");
  EXPECT_EQ(OneNode().input({1, 3, 4, 4}).ints({0, 0, 1, 2, 0, 0, 1, 2})
                .infer(OpKind::Pad),
            "f32[1,3,6,8]");
  EXPECT_EQ(OneNode().input({5, 4}).input({2, 3}, DType::I64).infer(OpKind::Gather),
            "f32[2,3,4]");
  EXPECT_EQ(OneNode().input({5, 4, 3}).infer(OpKind::Shape,
                                             {{"start", Attribute(int64_t(1))}}),
            "i64[2]");
  EXPECT_EQ(OneNode().input({3, 1}).ints({2, 1, 6}).infer(OpKind::Expand), "f32[2,3,6]");
  EXPECT_EQ(OneNode().input({1, 3, 4, 4}).ints({2, 3}).infer(
                OpKind::ReduceMean, {{"keepdims", Attribute(int64_t(0))}}),
            "f32[1,3]");
  EXPECT_EQ(OneNode().input({2, 2}).infer(OpKind::Cast, {{"to", Attribute("i64")}}),
            "i64[2,2]");
}

TEST(ShapeInference, ResizeAndAbsurdSizes) {
  OneNode up;
  up.input({1, 3, 4, 4}).absent();
  up.operands.push_back(up.g.addConstant(
      "scales", std::make_shared<Tensor>(Tensor::fromValues(
                    DType::F32, {4}, std::vector<float>{1, 1, 2, 2}))));
  EXPECT_EQ(up.infer(OpKind::Resize), "f32[1,3,8,8]");
  EXPECT_EQ(OneNode().input({1, 3, 4, 4}).absent().absent().ints({1, 3, 5, 7})
                .infer(OpKind::Resize),
            "f32[1,3,5,7]");
  // 10^12 elements: refused, not allocated.
  EXPECT_NE(OneNode().input({1}).ints({1000000, 1000000}).infer(OpKind::Expand)
                .find("error"),
            std::string::npos);
  EXPECT_NE(OneNode().ints({1000000, 1000000}).infer(OpKind::ConstantOfShape)
                .find("too large"),
            std::string::npos);
}

// E. Steps of INT64_MAX / INT64_MIN used to overflow (end - start + step - 1,
// -step); a step larger than the axis reads one element. dim == 0 used to
// reach std::clamp(start, 0, -1).
TEST(ShapeInference, SliceExtremeSteps) {
  auto range = [](int64_t start, int64_t end, int64_t step, int64_t dim) {
    SliceRange r = resolveSlice(start, end, step, dim);
    return std::to_string(r.start) + ":" + std::to_string(r.count);
  };
  EXPECT_EQ(range(0, 10, kInt64Max, 10), "0:1");
  EXPECT_EQ(range(9, -100, kInt64Min, 10), "9:1");
  EXPECT_EQ(range(kInt64Min, kInt64Max, kInt64Max, 10), "0:1");
  EXPECT_EQ(range(kInt64Max, kInt64Min, kInt64Min, 10), "9:1");
  EXPECT_EQ(range(kInt64Max, kInt64Min, -1, 10), "9:10");
  EXPECT_EQ(range(5, 5, kInt64Max, 10), "5:0");
  EXPECT_EQ(range(0, 10, 3, 10), "0:4"); // ordinary steps are unchanged
  EXPECT_EQ(range(-1, kInt64Min, -2, 10), "9:5");
  EXPECT_EQ(range(0, 5, -1, 0), "0:0");
  EXPECT_EQ(range(kInt64Min, kInt64Max, kInt64Min, 0), "0:0");
  EXPECT_EQ(range(kInt64Max, kInt64Min, 1, 0), "0:0");
  EXPECT_EQ(OneNode().input({10}).ints({0}).ints({10}).ints({0}).ints({kInt64Max})
                .infer(OpKind::Slice),
            "f32[1]");
  EXPECT_EQ(OneNode().input({10}).ints({9}).ints({-100}).ints({0}).ints({kInt64Min})
                .infer(OpKind::Slice),
            "f32[1]");
  EXPECT_EQ(OneNode().input({0, 5}).ints({0, 1}).ints({0, 5}).ints({0, 1})
                .ints({-1, 1}).infer(OpKind::Slice),
            "f32[0,4]");
}

// F. std::abs(INT64_MIN) is undefined.
TEST(ShapeInference, PadExtremeValues) {
  EXPECT_EQ(OneNode().input({4}).ints({kInt64Min, 0}).infer(OpKind::Pad),
            "error: node 'n' (Pad): pad -9223372036854775808 too large");
  EXPECT_EQ(OneNode().input({4}).ints({0, kInt64Max}).infer(OpKind::Pad),
            "error: node 'n' (Pad): pad 9223372036854775807 too large");
  EXPECT_EQ(OneNode().input({4}).ints({-1, 2}).infer(OpKind::Pad), "f32[5]");
}

// G. split = [INT64_MAX, INT64_MAX] used to overflow the sum.
TEST(ShapeInference, SplitSizesLargerThanAxis) {
  EXPECT_EQ(OneNode().input({4}).ints({kInt64Max, kInt64Max})
                .infer(OpKind::Split, {}, 2),
            "error: node 'n' (Split): split size 9223372036854775807 is larger "
            "than axis 0 (4)");
  EXPECT_EQ(OneNode().input({4}).ints({1, 2}).infer(OpKind::Split, {}, 2),
            "error: node 'n' (Split): split sizes sum to 3, axis 0 has 4");
}

// H. group = 2^62 used to overflow weight[1] * group; ConvTranspose did not
// check that the input channels divide by group.
TEST(ShapeInference, ConvGroupChecks) {
  AttrMap hugeGroup{{"group", Attribute(int64_t(1) << 62)}};
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({4, 4, 3, 3})
                .infer(OpKind::Conv, hugeGroup),
            "error: node 'n' (Conv): group 4611686018427387904 is larger than "
            "the 3 input channels");
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({3, 4, 3, 3})
                .infer(OpKind::ConvTranspose, hugeGroup),
            "error: node 'n' (ConvTranspose): group 4611686018427387904 is "
            "larger than the 3 input channels");
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({3, 4, 3, 3})
                .infer(OpKind::ConvTranspose, {{"group", Attribute(int64_t(2))}}),
            "error: node 'n' (ConvTranspose): 3 input channels are not "
            "divisible by group 2");
  EXPECT_EQ(OneNode().input({1, 4, 8, 8}).input({4, 3, 3, 3})
                .infer(OpKind::ConvTranspose, {{"group", Attribute(int64_t(2))}}),
            "f32[1,6,10,10]");
  EXPECT_EQ(OneNode().input({1, 4, 8, 8}).input({4, 3, 3, 3}).input({3})
                .infer(OpKind::ConvTranspose, {{"group", Attribute(int64_t(2))}}),
            "error: node 'n' (ConvTranspose): bias must be [6], got f32[3]");
  EXPECT_EQ(OneNode().input({1, 4, 8, 8}).input({6, 2, 3, 3}).input({4})
                .infer(OpKind::Conv, {{"group", Attribute(int64_t(2))}}),
            "error: node 'n' (Conv): bias must be [6], got f32[4]");
}

// I. output_padding: in [0, max(stride, dilation)), and the output size
// computed without overflow.
TEST(ShapeInference, ConvTransposeOutputPadding) {
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({3, 4, 3, 3})
                .infer(OpKind::ConvTranspose,
                       {{"output_padding", ints({kInt64Max, 0})}}),
            "error: node 'n' (ConvTranspose): output_padding 9223372036854775807 "
            "must be in [0, 1) (below the stride or the dilation)");
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({3, 4, 3, 3})
                .infer(OpKind::ConvTranspose, {{"strides", ints({2, 2})},
                                               {"output_padding", ints({2, 0})}}),
            "error: node 'n' (ConvTranspose): output_padding 2 must be in [0, "
            "2) (below the stride or the dilation)");
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({3, 4, 3, 3})
                .infer(OpKind::ConvTranspose, {{"output_padding", ints({-1, 0})}}),
            "error: node 'n' (ConvTranspose): output_padding -1 must be in [0, "
            "1) (below the stride or the dilation)");
  // Checked with SAME too, where the output size ignores it; a value below
  // the dilation (but not the stride) is allowed.
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({3, 4, 3, 3})
                .infer(OpKind::ConvTranspose, {{"auto_pad", Attribute("SAME_UPPER")},
                                               {"output_padding", ints({5, 5})}}),
            "error: node 'n' (ConvTranspose): output_padding 5 must be in [0, "
            "1) (below the stride or the dilation)");
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({3, 4, 3, 3})
                .infer(OpKind::ConvTranspose, {{"dilations", ints({3, 1})},
                                               {"output_padding", ints({2, 0})}}),
            "f32[1,4,16,10]");
  // stride * (in - 1) + (k - 1) * dilation + 1 is close to 2^63: refused
  // by inference itself, before anything multiplies it further.
  EXPECT_EQ(OneNode().input({1, 1, int64_t(1) << 31}).input({1, 1, int64_t(1) << 31})
                .infer(OpKind::ConvTranspose,
                       {{"strides", ints({int64_t(1) << 31})},
                        {"dilations", ints({int64_t(1) << 31})}}),
            "error: node 'n' (ConvTranspose): output size in spatial dim 0 is "
            "larger than 2147483648");
}

// P. ConvTranspose's kernel_shape is checked against the weight, as Conv's.
TEST(ShapeInference, KernelShapeMatchesWeight) {
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({3, 4, 3, 3})
                .infer(OpKind::ConvTranspose, {{"kernel_shape", ints({5, 5})}}),
            "error: node 'n' (ConvTranspose): kernel_shape [5,5] does not match "
            "weight f32[3,4,3,3]");
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({4, 3, 3, 3})
                .infer(OpKind::Conv, {{"kernel_shape", ints({5, 5})}}),
            "error: node 'n' (Conv): kernel_shape [5,5] does not match weight "
            "f32[4,3,3,3]");
  EXPECT_EQ(OneNode().input({1, 3, 8, 8}).input({3, 4, 3, 3})
                .infer(OpKind::ConvTranspose, {{"kernel_shape", ints({3, 3})}}),
            "f32[1,4,10,10]");
  // makeWindowExplicit uses the same rule.
  OneNode conv;
  conv.input({1, 3, 8, 8}).input({4, 3, 3, 3});
  Node *n = conv.add(OpKind::Conv, {{"kernel_shape", ints({5, 5})}}, 1);
  EXPECT_THROW(makeWindowExplicit(*n), UserError);
  n->attrs.erase("kernel_shape");
  makeWindowExplicit(*n);
  EXPECT_EQ(n->getInts("kernel_shape"), (std::vector<int64_t>{3, 3}));
  OneNode pool;
  pool.input({1, 3, 8, 8});
  EXPECT_THROW(makeWindowExplicit(*pool.add(OpKind::MaxPool, {}, 1)), UserError);
}

// J. A 0 dimension no longer hides huge ones; one product helper.
TEST(ShapeInference, ElementCountRule) {
  EXPECT_FALSE(checkedElementCount({0, 1ll << 31, 1ll << 31, 1ll << 31}));
  EXPECT_FALSE(checkedElementCount({1ll << 31, 0, 2}));
  EXPECT_EQ(checkedElementCount({0, 1ll << 31}), 0);
  EXPECT_EQ(checkedElementCount({0, 1ll << 30, 2}), 0);
  EXPECT_EQ(checkedElementCount({1ll << 31, 1, 0}), 0);
  EXPECT_EQ(checkedElementCount({2, 3, 4}), 24);
  EXPECT_EQ(elementCount({2, 3, 4}), 24);
  EXPECT_EQ(elementCount({2, 3, 4}, 1, 3), 12);
  EXPECT_EQ(elementCount({2, 3, 4}, 1, 1), 1);
  EXPECT_EQ(elementCount({}), 1);
  EXPECT_EQ(OneNode().input({0, 1ll << 30, 2}).infer(OpKind::Flatten),
            "f32[0,2147483648]");
  // Shape inference applies the rule to every result.
  OneNode reshape;
  reshape.input({0, 4}).ints({0, 1ll << 31, 1ll << 31, 1ll << 31});
  Node *n = reshape.add(OpKind::Reshape, {{"allowzero", Attribute(int64_t(1))}}, 1);
  EXPECT_THROW(setInferredTypes(*n), UserError);
}

// K. MAC and parameter counts saturate instead of overflowing.
TEST(ShapeInference, SummaryCountsSaturate) {
  Graph g;
  Value *x = g.addInput("x", {DType::F32, {1, 1, 1ll << 31}, Layout::Plain});
  Value *w = g.addInput("w", {DType::F32, {1, 1, 1ll << 30}, Layout::Plain});
  for (int i = 0; i < 9; ++i) {
    Node *n = g.addNode(OpKind::Conv, "c" + std::to_string(i), {x, w},
                        {"y" + std::to_string(i)});
    setInferredTypes(*n);
    g.outputs.push_back(n->outputs[0]);
  }
  GraphSummary s = summarize(g);
  ASSERT_EQ(s.layers.size(), 9u);
  EXPECT_EQ(s.layers[0].macs, ((1ll << 30) + 1) * (1ll << 30));
  EXPECT_EQ(s.totalMacs, kInt64Max);
}

// L. inf/NaN scales and huge sizes used to reach int64_t(NaN) or 2^63.
TEST(ShapeInference, ResizeExtremeScalesAndSizes) {
  EXPECT_EQ(OneNode().input({1, 1, 0, 4}).absent()
                .floats({1, 1, std::numeric_limits<float>::infinity(), 1})
                .infer(OpKind::Resize),
            "error: node 'n' (Resize): invalid scale inf");
  EXPECT_EQ(OneNode().input({1, 1, 2, 4}).absent()
                .floats({1, 1, std::nanf(""), 1})
                .infer(OpKind::Resize),
            "error: node 'n' (Resize): invalid scale nan");
  EXPECT_EQ(OneNode().input({1, 1, 2, 4}).absent().floats({1, 1, 1e10f, 1})
                .infer(OpKind::Resize),
            "error: node 'n' (Resize): output size 20000000000 on axis 2 is "
            "negative or larger than 2147483648");
  EXPECT_EQ(OneNode().input({1, 1, 0, 4}).absent().floats({1, 1, 3, 1})
                .infer(OpKind::Resize),
            "f32[1,1,0,4]");
  AttrMap notSmaller{{"keep_aspect_ratio_policy", Attribute("not_smaller")},
                     {"axes", ints({2})}};
  EXPECT_EQ(OneNode().input({1, 1, 1, 1}).absent().absent().ints({kInt64Max})
                .infer(OpKind::Resize, notSmaller),
            "error: node 'n' (Resize): invalid size 9223372036854775807");
  EXPECT_EQ(OneNode().input({1, 1, 1, 1}).absent().absent().ints({-1})
                .infer(OpKind::Resize, notSmaller),
            "error: node 'n' (Resize): invalid size -1");
  EXPECT_EQ(OneNode().input({1, 1, 0, 1}).absent().absent().ints({4})
                .infer(OpKind::Resize, notSmaller),
            "error: node 'n' (Resize): keep_aspect_ratio_policy 'not_smaller' "
            "needs a non-empty axis 2");
  // Within the limits per axis, but the scale applied to another, larger
  // axis exceeds them.
  EXPECT_EQ(OneNode().input({1, 1, 1, 1ll << 20}).absent().absent()
                .ints({1ll << 30, 1})
                .infer(OpKind::Resize,
                       {{"keep_aspect_ratio_policy", Attribute("not_smaller")},
                        {"axes", ints({2, 3})}}),
            "error: node 'n' (Resize): output size 1125899906842624 on axis 3 "
            "is negative or larger than 2147483648");
  EXPECT_EQ(OneNode().input({1, 1, 2, 4}).absent().absent().ints({4})
                .infer(OpKind::Resize, notSmaller),
            "f32[1,1,4,4]");
}

// N. ceil_mode drops a last window that would start in the end padding
// (PyTorch, onnx/onnx#5741): MaxPool2d(2, 2, padding=1, ceil_mode=True) on
// 5x5 gives 3x3, not 4x4.
TEST(ShapeInference, PoolCeilModeDropsWindowInPadding) {
  AttrMap attrs{{"kernel_shape", ints({2, 2})},
                {"strides", ints({2, 2})},
                {"pads", ints({1, 1, 1, 1})},
                {"ceil_mode", Attribute(int64_t(1))}};
  EXPECT_EQ(OneNode().input({1, 1, 5, 5}).infer(OpKind::MaxPool, attrs),
            "f32[1,1,3,3]");
  EXPECT_EQ(OneNode().input({1, 1, 5, 5}).infer(OpKind::AveragePool, attrs),
            "f32[1,1,3,3]");
  // The window that starts inside the input stays: 6x6 gives 4x4.
  EXPECT_EQ(OneNode().input({1, 1, 6, 6}).infer(OpKind::MaxPool, attrs),
            "f32[1,1,4,4]");
  // Without padding nothing changes: ceil((5 - 2) / 2) + 1 = 3.
  EXPECT_EQ(OneNode().input({1, 1, 5, 5}).infer(
                OpKind::MaxPool, {{"kernel_shape", ints({2, 2})},
                                  {"strides", ints({2, 2})},
                                  {"ceil_mode", Attribute(int64_t(1))}}),
            "f32[1,1,3,3]");
}

// V. Shape operands are bounded before their values are read.
TEST(ShapeInference, ShapeOperandLength) {
  std::vector<int64_t> ones(65, 1);
  EXPECT_EQ(OneNode().input({1}).ints(ones).infer(OpKind::Reshape),
            "error: node 'n' (Reshape): shape (operand 1) has 65 values, at "
            "most 64 supported");
  EXPECT_EQ(OneNode().input({1}).ints(ones).infer(OpKind::Expand),
            "error: node 'n' (Expand): shape (operand 1) has 65 values, at "
            "most 64 supported");
  EXPECT_EQ(OneNode().input({1}).ints(std::vector<int64_t>(130, 0))
                .infer(OpKind::Pad),
            "error: node 'n' (Pad): pads (operand 1) has 130 values, at most "
            "128 supported");
  EXPECT_EQ(OneNode().input({1}).ints(std::vector<int64_t>(64, 1))
                .infer(OpKind::Reshape),
            "f32[" + shapeToString(std::vector<int64_t>(64, 1)) + "]");
  // Split's sizes: one per output, however many outputs.
  EXPECT_EQ(OneNode().input({100}).ints(std::vector<int64_t>(100, 1))
                .infer(OpKind::Split, {}, 100)
                .substr(0, 13),
            "f32[1] f32[1]");
}

TEST(ShapeInference, SoftmaxNeedsFloats) {
  EXPECT_EQ(OneNode().input({2, 3}, DType::I64).infer(OpKind::Softmax),
            "error: node 'n' (Softmax): input must be a floating-point tensor, "
            "got i64");
  EXPECT_EQ(OneNode().input({2, 3}, DType::I32).infer(OpKind::LogSoftmax),
            "error: node 'n' (LogSoftmax): input must be a floating-point "
            "tensor, got i32");
  EXPECT_EQ(OneNode().input({2, 3}, DType::F16).infer(OpKind::Softmax),
            "f16[2,3]");
}

// C. Integer Add/Sub/Mul/Div fold only without int64 overflow.
TEST(ShapeFolding, ArithmeticOverflowIsNotFolded) {
  EXPECT_EQ(OneNode().ints({1ll << 62}).ints({4}).fold(OpKind::Mul), "not folded");
  EXPECT_EQ(OneNode().ints({kInt64Max}).ints({1}).fold(OpKind::Add), "not folded");
  EXPECT_EQ(OneNode().ints({kInt64Min}).ints({1}).fold(OpKind::Sub), "not folded");
  EXPECT_EQ(OneNode().ints({kInt64Min}).ints({-1}).fold(OpKind::Div), "not folded");
  EXPECT_EQ(OneNode().ints({7}).ints({0}).fold(OpKind::Div), "not folded");
  EXPECT_EQ(OneNode().ints({kInt64Min, 6}).ints({1, -3}).fold(OpKind::Div),
            "[-9223372036854775808,-2]");
  EXPECT_EQ(OneNode().ints({1ll << 61}).ints({3}).fold(OpKind::Mul),
            "[6917529027641081856]");
  EXPECT_EQ(OneNode().ints({kInt64Max - 1, 5}).ints({1}).fold(OpKind::Add),
            "[9223372036854775807,6]");
}

// D. Slice folds one axis of 1-D data only.
TEST(ShapeFolding, SliceNeedsOneValuePerOperand) {
  EXPECT_EQ(OneNode().ints({1, 2, 3}).ints({}).ints({}).fold(OpKind::Slice),
            "not folded");
  EXPECT_EQ(OneNode().ints({1, 2, 3}).ints({0}).ints({2}).fold(OpKind::Slice),
            "[1,2]");
  EXPECT_EQ(OneNode().ints({1, 2, 3}).ints({-1}).ints({kInt64Min}).ints({0})
                .ints({-1}).fold(OpKind::Slice),
            "[3,2,1]");
  EXPECT_EQ(OneNode().ints({1, 2, 3}).ints({0}).ints({3}).ints({0})
                .ints({kInt64Max}).fold(OpKind::Slice),
            "[1]");
  EXPECT_EQ(OneNode().ints({1, 2, 3}).ints({2}).ints({kInt64Min}).ints({-1})
                .ints({kInt64Min}).fold(OpKind::Slice),
            "[3]");
}
