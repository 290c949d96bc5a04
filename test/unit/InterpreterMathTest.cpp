// The interpreter's arithmetic kernels (activations, Gemm/MatMul,
// element-wise ops, reductions) on small hand-computed cases.
#include "InterpreterTestSupport.h"

#include <cmath>
#include <limits>

using namespace cnnc;
using namespace cnnc::test;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// ---------------------------------------------------------------- Gemm

TEST(InterpreterMathTest, GemmTransposedScaledWithRowBias) {
  // A = [[1,2,3],[4,5,6]] stored transposed, B = [[1,0],[0,1],[1,1]] stored
  // transposed: A*B = [[4,5],[10,11]]; 2*A*B + 0.5*[1,-1] per row.
  OneOp op;
  op.floats({3, 2}, {1, 4, 2, 5, 3, 6})
      .floats({2, 3}, {1, 0, 1, 0, 1, 1})
      .floats({2}, {1, -1});
  op.run(OpKind::Gemm, {{"transA", Attribute(1)},
                        {"transB", Attribute(1)},
                        {"alpha", Attribute(2.0)},
                        {"beta", Attribute(0.5)}});
  EXPECT_EQ(op.shape(), (Shape{2, 2}));
  expectNear(op.resultFloats(), {8.5, 9.5, 20.5, 21.5});
}

TEST(InterpreterMathTest, GemmColumnBiasAndNoBias) {
  // [[1,2],[3,4]] * [[5,6],[7,8]] = [[19,22],[43,50]].
  OneOp column;
  column.floats({2, 2}, {1, 2, 3, 4})
      .floats({2, 2}, {5, 6, 7, 8})
      .floats({2, 1}, {100, 200});
  column.run(OpKind::Gemm, {});
  expectNear(column.resultFloats(), {119, 122, 243, 250});

  OneOp scalar;
  scalar.floats({2, 2}, {1, 2, 3, 4})
      .floats({2, 2}, {5, 6, 7, 8})
      .floats({}, {1});
  scalar.run(OpKind::Gemm, {{"beta", Attribute(-3.0)}});
  expectNear(scalar.resultFloats(), {16, 19, 40, 47});

  OneOp none;
  none.floats({1, 2}, {1, 2}).floats({2, 3}, {1, 2, 3, 4, 5, 6});
  none.run(OpKind::Gemm, {{"alpha", Attribute(0.5)}});
  EXPECT_EQ(none.shape(), (Shape{1, 3}));
  expectNear(none.resultFloats(), {4.5, 6, 7.5});
}

TEST(InterpreterMathTest, GemmOnIntegers) {
  OneOp op;
  op.ints({1, 2}, {1, 2}).ints({2, 1}, {3, 4}).ints({1}, {-20});
  op.run(OpKind::Gemm, {});
  EXPECT_EQ(op.resultInts(), (std::vector<int64_t>{-9}));
}

// -------------------------------------------------------------- MatMul

TEST(InterpreterMathTest, MatMulOfVectorsIsAScalar) {
  OneOp op;
  op.floats({3}, {1, 2, 3}).floats({3}, {4, 5, 6});
  op.run(OpKind::MatMul, {});
  EXPECT_EQ(op.shape(), Shape{});
  expectNear(op.resultFloats(), {32});
}

TEST(InterpreterMathTest, MatMulMatrixTimesVector) {
  OneOp op;
  op.floats({2, 2}, {1, 2, 3, 4}).floats({2}, {1, 10});
  op.run(OpKind::MatMul, {});
  EXPECT_EQ(op.shape(), Shape{2});
  expectNear(op.resultFloats(), {21, 43});
}

TEST(InterpreterMathTest, MatMulVectorTimesBatch) {
  // [1,2] times each of two [2,3] matrices; the vector's row is dropped.
  OneOp op;
  op.floats({2}, {1, 2})
      .floats({2, 2, 3}, {1, 2, 3, 4, 5, 6, /**/ 1, 0, 0, 0, 1, 0});
  op.run(OpKind::MatMul, {});
  EXPECT_EQ(op.shape(), (Shape{2, 3}));
  expectNear(op.resultFloats(), {9, 12, 15, 1, 2, 0});
}

