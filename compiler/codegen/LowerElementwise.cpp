// Lowering of element-wise ops (activations, arithmetic with broadcasting,
// the variadic Max/Min/Sum/Mean, Cast) to loop nests, for every element
// type. Each op computes what the interpreter computes
// (ir/interp/ActivationKernels.cpp, ElementwiseKernels.cpp) in the same
// compute type, so results agree bit for bit up to the libm functions'
// vectorized forms.
#include "compiler/codegen/LoopNest.h"

#include <llvm/IR/Intrinsics.h>

#include <optional>

namespace cnnc {

namespace {

// Arithmetic on compute values of one element type, in the interpreter's
// terms: floats follow IEEE, integers wrap, comparisons know signedness.
class Arith {
public:
  Arith(llvm::IRBuilder<> &b, llvm::Module &m, DType dtype)
      : b(b), m(m), dtype(dtype), type(computeType(b.getContext(), dtype)),
        isFloat(cnnc::isFloat(dtype)), isSigned(isSignedType(dtype)) {}

  llvm::Value *constant(double v) {
    return isFloat ? llvm::ConstantFP::get(type, v)
                   : llvm::ConstantInt::get(type, uint64_t(int64_t(v)));
  }
  llvm::Value *add(llvm::Value *x, llvm::Value *y) {
    return isFloat ? b.CreateFAdd(x, y) : b.CreateAdd(x, y);
  }
  llvm::Value *sub(llvm::Value *x, llvm::Value *y) {
    return isFloat ? b.CreateFSub(x, y) : b.CreateSub(x, y);
  }
  llvm::Value *mul(llvm::Value *x, llvm::Value *y) {
    return isFloat ? b.CreateFMul(x, y) : b.CreateMul(x, y);
  }
  // Integer division truncates; a divisor of -1 negates (wrapping, so the
  // one overflowing quotient cannot trap) and a divisor of 0, which the
  // interpreter reports as an error, gives 0 here rather than a trap.
  llvm::Value *div(llvm::Value *x, llvm::Value *y) {
    if (isFloat)
      return b.CreateFDiv(x, y);
    llvm::Value *zero = constant(0), *one = constant(1);
    llvm::Value *isZero = b.CreateICmpEQ(y, zero);
    if (!isSigned)
      return b.CreateSelect(isZero, zero,
                            b.CreateUDiv(x, b.CreateSelect(isZero, one, y)));
    llvm::Value *isMinusOne = b.CreateICmpEQ(y, constant(-1));
    llvm::Value *safe = b.CreateSelect(b.CreateOr(isZero, isMinusOne), one, y);
    llvm::Value *q = b.CreateSDiv(x, safe);
    return b.CreateSelect(isZero, zero,
                          b.CreateSelect(isMinusOne, b.CreateSub(zero, x), q));
  }
  llvm::Value *less(llvm::Value *x, llvm::Value *y) { // false with a NaN
    return isFloat    ? b.CreateFCmpOLT(x, y)
           : isSigned ? b.CreateICmpSLT(x, y)
                      : b.CreateICmpULT(x, y);
  }
  llvm::Value *isNaN(llvm::Value *x) {
    return isFloat ? b.CreateFCmpUNO(x, x) : b.getFalse();
  }
  llvm::Value *select(llvm::Value *c, llvm::Value *x, llvm::Value *y) {
    return b.CreateSelect(c, x, y);
  }
  // std::clamp(x, lo, hi): NaN stays NaN.
  llvm::Value *clamp(llvm::Value *x, double lo, double hi) {
    llvm::Value *l = constant(lo), *h = constant(hi);
    return select(less(x, l), l, select(less(h, x), h, x));
  }
  llvm::Value *intrinsic(llvm::Intrinsic::ID id, llvm::Value *x) {
    return b.CreateUnaryIntrinsic(id, x);
  }
  // A libm function of one argument: NAMEf for float, NAME for double.
  llvm::Value *libm(const char *name, llvm::Value *x) {
    std::string symbol =
        std::string(name) + (type->isFloatTy() ? "f" : "");
    llvm::FunctionCallee f = m.getOrInsertFunction(symbol, type, type);
    if (auto *fn = llvm::dyn_cast<llvm::Function>(f.getCallee())) {
      fn->setDoesNotThrow();
      fn->setDoesNotAccessMemory(); // built with -fno-math-errno semantics
    }
    return b.CreateCall(f, {x});
  }

