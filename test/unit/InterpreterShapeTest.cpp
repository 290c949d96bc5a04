#include "InterpreterTestSupport.h"

#include <cmath>
#include <limits>

using namespace cnnc;
using namespace cnnc::test;

namespace {

// One-element lists spelled as a vector: ints({-1}) alone would be
// ambiguous with OneOp::ints(size_t), the result accessor.
using Ints = std::vector<int64_t>;

std::vector<int64_t> iota(int64_t count, int64_t first = 0) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < count; ++i)
    v.push_back(first + i);
  return v;
}

std::vector<uint8_t> bools(const OneOp &op, size_t i = 0) {
  return op.typed<uint8_t>(DType::Bool, i);
}

// Resize of a constant `x` with the given attributes and scales (or, if
// `sizes` is non-empty, sizes); returns the f32 result.
std::vector<float> resized(Shape shape, const std::vector<float> &x,
                           AttrMap attrs, const std::vector<float> &scales,
                           const std::vector<int64_t> &sizes = {}) {
  OneOp op;
  op.floats(shape, x).absent();
  if (sizes.empty())
    op.floats({int64_t(scales.size())}, scales);
  else
    op.absent().ints(sizes);
  return op.run(OpKind::Resize, std::move(attrs)).resultFloats();
}

} // namespace

// ------------------------------------------------------------ reshape-like

TEST(InterpreterShape, ReshapeKeepsBytesOfAnyDType) {
  OneOp op;
  op.ints({2, 3}, iota(6)).ints(Ints{-1});
  op.run(OpKind::Reshape, {});
  EXPECT_EQ(op.shape(), (Shape{6}));
  EXPECT_EQ(op.resultInts(), iota(6));
}

TEST(InterpreterShape, SqueezeUnsqueezeFlattenIdentity) {
  OneOp squeeze;
  squeeze.floats({1, 3, 1}, {1, 2, 3});
  squeeze.run(OpKind::Squeeze, {});
  EXPECT_EQ(squeeze.shape(), (Shape{3}));
  EXPECT_EQ(squeeze.resultFloats(), (std::vector<float>{1, 2, 3}));

  OneOp unsqueeze;
  unsqueeze.floats({3}, {1, 2, 3}).ints({0, -1});
  unsqueeze.run(OpKind::Unsqueeze, {});
  EXPECT_EQ(unsqueeze.shape(), (Shape{1, 3, 1}));

  OneOp flatten;
  flatten.floats({2, 3, 4}, std::vector<float>(24, 1.5f));
  flatten.run(OpKind::Flatten, {{"axis", 2}});
  EXPECT_EQ(flatten.shape(), (Shape{6, 4}));
  EXPECT_EQ(flatten.resultFloats(), std::vector<float>(24, 1.5f));

  OneOp identity;
  identity.values<uint8_t>(DType::Bool, {3}, {1, 0, 1});
  identity.run(OpKind::Identity, {});
  EXPECT_EQ(bools(identity), (std::vector<uint8_t>{1, 0, 1}));
}

// ---------------------------------------------------------------- Transpose

