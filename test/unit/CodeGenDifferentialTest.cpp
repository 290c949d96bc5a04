// Randomized differential tests of the code generator: random shapes,
// attributes and data for every op it lowers, compiled in memory (JitModel)
// and compared with the reference interpreter (interpretGraph); see
// DifferentialTestSupport.h for how cases are drawn and reproduced.
#include "DifferentialTestSupport.h"
#include "passes/MemoryPlan.h"

using namespace cnnc;
using namespace cnnc::difftest;

namespace {
// ---------------------------------------------------------------- Conv

// Cycles deterministically through kernel 1/3/5/7 x stride 1/2 x dilation
// 1/2 x 1-D/2-D, and per repetition through plain, grouped and depthwise
// convolutions; pads (none, symmetric, asymmetric, auto_pad), bias, batch
// 1/4 and the other dim's geometry are random.
void convCase(Batch &b, int c) {
  Rng &rng = b.rng();
  int64_t kernel = std::vector<int64_t>{1, 3, 5, 7}[size_t(c % 4)];
  int64_t stride = 1 + (c / 4) % 2, dilation = 1 + (c / 8) % 2;
  size_t spatial = 1 + size_t((c / 16) % 2);
  int groupMode = (c / 32) % 3; // 0 plain, 1 grouped, 2 depthwise
  int64_t batch = rng.chance(0.3) ? 4 : 1;
  int64_t group = 1, C = 1, M = 1;
  if (groupMode == 0) {
    C = rng.intIn(1, 6);
    M = rng.intIn(1, 6);
  } else if (groupMode == 1) {
    group = rng.intIn(2, 3);
    C = group * rng.intIn(1, 3);
    M = group * rng.intIn(1, 3);
  } else {
    group = C = rng.intIn(2, 8);
    M = C * rng.intIn(1, 2);
  }
  // auto_pad (VALID needs an input at least as large as the window, so its
  // dims are drawn without pads) or pads: none, symmetric, asymmetric.
  bool autoPad = rng.chance(0.15);
  int padMode = autoPad ? 0 : int(rng.intIn(0, 2));
  std::vector<Dim> dims;
  for (size_t i = 0; i < spatial; ++i)
    dims.push_back(i + 1 == spatial
                       ? randomDim(rng, kernel, stride, dilation, padMode)
                       : randomDim(rng, rng.pick<int64_t>({1, 3, 5}),
                                   rng.intIn(1, 2), rng.intIn(1, 2), padMode));
  // Sometimes rows long enough for the vectorized loop bodies.
  if (rng.chance(0.3))
    dims.back().size += rng.intIn(16, 40);
  Shape x{batch, C}, w{M, C / group};
  for (const Dim &d : dims) {
    x.push_back(d.size);
    w.push_back(d.kernel);
  }
  AttrMap attrs = windowAttrs(dims, rng.chance(0.5), true);
  if (group != 1 || rng.chance(0.5))
    attrs.insert_or_assign("group", Attribute(group));
  if (autoPad) {
    attrs.erase("pads");
    attrs.insert_or_assign("auto_pad",
                           Attribute(rng.pick<std::string>(
                               {"SAME_UPPER", "SAME_LOWER", "VALID"})));
  }
  std::vector<Value *> operands{b.input(x), b.operand(w, {}, 0.8)};
  if (rng.chance(0.5))
    operands.push_back(b.operand({M}, {}, 0.8));
  b.add(OpKind::Conv, operands, attrs);
}

TEST(CodeGenDifferentialTest, Conv) {
  // 96: every kernel/stride/dilation/rank combination in each group mode.
  int64_t nodes = runCases("Conv", 96, 8, convCase);
  EXPECT_EQ(nodes, 96);
}

// ---------------------------------------------------------------- pools

void poolCase(Batch &b, int c) {
  Rng &rng = b.rng();
  bool average = c % 2 == 1;
  size_t spatial = 1 + size_t((c / 2) % 2);
  // Windows the interpreter rejects (one that covers padding only) are
  // drawn again.
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::vector<Dim> dims;
    int padMode = int(rng.intIn(0, 2));
    for (size_t i = 0; i < spatial; ++i)
      dims.push_back(randomDim(rng, rng.intIn(1, 4), rng.intIn(1, 3),
                               average ? 1 : rng.intIn(1, 2), padMode));
    if (rng.chance(0.3)) // long rows
      dims.back().size += rng.intIn(16, 40);
    Shape x{rng.intIn(1, 2), rng.intIn(1, 4)};
    for (const Dim &d : dims)
      x.push_back(d.size);
    AttrMap attrs = windowAttrs(dims, true, !average && rng.chance(0.7));
    if (rng.chance(0.5))
      attrs.insert_or_assign("ceil_mode", Attribute(1));
    if (average && rng.chance(0.5))
      attrs.insert_or_assign("count_include_pad", Attribute(1));
    if (rng.chance(0.15)) {
      attrs.erase("pads");
      attrs.insert_or_assign("auto_pad",
                             Attribute(rng.pick<std::string>(
                                 {"SAME_UPPER", "SAME_LOWER", "VALID"})));
    }
    if (b.add(average ? OpKind::AveragePool : OpKind::MaxPool, {b.input(x)},
              attrs, 1, true, /*probe=*/true))
      return;
  }
  FAIL() << "no valid pool window drawn for case " << c;
}