  llvm::IRBuilder<> &b;
  llvm::Module &m;
  DType dtype;
  llvm::Type *type;
  bool isFloat, isSigned;
};

bool isUnsignedInteger(DType dtype) {
  return isInteger(dtype) && !isSignedType(dtype);
}

// The element-type rules of the interpreter (ONNX's type constraints): a
// UserError naming the node when `dtype` is not one the op is defined on.
void checkElementType(const Node &n, DType dtype) {
  switch (n.kind) {
  case OpKind::Relu:
  case OpKind::Abs:
  case OpKind::Clip:
  case OpKind::PRelu:
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div:
  case OpKind::Pow:
  case OpKind::Max:
  case OpKind::Min:
  case OpKind::Sum:
    if (dtype == DType::Bool)
      n.error("needs a numeric tensor, got bool");
    return;
  case OpKind::Neg:
    if (dtype == DType::Bool || isUnsignedInteger(dtype))
      n.error("needs a signed tensor, got {}", dtypeName(dtype));
    return;
  case OpKind::Cast:
    return;
  default:
    if (!isFloat(dtype))
      n.error("needs a floating-point tensor, got {}", dtypeName(dtype));
  }
}

// The value of a float activation or unary math op `kind` at x; `attr`
// gives its float attributes (alpha, beta, gamma).
llvm::Value *unaryValue(OpKind kind,
                        const std::function<double(const char *)> &attr,
                        Arith &a, llvm::Value *x) {
  llvm::Value *zero = a.constant(0), *one = a.constant(1);
  switch (kind) {
  case OpKind::Relu:
    return a.select(a.less(x, zero), zero, x); // keeps NaN
  case OpKind::LeakyRelu:
    return a.select(a.less(x, zero), a.mul(a.constant(attr("alpha")), x), x);
  case OpKind::Sigmoid: {
    // exp of a non-positive argument only, so large |x| cannot overflow.
    llvm::Value *e = a.intrinsic(llvm::Intrinsic::exp,
                                 a.select(a.less(x, zero), x, a.sub(zero, x)));
    llvm::Value *positive = a.b.CreateFDiv(one, a.add(one, e));
    llvm::Value *negative = a.b.CreateFDiv(e, a.add(one, e));
    return a.select(a.b.CreateFCmpOGE(x, zero), positive, negative);
  }
  case OpKind::HardSigmoid:
    return a.clamp(a.add(a.mul(a.constant(attr("alpha")), x),
                         a.constant(attr("beta"))),
                   0, 1);
  case OpKind::HardSwish:
    return a.mul(x, a.clamp(a.add(a.b.CreateFDiv(x, a.constant(6)),
                                  a.constant(0.5)),
                            0, 1));
  case OpKind::Tanh:
    return a.libm("tanh", x);
  case OpKind::Elu:
    return a.select(a.less(x, zero),
                    a.mul(a.constant(attr("alpha")), a.libm("expm1", x)), x);
  case OpKind::Selu: {
    llvm::Value *gamma = a.constant(attr("gamma"));
    return a.select(a.less(zero, x), a.mul(gamma, x),
                    a.mul(a.mul(gamma, a.constant(attr("alpha"))),
                          a.libm("expm1", x)));
  }
  case OpKind::Softplus: {
    // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): no overflow for large x.
    llvm::Value *e = a.intrinsic(
        llvm::Intrinsic::exp,
        a.b.CreateFNeg(a.intrinsic(llvm::Intrinsic::fabs, x)));
    return a.add(a.select(a.less(x, zero), zero, x), a.libm("log1p", e));
  }
  case OpKind::Sqrt:
    return a.intrinsic(llvm::Intrinsic::sqrt, x);
  case OpKind::Exp:
    return a.intrinsic(llvm::Intrinsic::exp, x);
  case OpKind::Log:
    return a.intrinsic(llvm::Intrinsic::log, x);
  case OpKind::Abs:
    // Floats clear the sign bit; integers wrap (the most negative value
    // stays itself).
    if (a.isFloat)
      return a.intrinsic(llvm::Intrinsic::fabs, x);
    return a.isSigned ? a.select(a.less(x, zero), a.sub(zero, x), x) : x;
  case OpKind::Neg:
    return a.isFloat ? a.b.CreateFNeg(x) : a.sub(zero, x);
  case OpKind::Reciprocal:
    return a.b.CreateFDiv(one, x);
  case OpKind::Erf:
    return a.libm("erf", x);
  default:
    throw InternalError("unaryValue: not a unary op");
  }
}

} // namespace

llvm::Value *emitFusedActivation(llvm::IRBuilder<> &b, llvm::Module &m,
                                 const Node &n, llvm::Value *x,
                                 const std::string &prefix) {
  const std::string &activation = n.getString(prefix + "activation");
  if (activation.empty())
    return x;
  Arith a(b, m, DType::F32);
  if (activation == "Clip") {
    // As Clip with both bounds: min first, so min > max gives max.
    llvm::Value *lo = a.constant(n.getFloat(prefix + "clip_min"));
    llvm::Value *hi = a.constant(n.getFloat(prefix + "clip_max"));
    x = a.select(a.less(x, lo), lo, x);
    return a.select(a.less(hi, x), hi, x);
  }
  std::optional<OpKind> kind = opKindFromName(activation);
  if (!kind)
    n.error("unknown activation '{}'", activation);
  return unaryValue(
      *kind, [&](const char *) { return n.getFloat(prefix + "leaky_alpha"); },
      a, x);
}

void Emitter::unary(const Node &n) {
  const Value *x = n.inputs[0];
  DType dtype = x->type.dtype;
  checkElementType(n, dtype);
  // Blocked operands (ir/LayoutRules.h) share the result's layout and
  // shape: the loops run over the stored elements, padding lanes included.
  const Shape shape = storedShape(n.outputs[0]);
  // Clip's bounds: scalars read at run time (constants or not), broadcast
  // with stride 0; an absent bound leaves that side open.
  std::vector<Access> accesses{broadcastAccess(*this, x, shape),
                               broadcastAccess(*this, n.outputs[0], shape)};
  int lo = -1, hi = -1;
  if (n.kind == OpKind::Clip) {
    for (size_t i : {1, 2})
      if (const Value *bound = n.input(i)) {
        (i == 1 ? lo : hi) = int(accesses.size());
        accesses.push_back(broadcastAccess(*this, bound, shape));
      }
  }
  emitLoopNest(*this, "unary." + n.name, shape, accesses,
               [&](const LoopPoint &p) {
                 Arith a(p.b, m_, dtype);
                 llvm::Value *v = p.load(0);
                 if (n.kind == OpKind::Clip) {
                   // Applied in this order, min > max gives max everywhere
                   // (as ONNX says); NaN stays NaN.
                   auto bound = [&](int k) {
                     return convertCompute(p.b, p.load(size_t(k)),
                                           accesses[size_t(k)].dtype, dtype);
                   };
                   if (lo >= 0) {
                     llvm::Value *l = bound(lo);
                     v = a.select(a.less(v, l), l, v);
                   }
                   if (hi >= 0) {
                     llvm::Value *h = bound(hi);
                     v = a.select(a.less(h, v), h, v);
                   }
                 } else {
                   v = unaryValue(
                       n.kind,
                       [&](const char *name) { return n.getFloat(name); }, a,
                       v);
                 }
                 p.store(1, v);
               });
}

void Emitter::binary(const Node &n) {
  DType dtype = n.inputs[0]->type.dtype;
  checkElementType(n, dtype);
  // Blocked operands (ir/LayoutRules.h) share the result's layout and
  // shape: the loops run over the stored elements, padding lanes included.
  const Shape shape = storedShape(n.outputs[0]);
  std::vector<Access> accesses;
  for (const Value *v : n.inputs)
    accesses.push_back(broadcastAccess(*this, v, shape));
  size_t out = accesses.size();
  accesses.push_back(broadcastAccess(*this, n.outputs[0], shape));
  // Pow's exponent computes in the base's float type, or in double for an
  // integer base (whose result is then truncated, as std::pow's would be).
  DType powType = isFloat(dtype) ? (dtype == DType::F64 ? DType::F64
                                                        : DType::F32)
                                 : DType::F64;
  emitLoopNest(
      *this, "binary." + n.name, shape, accesses, [&](const LoopPoint &p) {
        Arith a(p.b, m_, dtype);
        // Operand k in the node's compute type.
        auto operand = [&](size_t k, DType as) {
          return convertCompute(p.b, p.load(k), accesses[k].dtype, as);
        };
        llvm::Value *acc = operand(0, dtype);
        if (n.kind == OpKind::Pow) {
          llvm::Value *base = convertCompute(p.b, acc, dtype, powType);
          llvm::Value *r = p.b.CreateBinaryIntrinsic(
              llvm::Intrinsic::pow, base, operand(1, powType));
          // An integer result saturates at 64 bits and then wraps to the
          // element's width, as the interpreter's int64 compute type does.
          DType result = isFloat(dtype)      ? dtype
                         : isSignedType(dtype) ? DType::I64
                                               : DType::U64;
          p.store(out, convertCompute(p.b, r, powType, result));
          return;
        }
        for (size_t k = 1; k < out; ++k) {
          llvm::Value *x = operand(k, dtype);
          switch (n.kind) {
          case OpKind::Add:
          case OpKind::Sum:
          case OpKind::Mean:
            acc = a.add(acc, x);
            break;
          case OpKind::Sub:
            acc = a.sub(acc, x);
            break;
          case OpKind::Mul:
            acc = a.mul(acc, x);
            break;
          case OpKind::Div:
            acc = a.div(acc, x);
            break;
          // NaN wins, as in NumPy and ONNX Runtime.
          case OpKind::Max:
            acc = a.select(p.b.CreateOr(a.isNaN(x), a.less(acc, x)), x, acc);
            break;
          case OpKind::Min:
            acc = a.select(p.b.CreateOr(a.isNaN(x), a.less(x, acc)), x, acc);
            break;
          case OpKind::PRelu:
            acc = a.select(a.less(acc, a.constant(0)), a.mul(x, acc), acc);
            break;
          default:
            throw InternalError("binary: not an element-wise op");
          }
        }
        if (n.kind == OpKind::Mean)
          acc = p.b.CreateFDiv(acc, a.constant(double(out)));
        p.store(out, acc);
      });
}

void Emitter::cast(const Node &n) {
  const Shape &shape = n.outputs[0]->type.shape;
  DType from = n.inputs[0]->type.dtype, to = n.outputs[0]->type.dtype;
  emitLoopNest(*this, "cast." + n.name, shape,
               {broadcastAccess(*this, n.inputs[0], shape),
                broadcastAccess(*this, n.outputs[0], shape)},
               [&](const LoopPoint &p) {
                 if (from == to)
                   p.copy(0, 1);
                 else
                   p.store(1, convertCompute(p.b, p.load(0), from, to));
               });
}

} // namespace cnnc
