// Randomized differential tests of the code generator (see
// DifferentialTestSupport.h) for the ops lowered to loop nests: element-wise
// arithmetic and activations on every element type, Cast, reductions, data
// movement (Transpose, Slice, Split, Expand, Gather, Pad, Shape,
// ConstantOfShape) and batched MatMul.
#include "DifferentialTestSupport.h"

using namespace cnnc;
using namespace cnnc::difftest;

namespace {

const std::vector<DType> kNumeric{DType::F32, DType::F64, DType::F16,
                                  DType::I8,  DType::U8,  DType::I16,
                                  DType::U16, DType::I32, DType::U32,
                                  DType::I64, DType::U64};

bool isUnsigned(DType t) { return isInteger(t) && !isSignedType(t); }

// Add, Sub, Mul, Div, Pow, Max, Min, Sum, Mean and PRelu on every numeric
// type, broadcasting up to rank 5, the variadic ops with 1 to 4 operands.
TEST(CodeGenDifferentialTest, ElementwiseTypes) {
  const std::vector<OpKind> kinds{OpKind::Add, OpKind::Sub,  OpKind::Mul,
                                  OpKind::Div, OpKind::Pow,  OpKind::Max,
                                  OpKind::Min, OpKind::Sum,  OpKind::Mean,
                                  OpKind::PRelu};
  int cases = int(kinds.size() * kNumeric.size());
  int64_t nodes = runCases("ElementwiseTypes", cases, 22, [&](Batch &b, int c) {
    Rng &rng = b.rng();
    OpKind kind = kinds[size_t(c) % kinds.size()];
    DType dtype = kNumeric[size_t(c / int(kinds.size())) % kNumeric.size()];
    if (kind == OpKind::Mean && !isFloat(dtype))
      dtype = DType::F64; // Mean is defined on floats only
    Shape out = rng.shape(size_t(rng.intIn(0, 5)), 1, 5);
    if (rng.chance(0.3) && !out.empty())
      out.back() = rng.intIn(16, 40); // vectorized loop bodies
    Range r{-3, 3};
    r.intLo = isUnsigned(dtype) ? 0 : -120;
    r.intHi = 120;
    Range divisor = r;
    divisor.awayFromZero = true;
    std::vector<Value *> operands;
    if (kind == OpKind::Pow) {
      // Small exponents (of the base's type or another), positive bases.
      Range base{0.1f, 3}, exponent{-3, 3};
      base.intLo = 0, base.intHi = 9, exponent.intLo = 0, exponent.intHi = 4;
      DType e = rng.pick<DType>({dtype, DType::F32, DType::I64, DType::I32});
      operands = {b.input(out, base, dtype),
                  b.input(broadcastFrom(rng, out), exponent, e)};
    } else if (kind == OpKind::Max || kind == OpKind::Min ||
               kind == OpKind::Sum || kind == OpKind::Mean) {
      for (int64_t i = 0, k = rng.intIn(1, 4); i < k; ++i)
        operands.push_back(b.input(i ? broadcastFrom(rng, out) : out, r, dtype));
    } else {
      Shape other = broadcastFrom(rng, out);
      bool swap = kind != OpKind::PRelu && rng.chance(0.5);
      Value *x = b.input(swap ? other : out, r, dtype);
      Value *y = rng.chance(0.3)
                     ? b.constant(swap ? out : other,
                                  kind == OpKind::Div ? divisor : r, dtype)
                     : b.input(swap ? out : other,
                               kind == OpKind::Div ? divisor : r, dtype);
      operands = {x, y};
    }
    b.add(kind, operands, {});
  });
  EXPECT_EQ(nodes, cases);
}

// The activations and unary math on f16 and f64 (f32 is in Unary), and the
// ones defined on integers (Relu, Abs, Neg, Clip) on integer types.
TEST(CodeGenDifferentialTest, UnaryTypes) {
  const std::vector<OpKind> floatKinds{
      OpKind::Relu,        OpKind::LeakyRelu, OpKind::Sigmoid,
      OpKind::HardSigmoid, OpKind::HardSwish, OpKind::Tanh,
      OpKind::Elu,         OpKind::Selu,      OpKind::Softplus,
      OpKind::Sqrt,        OpKind::Exp,       OpKind::Log,
      OpKind::Abs,         OpKind::Neg,       OpKind::Reciprocal,
      OpKind::Erf,         OpKind::Clip};
  const std::vector<OpKind> intKinds{OpKind::Relu, OpKind::Abs, OpKind::Neg,
                                     OpKind::Clip};
  int cases = int(floatKinds.size()) * 2 + int(intKinds.size()) * 8;
  int64_t nodes = runCases("UnaryTypes", cases, 25, [&](Batch &b, int c) {
    Rng &rng = b.rng();
    OpKind kind;
    DType dtype;
    if (c < int(floatKinds.size()) * 2) {
      kind = floatKinds[size_t(c) % floatKinds.size()];
      dtype = c < int(floatKinds.size()) ? DType::F16 : DType::F64;
    } else {
      int k = c - int(floatKinds.size()) * 2;
      kind = intKinds[size_t(k) % intKinds.size()];
      dtype = rng.pick<DType>({DType::I8, DType::I16, DType::I32, DType::I64,
                               DType::U8, DType::U32});
      if (kind == OpKind::Neg && isUnsigned(dtype))
        dtype = DType::I8;
    }
    Shape x = rng.shape(size_t(rng.intIn(0, 4)), 1, 9);
    Range r{-4, 4, false, dtype == DType::F64};
    r.intLo = isUnsigned(dtype) ? 0 : -128;
    r.intHi = 127;
    if (kind == OpKind::Sqrt || kind == OpKind::Log)
      r = {0.01f, 10};
    else if (kind == OpKind::Reciprocal)
      r = {-4, 4, true};
    std::vector<Value *> operands{b.input(x, r, dtype)};
    AttrMap attrs;
    if (kind == OpKind::LeakyRelu || kind == OpKind::Elu)
      attrs.insert_or_assign("alpha", Attribute(double(rng.floatIn(0, 2))));
    if (kind == OpKind::Clip) {
      // Bounds of the data's type: constants or graph inputs, either absent.
      Range lo = r, hi = r;
      lo.lo = -3, lo.hi = 0, lo.intLo = isUnsigned(dtype) ? 0 : -50,
      lo.intHi = 10;
      hi.lo = 0, hi.hi = 3, hi.intLo = 0, hi.intHi = 60;
      int mode = int(rng.intIn(0, 3));
      auto bound = [&](Range br) {
        return rng.chance(0.5) ? b.input({}, br, dtype)
                               : b.constant({}, br, dtype);
      };
      operands.push_back(mode & 1 ? bound(lo) : nullptr);
      if (mode & 2)
        operands.push_back(bound(hi));
      else if (!operands.back())
        operands.pop_back();
    }
    b.add(kind, operands, attrs);
  });
  EXPECT_EQ(nodes, cases);
}

// Cast between every pair of element types (bool included), with NaN,
// infinities and values beyond the target's range (saturation).
TEST(CodeGenDifferentialTest, Cast) {
  std::vector<DType> types = kNumeric;
  types.push_back(DType::Bool);
  int cases = int(types.size() * types.size());
  int64_t nodes = runCases("Cast", cases, 36, [&](Batch &b, int c) {
    Rng &rng = b.rng();
    DType from = types[size_t(c) / types.size()];
    DType to = types[size_t(c) % types.size()];
    Range r{-400, 400, false, isFloat(from) && from != DType::F16};
    r.intLo = -100000, r.intHi = 100000;
    Shape x = rng.shape(size_t(rng.intIn(0, 3)), 1, 20);
    b.add(OpKind::Cast, {b.input(x, r, from)},
          {{"to", Attribute(std::string(dtypeName(to)))}});
  });
  EXPECT_EQ(nodes, cases);
}

// ReduceSum, ReduceMean, ReduceMax: random axes (some negative, or none),
// keepdims, noop_with_empty_axes, several types.
TEST(CodeGenDifferentialTest, Reductions) {
  const std::vector<OpKind> kinds{OpKind::ReduceSum, OpKind::ReduceMean,
                                  OpKind::ReduceMax};
  int64_t nodes = runCases("Reductions", 72, 24, [&](Batch &b, int c) {
    Rng &rng = b.rng();
    OpKind kind = kinds[size_t(c) % kinds.size()];
    DType dtype = c % 4 == 0   ? rng.pick<DType>({DType::F64, DType::F16})
                  : c % 4 == 1 ? rng.pick<DType>({DType::I32, DType::I64,
                                                  DType::U8, DType::I8})
                               : DType::F32;
    if (kind == OpKind::ReduceMean && !isFloat(dtype))
      dtype = DType::F32;
    size_t rank = size_t(rng.intIn(1, 5));
    Shape x = rng.shape(rank, 1, 6);
    if (rng.chance(0.3))
      x.back() = rng.intIn(16, 40);
    std::vector<int64_t> axes;
    for (size_t d = 0; d < rank; ++d)
      if (rng.chance(0.4))
        axes.push_back(rng.chance(0.5) ? int64_t(d) : int64_t(d) - int64_t(rank));
    Range r{-2, 2};
    r.intLo = isUnsigned(dtype) ? 0 : -100, r.intHi = 100;
    std::vector<Value *> operands{b.input(x, r, dtype)};
    if (!axes.empty() || rng.chance(0.3))
      operands.push_back(intConstant(b, axes));
    AttrMap attrs;
    if (rng.chance(0.5))
      attrs.insert_or_assign("keepdims", Attribute(rng.intIn(0, 1)));
    if (axes.empty() && rng.chance(0.3))
      attrs.insert_or_assign("noop_with_empty_axes", Attribute(int64_t(1)));
    b.add(kind, operands, attrs);
  });
  EXPECT_EQ(nodes, 72);
}

// Slice with random starts, ends (in and out of range), negative steps and
// axes; Split into equal or given parts; Expand; Transpose on other types.
TEST(CodeGenDifferentialTest, SliceSplitExpand) {
  int64_t nodes = runCases("SliceSplitExpand", 90, 30, [](Batch &b, int c) {
    Rng &rng = b.rng();
    size_t rank = size_t(rng.intIn(1, 4));
    Shape x = rng.shape(rank, 1, 7);
    DType dtype = rng.pick<DType>({DType::F32, DType::I64, DType::F16,
                                   DType::U8, DType::Bool, DType::F64});
    Value *in = b.input(x, {}, dtype);
    switch (c % 3) {
    case 0: { // Slice
      std::vector<int64_t> starts, ends, axes, steps;
      for (size_t d = 0; d < rank; ++d) {
        if (!rng.chance(0.7))
          continue;
        int64_t dim = x[d];
        int64_t step = rng.pick<int64_t>({1, 1, 2, 3, -1, -2});
        starts.push_back(rng.intIn(-dim - 2, dim + 2));
        ends.push_back(rng.chance(0.1) ? (step > 0 ? INT64_MAX : INT64_MIN)
                                       : rng.intIn(-dim - 2, dim + 2));
        axes.push_back(rng.chance(0.5) ? int64_t(d) : int64_t(d) - int64_t(rank));
        steps.push_back(step);
      }
      if (starts.empty()) {
        starts = {0};
        ends = {x[0]};
        axes = {0};
        steps = {1};
      }
      std::vector<Value *> operands{in, intConstant(b, starts),
                                    intConstant(b, ends)};
      if (rng.chance(0.8)) {
        operands.push_back(intConstant(b, axes));
        operands.push_back(intConstant(b, steps));
      } else { // default axes 0.. and steps 1
        std::vector<int64_t> s(starts.size()), e(starts.size());
        for (size_t i = 0; i < starts.size(); ++i) {
          s[i] = rng.intIn(0, x[i] - 1);
          e[i] = rng.intIn(s[i] + 1, x[i]);
        }
        operands = {in, intConstant(b, s), intConstant(b, e)};
      }
      b.add(OpKind::Slice, operands, {});
      break;
    }
    case 1: { // Split
      int64_t axis = rng.intIn(0, int64_t(rank) - 1);
      int64_t dim = x[size_t(axis)];
      AttrMap attrs{{"axis", Attribute(rng.chance(0.5) ? axis
                                                       : axis - int64_t(rank))}};
      std::vector<Value *> operands{in};
      size_t parts;
      if (rng.chance(0.5)) { // given sizes, zeros allowed
        std::vector<int64_t> sizes;
        int64_t left = dim;
        while (left > 0) {
          int64_t s = rng.intIn(0, left);
          sizes.push_back(s);
          left -= s;
        }
        sizes.push_back(0);
        operands.push_back(intConstant(b, sizes));
        parts = sizes.size();
      } else { // num_outputs, the last part possibly smaller
        parts = size_t(rng.intIn(1, dim));
        attrs.insert_or_assign("num_outputs", Attribute(int64_t(parts)));
      }
      if (!b.add(OpKind::Split, operands, attrs, parts, true, true))
        b.add(OpKind::Identity, {in}, {}); // a split the op set rejects
      break;
    }
    default: { // Expand, or Transpose of a non-f32 type
      if (rng.chance(0.5)) {
        std::vector<int64_t> perm(rank);
        std::iota(perm.begin(), perm.end(), 0);
        std::shuffle(perm.begin(), perm.end(), rng.engine());
        b.add(OpKind::Transpose, {in}, {{"perm", ints(perm)}});
        break;
      }
      // A target shape that broadcasts with x: dims of x's 1s grown, some
      // dims of 1 where x has more, and new leading dims.
      std::vector<int64_t> target;
      for (int64_t i = 0, k = rng.intIn(0, 2); i < k; ++i)
        target.push_back(rng.intIn(1, 3));
      for (int64_t d : x)
        target.push_back(d == 1 ? rng.intIn(1, 4) : rng.chance(0.3) ? 1 : d);
      b.add(OpKind::Expand,
            {in, b.intConstant({int64_t(target.size())}, target)}, {});
      break;
    }
    }
  });
  EXPECT_EQ(nodes, 90);
}

// Gather along random axes with i64 or i32 indices of rank 0 to 2, negative
// ones included, read at run time or constant; Pad in every mode with
// positive and negative pads, a given or default fill.
TEST(CodeGenDifferentialTest, GatherPad) {
  int64_t nodes = runCases("GatherPad", 60, 20, [](Batch &b, int c) {
    Rng &rng = b.rng();
    size_t rank = size_t(rng.intIn(1, 4));
    Shape x = rng.shape(rank, 1, 6);
    DType dtype = rng.pick<DType>({DType::F32, DType::I64, DType::F16,
                                   DType::I32, DType::U8});
    Value *in = b.input(x, {}, dtype);
    if (c % 2 == 0) {
      int64_t axis = rng.intIn(0, int64_t(rank) - 1);
      int64_t dim = x[size_t(axis)];
      Shape idx = rng.shape(size_t(rng.intIn(0, 2)), 1, 4);
      DType idxType = rng.chance(0.5) ? DType::I64 : DType::I32;
      Range r;
      r.intLo = -dim, r.intHi = dim - 1;
      Value *indices = rng.chance(0.5) ? b.input(idx, r, idxType)
                                       : b.constant(idx, r, idxType);
      b.add(OpKind::Gather, {in, indices},
            {{"axis", Attribute(rng.chance(0.5) ? axis : axis - int64_t(rank))}});
      return;
    }
    std::string mode = rng.pick<std::string>({"constant", "reflect", "edge"});
    std::vector<int64_t> pads(2 * rank);
    for (size_t i = 0; i < 2 * rank; ++i) {
      int64_t dim = x[i % rank];
      pads[i] = rng.intIn(mode == "constant" ? -(dim - 1) / 2 : 0,
                          mode == "reflect" ? 2 * dim : 3);
    }
    std::vector<Value *> operands{in, intConstant(b, pads)};
    if (mode == "constant" && rng.chance(0.6))
      operands.push_back(rng.chance(0.5) ? b.input({}, {}, dtype)
                                         : b.constant({}, {}, dtype));
    b.add(OpKind::Pad, operands, {{"mode", Attribute(mode)}});
  });
  EXPECT_EQ(nodes, 60);
}

// Shape (with start and end) and ConstantOfShape (with and without a value,
// of several types): what the code writes is known at compile time.
TEST(CodeGenDifferentialTest, ShapeOps) {
  int64_t nodes = runCases("ShapeOps", 24, 12, [](Batch &b, int c) {
    Rng &rng = b.rng();
    size_t rank = size_t(rng.intIn(0, 4));
    Shape x = rng.shape(rank, 1, 6);
    if (c % 2 == 0) {
      AttrMap attrs;
      int64_t r = int64_t(rank);
      if (rng.chance(0.5))
        attrs.insert_or_assign("start", Attribute(rng.intIn(-r - 1, r + 1)));
      if (rng.chance(0.5))
        attrs.insert_or_assign("end", Attribute(rng.intIn(-r - 1, r + 1)));
      b.add(OpKind::Shape, {b.input(x)}, attrs);
      return;
    }
    AttrMap attrs;
    if (rng.chance(0.7)) {
      DType dtype = rng.pick<DType>({DType::F32, DType::I64, DType::F16,
                                     DType::U8, DType::Bool});
      attrs.insert_or_assign(
          "value", Attribute(std::make_shared<Tensor>(
                       b.randomTensor(dtype, Shape{1}))));
    }
    b.add(OpKind::ConstantOfShape,
          {b.intConstant({int64_t(rank)}, std::vector<int64_t>(x))}, attrs);
  });
  EXPECT_EQ(nodes, 24);
}

// MatMul of ranks 1 to 4 with broadcast batch dimensions.
TEST(CodeGenDifferentialTest, MatMulBatched) {
  int64_t nodes = runCases("MatMulBatched", 30, 15, [](Batch &b, int) {
    Rng &rng = b.rng();
    int64_t M = rng.intIn(1, 12), N = rng.intIn(1, 20), K = rng.intIn(1, 24);
    Shape batch = rng.shape(size_t(rng.intIn(0, 2)), 1, 3);
    Shape a = broadcastFrom(rng, batch), w = broadcastFrom(rng, batch);
    a.push_back(M);
    a.push_back(K);
    w.push_back(K);
    w.push_back(N);
    if (rng.chance(0.15))
      a = {K}; // a row vector
    else if (rng.chance(0.15))
      w = {K}; // a column vector
    b.add(OpKind::MatMul, {b.input(a), b.operand(w, {}, 0.5)}, {});
  });
  EXPECT_EQ(nodes, 30);
}

} // namespace