TEST(CodeGenDifferentialTest, Pool) {
  int64_t nodes = runCases("Pool", 80, 16, poolCase);
  EXPECT_EQ(nodes, 80);
}

TEST(CodeGenDifferentialTest, GlobalPool) {
  int64_t nodes = runCases("GlobalPool", 24, 12, [](Batch &b, int c) {
    Shape x = b.rng().shape(size_t(3 + c % 3), 1, 6);
    b.add(c % 2 ? OpKind::GlobalAveragePool : OpKind::GlobalMaxPool,
          {b.input(x)}, {});
  });
  EXPECT_EQ(nodes, 24);
}

// ---------------------------------------------------------------- linear

TEST(CodeGenDifferentialTest, Gemm) {
  int64_t nodes = runCases("Gemm", 72, 12, [](Batch &b, int c) {
    Rng &rng = b.rng();
    int64_t M = rng.intIn(1, 20), K = rng.intIn(1, 40);
    int64_t N = rng.chance(0.3) ? rng.intIn(16, 140) : rng.intIn(1, 20);
    bool transA = c % 2, transB = (c / 2) % 2;
    AttrMap attrs;
    if (transA || rng.chance(0.3))
      attrs.insert_or_assign("transA", Attribute(int64_t(transA)));
    if (transB || rng.chance(0.3))
      attrs.insert_or_assign("transB", Attribute(int64_t(transB)));
    if (rng.chance(0.5))
      attrs.insert_or_assign("alpha", Attribute(double(rng.floatIn(-2, 2))));
    if (rng.chance(0.5))
      attrs.insert_or_assign("beta", Attribute(double(rng.floatIn(-2, 2))));
    std::vector<Value *> operands{
        b.input(transA ? Shape{K, M} : Shape{M, K}),
        b.operand(transB ? Shape{N, K} : Shape{K, N}, {}, 0.7)};
    // C: absent, scalar, [1], [N], [1, N], [M, 1], [M, N], [1, 1].
    std::vector<Shape> cShapes{{}, {1}, {N}, {1, N}, {M, 1}, {M, N}, {1, 1}};
    int cMode = (c / 4) % 8;
    if (cMode > 0)
      operands.push_back(b.operand(cShapes[size_t(cMode - 1)], {}, 0.7));
    b.add(OpKind::Gemm, operands, attrs);
  });
  EXPECT_EQ(nodes, 72);
}

TEST(CodeGenDifferentialTest, MatMul2D) {
  int64_t nodes = runCases("MatMul2D", 24, 12, [](Batch &b, int) {
    Rng &rng = b.rng();
    int64_t M = rng.intIn(1, 24), N = rng.intIn(1, 24), K = rng.intIn(1, 48);
    b.add(OpKind::MatMul, {b.input({M, K}), b.operand({K, N}, {}, 0.5)}, {});
  });
  EXPECT_EQ(nodes, 24);
}

// ---------------------------------------------------------------- elementwise

