// Randomized differential tests of the code generator (see
// DifferentialTestSupport.h): 3-D convolutions and pools, MaxPool's Indices
// and its integer element types, ConvTranspose, LpPool,
// InstanceNormalization, LRN and BatchNormalization in training mode.
#include "DifferentialTestSupport.h"

using namespace cnnc;
using namespace cnnc::difftest;

namespace {

// Channel counts and the group: plain (mode 0), grouped (1) or depthwise
// (2, one input channel per group).
struct Groups {
  int64_t group, C, M;
};

Groups randomGroups(Rng &rng, int mode) {
  if (mode == 0)
    return {1, rng.intIn(1, 4), rng.intIn(1, 4)};
  if (mode == 1) {
    int64_t g = rng.intIn(2, 3);
    return {g, g * rng.intIn(1, 2), g * rng.intIn(1, 2)};
  }
  int64_t g = rng.intIn(2, 5);
  return {g, g, g * rng.intIn(1, 2)};
}

// ---------------------------------------------------------------- Conv 3-D

// 3-D Conv, cycling through plain, grouped and depthwise; kernels, strides,
// dilations, pads (none, symmetric, asymmetric, auto_pad), bias and batch
// random, the rows sometimes long enough for the vectorized loop bodies.
void conv3dCase(Batch &b, int c) {
  Rng &rng = b.rng();
  Groups g = randomGroups(rng, c % 3);
  bool autoPad = rng.chance(0.15);
  int padMode = autoPad ? 0 : int(rng.intIn(0, 2));
  std::vector<Dim> dims;
  for (int i = 0; i < 3; ++i)
    dims.push_back(randomDim(rng, rng.intIn(1, 3), rng.intIn(1, 2),
                             rng.intIn(1, 2), padMode));
  if (rng.chance(0.3))
    dims.back().size += rng.intIn(16, 24);
  Shape x{rng.chance(0.3) ? 2 : 1, g.C}, w{g.M, g.C / g.group};
  for (const Dim &d : dims) {
    x.push_back(d.size);
    w.push_back(d.kernel);
  }
  AttrMap attrs = windowAttrs(dims, rng.chance(0.5), true);
  attrs.insert_or_assign("group", Attribute(g.group));
  if (autoPad) {
    attrs.erase("pads");
    attrs.insert_or_assign("auto_pad",
                           Attribute(rng.pick<std::string>(
                               {"SAME_UPPER", "SAME_LOWER", "VALID"})));
  }
  std::vector<Value *> operands{b.input(x), b.operand(w, {}, 0.8)};
  if (rng.chance(0.5))
    operands.push_back(b.operand({g.M}, {}, 0.8));
  b.add(OpKind::Conv, operands, attrs);
}

TEST(CodeGenDifferentialWindowTest, Conv3D) {
  int64_t nodes = runCases("Conv3D", 36, 9, conv3dCase);
  EXPECT_EQ(nodes, 36);
}

// ---------------------------------------------------------------- pools

// A random MaxPool, AveragePool or LpPool over `spatial` dims on `dtype`
// data, with `results` results (2: MaxPool's Indices too) and the extra
// attributes `extra`. Windows the interpreter rejects (one that covers
// padding only) are drawn again.
void addPool(Batch &b, OpKind kind, size_t spatial, DType dtype, Range r,
             size_t results = 1, AttrMap extra = {}) {
  Rng &rng = b.rng();
  bool average = kind == OpKind::AveragePool;
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::vector<Dim> dims;
    int padMode = int(rng.intIn(0, 2));
    for (size_t i = 0; i < spatial; ++i)
      dims.push_back(randomDim(rng, rng.intIn(1, spatial == 3 ? 3 : 4),
                               rng.intIn(1, 3), average ? 1 : rng.intIn(1, 2),
                               padMode));
    if (rng.chance(0.3)) // long rows
      dims.back().size += rng.intIn(16, 30);
    Shape x{rng.intIn(1, 2), rng.intIn(1, 3)};
    for (const Dim &d : dims)
      x.push_back(d.size);
    AttrMap attrs = windowAttrs(dims, true, !average && rng.chance(0.7));
    if (rng.chance(0.4))
      attrs.insert_or_assign("ceil_mode", Attribute(1));
    if (average && rng.chance(0.5))
      attrs.insert_or_assign("count_include_pad", Attribute(1));
    if (rng.chance(0.15)) {
      attrs.erase("pads");
      attrs.insert_or_assign("auto_pad",
                             Attribute(rng.pick<std::string>(
                                 {"SAME_UPPER", "SAME_LOWER", "VALID"})));
    }
    for (const auto &[name, value] : extra)
      attrs.insert_or_assign(name, value);
    if (b.add(kind, {b.input(x, r, dtype)}, attrs, results, true,
              /*probe=*/true))
      return;
  }
  FAIL() << "no valid pool window drawn";
}

