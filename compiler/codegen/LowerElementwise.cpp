// Lowering of element-wise ops.
#include <cmath>

#include "compiler/codegen/Emitter.h"

namespace cnnc {

namespace {

// The libjit UNARY_* codes (libjit/elementwise.c keeps the same order).
enum Unary {
  kRelu,
  kLeakyRelu,
  kSigmoid,
  kHardSigmoid,
  kHardSwish,
  kTanh,
  kElu,
  kSelu,
  kSoftplus,
  kSqrt,
  kExp,
  kLog,
  kAbs,
  kNeg,
  kReciprocal,
  kErf,
  kClip,
  kCopy
};

} // namespace

void Emitter::unary(const Node &n) {
  requireF32(n);
  Unary op = kCopy;
  double alpha = 0, beta = 0, gamma = 0;
  // Clip's bounds when they are run-time operands (graph inputs, results):
  // loaded in the entry function and passed to the kernel like a constant.
  llvm::Value *loadedMin = nullptr, *loadedMax = nullptr;
  switch (n.kind) {
  case OpKind::Relu:
    op = kRelu;
    break;
  case OpKind::LeakyRelu:
    op = kLeakyRelu;
    alpha = n.getFloat("alpha");
    break;
  case OpKind::Sigmoid:
    op = kSigmoid;
    break;
  case OpKind::HardSigmoid:
    op = kHardSigmoid, alpha = n.getFloat("alpha"), beta = n.getFloat("beta");
    break;
  case OpKind::HardSwish:
    op = kHardSwish;
    break;
  case OpKind::Tanh:
    op = kTanh;
    break;
  case OpKind::Elu:
    op = kElu;
    alpha = n.getFloat("alpha");
    break;
  case OpKind::Selu:
    op = kSelu, alpha = n.getFloat("alpha"), gamma = n.getFloat("gamma");
    break;
  case OpKind::Softplus:
    op = kSoftplus;
    break;
  case OpKind::Sqrt:
    op = kSqrt;
    break;
  case OpKind::Exp:
    op = kExp;
    break;
  case OpKind::Log:
    op = kLog;
    break;
  case OpKind::Abs:
    op = kAbs;
    break;
  case OpKind::Neg:
    op = kNeg;
    break;
  case OpKind::Reciprocal:
    op = kReciprocal;
    break;
  case OpKind::Erf:
    op = kErf;
    break;
  case OpKind::Clip: {
    op = kClip;
    alpha = -INFINITY, beta = INFINITY;
    auto bound = [&](size_t i, double &value, llvm::Value *&loaded) {
      const Tensor *t = n.constantInput(i);
      if (t && t->hasData())
        value = t->floatAt(0);
      else if (n.input(i))
        loaded = b_.CreateLoad(b_.getFloatTy(), pointer(n.input(i)));
    };
    bound(1, alpha, loadedMin);
    bound(2, beta, loadedMax);
    break;
  }
  default:
    throw InternalError("unary: not a unary op");
  }
  callRange("cnnc_unary_f32",
       {pointer(n.inputs[0]), pointer(n.outputs[0]), i64(op),
        loadedMin ? loadedMin : f32(alpha), loadedMax ? loadedMax : f32(beta),
        f32(gamma), i64(0), i64(n.outputs[0]->type.numElements())});
}

namespace {

// The libjit BINARY_* codes.
enum Binary { kAdd, kSub, kMul, kDiv, kPow, kMax, kMin, kPRelu };

// Strides of `operand` read as broadcast to the 4-D `out` (0 on broadcast
// dimensions); operand and out have been padded to rank 4.
std::vector<int64_t> strides4(Shape operand, const Shape &out) {
  operand.insert(operand.begin(), out.size() - operand.size(), 1);
  std::vector<int64_t> strides(4, 0);
  int64_t s = 1;
  for (size_t i = 4; i-- > 0;) {
    strides[i] = operand[i] == 1 ? 0 : s;
    s *= operand[i];
  }
  return strides;
}

} // namespace

void Emitter::binary(const Node &n) {
  requireF32(n);
  if (n.inputs.size() != 2)
    n.error("code generation supports {} with two operands only", n.opName());
  Binary op = kAdd;
  switch (n.kind) {
  case OpKind::Add:
  case OpKind::Sum:
    op = kAdd;
    break;
  case OpKind::Sub:
    op = kSub;
    break;
  case OpKind::Mul:
    op = kMul;
    break;
  case OpKind::Div:
    op = kDiv;
    break;
  case OpKind::Pow:
    op = kPow;
    break;
  case OpKind::Max:
    op = kMax;
    break;
  case OpKind::Min:
    op = kMin;
    break;
  case OpKind::PRelu:
    op = kPRelu;
    break;
  default:
    throw InternalError("binary: not a binary op");
  }
  Shape out = n.outputs[0]->type.shape;
  if (out.size() > 4)
    n.error("code generation supports broadcasting up to rank 4");
  out.insert(out.begin(), 4 - out.size(), 1);
  std::vector<int64_t> as = strides4(n.inputs[0]->type.shape, out),
                       bs = strides4(n.inputs[1]->type.shape, out);
  callRange("cnnc_binary_f32",
       {pointer(n.inputs[0]), pointer(n.inputs[1]), pointer(n.outputs[0]),
        i64(op), i64(out[1]), i64(out[2]), i64(out[3]), i64(as[0]), i64(as[1]),
        i64(as[2]), i64(as[3]), i64(bs[0]), i64(bs[1]), i64(bs[2]), i64(bs[3]),
        i64(0), i64(out[0] * out[1])});
}

} // namespace cnnc