TEST(CodeGenDifferentialTest, Unary) {
  const std::vector<OpKind> kinds{
      OpKind::Relu,        OpKind::LeakyRelu, OpKind::Sigmoid,
      OpKind::HardSigmoid, OpKind::HardSwish, OpKind::Tanh,
      OpKind::Elu,         OpKind::Selu,      OpKind::Softplus,
      OpKind::Sqrt,        OpKind::Exp,       OpKind::Log,
      OpKind::Abs,         OpKind::Neg,       OpKind::Reciprocal,
      OpKind::Erf,         OpKind::Clip};
  int cases = int(kinds.size()) * 4;
  int64_t nodes = runCases("Unary", cases, 17, [&](Batch &b, int c) {
    Rng &rng = b.rng();
    OpKind kind = kinds[size_t(c) % kinds.size()];
    Shape x = rng.shape(size_t(rng.intIn(0, 4)), 1, 9);
    // Data in each op's domain; wide enough to reach its interesting parts
    // (HardSigmoid's and Clip's bends, Softplus's large arguments).
    Range r{-4, 4};
    if (kind == OpKind::Sqrt || kind == OpKind::Log)
      r = {0.01f, 10};
    else if (kind == OpKind::Reciprocal)
      r = {-4, 4, true};
    AttrMap attrs;
    std::vector<Value *> operands{b.input(x, r)};
    switch (kind) {
    case OpKind::LeakyRelu:
    case OpKind::Elu:
      if (rng.chance(0.7))
        attrs.insert_or_assign("alpha", Attribute(double(rng.floatIn(0, 2))));
      break;
    case OpKind::HardSigmoid:
      if (rng.chance(0.7))
        attrs.insert_or_assign("alpha", Attribute(double(rng.floatIn(0, 1))));
      if (rng.chance(0.7))
        attrs.insert_or_assign("beta", Attribute(double(rng.floatIn(-1, 1))));
      break;
    case OpKind::Selu:
      if (rng.chance(0.7))
        attrs.insert_or_assign("alpha", Attribute(double(rng.floatIn(1, 2))));
      if (rng.chance(0.7))
        attrs.insert_or_assign("gamma", Attribute(double(rng.floatIn(1, 2))));
      break;
    case OpKind::Clip: {
      // min only, max only, both (min > max sometimes), neither; constants
      // or graph inputs (read at run time).
      int mode = int(rng.intIn(0, 3));
      bool runTime = rng.chance(0.4);
      auto bound = [&](float lo, float hi) {
        return runTime ? b.input({}, {lo, hi})
                       : b.floatScalar(rng.floatIn(lo, hi));
      };
      operands.push_back(mode & 1 ? bound(-3, 1) : nullptr);
      if (mode & 2)
        operands.push_back(bound(-1, 3));
      else if (!operands.back())
        operands.pop_back();
      break;
    }
    default:
      break;
    }
    b.add(kind, operands, attrs);
  });
  EXPECT_EQ(nodes, cases);
}


TEST(CodeGenDifferentialTest, Binary) {
  const std::vector<OpKind> kinds{OpKind::Add, OpKind::Sub,   OpKind::Mul,
                                  OpKind::Div, OpKind::Pow,   OpKind::Max,
                                  OpKind::Min, OpKind::PRelu, OpKind::Sum};
  int cases = int(kinds.size()) * 10;
  int64_t nodes = runCases("Binary", cases, 18, [&](Batch &b, int c) {
    Rng &rng = b.rng();
    OpKind kind = kinds[size_t(c) % kinds.size()];
    Shape out = rng.shape(size_t(rng.intIn(1, 4)), 1, 7);
    if (rng.chance(0.3)) // long rows
      out.back() = rng.intIn(16, 50);
    Shape as = out, bs = broadcastFrom(rng, out);
    // PRelu broadcasts its slope to x only; the others both ways.
    if (kind != OpKind::PRelu && rng.chance(0.5))
      std::swap(as, bs);
    if (kind != OpKind::PRelu && rng.chance(0.3))
      as = broadcastFrom(rng, out); // both broadcast (the output may shrink)
    Range ra{-2, 2}, rb{-2, 2};
    if (kind == OpKind::Div)
      rb = {-2, 2, true};
    if (kind == OpKind::Pow) {
      ra = {0.1f, 3};
      rb = {-3, 3};
    }
    b.add(kind, {b.operand(as, ra, 0.2), b.operand(bs, rb, 0.4)}, {});
  });
  EXPECT_EQ(nodes, cases);
}