TEST(CodeGenDifferentialWindowTest, Pool3D) {
  int64_t nodes = runCases("Pool3D", 32, 16, [](Batch &b, int c) {
    addPool(b, c % 2 ? OpKind::AveragePool : OpKind::MaxPool, 3, DType::F32,
            {});
  });
  EXPECT_EQ(nodes, 32);
}

// MaxPool with its Indices, 1-D to 3-D, in both storage orders; every
// other case with NaN, infinities and signed zeros, whose ties and NaNs
// test which element's index wins.
TEST(CodeGenDifferentialWindowTest, MaxPoolIndices) {
  int64_t nodes = runCases("MaxPoolIndices", 36, 12, [](Batch &b, int c) {
    Range r;
    r.special = c % 2 == 1;
    r.huge = true;
    addPool(b, OpKind::MaxPool, size_t(1 + (c / 2) % 3), DType::F32, r, 2,
            {{"storage_order", Attribute(int64_t((c / 6) % 2))}});
  });
  EXPECT_EQ(nodes, 36);
}

// MaxPool on the other element types ONNX defines it on (u8, i8, f64; data
// from a narrow range, so windows hold ties), sometimes with Indices, and
// AveragePool and LpPool on f64.
TEST(CodeGenDifferentialWindowTest, PoolTypes) {
  int64_t nodes = runCases("PoolTypes", 30, 15, [](Batch &b, int c) {
    Rng &rng = b.rng();
    Range r;
    r.intLo = -6;
    r.intHi = 6;
    size_t spatial = size_t(rng.intIn(1, 3));
    switch (c % 5) {
    case 0:
    case 1:
    case 2: {
      DType dtype =
          std::vector<DType>{DType::U8, DType::I8, DType::F64}[size_t(c % 5)];
      size_t results = rng.chance(0.5) ? 2 : 1;
      AttrMap extra;
      if (results == 2)
        extra.insert_or_assign("storage_order", Attribute(rng.intIn(0, 1)));
      addPool(b, OpKind::MaxPool, spatial, dtype, r, results, extra);
      break;
    }
    case 3:
      addPool(b, OpKind::AveragePool, spatial, DType::F64, r);
      break;
    default:
      addPool(b, OpKind::LpPool, spatial, DType::F64, r, 1,
              {{"p", Attribute(rng.intIn(1, 3))}});
      break;
    }
  });
  EXPECT_EQ(nodes, 30);
}

// LpPool, 1-D to 3-D, p 1 to 3 (or the default 2), with pads, strides,
// dilations and ceil_mode.
TEST(CodeGenDifferentialWindowTest, LpPool) {
  int64_t nodes = runCases("LpPool", 36, 12, [](Batch &b, int c) {
    AttrMap extra;
    if (c % 4 != 3)
      extra.insert_or_assign("p", Attribute(int64_t(1 + c % 4)));
    addPool(b, OpKind::LpPool, size_t(1 + (c / 4) % 3), DType::F32, {}, 1,
            extra);
  });
  EXPECT_EQ(nodes, 36);
}

