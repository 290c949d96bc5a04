// Support for the randomized differential tests of the code generator
// (CodeGenDifferential*Test.cpp): random shapes, attributes and data,
// compiled in memory (JitModel) and compared with the reference interpreter
// (interpretGraph).
//
// Every case draws from a std::mt19937 seeded with a fixed base seed (or
// CNNC_DIFF_SEED from the environment, to explore other cases) plus the
// batch number, so a run is reproducible; a failure names the seed, the
// batch and the node (its operand types and attributes).
//
// To keep JIT compile time down (tens of ms per model), several independent
// cases share one graph: each node reads its own graph inputs and constants
// and each of its results is a graph output. Chains instead connect nodes so
// that intermediate tensors live in the workspace.
#pragma once

#include "compiler/codegen/Jit.h"
#include "ir/Printer.h"
#include "ir/ShapeInference.h"
#include "ir/interp/Interpreter.h"
#include "ir/interp/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

namespace cnnc::difftest {

inline uint32_t baseSeed() {
  if (const char *s = std::getenv("CNNC_DIFF_SEED"))
    return uint32_t(std::strtoul(s, nullptr, 10));
  return 20240611;
}

class Rng {
public:
  explicit Rng(uint32_t seed) : gen_(seed) {}
  // Uniform in [lo, hi].
  int64_t intIn(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(gen_);
  }
  float floatIn(float lo, float hi) {
    return std::uniform_real_distribution<float>(lo, hi)(gen_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(gen_); }
  template <typename T> T pick(const std::vector<T> &v) {
    return v[size_t(intIn(0, int64_t(v.size()) - 1))];
  }
  // A random rank-`rank` shape with dimensions in [lo, hi].
  Shape shape(size_t rank, int64_t lo, int64_t hi) {
    Shape s(rank);
    for (int64_t &d : s)
      d = intIn(lo, hi);
    return s;
  }
  std::mt19937 &engine() { return gen_; }

private:
  std::mt19937 gen_;
};

inline Attribute ints(std::vector<int64_t> v) { return Attribute(std::move(v)); }

// The range random f32 data is drawn from; `awayFromZero` flips the values
// in (-lo, lo) out of it for divisors and reciprocals; `special` mixes in
// NaN, infinities and signed zeros, and `huge` values near FLT_MAX (not for
// sums: where they overflow depends on the order of the terms).
struct Range {
  float lo = -1, hi = 1;
  bool awayFromZero = false;
  bool special = false, huge = false;
  // Integer tensors: uniform in [intLo, intHi] clipped to the type.
  int64_t intLo = -1000, intHi = 1000;
};

// |a - b| <= 1e-4 + 1e-3 * |b|. The compiled kernels sum in another order
// than the interpreter (vectorized, reassociated reductions, fused
// multiply-adds from -ffp-contract=fast) and fold BatchNormalization into
// one multiply-add; with data in [-1, 1] and sums of at most a few thousand
// products that moves results by far less than this, while a wrong index,
// a missing term or a wrong border gives errors of the order of the data.
inline bool close(double actual, double expected) {
  if (std::isnan(expected) || std::isnan(actual))
    return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected))
    return actual == expected;
  return std::fabs(actual - expected) <= 1e-4 + 1e-3 * std::fabs(expected);
}

// Independent nodes (or one chain) in one graph, compiled once.
class Batch {
public:
  Batch(Rng &rng, std::string where, int optLevel = 3)
      : rng_(rng), where_(std::move(where)), optLevel_(optLevel) {}

  Rng &rng() { return rng_; }

  // Random data of any element type: integers uniform in [r.intLo, r.intHi]
  // (clipped to the type; `awayFromZero` skips 0), bools fair coins, floats
  // as Range says (rounded to f16/bf16, widened to f64).
  Tensor randomTensor(DType dtype, const Shape &shape, Range r = {}) {
    size_t count = size_t(elementCount(shape));
    TensorType type{dtype, shape, Layout::Plain};
    if (dtype == DType::Bool) {
      std::vector<int64_t> v(count);
      for (int64_t &x : v)
        x = rng_.intIn(0, 1);
      return interp::makeTensor(type, v);
    }
    if (isInteger(dtype)) {
      int64_t bits = int64_t(8 * dtypeSize(dtype));
      bool isUnsigned = !isSignedType(dtype);
      int64_t lo = r.intLo, hi = r.intHi;
      if (isUnsigned)
        lo = std::max<int64_t>(lo, 0);
      if (bits < 64) {
        int64_t typeLo = isUnsigned ? 0 : -(int64_t(1) << (bits - 1));
        int64_t typeHi = isUnsigned ? (int64_t(1) << bits) - 1
                                    : (int64_t(1) << (bits - 1)) - 1;
        lo = std::max(lo, typeLo);
        hi = std::min(hi, typeHi);
      }
      std::vector<int64_t> v(count);
      for (int64_t &x : v)
        do
          x = rng_.intIn(lo, hi);
        while (r.awayFromZero && x == 0 && lo != hi);
      return interp::makeTensor(type, v);
    }
    std::vector<float> v(count);
    for (float &x : v) {
      x = rng_.floatIn(r.lo, r.hi);
      if (r.awayFromZero && std::fabs(x) < 0.25f)
        x = x < 0 ? x - 0.5f : x + 0.5f;
      if (r.special && rng_.chance(0.15))
        x = r.huge && rng_.chance(0.3)
                ? rng_.pick<float>({3e38f, -3e38f})
                : rng_.pick<float>({NAN, INFINITY, -INFINITY, 0.0f, -0.0f});
    }
    return dtype == DType::F32 ? Tensor::fromValues(DType::F32, shape, v)
                               : interp::makeTensor(type, v);
  }

