// The interpreter's convolution, pooling and normalization kernels on small
// hand-computed cases.
#include "InterpreterTestSupport.h"

#include <cmath>

using namespace cnnc;
using namespace cnnc::test;

namespace {

Attribute list(std::vector<int64_t> v) { return Attribute(std::move(v)); }

// 1, 2, ..., n.
std::vector<float> iota(int n) {
  std::vector<float> v;
  for (int i = 1; i <= n; ++i)
    v.push_back(float(i));
  return v;
}

// ---------------------------------------------------------------- Conv

TEST(InterpreterConvPoolTest, ConvTextbookBinaryImage) {
  // The classic example: each output counts the ones of the image under the
  // X-shaped filter; the top-left window has 1 + 1 + 1 + 0 + 1 = 4.
  OneOp op;
  op.floats({1, 1, 5, 5}, {1, 1, 1, 0, 0, //
                           0, 1, 1, 1, 0, //
                           0, 0, 1, 1, 1, //
                           0, 0, 1, 1, 0, //
                           0, 1, 1, 0, 0})
      .floats({1, 1, 3, 3}, {1, 0, 1, 0, 1, 0, 1, 0, 1});
  op.run(OpKind::Conv, {});
  EXPECT_EQ(op.shape(), (Shape{1, 1, 3, 3}));
  expectNear(op.resultFloats(), {4, 3, 4, 2, 4, 3, 2, 3, 4});
}

TEST(InterpreterConvPoolTest, ConvStride2SumsWindows) {
  // An 8x7 image holding 10*r + c + 1 under a 3x3 all-ones filter at stride
  // 2: (8-3)/2+1 = 3 by (7-3)/2+1 = 3 outputs. The image is linear, so a
  // window sums to 9 times its centre (2i+1, 2j+1): 9 * (12 + 20i + 2j) =
  // 108 + 180i + 18j.
  std::vector<float> image;
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 7; ++c)
      image.push_back(float(10 * r + c + 1));
  OneOp op;
  op.floats({1, 1, 8, 7}, image).floats({1, 1, 3, 3}, std::vector<float>(9, 1));
  op.run(OpKind::Conv, {{"strides", list({2, 2})}});
  EXPECT_EQ(op.shape(), (Shape{1, 1, 3, 3}));
  expectNear(op.resultFloats(), {108, 126, 144, 288, 306, 324, 468, 486, 504});
}

TEST(InterpreterConvPoolTest, ConvAsymmetricPads) {
  // [[1,2,3],[4,5,6],[7,8,9]] padded with one row on top and one column on
  // the right, 2x2 all-ones filter: the first row sums 0 + 0 + 1 + 2, ...
  OneOp op;
  op.floats({1, 1, 3, 3}, iota(9)).floats({1, 1, 2, 2}, {1, 1, 1, 1});
  op.run(OpKind::Conv, {{"pads", list({1, 0, 0, 1})}});
  EXPECT_EQ(op.shape(), (Shape{1, 1, 3, 3}));
  expectNear(op.resultFloats(), {3, 5, 3, 12, 16, 9, 24, 28, 15});
}

TEST(InterpreterConvPoolTest, ConvDilation) {
  // 5x5 image 1..25, filter [[1,2],[3,4]] dilated by 2 reads x[i][j],
  // x[i][j+2], x[i+2][j], x[i+2][j+2]: at (0,0) 1 + 2*3 + 3*11 + 4*13 = 92;
  // each step right adds 10, down 50.
  OneOp op;
  op.floats({1, 1, 5, 5}, iota(25)).floats({1, 1, 2, 2}, {1, 2, 3, 4});
  op.run(OpKind::Conv, {{"dilations", list({2, 2})}});
  EXPECT_EQ(op.shape(), (Shape{1, 1, 3, 3}));
  expectNear(op.resultFloats(), {92, 102, 112, 142, 152, 162, 192, 202, 212});
}