// Element-wise chains over intermediates, so that the memory plan writes
// results over operands that die at their node (passes/MemoryPlan.h): the
// loop nests must then read each element before overwriting it, also when
// another operand names the same bytes (x + x, x * reshape(x)) or is
// broadcast beside it, and whichever operand position is overwritten.
TEST(CodeGenDifferentialTest, InPlace) {
  const std::vector<OpKind> unary{
      OpKind::Relu, OpKind::Sigmoid,   OpKind::Tanh, OpKind::Neg,
      OpKind::Abs,  OpKind::LeakyRelu, OpKind::Clip};
  const std::vector<OpKind> binary{OpKind::Add, OpKind::Sub, OpKind::Mul,
                                   OpKind::Max, OpKind::Min, OpKind::PRelu,
                                   OpKind::Sum, OpKind::Mean};
  size_t inPlace = 0;
  int64_t nodes = runCases("InPlace", 12, 3, [&](Batch &b, int) {
    Rng &rng = b.rng();
    size_t before = planMemory(b.graph()).numInPlace; // earlier cases'
    Shape shape = rng.shape(size_t(rng.intIn(1, 4)), 1, 6);
    if (rng.chance(0.3)) // long rows: vectorized
      shape.back() = rng.intIn(16, 40);
    auto inner = [&](OpKind kind, std::vector<Value *> operands) {
      return b.add(kind, std::move(operands), {}, 1, false)->outputs[0];
    };
    Value *y = inner(OpKind::Neg, {b.input(shape)});
    for (int step = 0; step < 6; ++step) {
      if (rng.chance(0.4)) {
        OpKind kind = rng.pick(unary);
        std::vector<Value *> operands{y};
        if (kind == OpKind::Clip)
          operands = {y, b.floatScalar(-0.5f), b.floatScalar(0.5f)};
        y = inner(kind, operands);
        continue;
      }
      OpKind kind = rng.pick(binary);
      Value *other = nullptr;
      switch (rng.intIn(0, 3)) {
      case 0:
        other = y;
        break;
      case 1:
        other = b.input(shape);
        break;
      case 2:
        other = b.input(broadcastFrom(rng, shape));
        break;
      default: // y's bytes again, through views
        other = inner(OpKind::Reshape,
                      {inner(OpKind::Flatten, {y}),
                       b.intConstant({int64_t(shape.size())}, shape)});
      }
      std::vector<Value *> operands{y, other};
      // PRelu broadcasts its slope only.
      if (kind != OpKind::PRelu && rng.chance(0.5))
        std::swap(operands[0], operands[1]);
      if ((kind == OpKind::Sum || kind == OpKind::Mean) && rng.chance(0.5))
        operands.push_back(y);
      y = inner(kind, operands);
    }
    b.add(OpKind::Relu, {y}, {});
    inPlace += planMemory(b.graph()).numInPlace - before;
  });
  EXPECT_GT(nodes, 12 * 7);
  // Not vacuous: half the chains' 7 element-wise results or more were
  // written in place.
  EXPECT_GE(inPlace, size_t(12 * 7 / 2)) << inPlace;
}

// ---------------------------------------------------------------- others

TEST(CodeGenDifferentialTest, BatchNormalization) {
  int64_t nodes = runCases("BatchNormalization", 16, 8, [](Batch &b, int c) {
    Rng &rng = b.rng();
    Shape x = rng.shape(size_t(2 + c % 3), 1, 7);
    Shape ch{x[1]};
    AttrMap attrs;
    if (rng.chance(0.5))
      attrs.insert_or_assign("epsilon",
                             Attribute(double(rng.floatIn(1e-5f, 1e-2f))));
    // Statistics as constants (folded at compile time, as in real models)
    // or, every other case, as graph inputs (folded at run time).
    double constant = c % 2 ? 0.0 : 1.0;
    b.add(OpKind::BatchNormalization,
          {b.input(x, {-3, 3}), b.operand(ch, {0.2f, 2}, constant),
           b.operand(ch, {}, constant), b.operand(ch, {}, constant),
           b.operand(ch, {0.05f, 3}, constant)},
          attrs);
  });
  EXPECT_EQ(nodes, 16);
}