  // A graph input holding random data.
  Value *input(const Shape &shape, Range r = {}, DType dtype = DType::F32) {
    Value *v = g_.addInput("x" + std::to_string(g_.inputs.size()),
                           TensorType{dtype, shape, Layout::Plain});
    inputs_.push_back(randomTensor(dtype, shape, r));
    return v;
  }
  // A constant holding random data (weights).
  Value *constant(const Shape &shape, Range r = {}, DType dtype = DType::F32) {
    return g_.addConstant(
        "w", std::make_shared<Tensor>(randomTensor(dtype, shape, r)));
  }
  // Either, at random: the code generator reads both.
  Value *operand(const Shape &shape, Range r = {},
                 double constantChance = 0.3) {
    return rng_.chance(constantChance) ? constant(shape, r) : input(shape, r);
  }
  Value *intConstant(const Shape &shape, const std::vector<int64_t> &v) {
    return g_.addConstant("k", std::make_shared<Tensor>(
                                   Tensor::fromValues(DType::I64, shape, v)));
  }
  Value *floatScalar(float v) {
    return g_.addConstant("s",
                          std::make_shared<Tensor>(Tensor::fromValues(
                              DType::F32, Shape{}, std::vector<float>{v})));
  }

  // Adds a node with its types inferred and its window made explicit (as
  // the importer leaves it). With `isOutput`, its results become graph
  // outputs. With `probe`, the node is first evaluated on its operands and
  // dropped (nullptr) if the interpreter rejects them as a user error: the
  // random window generators then draw again.
  Node *add(OpKind kind, std::vector<Value *> operands, AttrMap attrs,
            size_t numResults = 1, bool isOutput = true, bool probe = false) {
    std::vector<std::string> names;
    for (size_t i = 0; i < numResults; ++i)
      names.push_back("y");
    Node *n = g_.addNode(kind, "n" + std::to_string(g_.nodes.size()), operands,
                         names, std::move(attrs));
    try {
      setInferredTypes(*n);
      makeWindowExplicit(*n);
      if (probe) {
        std::vector<const Tensor *> in;
        for (Value *v : operands)
          in.push_back(v ? tensorOf(v) : nullptr);
        evaluateNode(*n, in);
      }
    } catch (const UserError &) {
      if (!probe)
        throw;
      g_.nodes.pop_back();
      return nullptr;
    }
    descriptions_[n] = describe(*n);
    if (isOutput)
      for (Value *v : n->outputs) {
        g_.outputs.push_back(v);
        producers_.push_back(n);
      }
    return n;
  }

  size_t size() const { return g_.nodes.size(); }
  const Graph &graph() const { return g_; }

  // Compiles and interprets the graph and compares every output.
  void check() {
    if (g_.nodes.empty())
      return;
    g_.removeUnusedConstants();
    std::vector<Tensor> expected = interpretGraph(g_, inputs_);
    std::vector<Tensor> actual;
    try {
      JitModel jit(g_, optLevel_);
      actual = jit.run(inputs_);
    } catch (const std::exception &e) {
      ADD_FAILURE() << where_ << ": compiling failed: " << e.what() << "\n"
                    << printGraph(g_);
      return;
    }
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
      compare(i, actual[i], expected[i]);
  }

  // One line naming a node's op, operand types and attributes, for failure
  // messages.
  static std::string describe(const Node &n) {
    std::ostringstream os;
    os << n.name << " = " << n.opName() << "(";
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const Value *v = n.inputs[i];
      os << (i ? ", " : "");
      if (!v)
        os << "absent";
      else
        os << (v->isConstant() ? "const " : "") << v->type.str();
    }
    os << ") {";
    bool first = true;
    for (const auto &[name, attr] : n.attrs) {
      os << (first ? "" : ", ") << name << "=" << printAttribute(attr);
      first = false;
    }
    os << "} ->";
    for (const Value *v : n.outputs)
      os << " " << v->type.str();
    return os.str();
  }