TEST(InterpreterConvPoolTest, ConvGroupsWithBias) {
  // 4 input channels in 2 groups, one output channel per group (1x1
  // filters): channel 0 = 1*ch0 + 2*ch1 + 10, channel 1 = 3*ch2 + 4*ch3 + 20.
  OneOp op;
  op.floats({1, 4, 2, 1}, iota(8))
      .floats({2, 2, 1, 1}, {1, 2, 3, 4})
      .floats({2}, {10, 20});
  op.run(OpKind::Conv, {{"group", Attribute(2)}});
  EXPECT_EQ(op.shape(), (Shape{1, 2, 2, 1}));
  expectNear(op.resultFloats(),
             {1 + 6 + 10, 2 + 8 + 10, 15 + 28 + 20, 18 + 32 + 20});
}

TEST(InterpreterConvPoolTest, ConvDepthwiseWithMultiplier) {
  // 2 channels (1..9 and 10..18), group 2, two 2x2 filters per channel:
  // main diagonal and anti-diagonal of channel 0, sum and minus the
  // top-left of channel 1.
  OneOp op;
  op.floats({1, 2, 3, 3}, iota(18))
      .floats({4, 1, 2, 2}, {1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, -1, 0, 0, 0});
  op.run(OpKind::Conv, {{"group", Attribute(2)}});
  EXPECT_EQ(op.shape(), (Shape{1, 4, 2, 2}));
  expectNear(op.resultFloats(),
             {6, 8, 12, 14, 6, 8, 12, 14, 48, 52, 60, 64, -10, -11, -13, -14});
}

TEST(InterpreterConvPoolTest, Conv1DStridedPadded) {
  // [0 | 1 2 3 4 5 | 0 0] with [1,10,100] at stride 2:
  // 0 + 10 + 200, 2 + 30 + 400, 4 + 50 + 0.
  OneOp op;
  op.floats({1, 1, 5}, iota(5)).floats({1, 1, 3}, {1, 10, 100});
  op.run(OpKind::Conv, {{"pads", list({1, 2})}, {"strides", list({2})}});
  EXPECT_EQ(op.shape(), (Shape{1, 1, 3}));
  expectNear(op.resultFloats(), {210, 432, 54});
}

TEST(InterpreterConvPoolTest, Conv3DPaddedAtTheEnd) {
  // A 2x2x2 cube 1..8 padded by one at the end of each dim, 2x2x2 filter
  // 1..8: the first output is the dot product 1*1 + 2*2 + ... + 8*8 = 204,
  // the last 1 * 8 (only the cube's last element under the first tap).
  OneOp op;
  op.floats({1, 1, 2, 2, 2}, iota(8)).floats({1, 1, 2, 2, 2}, iota(8));
  op.run(OpKind::Conv, {{"pads", list({0, 0, 0, 1, 1, 1})}});
  EXPECT_EQ(op.shape(), (Shape{1, 1, 2, 2, 2}));
  expectNear(op.resultFloats(), {204, 100, 94, 44, 70, 30, 23, 8});
}

TEST(InterpreterConvPoolTest, ConvBatchAndChannels) {
  // Two images, two input channels, two output channels (1x1): each output
  // pixel is a 2x2 matrix times the pixel's channel vector, plus the bias.
  OneOp op;
  op.floats({2, 2, 1, 2}, {1, 2, 3, 4, 5, 6, 7, 8})
      .floats({2, 2, 1, 1}, {1, 1, 1, -1})
      .floats({2}, {0, 100});
  op.run(OpKind::Conv, {});
  EXPECT_EQ(op.shape(), (Shape{2, 2, 1, 2}));
  expectNear(op.resultFloats(), {4, 6, 98, 98, 12, 14, 98, 98});
}

TEST(InterpreterConvPoolTest, ConvAutoPad) {
  // Input [1,2,3,4], filter [1,2,4], stride 2: SAME gives ceil(4/2) = 2
  // outputs and pads 1 in total, at the end for SAME_UPPER
  // ([1,2,3,4,0]: 1+4+12, 3+8+0), at the start for SAME_LOWER
  // ([0,1,2,3,4]: 0+2+8, 2+6+16); VALID pads nothing (1+4+12).
  auto run = [](const char *autoPad) {
    OneOp op;
    op.floats({1, 1, 4}, {1, 2, 3, 4}).floats({1, 1, 3}, {1, 2, 4});
    op.run(OpKind::Conv,
           {{"auto_pad", Attribute(autoPad)}, {"strides", list({2})}});
    return op.resultFloats();
  };
  expectNear(run("SAME_UPPER"), {17, 11});
  expectNear(run("SAME_LOWER"), {10, 24});
  expectNear(run("VALID"), {17});
}