TEST(InterpreterMathTest, MatMulBroadcastsBatchDimensions) {
  // A: 2 rows [1,2] and [3,4] as [2,1,1,2]; B: 3 columns [1,0], [0,1],
  // [1,1] as [3,2,1]. Every row meets every column: [2,3,1,1].
  OneOp op;
  op.floats({2, 1, 1, 2}, {1, 2, 3, 4}).floats({3, 2, 1}, {1, 0, 0, 1, 1, 1});
  op.run(OpKind::MatMul, {});
  EXPECT_EQ(op.shape(), (Shape{2, 3, 1, 1}));
  expectNear(op.resultFloats(), {1, 2, 3, 3, 4, 7});
}

TEST(InterpreterMathTest, MatMulBatchedMatrices) {
  // Batch 0: identity * [[1,2],[3,4]]; batch 1: [[0,1],[1,0]] swaps rows.
  OneOp op;
  op.floats({2, 2, 2}, {1, 0, 0, 1, 0, 1, 1, 0})
      .floats({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  op.run(OpKind::MatMul, {});
  EXPECT_EQ(op.shape(), (Shape{2, 2, 2}));
  expectNear(op.resultFloats(), {1, 2, 3, 4, 7, 8, 5, 6});
}

// ----------------------------------------------- element-wise binary ops

TEST(InterpreterMathTest, AddBroadcastsTrailingDimensions) {
  // [2,3,4] + [3,1]: element (i,j,k) gets 100*(j+1).
  std::vector<float> x(24), expected(24);
  for (int i = 0; i < 24; ++i) {
    x[size_t(i)] = float(i);
    expected[size_t(i)] = float(i + 100 * ((i / 4) % 3 + 1));
  }
  OneOp op;
  op.floats({2, 3, 4}, x).floats({3, 1}, {100, 200, 300});
  op.run(OpKind::Add, {});
  EXPECT_EQ(op.shape(), (Shape{2, 3, 4}));
  expectNear(op.resultFloats(), expected);
}

TEST(InterpreterMathTest, BroadcastScalarsAndOnes) {
  OneOp scalar;
  scalar.floats({2, 2}, {1, 2, 3, 4}).floats({}, {3});
  scalar.run(OpKind::Mul, {});
  expectNear(scalar.resultFloats(), {3, 6, 9, 12});

  OneOp one;
  one.floats({1}, {10}).floats({4}, {1, 2, 3, 4});
  one.run(OpKind::Sub, {});
  EXPECT_EQ(one.shape(), Shape{4});
  expectNear(one.resultFloats(), {9, 8, 7, 6});

  // Both operands grow: [2,1] and [1,3] give [2,3].
  OneOp both;
  both.floats({2, 1}, {1, 2}).floats({1, 3}, {10, 20, 30});
  both.run(OpKind::Div, {});
  EXPECT_EQ(both.shape(), (Shape{2, 3}));
  expectNear(both.resultFloats(),
             {0.1f, 0.05f, 1 / 30.f, 0.2f, 0.1f, 2 / 30.f});
}

TEST(InterpreterMathTest, IntegerDivTruncatesTowardZero) {
  OneOp i64;
  i64.ints({4}, {7, -7, 7, -7}).ints({4}, {2, 2, -2, -2});
  i64.run(OpKind::Div, {});
  EXPECT_EQ(i64.resultInts(), (std::vector<int64_t>{3, -3, -3, 3}));

  OneOp i32;
  i32.values<int32_t>(DType::I32, {2}, {-9, 100})
      .values<int32_t>(DType::I32, {}, {4});
  i32.run(OpKind::Div, {});
  EXPECT_EQ(i32.typed<int32_t>(DType::I32), (std::vector<int32_t>{-2, 25}));

  // The one overflowing quotient wraps instead of trapping.
  int64_t min = std::numeric_limits<int64_t>::min();
  OneOp overflow;
  overflow.ints({1}, {min}).ints({1}, {-1});
  overflow.run(OpKind::Div, {});
  EXPECT_EQ(overflow.resultInts(), (std::vector<int64_t>{min}));
}

TEST(InterpreterMathTest, IntegerDivisionByZeroIsAnError) {
  OneOp op;
  op.ints({2}, {1, 2}).ints({2}, {1, 0});
  std::string error = userErrorOf([&] { op.run(OpKind::Div, {}); });
  EXPECT_NE(error.find("division by zero"), std::string::npos) << error;
  EXPECT_NE(error.find("(Div)"), std::string::npos) << error;
}

TEST(InterpreterMathTest, FloatDivisionByZeroIsInfinite) {
  OneOp op;
  op.floats({2}, {1, -1}).floats({}, {0});
  op.run(OpKind::Div, {});
  EXPECT_EQ(op.resultFloats(), (std::vector<float>{kInf, -kInf}));
}

TEST(InterpreterMathTest, NarrowIntegersWrap) {
  OneOp add;
  add.values<uint8_t>(DType::U8, {2}, {200, 1})
      .values<uint8_t>(DType::U8, {2}, {100, 2});
  add.run(OpKind::Add, {});
  EXPECT_EQ(add.typed<uint8_t>(DType::U8), (std::vector<uint8_t>{44, 3}));

  OneOp sub;
  sub.values<uint8_t>(DType::U8, {1}, {1}).values<uint8_t>(DType::U8, {1}, {2});
  sub.run(OpKind::Sub, {});
  EXPECT_EQ(sub.typed<uint8_t>(DType::U8), (std::vector<uint8_t>{255}));

  OneOp mul;
  mul.values<int8_t>(DType::I8, {1}, {-128})
      .values<int8_t>(DType::I8, {1}, {-1});
  mul.run(OpKind::Mul, {});
  EXPECT_EQ(mul.typed<int8_t>(DType::I8), (std::vector<int8_t>{-128}));
}

TEST(InterpreterMathTest, PowWithExponentOfAnotherType) {
  // Float base, integer exponent: the result is float.
  OneOp floatBase;
  floatBase.floats({3}, {2, 4, 9}).ints({3}, {3, -1, 0});
  floatBase.run(OpKind::Pow, {});
  expectNear(floatBase.resultFloats(), {8, 0.25, 1});

  // Integer base, float exponent: computed in double, truncated to i32.
  OneOp intBase;
  intBase.values<int32_t>(DType::I32, {3}, {2, 3, 2}).floats({3}, {2, 0.5, -1});
  intBase.run(OpKind::Pow, {});
  EXPECT_EQ(intBase.typed<int32_t>(DType::I32),
            (std::vector<int32_t>{4, 1, 0}));

  // Float exponent broadcast over the base.
  OneOp root;
  root.floats({2, 2}, {4, 9, 16, 25}).floats({1}, {0.5});
  root.run(OpKind::Pow, {});
  expectNear(root.resultFloats(), {2, 3, 4, 5});
}

// ------------------------------------------------ variadic element-wise

TEST(InterpreterMathTest, VariadicOpsBroadcastAllOperands) {
  auto run = [](OpKind kind) {
    OneOp op;
    op.floats({2, 2}, {1, 5, 3, 7}).floats({2}, {4, 4}).floats({}, {2});
    op.run(kind, {});
    EXPECT_EQ(op.shape(), (Shape{2, 2}));
    return op.resultFloats();
  };
  expectNear(run(OpKind::Max), {4, 5, 4, 7});
  expectNear(run(OpKind::Min), {1, 2, 2, 2});
  expectNear(run(OpKind::Sum), {7, 11, 9, 13});
  expectNear(run(OpKind::Mean), {7 / 3.f, 11 / 3.f, 3, 13 / 3.f});
}

TEST(InterpreterMathTest, VariadicOpsWithOneOperandCopyIt) {
  OneOp op;
  op.floats({3}, {1, -2, 3});
  op.run(OpKind::Sum, {});
  expectNear(op.resultFloats(), {1, -2, 3});
}

TEST(InterpreterMathTest, MaxAndMinPropagateNaN) {
  float nan = std::numeric_limits<float>::quiet_NaN();
  for (OpKind kind : {OpKind::Max, OpKind::Min}) {
    OneOp op;
    op.floats({3}, {nan, 1, 2}).floats({3}, {0, nan, 3});
    op.run(kind, {});
    std::vector<float> y = op.resultFloats();
    EXPECT_TRUE(std::isnan(y[0]));
    EXPECT_TRUE(std::isnan(y[1]));
    EXPECT_EQ(y[2], kind == OpKind::Max ? 3 : 2);
  }
}

TEST(InterpreterMathTest, MaxOnIntegers) {
  OneOp op;
  op.ints({3}, {-5, 7, 0}).ints({1}, {-1});
  op.run(OpKind::Max, {});
  EXPECT_EQ(op.resultInts(), (std::vector<int64_t>{-1, 7, 0}));
}

// ---------------------------------------------------------- unary math

TEST(InterpreterMathTest, UnaryMath) {
  auto run = [](OpKind kind, std::vector<float> x) {
    OneOp op;
    op.floats({int64_t(x.size())}, x);
    op.run(kind, {});
    return op.resultFloats();
  };
  expectNear(run(OpKind::Sqrt, {4, 2.25, 0}), {2, 1.5, 0});
  expectNear(run(OpKind::Exp, {0, 1, -1}), {1, 2.718281828f, 0.3678794412f});
  expectNear(run(OpKind::Log, {1, 2.718281828f}), {0, 1});
  EXPECT_EQ(run(OpKind::Log, {0}), (std::vector<float>{-kInf}));
  expectNear(run(OpKind::Abs, {-3, 2.5}), {3, 2.5});
  expectNear(run(OpKind::Neg, {-3, 2.5}), {3, -2.5});
  expectNear(run(OpKind::Reciprocal, {4, -0.5}), {0.25, -2});
  expectNear(run(OpKind::Erf, {0, 1, -1}), {0, 0.8427007929f, -0.8427007929f});
  EXPECT_TRUE(std::isnan(run(OpKind::Sqrt, {-1})[0]));
}

TEST(InterpreterMathTest, NegAndAbsKeepTheSignOfZero) {
  // 1 / Neg(+0) is -inf and 1 / Abs(-0) is +inf, as in IEEE arithmetic.
  OneOp neg;
  neg.floats({2}, {0.0f, -0.0f});
  neg.run(OpKind::Neg, {});
  std::vector<float> y = neg.resultFloats();
  EXPECT_TRUE(std::signbit(y[0]) && !std::signbit(y[1]));
  OneOp abs;
  abs.floats({2}, {-0.0f, -2.5f});
  abs.run(OpKind::Abs, {});
  y = abs.resultFloats();
  EXPECT_FALSE(std::signbit(y[0]));
  EXPECT_EQ(y[1], 2.5f);
}

TEST(InterpreterMathTest, AbsAndNegOnIntegers) {
  OneOp abs;
  abs.values<int32_t>(DType::I32, {3}, {-3, 4, 0});
  abs.run(OpKind::Abs, {});
  EXPECT_EQ(abs.typed<int32_t>(DType::I32), (std::vector<int32_t>{3, 4, 0}));

  OneOp neg;
  neg.ints({2}, {-3, std::numeric_limits<int64_t>::min()});
  neg.run(OpKind::Neg, {});
  EXPECT_EQ(neg.resultInts(),
            (std::vector<int64_t>{3, std::numeric_limits<int64_t>::min()}));
}

TEST(InterpreterMathTest, FloatOnlyOpsRefuseIntegers) {
  OneOp sqrt;
  sqrt.ints({1}, {4});
  EXPECT_NE(
      userErrorOf([&] { sqrt.run(OpKind::Sqrt, {}); }).find("floating-point"),
      std::string::npos);
  OneOp neg;
  neg.values<uint8_t>(DType::U8, {1}, {4});
  EXPECT_NE(userErrorOf([&] { neg.run(OpKind::Neg, {}); }).find("signed"),
            std::string::npos);
}

// --------------------------------------------------------- activations

std::vector<float> activation(OpKind kind, std::vector<float> x,
                              AttrMap attrs = {}) {
  OneOp op;
  op.floats({int64_t(x.size())}, x);
  op.run(kind, std::move(attrs));
  return op.resultFloats();
}

TEST(InterpreterMathTest, ReluAndLeakyRelu) {
  expectNear(activation(OpKind::Relu, {-1, 0, 2}), {0, 0, 2});
  expectNear(activation(OpKind::LeakyRelu, {-2, 3}), {-0.02f, 3});
  expectNear(
      activation(OpKind::LeakyRelu, {-2, 3}, {{"alpha", Attribute(0.1)}}),
      {-0.2f, 3});

  OneOp ints;
  ints.values<int32_t>(DType::I32, {3}, {-7, 0, 7});
  ints.run(OpKind::Relu, {});
  EXPECT_EQ(ints.typed<int32_t>(DType::I32), (std::vector<int32_t>{0, 0, 7}));
}

TEST(InterpreterMathTest, SigmoidAndTanh) {
  // Saturates without overflow at large |x|.
  expectNear(activation(OpKind::Sigmoid, {0, 1, -1, 1000, -1000}),
             {0.5, 0.7310585786f, 0.2689414214f, 1, 0});
  expectNear(activation(OpKind::Tanh, {0, 1, -1}),
             {0, 0.7615941560f, -0.7615941560f});
}

TEST(InterpreterMathTest, HardSigmoidAndHardSwish) {
  // Defaults alpha = 0.2, beta = 0.5: clamped at 0 and 1.
  expectNear(activation(OpKind::HardSigmoid, {-3, 0, 1, 3}), {0, 0.5, 0.7f, 1});
  expectNear(activation(OpKind::HardSigmoid, {1},
                        {{"alpha", Attribute(0.5)}, {"beta", Attribute(0.25)}}),
             {0.75});
  // x * clamp(x/6 + 1/2, 0, 1).
  expectNear(activation(OpKind::HardSwish, {-4, -1, 1, 4}),
             {0, -1 / 3.f, 2 / 3.f, 4});
}

TEST(InterpreterMathTest, EluSeluSoftplus) {
  expectNear(activation(OpKind::Elu, {-1, 2}), {-0.6321205588f, 2});
  expectNear(activation(OpKind::Elu, {-1}, {{"alpha", Attribute(2.0)}}),
             {-1.2642411177f});
  // gamma * alpha * (e^-1 - 1) and gamma * 2 with the default constants.
  expectNear(activation(OpKind::Selu, {-1, 2}),
             {-1.1113307378f, 2.1014020443f});
  // ln 2; x itself for large x (no overflow); ~e^x for very negative x.
  expectNear(activation(OpKind::Softplus, {0, 100, -100}),
             {0.6931471806f, 100, 0});
}

TEST(InterpreterMathTest, PReluBroadcastsSlopeToInput) {
  OneOp op;
  op.floats({2, 3}, {-1, 2, -3, 4, -5, 6}).floats({3}, {0.1f, 0.2f, 0.3f});
  op.run(OpKind::PRelu, {});
  expectNear(op.resultFloats(), {-0.1f, 2, -0.9f, 4, -1, 6});

  OneOp perRow;
  perRow.floats({2, 2}, {-1, -1, -1, 1}).floats({2, 1}, {2, 3});
  perRow.run(OpKind::PRelu, {});
  expectNear(perRow.resultFloats(), {-2, -2, -3, 1});
}

TEST(InterpreterMathTest, ClipWithAbsentBounds) {
  // No min: only the top is clamped, -inf stays.
  OneOp top;
  top.floats({4}, {-kInf, -5, 1, 3}).absent().floats({}, {2});
  top.run(OpKind::Clip, {});
  EXPECT_EQ(top.resultFloats(), (std::vector<float>{-kInf, -5, 1, 2}));

  OneOp bottom;
  bottom.floats({3}, {-5, 1, 3}).floats({1}, {0});
  bottom.run(OpKind::Clip, {});
  expectNear(bottom.resultFloats(), {0, 1, 3});

  OneOp none;
  none.floats({2}, {-5, 5});
  none.run(OpKind::Clip, {});
  expectNear(none.resultFloats(), {-5, 5});
}

TEST(InterpreterMathTest, ClipOnIntegersAndCrossedBounds) {
  OneOp ints;
  ints.ints({3}, {-3, 5, 20}).ints({}, {0}).ints({}, {10});
  ints.run(OpKind::Clip, {});
  EXPECT_EQ(ints.resultInts(), (std::vector<int64_t>{0, 5, 10}));

  // min > max: every value becomes max.
  OneOp crossed;
  crossed.floats({3}, {-1, 5, 9}).floats({}, {6}).floats({}, {4});
  crossed.run(OpKind::Clip, {});
  expectNear(crossed.resultFloats(), {4, 4, 4});
}

TEST(InterpreterMathTest, SoftmaxAlongFirstAxis) {
  // Columns of [[1,2,3],[1,4,3]]: equal pairs give 1/2, (2,4) gives
  // 1/(1+e^2) and e^2/(1+e^2).
  OneOp op;
  op.floats({2, 3}, {1, 2, 3, 1, 4, 3});
  op.run(OpKind::Softmax, {{"axis", Attribute(0)}});
  expectNear(op.resultFloats(),
             {0.5, 0.1192029220f, 0.5, 0.5, 0.8807970780f, 0.5});
}

TEST(InterpreterMathTest, SoftmaxAlongMiddleAxisIsStable) {
  // [1,2,2]: pairs along axis 1 are (1000,1000) and (0, ln 3).
  OneOp op;
  op.floats({1, 2, 2}, {1000, 0, 1000, std::log(3.f)});
  op.run(OpKind::Softmax, {{"axis", Attribute(1)}});
  expectNear(op.resultFloats(), {0.5, 0.25, 0.5, 0.75});
}

TEST(InterpreterMathTest, LogSoftmaxOnLastAxis) {
  // log(e^1 + e^2 + e^3) = 3.4076059644.
  OneOp op;
  op.floats({2, 3}, {1, 2, 3, 1001, 1002, 1003});
  op.run(OpKind::LogSoftmax, {});
  expectNear(op.resultFloats(),
             {-2.4076059644f, -1.4076059644f, -0.4076059644f, -2.4076059644f,
              -1.4076059644f, -0.4076059644f});
}

// ---------------------------------------------------------- reductions

struct Reduced {
  Shape shape;
  std::vector<float> values;
};

// `kind` over `axes` (none: no axes operand) of [[1,2,3],[4,5,6]].
Reduced reduceOf(OpKind kind, std::vector<int64_t> axes, AttrMap attrs = {}) {
  OneOp op;
  op.floats({2, 3}, {1, 2, 3, 4, 5, 6});
  if (!axes.empty())
    op.ints(Shape{int64_t(axes.size())}, axes);
  op.run(kind, std::move(attrs));
  return {op.shape(), op.resultFloats()};
}

TEST(InterpreterMathTest, ReduceKeepdims) {
  Reduced kept = reduceOf(OpKind::ReduceSum, {1});
  EXPECT_EQ(kept.shape, (Shape{2, 1}));
  expectNear(kept.values, {6, 15});

  Reduced dropped =
      reduceOf(OpKind::ReduceSum, {-1}, {{"keepdims", Attribute(0)}});
  EXPECT_EQ(dropped.shape, Shape{2});
  expectNear(dropped.values, {6, 15});

  Reduced mean = reduceOf(OpKind::ReduceMean, {0});
  EXPECT_EQ(mean.shape, (Shape{1, 3}));
  expectNear(mean.values, {2.5, 3.5, 4.5});

  Reduced max = reduceOf(OpKind::ReduceMax, {0}, {{"keepdims", Attribute(0)}});
  EXPECT_EQ(max.shape, Shape{3});
  expectNear(max.values, {4, 5, 6});

  Reduced both = reduceOf(OpKind::ReduceSum, {0, 1});
  EXPECT_EQ(both.shape, (Shape{1, 1}));
  expectNear(both.values, {21});
}

TEST(InterpreterMathTest, ReduceWithoutAxes) {
  // No axes: every axis.
  Reduced all = reduceOf(OpKind::ReduceMax, {});
  EXPECT_EQ(all.shape, (Shape{1, 1}));
  expectNear(all.values, {6});

  Reduced scalar =
      reduceOf(OpKind::ReduceMean, {}, {{"keepdims", Attribute(0)}});
  EXPECT_EQ(scalar.shape, Shape{});
  expectNear(scalar.values, {3.5});

  // ... unless noop_with_empty_axes says to leave the input alone.
  Reduced noop =
      reduceOf(OpKind::ReduceSum, {}, {{"noop_with_empty_axes", Attribute(1)}});
  EXPECT_EQ(noop.shape, (Shape{2, 3}));
  expectNear(noop.values, {1, 2, 3, 4, 5, 6});
}

TEST(InterpreterMathTest, ReduceOverEmptySets) {
  auto run = [](OpKind kind) {
    OneOp op;
    op.floats({2, 0}, {}).ints(Shape{1}, {1});
    op.run(kind, {});
    EXPECT_EQ(op.shape(), (Shape{2, 1}));
    return op.resultFloats();
  };
  EXPECT_EQ(run(OpKind::ReduceSum), (std::vector<float>{0, 0}));
  EXPECT_EQ(run(OpKind::ReduceMax), (std::vector<float>{-kInf, -kInf}));
  EXPECT_TRUE(std::isnan(run(OpKind::ReduceMean)[0]));
}

TEST(InterpreterMathTest, ReduceOnIntegers) {
  OneOp mean;
  mean.ints({2, 2}, {1, 2, -3, -6}).ints(Shape{1}, {1});
  mean.run(OpKind::ReduceMean, {});
  EXPECT_EQ(mean.resultInts(), (std::vector<int64_t>{1, -4})); // truncated

  OneOp max;
  max.ints({3}, {-5, -2, -9});
  max.run(OpKind::ReduceMax, {{"keepdims", Attribute(0)}});
  EXPECT_EQ(max.resultInts(), (std::vector<int64_t>{-2}));
}

} // namespace