// ------------------------------------------------------- ConvTranspose

// ConvTranspose, cycling through 1-D, 2-D and 3-D and through plain,
// grouped and depthwise; kernels, strides, dilations and output_padding
// random, the output size from pads, from output_shape (smaller or larger
// than the full result) or from auto_pad SAME. Geometries the interpreter
// rejects are drawn again.
void convTransposeCase(Batch &b, int c) {
  Rng &rng = b.rng();
  size_t spatial = size_t(1 + c % 3);
  Groups g = randomGroups(rng, (c / 3) % 3);
  int sizeMode = int(rng.intIn(0, 5)); // 0-3 pads, 4 output_shape, 5 SAME
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::vector<int64_t> kernel, strides, dilations, pads(2 * spatial), outPad,
        outputShape;
    Shape x{rng.chance(0.3) ? 2 : 1, g.C}, w{g.C, g.M / g.group};
    for (size_t i = 0; i < spatial; ++i) {
      int64_t k = rng.intIn(1, spatial == 3 ? 3 : 4), s = rng.intIn(1, 3),
              d = rng.intIn(1, 2), in = rng.intIn(1, spatial == 3 ? 4 : 6);
      if (i + 1 == spatial && spatial < 3 && rng.chance(0.3))
        in += rng.intIn(16, 24); // long rows
      int64_t op = rng.chance(0.5) ? rng.intIn(0, std::max(s, d) - 1) : 0;
      pads[i] = rng.intIn(0, 2);
      pads[i + spatial] = rng.intIn(0, 2);
      int64_t full = s * (in - 1) + op + (k - 1) * d + 1;
      kernel.push_back(k);
      strides.push_back(s);
      dilations.push_back(d);
      outPad.push_back(op);
      outputShape.push_back(std::max<int64_t>(1, full + rng.intIn(-3, 2)));
      x.push_back(in);
      w.push_back(k);
    }
    AttrMap attrs{{"strides", ints(strides)}, {"group", Attribute(g.group)}};
    if (rng.chance(0.5))
      attrs.insert_or_assign("kernel_shape", ints(kernel));
    if (rng.chance(0.7))
      attrs.insert_or_assign("dilations", ints(dilations));
    if (rng.chance(0.5))
      attrs.insert_or_assign("output_padding", ints(outPad));
    if (sizeMode < 4) {
      attrs.insert_or_assign("pads", ints(pads));
    } else if (sizeMode == 4) {
      if (rng.chance(0.3)) // also the leading N and M
        outputShape.insert(outputShape.begin(), {x[0], g.M});
      attrs.insert_or_assign("output_shape", ints(outputShape));
    } else {
      attrs.insert_or_assign("auto_pad", Attribute(rng.pick<std::string>(
                                             {"SAME_UPPER", "SAME_LOWER"})));
    }
    std::vector<Value *> operands{b.input(x), b.operand(w, {}, 0.8)};
    if (rng.chance(0.5))
      operands.push_back(b.operand({g.M}, {}, 0.8));
    if (b.add(OpKind::ConvTranspose, operands, attrs, 1, true,
              /*probe=*/true))
      return;
  }
  FAIL() << "no valid ConvTranspose drawn for case " << c;
}

TEST(CodeGenDifferentialWindowTest, ConvTranspose) {
  // 54: each rank in each group mode six times.
  int64_t nodes = runCases("ConvTranspose", 54, 9, convTransposeCase);
  EXPECT_EQ(nodes, 54);
}

// ---------------------------------------------------------------- norms