TEST(InterpreterConvPoolTest, ConvF64AndRejectsIntegers) {
  OneOp op;
  op.values(DType::F64, {1, 1, 3}, std::vector<double>{1, 2, 3})
      .values(DType::F64, {1, 1, 2}, std::vector<double>{0.5, 0.25});
  op.run(OpKind::Conv, {});
  EXPECT_EQ(op.typed<double>(DType::F64), (std::vector<double>{1, 1.75}));
  EXPECT_EQ(userErrorOf([] {
              OneOp ints;
              ints.ints({1, 1, 3}, {1, 2, 3}).ints({1, 1, 2}, {1, 1});
              ints.run(OpKind::Conv, {});
            }),
            "node 'n' (Conv): defined on floating-point tensors only, "
            "got i64");
}

// ------------------------------------------------------- ConvTranspose

TEST(InterpreterConvPoolTest, ConvTransposeStride2) {
  // At stride 2 the 2x2 filter copies do not overlap: each input value
  // scales [[1,10],[100,1000]] into its own 2x2 block.
  OneOp op;
  op.floats({1, 1, 2, 2}, {1, 2, 3, 4})
      .floats({1, 1, 2, 2}, {1, 10, 100, 1000});
  op.run(OpKind::ConvTranspose, {{"strides", list({2, 2})}});
  EXPECT_EQ(op.shape(), (Shape{1, 1, 4, 4}));
  expectNear(op.resultFloats(), {1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4,
                                 40, 300, 3000, 400, 4000});
}

TEST(InterpreterConvPoolTest, ConvTransposeStride1Overlaps) {
  // Overlapping copies add up: the centre gets 1*1000 + 2*100 + 3*10 + 4*1.
  OneOp op;
  op.floats({1, 1, 2, 2}, {1, 2, 3, 4})
      .floats({1, 1, 2, 2}, {1, 10, 100, 1000});
  op.run(OpKind::ConvTranspose, {});
  EXPECT_EQ(op.shape(), (Shape{1, 1, 3, 3}));
  expectNear(op.resultFloats(), {1, 12, 20, 103, 1234, 2040, 300, 3400, 4000});
}

// The 1-D ConvTranspose of [1,2,3] with [1,10,100] at stride 2, before any
// cropping: outputs 2i + k get x[i] * w[k], i.e.
// [1, 10, 100+2, 20, 200+3, 30, 300].
TEST(InterpreterConvPoolTest, ConvTransposePadsAndOutputPadding) {
  // pads [1, 0] crop the first element; output_padding 1 adds one at the
  // end that no input reaches (7 - 1 + 1 = 7 outputs).
  OneOp op;
  op.floats({1, 1, 3}, {1, 2, 3}).floats({1, 1, 3}, {1, 10, 100});
  op.run(OpKind::ConvTranspose, {{"strides", list({2})},
                                 {"pads", list({1, 0})},
                                 {"output_padding", list({1})}});
  EXPECT_EQ(op.shape(), (Shape{1, 1, 7}));
  expectNear(op.resultFloats(), {10, 102, 20, 203, 30, 300, 0});
}

TEST(InterpreterConvPoolTest, ConvTransposeDilation) {
  // Dilation 2: x[i] * w[k] lands on i + 2k: [1, 2, 3+10, 20, 30+100, 200,
  // 300].
  OneOp op;
  op.floats({1, 1, 3}, {1, 2, 3}).floats({1, 1, 3}, {1, 10, 100});
  op.run(OpKind::ConvTranspose, {{"dilations", list({2})}});
  expectNear(op.resultFloats(), {1, 2, 13, 20, 130, 200, 300});
}