private:
  const Tensor *tensorOf(const Value *v) const {
    if (v->isConstant())
      return v->constant.get();
    for (size_t i = 0; i < g_.inputs.size(); ++i)
      if (g_.inputs[i] == v)
        return &inputs_[i];
    return nullptr; // an intermediate of a chain: not probed
  }



  void compare(size_t output, const Tensor &actual, const Tensor &expected) {
    const Node *n = producers_.empty() ? nullptr : producers_[output];
    std::string what = where_ + ", output " + std::to_string(output) + " of " +
                       (n ? descriptions_[n] : std::string("?"));
    ASSERT_EQ(actual.type(), expected.type()) << what;
    int64_t count = expected.numElements(), bad = 0;
    std::ostringstream first;
    if (!isFloat(expected.type().dtype)) { // integers and bools: exact
      for (int64_t i = 0; i < count; ++i)
        if (actual.intAt(i) != expected.intAt(i) && bad++ < 4)
          first << "\n  element " << i << ": compiled " << actual.intAt(i)
                << ", interpreter " << expected.intAt(i);
    } else {
      for (int64_t i = 0; i < count; ++i)
        if (!close(actual.floatAt(i), expected.floatAt(i)) && bad++ < 4)
          first << "\n  element " << i << ": compiled " << actual.floatAt(i)
                << ", interpreter " << expected.floatAt(i);
    }
    EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << count
                      << " elements differ" << first.str();
  }

  Rng &rng_;
  std::string where_;
  int optLevel_;
  Graph g_;
  std::vector<Tensor> inputs_;
  std::vector<const Node *> producers_; // per graph output
  std::map<const Node *, std::string> descriptions_;
};

// Runs `cases` cases of `generate`, `perBatch` to a compiled graph. Batch b
// draws from seed base + b: that and the node's description reproduce a
// failure. Returns the number of nodes checked.
inline int64_t runCases(const char *test, int cases, int perBatch,
                 const std::function<void(Batch &, int)> &generate) {
  int64_t nodes = 0;
  for (int first = 0, batch = 0; first < cases; first += perBatch, ++batch) {
    uint32_t seed = baseSeed() + uint32_t(batch);
    Rng rng(seed);
    // Mostly -O3 (vectorized, as shipped); every fourth batch -O0, which
    // checks the kernels' own semantics without the optimizer.
    int optLevel = batch % 4 == 3 ? 0 : 3;
    Batch b(rng,
            std::string(test) + ": seed " + std::to_string(seed) +
                " (CNNC_DIFF_SEED=" + std::to_string(baseSeed()) + ", batch " +
                std::to_string(batch) + ", -O" + std::to_string(optLevel) + ")",
            optLevel);
    for (int c = first; c < std::min(cases, first + perBatch); ++c)
      generate(b, c);
    nodes += int64_t(b.size());
    b.check();
  }
  return nodes;
}

// ---------------------------------------------------------------- windows

// Per spatial dim of a random Conv or pool window.
struct Dim {
  int64_t kernel, stride, dilation, padBegin, padEnd, size;
};

// pads: 0 none, 1 symmetric, 2 asymmetric. The input size leaves at least
// one output position (and up to a few more).
inline Dim randomDim(Rng &rng, int64_t kernel, int64_t stride, int64_t dilation,
              int padMode) {
  Dim d{kernel, stride, dilation, 0, 0, 0};
  int64_t extent = (kernel - 1) * dilation + 1;
  int64_t maxPad = (kernel - 1) * dilation; // beyond: windows of padding only
  if (padMode == 1)
    d.padBegin = d.padEnd = rng.intIn(1, std::max<int64_t>(1, maxPad / 2 + 1));
  else if (padMode == 2) {
    d.padBegin = rng.intIn(0, std::max<int64_t>(1, maxPad));
    do
      d.padEnd = rng.intIn(0, std::max<int64_t>(1, maxPad));
    while (d.padEnd == d.padBegin);
  }
  d.size = std::max<int64_t>(1, extent - d.padBegin - d.padEnd) +
           rng.intIn(0, 3 + 2 * stride);
  return d;
}

inline AttrMap windowAttrs(const std::vector<Dim> &dims, bool explicitKernel,
                    bool dilations) {
  std::vector<int64_t> kernel, strides, dil, pads(2 * dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    kernel.push_back(dims[i].kernel);
    strides.push_back(dims[i].stride);
    dil.push_back(dims[i].dilation);
    pads[i] = dims[i].padBegin;
    pads[i + dims.size()] = dims[i].padEnd;
  }
  AttrMap attrs{{"strides", ints(strides)}, {"pads", ints(pads)}};
  if (explicitKernel)
    attrs.insert_or_assign("kernel_shape", ints(kernel));
  if (dilations)
    attrs.insert_or_assign("dilations", ints(dil));
  return attrs;
}

// A shape that broadcasts to `out`: a random-length suffix of it with
// random dimensions set to 1.
inline Shape broadcastFrom(Rng &rng, const Shape &out) {
  size_t rank = size_t(rng.intIn(0, int64_t(out.size())));
  Shape s(out.end() - int64_t(rank), out.end());
  for (int64_t &d : s)
    if (rng.chance(0.35))
      d = 1;
  return s;
}
inline Value *intConstant(Batch &b, const std::vector<int64_t> &v) {
  return b.intConstant({int64_t(v.size())}, v);
}

} // namespace cnnc::difftest