TEST(CodeGenDifferentialTest, Softmax) {
  int64_t nodes = runCases("Softmax", 32, 16, [](Batch &b, int c) {
    Rng &rng = b.rng();
    size_t rank = size_t(rng.intIn(1, 4));
    Shape x = rng.shape(rank, 1, 9);
    AttrMap attrs;
    if (rng.chance(0.8))
      attrs.insert_or_assign(
          "axis", Attribute(rng.intIn(-int64_t(rank), int64_t(rank) - 1)));
    b.add(c % 2 ? OpKind::LogSoftmax : OpKind::Softmax, {b.input(x, {-8, 8})},
          attrs);
  });
  EXPECT_EQ(nodes, 32);
}

// Flatten, Reshape, Squeeze, Unsqueeze, Identity and Dropout (with and
// without its mask), on f32 and i64 data.
TEST(CodeGenDifferentialTest, Reshapes) {
  int64_t nodes = runCases("Reshapes", 60, 20, [](Batch &b, int c) {
    Rng &rng = b.rng();
    size_t rank =
        size_t(rng.intIn(c % 6 == 0 ? 1 : 0, 4)); // Flatten: rank >= 1
    Shape x = rng.shape(rank, 1, 5);
    // Dims of 1 for Squeeze to remove.
    for (int64_t &d : x)
      if (rng.chance(0.3))
        d = 1;
    DType dtype = c % 6 != 5 && rng.chance(0.25) ? DType::I64 : DType::F32;
    Value *in = b.input(x, {}, dtype);
    int64_t r = int64_t(rank);
    switch (c % 6) {
    case 0: { // Flatten
      AttrMap attrs;
      if (rank > 0 && rng.chance(0.8))
        attrs.insert_or_assign("axis", Attribute(rng.intIn(-r, r)));
      b.add(OpKind::Flatten, {in}, attrs);
      break;
    }
    case 1: { // Reshape to a random factorization, with 0 and -1 entries
      Shape shape = x;
      std::vector<int64_t> target;
      int64_t rest = elementCount(x);
      while (rest > 1 && target.size() < 4) {
        int64_t f = rng.intIn(1, rest);
        while (rest % f)
          --f;
        target.push_back(f);
        rest /= f;
      }
      if (rest > 1 || target.empty())
        target.push_back(rest);
      if (rng.chance(0.5))
        target[size_t(rng.intIn(0, int64_t(target.size()) - 1))] = -1;
      for (size_t i = 0; i < target.size() && i < x.size(); ++i)
        if (target[i] == x[i] && rng.chance(0.5))
          target[i] = 0; // copies the input's dim
      b.add(OpKind::Reshape,
            {in, b.intConstant({int64_t(target.size())}, target)}, {});
      break;
    }
    case 2: { // Squeeze: the given unit axes, or all of them
      std::vector<int64_t> axes;
      for (int64_t i = 0; i < r; ++i)
        if (x[size_t(i)] == 1 && rng.chance(0.6))
          axes.push_back(rng.chance(0.5) ? i : i - r);
      std::vector<Value *> operands{in};
      if (!axes.empty())
        operands.push_back(intConstant(b, axes));
      b.add(OpKind::Squeeze, operands, {});
      break;
    }
    case 3: { // Unsqueeze 1 or 2 axes
      int64_t outRank = r + rng.intIn(1, 2);
      std::vector<int64_t> axes;
      while (int64_t(axes.size()) < outRank - r) {
        int64_t a = rng.intIn(0, outRank - 1);
        if (std::find(axes.begin(), axes.end(), a) == axes.end())
          axes.push_back(a);
      }
      b.add(OpKind::Unsqueeze, {in, intConstant(b, axes)}, {});
      break;
    }
    case 4:
      b.add(OpKind::Identity, {in}, {});
      break;
    default: // Dropout in inference: the data and, sometimes, the mask
      std::vector<Value *> operands{in};
      if (rng.chance(0.5))
        operands.push_back(b.floatScalar(rng.floatIn(0, 0.9f)));
      b.add(OpKind::Dropout, operands, {}, rng.chance(0.5) ? 2 : 1);
      break;
    }
  });
  EXPECT_EQ(nodes, 60);
}