TEST(InterpreterConvPoolTest, ConvTransposeAutoPadAndOutputShape) {
  // SAME: 3 * 2 = 6 outputs out of the 7 above; the odd pad is cropped at
  // the end for SAME_UPPER and at the start for SAME_LOWER (as ONNX's
  // test_convtranspose_autopad_same). An output_shape larger than the full
  // result pads nothing and leaves zeros (the bias) at the end.
  auto run = [](AttrMap attrs) {
    attrs.emplace("strides", list({2}));
    OneOp op;
    op.floats({1, 1, 3}, {1, 2, 3}).floats({1, 1, 3}, {1, 10, 100});
    op.run(OpKind::ConvTranspose, attrs);
    return op.resultFloats();
  };
  expectNear(run({{"auto_pad", Attribute("SAME_UPPER")}}),
             {1, 10, 102, 20, 203, 30});
  expectNear(run({{"auto_pad", Attribute("SAME_LOWER")}}),
             {10, 102, 20, 203, 30, 300});
  expectNear(run({{"output_shape", list({9})}}),
             {1, 10, 102, 20, 203, 30, 300, 0, 0});
}

TEST(InterpreterConvPoolTest, ConvTransposeGroupsWithBias) {
  // Input channels 0 and 1 each feed their own two output channels (weight
  // [2, 2, 2]: channel c, output m of its group, tap k).
  OneOp op;
  op.floats({1, 2, 2}, {1, 2, 3, 4})
      .floats({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8})
      .floats({4}, {0, 100, 200, 300});
  op.run(OpKind::ConvTranspose, {{"group", Attribute(2)}});
  EXPECT_EQ(op.shape(), (Shape{1, 4, 3}));
  expectNear(op.resultFloats(),
             {1, 4, 4, 103, 110, 108, 215, 238, 224, 321, 352, 332});
}

// ---------------------------------------------------------------- pools

// [[9,1,2],[3,4,8],[5,7,6]] and its negation, as two channels.
std::vector<float> maxPoolInput() {
  return {9, 1, 2, 3, 4, 8, 5, 7, 6, -9, -1, -2, -3, -4, -8, -5, -7, -6};
}

TEST(InterpreterConvPoolTest, MaxPoolCeilModeWithIndices) {
  // 2x2 windows at stride 2 over 3x3: ceil_mode adds the partial windows
  // {2,8}, {5,7} and {6}. Indices count from the start of the whole tensor
  // (channel 1 starts at 9), row-major.
  OneOp op;
  op.floats({1, 2, 3, 3}, maxPoolInput());
  op.run(OpKind::MaxPool,
         {{"kernel_shape", list({2, 2})},
          {"strides", list({2, 2})},
          {"ceil_mode", Attribute(1)}},
         2);
  EXPECT_EQ(op.shape(), (Shape{1, 2, 2, 2}));
  expectNear(op.resultFloats(), {9, 8, 7, 6, -1, -2, -5, -6});
  EXPECT_EQ(op.resultInts(1),
            (std::vector<int64_t>{0, 5, 7, 8, 10, 11, 15, 17}));
}

TEST(InterpreterConvPoolTest, MaxPoolIndicesColumnMajor) {
  // storage_order 1: the spatial position counts column by column, (r, c)
  // -> c * 3 + r; the channel offset stays 9.
  OneOp op;
  op.floats({1, 2, 3, 3}, maxPoolInput());
  op.run(OpKind::MaxPool,
         {{"kernel_shape", list({2, 2})},
          {"strides", list({2, 2})},
          {"ceil_mode", Attribute(1)},
          {"storage_order", Attribute(1)}},
         2);
  EXPECT_EQ(op.resultInts(1),
            (std::vector<int64_t>{0, 7, 5, 8, 12, 15, 11, 17}));
}

TEST(InterpreterConvPoolTest, MaxPoolWithoutCeilMode) {
  OneOp op;
  op.floats({1, 2, 3, 3}, maxPoolInput());
  op.run(OpKind::MaxPool,
         {{"kernel_shape", list({2, 2})}, {"strides", list({2, 2})}});
  EXPECT_EQ(op.shape(), (Shape{1, 2, 1, 1}));
  expectNear(op.resultFloats(), {9, -1});
}

