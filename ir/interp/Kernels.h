// What the interpreter's kernels share: their signature, typed element
// access and index arithmetic. Internal to ir/interp.
//
// A kernel takes the node (attributes, output types) and its operand values
// and returns one tensor per node output, of exactly the node's output
// types. Shape inference has already checked the operands and attributes a
// node's types depend on, so kernels do not repeat those checks; they do
// check what only run-time values can break (indices, division by zero).
#pragma once

#include "ir/Graph.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace cnnc::interp {

using Operands = std::vector<const Tensor *>; // nullptr: absent operand
using Results = std::vector<Tensor>;

// ------------------------------------------------------------ the kernels
// One function per op or per family of ops that share a loop; Interpreter.cpp
// maps every OpKind to one of them. Grouped by the files that define them,
// mirroring the categories of ir/Ops.def.

// ConvKernels.cpp
Results conv(const Node &n, const Operands &in);
Results convTranspose(const Node &n, const Operands &in);
// y = activation(conv + residual): see FusedConv in Ops.def.
Results fusedConv(const Node &n, const Operands &in);
// A 1x1 convolution as a matrix product (Gemm1x1 in Ops.def).
Results gemm1x1(const Node &n, const Operands &in);
Results expandDepthwise(const Node &n, const Operands &in);
// PoolKernels.cpp
Results maxPool(const Node &n, const Operands &in);
Results averagePool(const Node &n, const Operands &in);
Results lpPool(const Node &n, const Operands &in);
Results globalPool(const Node &n, const Operands &in); // GlobalAverage/MaxPool
// NormKernels.cpp
Results batchNormalization(const Node &n, const Operands &in);
Results instanceNormalization(const Node &n, const Operands &in);
Results lrn(const Node &n, const Operands &in);
// ActivationKernels.cpp
// Relu, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, Elu, Selu, Softplus
Results pointwiseActivation(const Node &n, const Operands &in);
// The activation a FusedConv node names (its "activation" attribute, or
// with a prefix ExpandDepthwise's "expand_activation" and the bounds that go
// with it) at x, computed as the op it stands for computes it; none is the
// identity.
template <typename T>
T fusedActivation(const Node &n, T x, const std::string &prefix = "");
Results prelu(const Node &n, const Operands &in);
Results clip(const Node &n, const Operands &in);
Results softmax(const Node &n, const Operands &in); // Softmax, LogSoftmax
// LinearKernels.cpp
Results gemm(const Node &n, const Operands &in);
Results matMul(const Node &n, const Operands &in);
// ElementwiseKernels.cpp
Results binaryArithmetic(const Node &n,
                         const Operands &in); // Add Sub Mul Div Pow
Results variadicElementwise(const Node &n,
                            const Operands &in); // Max Min Sum Mean
// Sqrt Exp Log Abs Neg Reciprocal Erf
Results unaryMath(const Node &n, const Operands &in);
// ReductionKernels.cpp
Results reduce(const Node &n, const Operands &in); // ReduceMean/Sum/Max
// ShapeKernels.cpp
// Flatten, Reshape, Squeeze, Unsqueeze, Identity: same elements, new shape.
Results reshapeLike(const Node &n, const Operands &in);
Results transpose(const Node &n, const Operands &in);
Results concat(const Node &n, const Operands &in);
Results split(const Node &n, const Operands &in);
Results slice(const Node &n, const Operands &in);
Results pad(const Node &n, const Operands &in);
Results gather(const Node &n, const Operands &in);
Results shape(const Node &n, const Operands &in);
Results constantOfShape(const Node &n, const Operands &in);
Results expand(const Node &n, const Operands &in);
Results dropout(const Node &n, const Operands &in);
Results cast(const Node &n, const Operands &in);
// ResizeKernels.cpp
Results resize(const Node &n, const Operands &in);

// ------------------------------------------------------- typed elements

// The type kernels compute in for elements stored as `dtype`: float for f32,
// f16 and bf16; double for f64; int64_t for signed integers; uint64_t for
// unsigned ones; bool for bool. Calls f(T{}) with that type and returns its
// result, so a kernel is written once as a template over T:
//   return withComputeType(x.type().dtype, [&](auto zero) {
//     using T = decltype(zero); ... });
template <typename F> decltype(auto) withComputeType(DType dtype, F &&f) {
  switch (dtype) {
  case DType::F32:
  case DType::F16:
  case DType::BF16:
    return f(float{});
  case DType::F64:
    return f(double{});
  case DType::I8:
  case DType::I16:
  case DType::I32:
  case DType::I64:
    return f(int64_t{});
  case DType::U8:
  case DType::U16:
  case DType::U32:
  case DType::U64:
    return f(uint64_t{});
  case DType::Bool:
    return f(bool{});
  }
  throw InternalError("withComputeType: unknown dtype");
}

// withComputeType for ops ONNX defines on numbers: bool is a user error
// naming the node (shape inference does not check ONNX's type constraints),
// and f is never instantiated for bool, whose std::vector<bool> would not
// fit the kernels' loops.
template <typename F>
Results withNumericType(const Node &n, DType dtype, F &&f) {
  if (dtype == DType::Bool)
    n.error("needs a numeric tensor, got bool");
  return withComputeType(dtype, [&](auto zero) -> Results {
    if constexpr (std::is_same_v<decltype(zero), bool>)
      throw InternalError("withNumericType: bool was refused above");
    else
      return f(zero);
  });
}