// Concat of any rank on any axis; every fourth case a channel Concat of
// images large enough to be copied by several threads (by rows).
TEST(CodeGenDifferentialTest, Concat) {
  int64_t nodes = runCases("Concat", 24, 12, [](Batch &b, int c) {
    Rng &rng = b.rng();
    bool images = c % 4 == 1;
    size_t rank = images ? 4 : size_t(rng.intIn(1, 4));
    Shape shape = rng.shape(rank, 1, 5);
    int64_t axis = images ? 1 : rng.intIn(0, int64_t(rank) - 1);
    if (images)
      shape = {rng.intIn(1, 2), 1, rng.intIn(40, 70), rng.intIn(40, 70)};
    DType dtype = c % 4 == 3 ? DType::I64 : DType::F32;
    std::vector<Value *> operands;
    for (int64_t i = 0, n = rng.intIn(1, 4); i < n; ++i) {
      shape[size_t(axis)] = images ? rng.intIn(4, 12) : rng.intIn(1, 4);
      operands.push_back(rng.chance(0.3) ? b.constant(shape, {}, dtype)
                                         : b.input(shape, {}, dtype));
    }
    b.add(OpKind::Concat, operands,
          {{"axis", Attribute(rng.chance(0.5) ? axis : axis - int64_t(rank))}});
  });
  EXPECT_EQ(nodes, 24);
}

TEST(CodeGenDifferentialTest, Transpose) {
  int64_t nodes = runCases("Transpose", 24, 12, [](Batch &b, int) {
    Rng &rng = b.rng();
    size_t rank = size_t(rng.intIn(1, 6));
    Shape x = rng.shape(rank, 1, 4);
    std::vector<int64_t> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng.engine());
    AttrMap attrs;
    if (rng.chance(0.8)) // else the default: reversed
      attrs.insert_or_assign("perm", ints(perm));
    b.add(OpKind::Transpose, {b.input(x)}, attrs);
  });
  EXPECT_EQ(nodes, 24);
}

// NaN, infinities, signed zeros and huge values through the ops whose
// results must follow the interpreter's rules for them (NaN wins a max, Relu
// and Clip keep NaN, padding never wins a max, ...).
TEST(CodeGenDifferentialTest, SpecialValues) {
  const std::vector<OpKind> kinds{
      OpKind::Relu,          OpKind::LeakyRelu,
      OpKind::Clip,          OpKind::Abs,
      OpKind::Neg,           OpKind::Sigmoid,
      OpKind::Tanh,          OpKind::HardSigmoid,
      OpKind::HardSwish,     OpKind::Elu,
      OpKind::Selu,          OpKind::Softplus,
      OpKind::Exp,           OpKind::Max,
      OpKind::Min,           OpKind::Add,
      OpKind::Mul,           OpKind::PRelu,
      OpKind::MaxPool,       OpKind::AveragePool,
      OpKind::GlobalMaxPool, OpKind::GlobalAveragePool,
      OpKind::Softmax,       OpKind::Conv,
      OpKind::Gemm,          OpKind::Transpose};
  int cases = int(kinds.size()) * 2;
  int64_t nodes = runCases("SpecialValues", cases, 26, [&](Batch &b, int c) {
    Rng &rng = b.rng();
    OpKind kind = kinds[size_t(c) % kinds.size()];
    bool sums = kind == OpKind::Conv || kind == OpKind::Gemm ||
                kind == OpKind::AveragePool ||
                kind == OpKind::GlobalAveragePool || kind == OpKind::Softmax;
    Range r{-2, 2, false, true, !sums};
    Shape x{rng.intIn(1, 2), rng.intIn(1, 3), rng.intIn(3, 6),
            rng.intIn(3, 20)};
    switch (kind) {
    case OpKind::Clip:
      b.add(kind, {b.input(x, r), b.floatScalar(-1), b.floatScalar(1)}, {});
      break;
    case OpKind::Max:
    case OpKind::Min:
    case OpKind::Add:
    case OpKind::Mul:
    case OpKind::PRelu:
      b.add(kind, {b.input(x, r), b.input(broadcastFrom(rng, x), r)}, {});
      break;
    case OpKind::MaxPool:
    case OpKind::AveragePool:
      b.add(kind, {b.input(x, r)},
            {{"kernel_shape", ints({2, 3})},
             {"pads", ints({1, 1, 0, 2})},
             {"strides", ints({1, 2})}});
      break;
    case OpKind::Conv:
      b.add(kind, {b.input(x, r), b.input({2, x[1], 3, 3}, r)},
            {{"pads", ints({1, 1, 1, 1})}});
      break;
    case OpKind::Gemm:
      b.add(kind,
            {b.input({x[2], x[3]}, r), b.input({x[3], 5}, r), b.input({5}, r)},
            {});
      break;
    default:
      b.add(kind, {b.input(x, r)}, {});
      break;
    }
  });
  EXPECT_EQ(nodes, cases);
}