TEST(InterpreterConvPoolTest, MaxPoolDilation) {
  // Kernel 2 dilated by 3 compares x[i] and x[i+3].
  OneOp op;
  op.floats({1, 1, 7}, {1, 5, 2, 8, 3, 0, 4});
  op.run(OpKind::MaxPool,
         {{"kernel_shape", list({2})}, {"dilations", list({3})}}, 2);
  expectNear(op.resultFloats(), {8, 5, 2, 8});
  EXPECT_EQ(op.resultInts(1), (std::vector<int64_t>{3, 1, 2, 3}));
}

TEST(InterpreterConvPoolTest, MaxPoolPaddingNeverWins) {
  // All values negative: padding must not contribute a 0.
  OneOp op;
  op.floats({1, 1, 3}, {-3, -1, -2});
  op.run(OpKind::MaxPool, {{"kernel_shape", list({2})}, {"pads", list({1, 1})}},
         2);
  expectNear(op.resultFloats(), {-3, -1, -1, -2});
  EXPECT_EQ(op.resultInts(1), (std::vector<int64_t>{0, 1, 1, 2}));
}

TEST(InterpreterConvPoolTest, MaxPoolsPropagateNaN) {
  // A window holding NaN gives NaN wherever the NaN sits, as ReduceMax does.
  OneOp op;
  op.floats({1, 1, 4}, {NAN, 1, NAN, 2});
  op.run(OpKind::MaxPool, {{"kernel_shape", list({2})}});
  std::vector<float> y = op.resultFloats();
  ASSERT_EQ(y.size(), 3u);
  EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[1]) && std::isnan(y[2]));
  OneOp global;
  global.floats({1, 3, 2}, {NAN, 1, 1, NAN, 1, 2});
  global.run(OpKind::GlobalMaxPool, {});
  y = global.resultFloats();
  ASSERT_EQ(y.size(), 3u);
  EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[1]));
  EXPECT_EQ(y[2], 2);
}

TEST(InterpreterConvPoolTest, MaxPoolUInt8) {
  OneOp op;
  op.values(DType::U8, {1, 1, 4}, std::vector<uint8_t>{200, 7, 255, 0});
  op.run(OpKind::MaxPool,
         {{"kernel_shape", list({2})}, {"strides", list({2})}});
  EXPECT_EQ(op.typed<uint8_t>(DType::U8), (std::vector<uint8_t>{200, 255}));
}

TEST(InterpreterConvPoolTest, AveragePoolCountIncludePad) {
  // [1..5], kernel 3, stride 2, one pad each side: windows {1,2}, {2,3,4},
  // {4,5} (plus a pad each at the ends). Without count_include_pad the pads
  // do not count (1.5, 3, 4.5); with it every window counts 3 (1, 3, 3).
  auto run = [](int includePad) {
    OneOp op;
    op.floats({1, 1, 5}, iota(5));
    op.run(OpKind::AveragePool, {{"kernel_shape", list({3})},
                                 {"strides", list({2})},
                                 {"pads", list({1, 1})},
                                 {"count_include_pad", Attribute(includePad)}});
    return op.resultFloats();
  };
  expectNear(run(0), {1.5, 3, 4.5});
  expectNear(run(1), {1, 3, 3});
}

TEST(InterpreterConvPoolTest, AveragePoolCeilModeOverhang) {
  // [1..6], kernel 3, stride 2, pads 1: ceil_mode adds a fourth window at
  // positions 5, 6, 7 holding only x[5] = 6. It spans one input element
  // and one pad; position 7 lies past the end padding and never counts, so
  // count_include_pad divides by 2 (ONNX Runtime's rule), not 3.
  auto run = [](int includePad) {
    OneOp op;
    op.floats({1, 1, 6}, iota(6));
    op.run(OpKind::AveragePool, {{"kernel_shape", list({3})},
                                 {"strides", list({2})},
                                 {"pads", list({1, 1})},
                                 {"ceil_mode", Attribute(1)},
                                 {"count_include_pad", Attribute(includePad)}});
    return op.resultFloats();
  };
  expectNear(run(0), {1.5, 3, 5, 6});
  expectNear(run(1), {1, 3, 5, 3});
}