// withComputeType for ops ONNX defines on floating-point tensors only (Conv,
// the pools, the normalizations): an integer or bool tensor is a user error.
template <typename F> Results withFloatType(const Node &n, DType dtype, F &&f) {
  return withComputeType(dtype, [&](auto zero) -> Results {
    if constexpr (std::is_floating_point_v<decltype(zero)>)
      return f(zero);
    else
      n.error("defined on floating-point tensors only, got {}",
              dtypeName(dtype));
  });
}

inline void requireFloat(const Node &n, DType dtype) {
  if (!isFloat(dtype))
    n.error("needs a floating-point tensor, got {}", dtypeName(dtype));
}

// Signed integers add, subtract and multiply in uint64_t: the bits of
// two's-complement wrapping, which ONNX Runtime's integer kernels produce,
// without the undefined behaviour of signed overflow.
template <typename T>
using Wrapping = std::conditional_t<std::is_same_v<T, int64_t>, uint64_t, T>;
template <typename T> T wrappingAdd(T a, T b) {
  return T(Wrapping<T>(a) + Wrapping<T>(b));
}
template <typename T> T wrappingSub(T a, T b) {
  return T(Wrapping<T>(a) - Wrapping<T>(b));
}
template <typename T> T wrappingMul(T a, T b) {
  return T(Wrapping<T>(a) * Wrapping<T>(b));
}

// Max, Min and ReduceMax propagate NaN, as NumPy and ONNX Runtime do.
template <typename T> bool isNaN(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}

// Operand i, or nullptr if it is absent: trailing optional operands a node
// leaves out are not in `in` at all.
inline const Tensor *optionalOperand(const Operands &in, size_t i) {
  return i < in.size() ? in[i] : nullptr;
}

// `v` converted to T without undefined behaviour: a float converted to an
// integer truncates toward zero and saturates at T's range (NaN gives 0); an
// integer converted to a narrower integer wraps, as in C; anything converted
// to bool is v != 0.
template <typename T, typename S> T convertElement(S v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != S(0);
  } else if constexpr (std::is_integral_v<T> && std::is_floating_point_v<S>) {
    if (std::isnan(v))
      return T(0);
    // T's range as powers of two, exact in float and double, so the
    // comparisons are exact: [-2^(bits-1), 2^(bits-1)) or [0, 2^bits).
    constexpr int bits = 8 * sizeof(T);
    const S lo = std::is_signed_v<T> ? -std::ldexp(S(1), bits - 1) : S(0);
    const S hi = std::ldexp(S(1), std::is_signed_v<T> ? bits - 1 : bits);
    if (v < lo)
      return std::numeric_limits<T>::min();
    if (v >= hi)
      return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  } else {
    return static_cast<T>(v);
  }
}

// Element i of `t` converted to T (see convertElement). Precondition:
// t.hasData() and 0 <= i < t.numElements().
template <typename T> T elementAs(const Tensor &t, int64_t i);

// All elements of `t`, in row-major order, converted to T.
template <typename T> std::vector<T> elementsAs(const Tensor &t);

// A plain tensor of `type` holding `values` (one per element, row-major)
// converted to type.dtype (see convertElement): floats saturate at an
// integer type's range, integers wrap to its width; f16/bf16 are rounded to
// nearest even from f32 (so an f64 value is rounded twice, as in ONNX
// Runtime's casts).
template <typename T>
Tensor makeTensor(const TensorType &type, const std::vector<T> &values);

// The output type of result i of `n` (its inferred type).
// The type of result i as the kernels compute it: plain, whatever layout
// the node's result is stored in (evaluateNode converts).
inline TensorType resultType(const Node &n, size_t i = 0) {
  TensorType type = n.outputs.at(i)->type;
  type.layout = Layout::Plain;
  return type;
}

// ------------------------------------------------------- index arithmetic

// rowMajorStrides and broadcastStrides: ir/Types.h.

// Calls f(index) for every multi-index of `shape` in row-major order
// (index.size() == shape.size(); nothing for an empty shape, once with {}
// for a scalar).
template <typename F> void forEachIndex(const Shape &shape, F &&f) {
  for (int64_t d : shape)
    if (d == 0)
      return;
  std::vector<int64_t> index(shape.size(), 0);
  while (true) {
    f(static_cast<const std::vector<int64_t> &>(index));
    size_t k = shape.size();
    while (k > 0 && ++index[k - 1] == shape[k - 1])
      index[--k] = 0;
    if (k == 0)
      return;
  }
}

// Sum of index[i] * strides[i].
int64_t dot(const std::vector<int64_t> &index,
            const std::vector<int64_t> &strides);

// Element copying for ops that move data without computing (Reshape,
// Transpose, Gather, Concat, ...): they work for every dtype on raw bytes.
// The bytes of element i of `t`.
inline const uint8_t *elementBytes(const Tensor &t, int64_t i) {
  return t.bytes().data() + size_t(i) * dtypeSize(t.type().dtype);
}

} // namespace cnnc::interp