// ---------------------------------------------------------------- chains

// Small random CNNs: Conv (plain or depthwise) -> BatchNormalization ->
// activation -> pool, a residual Add and a channel Concat, then
// GlobalAveragePool -> Flatten -> Gemm -> Softmax. Only the last result is a
// graph output, so every other tensor lives in the workspace.
TEST(CodeGenDifferentialTest, Chain) {
  int64_t nodes = runCases("Chain", 8, 1, [](Batch &b, int) {
    Rng &rng = b.rng();
    int64_t N = rng.chance(0.5) ? 1 : 2, C = rng.intIn(1, 4),
            H = rng.intIn(8, 14), W = rng.intIn(8, 14);
    Value *x = b.input({N, C, H, W});
    auto conv = [&](Value *in, int64_t M, int64_t k, int64_t stride,
                    int64_t group) {
      int64_t inC = in->type.shape[1];
      int64_t p = k / 2;
      return b
          .add(OpKind::Conv,
               {in, b.constant({M, inC / group, k, k}, {-0.5f, 0.5f}),
                b.constant({M})},
               {{"pads", ints({p, p, p, p})},
                {"strides", ints({stride, stride})},
                {"group", Attribute(group)}},
               1, false)
          ->outputs[0];
    };
    int64_t M = rng.intIn(2, 6);
    Value *y = conv(x, M, rng.pick<int64_t>({1, 3, 5}), 1, 1);
    Shape ch{M};
    y = b.add(OpKind::BatchNormalization,
              {y, b.constant(ch, {0.5f, 1.5f}), b.constant(ch), b.constant(ch),
               b.constant(ch, {0.5f, 2})},
              {}, 1, false)
            ->outputs[0];
    y = rng.chance(0.5)
            ? b.add(OpKind::Relu, {y}, {}, 1, false)->outputs[0]
            : b.add(OpKind::Clip, {y, b.floatScalar(0), b.floatScalar(6)}, {},
                    1, false)
                  ->outputs[0];
    y = b.add(rng.chance(0.5) ? OpKind::MaxPool : OpKind::AveragePool, {y},
              {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}}, 1,
              false)
            ->outputs[0];
    Value *d = conv(y, M, 3, 1, M); // depthwise, same shape: a residual
    y = b.add(OpKind::Add, {y, d}, {}, 1, false)->outputs[0];
    Value *e = conv(y, rng.intIn(1, 3), 1, 1, 1);
    y = b.add(OpKind::Concat, {y, e}, {{"axis", Attribute(1)}}, 1, false)
            ->outputs[0];
    y = b.add(OpKind::GlobalAveragePool, {y}, {}, 1, false)->outputs[0];
    y = b.add(OpKind::Flatten, {y}, {}, 1, false)->outputs[0];
    int64_t classes = rng.intIn(2, 10);
    y = b.add(OpKind::Gemm,
              {y, b.constant({classes, y->type.shape[1]}),
               b.constant({classes})},
              {{"transB", Attribute(1)}}, 1, false)
            ->outputs[0];
    b.add(OpKind::Softmax, {y}, {});
  });
  EXPECT_EQ(nodes, 8 * 12);
}

} // namespace