TEST(InterpreterShape, TransposeDefaultReversesAxes) {
  OneOp op;
  op.floats({2, 3}, {1, 2, 3, 4, 5, 6});
  op.run(OpKind::Transpose, {});
  EXPECT_EQ(op.shape(), (Shape{3, 2}));
  EXPECT_EQ(op.resultFloats(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(InterpreterShape, TransposeWithPerm) {
  // x[a][0][c] = 3a + c; out[c][a][0] = x[a][0][c].
  OneOp op;
  op.ints({2, 1, 3}, iota(6));
  op.run(OpKind::Transpose, {{"perm", std::vector<int64_t>{2, 0, 1}}});
  EXPECT_EQ(op.shape(), (Shape{3, 2, 1}));
  EXPECT_EQ(op.resultInts(), (std::vector<int64_t>{0, 3, 1, 4, 2, 5}));
}

// ------------------------------------------------------------ Concat, Split

TEST(InterpreterShape, ConcatInnerAxis) {
  OneOp op;
  op.floats({2, 1}, {1, 2}).floats({2, 2}, {3, 4, 5, 6});
  op.run(OpKind::Concat, {{"axis", -1}});
  EXPECT_EQ(op.shape(), (Shape{2, 3}));
  EXPECT_EQ(op.resultFloats(), (std::vector<float>{1, 3, 4, 2, 5, 6}));
}

TEST(InterpreterShape, ConcatOuterAxisWithEmptyOperand) {
  OneOp op;
  op.ints({1, 2}, {1, 2}).ints({0, 2}, {}).ints({2, 2}, {3, 4, 5, 6});
  op.run(OpKind::Concat, {{"axis", 0}});
  EXPECT_EQ(op.shape(), (Shape{3, 2}));
  EXPECT_EQ(op.resultInts(), iota(6, 1));
}

TEST(InterpreterShape, SplitGivenSizes) {
  OneOp op;
  op.floats({6}, {1, 2, 3, 4, 5, 6}).ints({1, 2, 3});
  op.run(OpKind::Split, {}, 3);
  EXPECT_EQ(op.resultFloats(0), (std::vector<float>{1}));
  EXPECT_EQ(op.resultFloats(1), (std::vector<float>{2, 3}));
  EXPECT_EQ(op.resultFloats(2), (std::vector<float>{4, 5, 6}));
}

TEST(InterpreterShape, SplitEqualPartsInnerAxis) {
  OneOp op;
  op.ints({2, 4}, iota(8, 1));
  op.run(OpKind::Split, {{"axis", 1}}, 2);
  EXPECT_EQ(op.resultInts(0), (std::vector<int64_t>{1, 2, 5, 6}));
  EXPECT_EQ(op.resultInts(1), (std::vector<int64_t>{3, 4, 7, 8}));
}

TEST(InterpreterShape, SplitNumOutputsUnevenLastChunk) {
  OneOp op;
  op.ints({7}, iota(7));
  op.run(OpKind::Split, {{"num_outputs", 3}}, 3);
  EXPECT_EQ(op.resultInts(0), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(op.resultInts(1), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(op.resultInts(2), (std::vector<int64_t>{6}));
}

// -------------------------------------------------------------------- Slice

TEST(InterpreterShape, SliceNegativeStep) {
  // Row-major 0..9 as [2, 5]; axis 1 from the last element backwards by 2.
  OneOp op;
  op.ints({2, 5}, iota(10))
      .ints(Ints{-1})
      .ints(Ints{-1000})
      .ints(Ints{1})
      .ints(Ints{-2});
  op.run(OpKind::Slice, {});
  EXPECT_EQ(op.shape(), (Shape{2, 3}));
  EXPECT_EQ(op.resultInts(), (std::vector<int64_t>{4, 2, 0, 9, 7, 5}));
}

TEST(InterpreterShape, SliceReversesEveryAxis) {
  constexpr int64_t lo = std::numeric_limits<int64_t>::min();
  OneOp op;
  op.floats({2, 3}, {1, 2, 3, 4, 5, 6})
      .ints({-1, -1})
      .ints({lo, lo})
      .absent()
      .ints({-1, -1});
  op.run(OpKind::Slice, {});
  EXPECT_EQ(op.resultFloats(), (std::vector<float>{6, 5, 4, 3, 2, 1}));
}

TEST(InterpreterShape, SliceNegativeAxisAndHugeStep) {
  constexpr int64_t hi = std::numeric_limits<int64_t>::max();
  OneOp op;
  op.ints({2, 5}, iota(10))
      .ints({1, 3})
      .ints({hi, hi})
      .ints({0, -1})
      .ints({hi, 1});
  op.run(OpKind::Slice, {});
  EXPECT_EQ(op.shape(), (Shape{1, 2}));
  EXPECT_EQ(op.resultInts(), (std::vector<int64_t>{8, 9}));
}

// ---------------------------------------------------------------------- Pad

TEST(InterpreterShape, PadReflect) {
  // Two before and one after on the columns, mirrored without the edge.
  OneOp op;
  op.floats({2, 3}, {1, 2, 3, 4, 5, 6}).ints({0, 2, 0, 1});
  op.run(OpKind::Pad, {{"mode", "reflect"}});
  EXPECT_EQ(op.shape(), (Shape{2, 6}));
  EXPECT_EQ(op.resultFloats(),
            (std::vector<float>{3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5}));
}

TEST(InterpreterShape, PadReflectWiderThanInput) {
  // NumPy's reflect keeps mirroring: 1 2 3 -> 2 3 2 [1 2 3] 2 1 2 3.
  OneOp op;
  op.floats({3}, {1, 2, 3}).ints({3, 4});
  op.run(OpKind::Pad, {{"mode", "reflect"}});
  EXPECT_EQ(op.resultFloats(),
            (std::vector<float>{2, 3, 2, 1, 2, 3, 2, 1, 2, 3}));
}

TEST(InterpreterShape, PadEdge) {
  OneOp op;
  op.floats({2, 3}, {1, 2, 3, 4, 5, 6}).ints({1, 0, 0, 2});
  op.run(OpKind::Pad, {{"mode", "edge"}});
  EXPECT_EQ(op.shape(), (Shape{3, 5}));
  EXPECT_EQ(op.resultFloats(), (std::vector<float>{1, 2, 3, 3, 3, //
                                                   1, 2, 3, 3, 3, //
                                                   4, 5, 6, 6, 6}));
}

TEST(InterpreterShape, PadNegativeCropsWithConstantValue) {
  // The first column is cropped; a row and a column of 9 are added.
  OneOp op;
  op.floats({2, 3}, {1, 2, 3, 4, 5, 6}).ints({0, -1, 1, 1}).floats({}, {9});
  op.run(OpKind::Pad, {});
  EXPECT_EQ(op.shape(), (Shape{3, 3}));
  EXPECT_EQ(op.resultFloats(), (std::vector<float>{2, 3, 9, 5, 6, 9, 9, 9, 9}));
}

TEST(InterpreterShape, PadAxesOperandInt64DefaultZero) {
  OneOp op;
  op.ints({2, 2}, {1, 2, 3, 4}).ints({1, 0}).absent().ints(Ints{-1});
  op.run(OpKind::Pad, {});
  EXPECT_EQ(op.shape(), (Shape{2, 3}));
  EXPECT_EQ(op.resultInts(), (std::vector<int64_t>{0, 1, 2, 0, 3, 4}));
}

// ------------------------------------------------------------------- Gather

TEST(InterpreterShape, GatherNegativeIndices) {
  OneOp op;
  op.floats({3, 2}, {1, 2, 3, 4, 5, 6}).ints({-1, 0});
  op.run(OpKind::Gather, {});
  EXPECT_EQ(op.shape(), (Shape{2, 2}));
  EXPECT_EQ(op.resultFloats(), (std::vector<float>{5, 6, 1, 2}));
}

TEST(InterpreterShape, GatherInnerAxisWith2DIndices) {
  OneOp op;
  op.ints({2, 3}, iota(6)).values<int32_t>(DType::I32, {2, 2}, {2, 0, -2, 1});
  op.run(OpKind::Gather, {{"axis", 1}});
  EXPECT_EQ(op.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(op.resultInts(), (std::vector<int64_t>{2, 0, 1, 1, 5, 3, 4, 4}));
}

TEST(InterpreterShape, GatherIndexOutOfRangeAtRunTime) {
  // Indices that are a graph input, so only the kernel can see the values.
  Graph g;
  Value *data =
      g.addConstant("data", std::make_shared<Tensor>(Tensor::fromValues<float>(
                                DType::F32, {3}, {1, 2, 3})));
  Value *indices =
      g.addInput("indices", TensorType{DType::I64, {2}, Layout::Plain});
  Node *n = g.addNode(OpKind::Gather, "n", {data, indices}, {"r"});
  setInferredTypes(*n);
  Tensor ok = Tensor::fromValues<int64_t>(DType::I64, {2}, {-3, 2});
  EXPECT_EQ(evaluateNode(*n, {data->constant.get(), &ok})[0].bytes(),
            Tensor::fromValues<float>(DType::F32, {2}, {1, 3}).bytes());
  for (int64_t bad : {int64_t(3), int64_t(-4)}) {
    Tensor t = Tensor::fromValues<int64_t>(DType::I64, {2}, {0, bad});
    try {
      evaluateNode(*n, {data->constant.get(), &t});
      ADD_FAILURE() << "index " << bad << " accepted";
    } catch (const UserError &e) {
      EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos)
          << e.what();
    }
  }
}

// ------------------------------------------------- Shape, ConstantOfShape

TEST(InterpreterShape, ShapeStartEnd) {
  auto run = [](AttrMap attrs) {
    OneOp op;
    op.floats({2, 3, 4, 5}, std::vector<float>(120));
    return op.run(OpKind::Shape, std::move(attrs)).resultInts();
  };
  EXPECT_EQ(run({}), (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(run({{"start", 1}, {"end", -1}}), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(run({{"start", -10}, {"end", 2}}), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(run({{"start", -1}}), (std::vector<int64_t>{5}));
  EXPECT_EQ(run({{"start", 3}, {"end", 1}}), (std::vector<int64_t>{}));
}

TEST(InterpreterShape, ConstantOfShapeWithValue) {
  OneOp op;
  op.ints({2, 3});
  auto seven = std::make_shared<Tensor>(
      Tensor::fromValues<int64_t>(DType::I64, {1}, {7}));
  op.run(OpKind::ConstantOfShape, {{"value", TensorRef(seven)}});
  EXPECT_EQ(op.shape(), (Shape{2, 3}));
  EXPECT_EQ(op.resultInts(), std::vector<int64_t>(6, 7));
}

TEST(InterpreterShape, ConstantOfShapeDefaultsToF32Zero) {
  OneOp op;
  op.ints(Ints{3});
  op.run(OpKind::ConstantOfShape, {});
  EXPECT_EQ(op.resultFloats(), (std::vector<float>{0, 0, 0}));

  OneOp empty;
  empty.ints(Ints{0});
  empty.run(OpKind::ConstantOfShape, {});
  EXPECT_EQ(empty.shape(), (Shape{0}));
}

// ------------------------------------------------------------------- Expand

TEST(InterpreterShape, ExpandAddsAndStretchesAxes) {
  OneOp op;
  op.floats({3, 1}, {1, 2, 3}).ints({2, 1, 2});
  op.run(OpKind::Expand, {});
  EXPECT_EQ(op.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(op.resultFloats(),
            (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
}

TEST(InterpreterShape, ExpandIsBidirectional) {
  // [1, 3] to [2, 1] gives [2, 3]: the shape operand broadcasts too.
  OneOp op;
  op.ints({1, 3}, {1, 2, 3}).ints({2, 1});
  op.run(OpKind::Expand, {});
  EXPECT_EQ(op.shape(), (Shape{2, 3}));
  EXPECT_EQ(op.resultInts(), (std::vector<int64_t>{1, 2, 3, 1, 2, 3}));
}

// ------------------------------------------------------------------ Dropout

TEST(InterpreterShape, DropoutPassesThroughWithTrueMask) {
  OneOp op;
  op.floats({3}, {1, -2, 3});
  op.run(OpKind::Dropout, {}, 2);
  EXPECT_EQ(op.resultFloats(0), (std::vector<float>{1, -2, 3}));
  EXPECT_EQ(bools(op, 1), (std::vector<uint8_t>{1, 1, 1}));
}

TEST(InterpreterShape, DropoutTrainingModeOnlyWithRatioZero) {
  OneOp zero;
  zero.floats({2}, {4, 5})
      .floats({}, {0})
      .values<uint8_t>(DType::Bool, {}, {1});
  zero.run(OpKind::Dropout, {});
  EXPECT_EQ(zero.resultFloats(), (std::vector<float>{4, 5}));

  OneOp random;
  random.floats({2}, {4, 5}).absent().values<uint8_t>(DType::Bool, {}, {1});
  EXPECT_THROW(random.run(OpKind::Dropout, {}), UserError);
}

// --------------------------------------------------------------------- Cast

TEST(InterpreterShape, CastFloatToIntTruncatesTowardZero) {
  OneOp op;
  op.floats({5}, {1.7f, -1.7f, 2.5f, -0.5f, 1e30f});
  op.run(OpKind::Cast, {{"to", "i64"}});
  EXPECT_EQ(
      op.resultInts(),
      (std::vector<int64_t>{1, -1, 2, 0, std::numeric_limits<int64_t>::max()}));
}

TEST(InterpreterShape, CastFloatToNarrowIntSaturates) {
  // Out-of-range floats saturate at the target's own range (not at int64's
  // and then wrap); NaN becomes 0.
  OneOp toI32;
  toI32.floats({4}, {3e9f, -3e9f, 1e19f, NAN});
  toI32.run(OpKind::Cast, {{"to", "i32"}});
  EXPECT_EQ(toI32.typed<int32_t>(DType::I32),
            (std::vector<int32_t>{INT32_MAX, INT32_MIN, INT32_MAX, 0}));
  OneOp toU8;
  toU8.floats({3}, {-1, 300, 254.9f});
  toU8.run(OpKind::Cast, {{"to", "u8"}});
  EXPECT_EQ(toU8.typed<uint8_t>(DType::U8),
            (std::vector<uint8_t>{0, 255, 254}));
}

TEST(InterpreterShape, CastToBool) {
  OneOp op;
  op.floats({4}, {0.0f, -0.0f, 0.25f, std::nanf("")});
  op.run(OpKind::Cast, {{"to", "bool"}});
  EXPECT_EQ(bools(op), (std::vector<uint8_t>{0, 0, 1, 1}));

  OneOp ints;
  ints.ints({3}, {0, -5, 2});
  ints.run(OpKind::Cast, {{"to", "bool"}});
  EXPECT_EQ(bools(ints), (std::vector<uint8_t>{0, 1, 1}));
}

TEST(InterpreterShape, CastF16RoundTrip) {
  // 1 + 2^-10 is exact in f16; 1 + 2^-11 ties to even (1); 0.1 rounds to
  // the nearest f16; 70000 overflows to infinity.
  std::vector<float> x{1.0009765625f, 1.00048828125f, 0.1f, 70000.0f, -2.0f};
  OneOp toHalf;
  toHalf.floats({5}, x);
  toHalf.run(OpKind::Cast, {{"to", "f16"}});
  std::vector<uint16_t> half = toHalf.typed<uint16_t>(DType::F16);
  EXPECT_EQ(half,
            (std::vector<uint16_t>{0x3c01, 0x3c00, 0x2e66, 0x7c00, 0xc000}));
  OneOp back;
  back.values(DType::F16, {5}, half);
  back.run(OpKind::Cast, {{"to", "f32"}});
  EXPECT_EQ(
      back.resultFloats(),
      (std::vector<float>{1.0009765625f, 1.0f, 0.0999755859375f,
                          std::numeric_limits<float>::infinity(), -2.0f}));
}

TEST(InterpreterShape, CastIntegersWrapAndConvert) {
  OneOp narrow;
  narrow.ints({3}, {300, -1, 7});
  narrow.run(OpKind::Cast, {{"to", "u8"}});
  EXPECT_EQ(narrow.typed<uint8_t>(DType::U8),
            (std::vector<uint8_t>{44, 255, 7}));

  OneOp fromBool;
  fromBool.values<uint8_t>(DType::Bool, {2}, {1, 0});
  fromBool.run(OpKind::Cast, {{"to", "f64"}});
  EXPECT_EQ(fromBool.typed<double>(DType::F64), (std::vector<double>{1, 0}));

  OneOp fromDouble;
  fromDouble.values<double>(DType::F64, {2}, {0.1, -3.75});
  fromDouble.run(OpKind::Cast, {{"to", "i32"}});
  EXPECT_EQ(fromDouble.typed<int32_t>(DType::I32),
            (std::vector<int32_t>{0, -3}));
}

// ------------------------------------------------------------------- Resize

TEST(InterpreterShape, ResizeNearestModes) {
  // Asymmetric: output o reads input o / 4 = 0, .25, .5, .75, 1, 1.25, 1.5,
  // 1.75; indices past the end clamp to the last element.
  auto run = [](const char *nearestMode) {
    return resized({2}, {10, 20},
                   {{"coordinate_transformation_mode", "asymmetric"},
                    {"nearest_mode", nearestMode}},
                   {4});
  };
  EXPECT_EQ(run("round_prefer_floor"),
            (std::vector<float>{10, 10, 10, 20, 20, 20, 20, 20}));
  EXPECT_EQ(run("round_prefer_ceil"),
            (std::vector<float>{10, 10, 20, 20, 20, 20, 20, 20}));
  EXPECT_EQ(run("floor"), (std::vector<float>{10, 10, 10, 10, 20, 20, 20, 20}));
  EXPECT_EQ(run("ceil"), (std::vector<float>{10, 20, 20, 20, 20, 20, 20, 20}));
}

TEST(InterpreterShape, ResizeNearestDefaultsHalfPixelPreferFloor) {
  // Downsampling by 2 reads input (o + .5) * 2 - .5 = .5 and 2.5.
  EXPECT_EQ(resized({4}, {10, 20, 30, 40}, {}, {0.5f}),
            (std::vector<float>{10, 30}));
}

TEST(InterpreterShape, ResizeNearestCopiesInt64Exactly) {
  // Beyond 2^53: no detour through floating point.
  int64_t big = (int64_t(1) << 60) + 1;
  OneOp op;
  op.ints({2}, {big, -big}).absent().absent().ints(Ints{4});
  op.run(OpKind::Resize, {});
  EXPECT_EQ(op.resultInts(), (std::vector<int64_t>{big, big, -big, -big}));
}

TEST(InterpreterShape, ResizeLinearHalfPixel) {
  // Output o reads input (o + .5) / 2 - .5 = -.25, .25, .75, 1.25, clamped.
  expectNear(resized({2}, {10, 20}, {{"mode", "linear"}}, {2}),
             {10, 12.5, 17.5, 20});
}

TEST(InterpreterShape, ResizeLinearAlignCorners) {
  // sizes 4: output o reads input o * (2 - 1) / (4 - 1).
  expectNear(resized({2}, {10, 20},
                     {{"mode", "linear"},
                      {"coordinate_transformation_mode", "align_corners"}},
                     {}, {4}),
             {10, 10 + 10.0f / 3, 10 + 20.0f / 3, 20});
}

TEST(InterpreterShape, ResizeLinearAsymmetric) {
  expectNear(resized({2}, {10, 20},
                     {{"mode", "linear"},
                      {"coordinate_transformation_mode", "asymmetric"}},
                     {2}),
             {10, 15, 20, 20});
}

TEST(InterpreterShape, ResizeBilinearOverTwoAxes) {
  // Rows and columns both read o / 2: 0, .5, 1, 1.5 (clamped to 1).
  expectNear(resized({2, 2}, {1, 2, 3, 4},
                     {{"mode", "linear"},
                      {"coordinate_transformation_mode", "asymmetric"}},
                     {2, 2}),
             {1, 1.5, 2, 2, //
              2, 2.5, 3, 3, //
              3, 3.5, 4, 4, //
              3, 3.5, 4, 4});
}

TEST(InterpreterShape, ResizeLinearOnlyListedAxes) {
  // axes = [1]: rows are kept, columns are resampled.
  expectNear(resized({2, 2}, {1, 2, 3, 4},
                     {{"mode", "linear"},
                      {"coordinate_transformation_mode", "asymmetric"},
                      {"axes", std::vector<int64_t>{-1}}},
                     {2}),
             {1, 1.5, 2, 2, 3, 3.5, 4, 4});
}

TEST(InterpreterShape, ResizeCubic) {
  // A = -.75; at fraction .5 the four weights are -.09375, .59375, .59375,
  // -.09375, and elements outside repeat the edge. At integer coordinates
  // the input is reproduced.
  expectNear(resized({4}, {1, 2, 4, 8},
                     {{"mode", "cubic"},
                      {"coordinate_transformation_mode", "asymmetric"}},
                     {2}),
             {1, 1.3125, 2, 2.71875, 4, 6.1875, 8, 8.375});
}

TEST(InterpreterShape, ResizeCubicExcludeOutside) {
  // A = -.5 at fraction .5: weights -.0625, .5625, .5625, -.0625. For
  // output 1 the weight of input -1 is dropped and the rest renormalized.
  std::vector<float> y =
      resized({4}, {1, 2, 4, 8},
              {{"mode", "cubic"},
               {"coordinate_transformation_mode", "asymmetric"},
               {"cubic_coeff_a", -0.5},
               {"exclude_outside", 1}},
              {2});
  ASSERT_EQ(y.size(), 8u);
  EXPECT_NEAR(y[1], (0.5625 * 1 + 0.5625 * 2 - 0.0625 * 4) / 1.0625, 1e-5);
  EXPECT_NEAR(y[3], -0.0625 * 1 + 0.5625 * 2 + 0.5625 * 4 - 0.0625 * 8, 1e-5);
  EXPECT_NEAR(y[4], 4, 1e-5);
}

TEST(InterpreterShape, ResizeTfCropAndResizeExtrapolates) {
  // roi [.5, 1.5]: outputs read .5 * 3 + o * 3 / 2 = 1.5, 3, 4.5; the last
  // lies outside the input and takes extrapolation_value.
  OneOp op;
  op.floats({4}, {10, 20, 30, 40})
      .floats({2}, {0.5f, 1.5f})
      .absent()
      .ints(Ints{3});
  op.run(OpKind::Resize,
         {{"mode", "linear"},
          {"coordinate_transformation_mode", "tf_crop_and_resize"},
          {"extrapolation_value", 7.0}});
  expectNear(op.resultFloats(), {25, 40, 7});
}

TEST(InterpreterShape, ResizeLinearAntialias) {
  // Downsampling by 2 stretches the triangle to half-width 2: output 0 reads
  // .5 with weights .25 .75 .75 .25 at -1 (edge) 0 1 2, normalized by 2.
  std::vector<float> x{0, 4, 8, 12};
  expectNear(resized({4}, x, {{"mode", "linear"}, {"antialias", 1}}, {0.5}),
             {2.5, 9.5});
  expectNear(resized({4}, x, {{"mode", "linear"}}, {0.5}), {2, 10});
}