TEST(InterpreterConvPoolTest, AveragePool2DPadsAtTheStart) {
  // 3x3 image 1..9 with a pad row on top and a pad column on the left, 2x2
  // windows: the corner window holds 1 alone (1, or 1/4 with the pads).
  auto run = [](int includePad) {
    OneOp op;
    op.floats({1, 1, 3, 3}, iota(9));
    op.run(OpKind::AveragePool, {{"kernel_shape", list({2, 2})},
                                 {"pads", list({1, 1, 0, 0})},
                                 {"count_include_pad", Attribute(includePad)}});
    return op.resultFloats();
  };
  expectNear(run(0), {1, 1.5, 2.5, 2.5, 3, 4, 5.5, 6, 7});
  expectNear(run(1), {0.25, 0.75, 1.25, 1.25, 3, 4, 2.75, 6, 7});
}

TEST(InterpreterConvPoolTest, AveragePoolSameUpper) {
  // [1..5], kernel 2, SAME_UPPER at stride 2: 3 outputs, the one pad at the
  // end and not counted: (1+2)/2, (3+4)/2, 5.
  OneOp op;
  op.floats({1, 1, 5}, iota(5));
  op.run(OpKind::AveragePool, {{"kernel_shape", list({2})},
                               {"strides", list({2})},
                               {"auto_pad", Attribute("SAME_UPPER")}});
  expectNear(op.resultFloats(), {1.5, 3.5, 5});
}

TEST(InterpreterConvPoolTest, LpPool) {
  const std::vector<float> x{3, 4, 0, -5, 12};
  auto run = [&](AttrMap attrs) {
    OneOp op;
    op.floats({1, 1, 5}, x);
    attrs.emplace("kernel_shape", list({2}));
    op.run(OpKind::LpPool, attrs);
    return op.resultFloats();
  };
  // p = 2 (the default): the Euclidean norm of pairs, 5, 4, 5, 13.
  expectNear(run({}), {5, 4, 5, 13});
  // p = 1, dilation 2: |x[i]| + |x[i+2]|.
  expectNear(run({{"p", Attribute(1)}, {"dilations", list({2})}}), {3, 9, 12});
  // Dilation 2 and a pad in front: {4}, {3,0}, {4,-5}, {0,12}.
  expectNear(run({{"dilations", list({2})}, {"pads", list({1, 0})}}),
             {4, 3, std::sqrt(41.0f), 12});
}

TEST(InterpreterConvPoolTest, GlobalPools) {
  const std::vector<float> x{1, 2, 3, 6, -1, -2, -3, -4};
  OneOp avg;
  avg.floats({1, 2, 2, 2}, x);
  avg.run(OpKind::GlobalAveragePool, {});
  EXPECT_EQ(avg.shape(), (Shape{1, 2, 1, 1}));
  expectNear(avg.resultFloats(), {3, -2.5});
  OneOp max;
  max.floats({1, 2, 2, 2}, x);
  max.run(OpKind::GlobalMaxPool, {});
  expectNear(max.resultFloats(), {6, -1});
}

// -------------------------------------------------------- normalization

TEST(InterpreterConvPoolTest, BatchNormalization) {
  // Channel 0: (x - 1.5) / sqrt(0.25) * 2 + 1; channel 1: (x - 3) / 2 * 0.5
  // - 1. epsilon 0 keeps the numbers round.
  OneOp op;
  op.floats({1, 2, 2}, {1, 2, 3, 4})
      .floats({2}, {2, 0.5})
      .floats({2}, {1, -1})
      .floats({2}, {1.5, 3})
      .floats({2}, {0.25, 4});
  op.run(OpKind::BatchNormalization, {{"epsilon", Attribute(0.0)}});
  expectNear(op.resultFloats(), {-1, 3, -1, -0.75});
}

TEST(InterpreterConvPoolTest, BatchNormalizationRank2AndEpsilon) {
  // [N, C] input; variance 0 leaves only epsilon = 0.25: (x - 1) / 0.5.
  OneOp op;
  op.floats({2, 1}, {2, 0})
      .floats({1}, {1})
      .floats({1}, {0})
      .floats({1}, {1})
      .floats({1}, {0});
  op.run(OpKind::BatchNormalization, {{"epsilon", Attribute(0.25)}});
  expectNear(op.resultFloats(), {2, -2});
}

