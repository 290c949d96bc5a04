#include "ir/ShapeInference.h"

#include <gtest/gtest.h>

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
  OneNode &absent() {
    operands.push_back(nullptr);
    return *this;
  }
  std::string infer(OpKind kind, AttrMap attrs = {}, size_t results = 1) {
    std::vector<std::string> names;
    for (size_t i = 0; i < results; ++i)
      names.push_back("r" + std::to_string(i));
    Node *n = g.addNode(kind, "n", operands, names, std::move(attrs));
    try {
      std::string s;
      for (const TensorType &t : inferOutputTypes(*n))
        s += (s.empty() ? "" : " ") + t.str();
      return s;
    } catch (const UserError &e) {
      return std::string("error: ") + e.what();
    }
  }
};

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
