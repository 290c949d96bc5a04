// Lowering of ReduceSum, ReduceMean and ReduceMax to loop nests, for every
// numeric element type, as the interpreter computes them
// (ir/interp/ReductionKernels.cpp).
#include "compiler/codegen/LoopNest.h"

#include <cmath>

namespace cnnc {

void Emitter::reduce(const Node &n) {
  const Value *x = n.inputs[0], *y = n.outputs[0];
  DType dtype = x->type.dtype;
  if (dtype == DType::Bool)
    n.error("needs a numeric tensor, got bool");
  const Shape &shape = x->type.shape;
  std::vector<int64_t> axes;
  if (n.input(1)) {
    const Tensor *t = n.constantInput(1);
    if (!t || !t->hasData())
      n.error("axes (operand 1) must be a constant for code generation");
    axes = t->toInts();
  }
  if (axes.empty() && n.getInt("noop_with_empty_axes")) {
    uint64_t bytes = y->type.byteSize();
    if (bytes > 0)
      b_.CreateMemCpy(pointer(y), llvm::MaybeAlign(), pointer(x),
                      llvm::MaybeAlign(), bytes);
    return;
  }
  std::vector<bool> reduced(shape.size(), axes.empty()); // empty: all axes
  for (int64_t a : axes)
    reduced[size_t(normalizeAxis(n, a, int64_t(shape.size())))] = true;
  // The nest runs over the result's elements (the input's shape with the
  // reduced dimensions as 1); each point sums its reduced set in an inner
  // nest, in row-major order, in the compute type (so f16 rounds once and
  // integers wrap only when stored, as in the interpreter).
  Shape kept = shape;
  int64_t count = 1; // elements per reduced set
  std::vector<int64_t> xStrides = rowMajorStrides(shape);
  std::vector<size_t> inner; // the reduced dimensions
  for (size_t d = 0; d < shape.size(); ++d)
    if (reduced[d]) {
      count *= shape[d];
      kept[d] = 1;
      inner.push_back(d);
    }
  if (n.kind == OpKind::ReduceMean && count == 0 && !isFloat(dtype))
    n.error("mean over an empty set of integers");
  Access xs{pointer(x), dtype, 0, xStrides};
  for (size_t d : inner)
    xs.strides[d] = 0; // walked by the inner nest
  // y's row-major strides over `kept` (keepdims only changes its shape),
  // 0 along the reduced dimensions.
  Access result{pointer(y), y->type.dtype, 0, broadcastStrides(kept, kept)};

  bool isMax = n.kind == OpKind::ReduceMax;
  bool isFloatType = isFloat(dtype), isSigned = isSignedType(dtype);
  llvm::Type *type = computeType(ctx_, dtype);
  // The identity: 0, or for max -inf (floats) or the type's lowest value.
  llvm::Value *identity = nullptr;
  if (!isMax)
    identity = llvm::Constant::getNullValue(type);
  else if (isFloatType)
    identity = llvm::ConstantFP::getInfinity(type, /*Negative=*/true);
  else if (!isSigned)
    identity = llvm::ConstantInt::get(type, 0);
  else
    identity = llvm::ConstantInt::get(
        type, llvm::APInt::getSignedMinValue(unsigned(8 * dtypeSize(dtype)))
                  .sext(64));

  emitLoopNest(
      *this, "reduce." + n.name, kept, {xs, result}, [&](const LoopPoint &p) {
        llvm::IRBuilder<> &b = p.b;
        llvm::Function *f = b.GetInsertBlock()->getParent();
        llvm::IRBuilder<> entry(&f->getEntryBlock(),
                                f->getEntryBlock().begin());
        llvm::AllocaInst *acc = entry.CreateAlloca(type);
        b.CreateStore(identity, acc);
        llvm::Value *first = p.address(0);
        llvm::Type *element = storageType(ctx_, dtype);
        std::function<void(size_t, llvm::Value *)> sum = [&](size_t k,
                                                            llvm::Value *at) {
          if (k == inner.size()) {
            llvm::Value *v = toCompute(b, b.CreateLoad(element, at), dtype);
            llvm::Value *a = b.CreateLoad(type, acc);
            llvm::Value *r = nullptr;
            if (!isMax)
              r = isFloatType ? b.CreateFAdd(a, v) : b.CreateAdd(a, v);
            else // a NaN wins and then stays (v > NaN is false)
              r = b.CreateSelect(
                  isFloatType ? b.CreateOr(b.CreateFCmpOGT(v, a),
                                           b.CreateFCmpUNO(v, v))
                  : isSigned ? b.CreateICmpSGT(v, a)
                             : b.CreateICmpUGT(v, a),
                  v, a);
            b.CreateStore(r, acc);
            return;
          }
          size_t d = inner[k];
          emitLoop(b, b.getInt64(0), b.getInt64(uint64_t(shape[d])),
                   [&](llvm::Value *j) {
                     sum(k + 1,
                         b.CreateGEP(element, at,
                                     b.CreateMul(j, b.getInt64(uint64_t(
                                                        xStrides[d])))));
                   });
        };
        sum(0, first);
        llvm::Value *r = b.CreateLoad(type, acc);
        if (n.kind == OpKind::ReduceMean) {
          if (isFloatType)
            r = b.CreateFDiv(r, llvm::ConstantFP::get(type, double(count)));
          else
            r = isSigned ? b.CreateSDiv(r, b.getInt64(uint64_t(count)))
                         : b.CreateUDiv(r, b.getInt64(uint64_t(count)));
        }
        p.store(1, r);
      });
}

} // namespace cnnc