TEST(InterpreterConvPoolTest, BatchNormalizationTrainingMode) {
  // x [2,1,2] = 1, 3 | 5, 7: the batch mean is 4, the population variance
  // (9 + 1 + 1 + 9) / 4 = 5. With momentum 0.5 the running mean becomes
  // 0 * 0.5 + 4 * 0.5 = 2 and the running variance 1 * 0.5 + 5 * 0.5 = 3.
  OneOp op;
  op.floats({2, 1, 2}, {1, 3, 5, 7})
      .floats({1}, {2})  // scale
      .floats({1}, {1})  // bias
      .floats({1}, {0})  // running mean
      .floats({1}, {1}); // running variance
  op.run(OpKind::BatchNormalization,
         {{"training_mode", Attribute(1)},
          {"momentum", Attribute(0.5)},
          {"epsilon", Attribute(0.0)}},
         3);
  float s = 2 / std::sqrt(5.0f);
  expectNear(op.resultFloats(0), {1 - 3 * s, 1 - s, 1 + s, 1 + 3 * s});
  expectNear(op.resultFloats(1), {2});
  expectNear(op.resultFloats(2), {3});
}

TEST(InterpreterConvPoolTest, BatchNormalizationStatisticsNeedTrainingMode) {
  EXPECT_EQ(
      userErrorOf([] {
        OneOp op;
        op.floats({1, 1}, {1});
        for (int i = 0; i < 4; ++i)
          op.floats({1}, {1});
        op.run(OpKind::BatchNormalization, {}, 3);
      }),
      "node 'n' (BatchNormalization): the running statistics (results 1 and "
      "2) exist in training mode only");
}

TEST(InterpreterConvPoolTest, InstanceNormalization) {
  // Channel 0 [1,2,3,4]: mean 2.5, variance 1.25; channel 1 [0,0,4,4]:
  // mean 2, variance 4, then * 2 + 1. epsilon is the default 1e-5.
  OneOp op;
  op.floats({1, 2, 4}, {1, 2, 3, 4, 0, 0, 4, 4})
      .floats({2}, {1, 2})
      .floats({2}, {0, 1});
  op.run(OpKind::InstanceNormalization, {});
  float s0 = 1 / std::sqrt(1.25f + 1e-5f), s1 = 2 / std::sqrt(4 + 1e-5f);
  expectNear(op.resultFloats(),
             {-1.5f * s0, -0.5f * s0, 0.5f * s0, 1.5f * s0, 1 - 2 * s1,
              1 - 2 * s1, 1 + 2 * s1, 1 + 2 * s1});
}

TEST(InterpreterConvPoolTest, LRN) {
  // Channels [1,2,3], size 2: the window of channel c is [c, c+1] (floor
  // of (size-1)/2 below, ceil above); alpha / size = 0.5, beta 1, bias 1:
  // 1 / (1 + 0.5 * 5), 2 / (1 + 0.5 * 13), 3 / (1 + 0.5 * 9).
  OneOp op;
  op.floats({1, 3, 1, 1}, {1, 2, 3});
  op.run(OpKind::LRN, {{"size", Attribute(2)},
                       {"alpha", Attribute(1.0)},
                       {"beta", Attribute(1.0)}});
  expectNear(op.resultFloats(), {1 / 3.5f, 2 / 7.5f, 3 / 5.5f});
}

TEST(InterpreterConvPoolTest, LRNDefaults) {
  // size 3 (one channel each side), alpha 1e-4, beta 0.75, bias 1.
  OneOp op;
  op.floats({1, 3, 1}, {1, 2, 3});
  op.run(OpKind::LRN, {{"size", Attribute(3)}});
  auto expected = [](float x, float squares) {
    return x / std::pow(1 + 1e-4f / 3 * squares, 0.75f);
  };
  expectNear(op.resultFloats(),
             {expected(1, 5), expected(2, 14), expected(3, 13)});
}

} // namespace