// InstanceNormalization over 1-D to 3-D planes; data sometimes far from
// zero relative to its spread (the statistics must not cancel), scale and
// bias constants or graph inputs.
TEST(CodeGenDifferentialWindowTest, InstanceNormalization) {
  int64_t nodes =
      runCases("InstanceNormalization", 24, 12, [](Batch &b, int c) {
        Rng &rng = b.rng();
        Shape x = rng.shape(size_t(3 + c % 3), 1, c % 3 == 2 ? 5 : 9);
        if (rng.chance(0.3))
          x.back() += rng.intIn(16, 40);
        AttrMap attrs;
        if (rng.chance(0.5))
          attrs.insert_or_assign("epsilon",
                                 Attribute(double(rng.floatIn(1e-5f, 1e-1f))));
        Range data = rng.chance(0.3) ? Range{40, 41} : Range{-3, 3};
        b.add(OpKind::InstanceNormalization,
              {b.input(x, data), b.operand({x[1]}, {-2, 2}, 0.5),
               b.operand({x[1]}, {-2, 2}, 0.5)},
              attrs);
      });
  EXPECT_EQ(nodes, 24);
}

// LRN with window sizes 1 to 7 (even ones too, and wider than the channel
// count), random alpha, beta and bias.
TEST(CodeGenDifferentialWindowTest, LRN) {
  int64_t nodes = runCases("LRN", 24, 12, [](Batch &b, int c) {
    Rng &rng = b.rng();
    Shape x = rng.shape(size_t(3 + c % 3), 1, c % 3 == 2 ? 5 : 8);
    x[1] = rng.intIn(1, 9);
    AttrMap attrs{{"size", Attribute(int64_t(1 + c % 7))}};
    if (rng.chance(0.7))
      attrs.insert_or_assign("alpha", Attribute(double(rng.floatIn(1e-4f, 2))));
    if (rng.chance(0.7))
      attrs.insert_or_assign("beta",
                             Attribute(double(rng.floatIn(0.1f, 1.5f))));
    if (rng.chance(0.7))
      attrs.insert_or_assign("bias", Attribute(double(rng.floatIn(0.5f, 3))));
    b.add(OpKind::LRN, {b.input(x, {-2, 2})}, attrs);
  });
  EXPECT_EQ(nodes, 24);
}

// BatchNormalization in training mode: the batch's statistics, with (3
// results) or without (1) the updated running statistics; those and the
// scale and bias constants or graph inputs.
TEST(CodeGenDifferentialWindowTest, BatchNormalizationTraining) {
  int64_t nodes =
      runCases("BatchNormalizationTraining", 16, 8, [](Batch &b, int c) {
        Rng &rng = b.rng();
        Shape x = rng.shape(size_t(2 + c % 4), 1, 6);
        if (rng.chance(0.3))
          x.back() += rng.intIn(16, 30);
        Shape ch{x[1]};
        AttrMap attrs{{"training_mode", Attribute(1)}};
        if (rng.chance(0.5))
          attrs.insert_or_assign("epsilon",
                                 Attribute(double(rng.floatIn(1e-5f, 1e-2f))));
        if (rng.chance(0.7))
          attrs.insert_or_assign("momentum",
                                 Attribute(double(rng.floatIn(0, 1))));
        Range data = rng.chance(0.3) ? Range{20, 21} : Range{-3, 3};
        b.add(OpKind::BatchNormalization,
              {b.input(x, data), b.operand(ch, {0.2f, 2}, 0.5),
               b.operand(ch, {}, 0.5), b.operand(ch, {}, 0.5),
               b.operand(ch, {0.05f, 3}, 0.5)},
              attrs, c % 2 ? 3 : 1);
      });
  EXPECT_EQ(nodes, 16);
}

// cnnc.FusedConv (what fuse-conv-activation and fuse-residual-add make):
// 1-D or 2-D windows, bias or not, a residual or not, each activation,
// strided and grouped sometimes.
TEST(CodeGenDifferentialWindowTest, FusedConv) {
  const std::vector<std::string> activations{"",        "Relu", "LeakyRelu",
                                             "Clip",    "Sigmoid",
                                             "HardSwish"};
  int cases = int(activations.size()) * 6;
  int64_t nodes = runCases("FusedConv", cases, 12, [&](Batch &b, int c) {
    Rng &rng = b.rng();
    std::string activation = activations[size_t(c) % activations.size()];
    int64_t group = rng.chance(0.3) ? 2 : 1;
    int64_t C = group * rng.intIn(1, 3), M = group * rng.intIn(1, 3);
    int64_t k = rng.pick<int64_t>({1, 3, 5}), p = k / 2;
    // Residual cases keep the size (stride 1, "same" pads).
    bool residual = c % 2 == 0;
    int64_t stride = residual ? 1 : rng.intIn(1, 2);
    bool twoD = rng.chance(0.7);
    Shape x{rng.intIn(1, 2), C, rng.intIn(k, k + 6)}, w{M, C / group, k};
    if (twoD) {
      x.push_back(rng.intIn(k, k + 20));
      w.push_back(k);
    }
    size_t sp = x.size() - 2;
    AttrMap attrs{{"pads", ints(std::vector<int64_t>(2 * sp, p))},
                  {"strides", ints(std::vector<int64_t>(sp, stride))},
                  {"kernel_shape", ints(std::vector<int64_t>(sp, k))},
                  {"group", Attribute(group)}};
    if (!activation.empty())
      attrs.insert_or_assign("activation", Attribute(activation));
    if (activation == "LeakyRelu")
      attrs.insert_or_assign("leaky_alpha",
                             Attribute(double(rng.floatIn(0, 0.5))));
    if (activation == "Clip") {
      attrs.insert_or_assign("clip_min", Attribute(double(rng.floatIn(-1, 0))));
      attrs.insert_or_assign("clip_max", Attribute(double(rng.floatIn(0, 2))));
    }
    std::vector<Value *> operands{b.input(x, {-1, 1}),
                                  b.operand(w, {-1, 1}, 0.8)};
    operands.push_back(rng.chance(0.5) ? b.operand({M}, {}, 0.8) : nullptr);
    if (residual) {
      Shape y = x;
      y[1] = M;
      operands.push_back(b.input(y, {-2, 2}));
    } else if (!operands.back()) {
      operands.pop_back();
    }
    b.add(OpKind::FusedConv, operands, attrs);
  });
  EXPECT_EQ(nodes, cases);
}

// cnnc.Gemm1x1 (lower-1x1-conv's result): output channel counts around
// the kernel's blocks of four, strides 1 to 3, 1-D or 2-D, batch 1 or 3,
// with bias, residual and activation sometimes.
TEST(CodeGenDifferentialWindowTest, Gemm1x1) {
  int64_t nodes = runCases("Gemm1x1", 36, 12, [](Batch &b, int c) {
    Rng &rng = b.rng();
    int64_t C = rng.intIn(1, 9), M = 1 + c % 9;
    bool twoD = rng.chance(0.7);
    Shape x{rng.chance(0.3) ? 3 : 1, C, rng.intIn(1, 9)};
    if (twoD)
      x.push_back(rng.chance(0.3) ? rng.intIn(16, 40) : rng.intIn(1, 9));
    std::vector<int64_t> strides;
    for (size_t d = 2; d < x.size(); ++d)
      strides.push_back(rng.intIn(1, 3));
    Shape y{x[0], M};
    for (size_t d = 2; d < x.size(); ++d)
      y.push_back((x[d] - 1) / strides[d - 2] + 1);
    AttrMap attrs{{"strides", ints(strides)}};
    if (rng.chance(0.5))
      attrs.insert_or_assign(
          "activation", Attribute(rng.pick<std::string>(
                            {"Relu", "LeakyRelu", "Clip", "Sigmoid"})));
    std::vector<Value *> operands{b.input(x, {-1, 1}),
                                  b.operand({M, C}, {-1, 1}, 0.8)};
    operands.push_back(rng.chance(0.5) ? b.operand({M}, {}, 0.8) : nullptr);
    if (rng.chance(0.4))
      operands.push_back(b.input(y, {-2, 2}));
    else if (!operands.back())
      operands.pop_back();
    b.add(OpKind::Gemm1x1, operands, attrs);
  });
  EXPECT_EQ(nodes, 36);
}

} // namespace
