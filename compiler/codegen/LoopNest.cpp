#include "compiler/codegen/LoopNest.h"

#include <llvm/IR/Intrinsics.h>

namespace cnnc {

Shape storedShape(const Value *v) {
  return storageShape(v->type.shape, v->type.layout);
}

Access broadcastAccess(Emitter &e, const Value *v, const Shape &shape) {
  return Access{e.pointer(v), v->type.dtype, 0,
                broadcastStrides(storedShape(v), shape)};
}

llvm::Type *storageType(llvm::LLVMContext &context, DType dtype) {
  switch (dtype) {
  case DType::F32:
    return llvm::Type::getFloatTy(context);
  case DType::F64:
    return llvm::Type::getDoubleTy(context);
  case DType::F16:
    return llvm::Type::getHalfTy(context);
  case DType::BF16:
    return llvm::Type::getBFloatTy(context);
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    return llvm::Type::getInt8Ty(context);
  case DType::I16:
  case DType::U16:
    return llvm::Type::getInt16Ty(context);
  case DType::I32:
  case DType::U32:
    return llvm::Type::getInt32Ty(context);
  case DType::I64:
  case DType::U64:
    return llvm::Type::getInt64Ty(context);
  }
  throw InternalError("storageType: unknown dtype");
}

llvm::Type *computeType(llvm::LLVMContext &context, DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::F16:
  case DType::BF16:
    return llvm::Type::getFloatTy(context);
  case DType::F64:
    return llvm::Type::getDoubleTy(context);
  default:
    return llvm::Type::getInt64Ty(context);
  }
}

llvm::Value *toCompute(llvm::IRBuilder<> &b, llvm::Value *stored,
                       DType dtype) {
  llvm::Type *type = computeType(b.getContext(), dtype);
  if (stored->getType() == type)
    return stored;
  if (isFloat(dtype))
    return b.CreateFPExt(stored, type);
  return isSignedType(dtype) ? b.CreateSExt(stored, type)
                             : b.CreateZExt(stored, type);
}

llvm::Value *fromCompute(llvm::IRBuilder<> &b, llvm::Value *value,
                         DType dtype) {
  llvm::Type *type = storageType(b.getContext(), dtype);
  if (dtype == DType::Bool)
    return b.CreateZExt(
        b.CreateICmpNE(value, llvm::ConstantInt::get(value->getType(), 0)),
        type);
  if (value->getType() == type)
    return value;
  return isFloat(dtype) ? b.CreateFPTrunc(value, type)
                        : b.CreateTrunc(value, type);
}

llvm::Value *convertCompute(llvm::IRBuilder<> &b, llvm::Value *value,
                            DType from, DType to) {
  llvm::Type *target = computeType(b.getContext(), to);
  bool fromFloat = isFloat(from);
  if (to == DType::Bool) {
    llvm::Value *nonZero =
        fromFloat ? b.CreateFCmpUNE(value,
                                    llvm::ConstantFP::get(value->getType(), 0))
                  : b.CreateICmpNE(value,
                                   llvm::ConstantInt::get(value->getType(), 0));
    return b.CreateZExt(nonZero, target);
  }
  if (isFloat(to)) {
    if (!fromFloat)
      return isSignedType(from) ? b.CreateSIToFP(value, target)
                                : b.CreateUIToFP(value, target);
    if (value->getType() == target)
      return value;
    return value->getType()->getPrimitiveSizeInBits() <
                   target->getPrimitiveSizeInBits()
               ? b.CreateFPExt(value, target)
               : b.CreateFPTrunc(value, target);
  }
  if (!fromFloat)
    return value; // integers wrap when fromCompute truncates them
  // Saturating conversion at the target's own width (NaN gives 0), then
  // widened to the compute type.
  auto *width = b.getIntNTy(unsigned(8 * dtypeSize(to)));
  bool isSigned = isSignedType(to);
  llvm::Value *saturated = b.CreateIntrinsic(
      isSigned ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat,
      {width, value->getType()}, {value});
  return isSigned ? b.CreateSExt(saturated, target)
                  : b.CreateZExt(saturated, target);
}

llvm::Value *LoopPoint::elementAddress(size_t k, llvm::Value *element) const {
  return b.CreateGEP(storageType(b.getContext(), accesses[k].dtype), bases[k],
                     element);
}

llvm::Value *LoopPoint::address(size_t k) const {
  const Access &a = accesses[k];
  llvm::Value *element = b.getInt64(uint64_t(a.offset));
  for (size_t d = 0; d < index.size(); ++d)
    if (a.strides[d] != 0)
      element = b.CreateAdd(
          element, b.CreateMul(index[d], b.getInt64(uint64_t(a.strides[d]))));
  return elementAddress(k, element);
}

llvm::Value *LoopPoint::load(size_t k) const {
  DType dtype = accesses[k].dtype;
  return toCompute(
      b, b.CreateLoad(storageType(b.getContext(), dtype), address(k)), dtype);
}

void LoopPoint::store(size_t k, llvm::Value *value) const {
  b.CreateStore(fromCompute(b, value, accesses[k].dtype), address(k));
}

void LoopPoint::copy(size_t from, size_t to) const {
  llvm::Type *type = storageType(b.getContext(), accesses[from].dtype);
  b.CreateStore(b.CreateLoad(type, address(from)), address(to));
}

namespace {

// Drops dimensions of extent 1 and, with `merge`, joins neighbours that
// every access walks as one (stride[d] == stride[d + 1] * shape[d + 1]).
void simplify(Shape &shape, std::vector<Access> &accesses, bool merge) {
  Shape dims;
  std::vector<std::vector<int64_t>> strides(accesses.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1 && merge)
      continue;
    bool joins = merge && !dims.empty();
    for (size_t k = 0; k < accesses.size() && joins; ++k)
      joins = strides[k].back() == accesses[k].strides[d] * shape[d];
    if (joins) {
      dims.back() *= shape[d];
      for (size_t k = 0; k < accesses.size(); ++k)
        strides[k].back() = accesses[k].strides[d];
      continue;
    }
    dims.push_back(shape[d]);
    for (size_t k = 0; k < accesses.size(); ++k)
      strides[k].push_back(accesses[k].strides[d]);
  }
  if (dims.empty()) { // a scalar: one iteration
    dims.push_back(1);
    for (auto &s : strides)
      s.push_back(0);
  }
  shape = dims;
  for (size_t k = 0; k < accesses.size(); ++k)
    accesses[k].strides = strides[k];
}

} // namespace

void emitLoop(llvm::IRBuilder<> &b, llvm::Value *begin, llvm::Value *end,
              const std::function<void(llvm::Value *)> &body) {
  llvm::Function *f = b.GetInsertBlock()->getParent();
  llvm::LLVMContext &context = b.getContext();
  llvm::BasicBlock *pre = b.GetInsertBlock();
  auto *loop = llvm::BasicBlock::Create(context, "loop", f);
  auto *exit = llvm::BasicBlock::Create(context, "loop.exit", f);
  b.CreateCondBr(b.CreateICmpSLT(begin, end), loop, exit);
  b.SetInsertPoint(loop);
  llvm::PHINode *i = b.CreatePHI(b.getInt64Ty(), 2, "i");
  i->addIncoming(begin, pre);
  body(i);
  llvm::Value *next = b.CreateAdd(i, b.getInt64(1), "i.next", true, true);
  i->addIncoming(next, b.GetInsertBlock());
  b.CreateCondBr(b.CreateICmpSLT(next, end), loop, exit);
  b.SetInsertPoint(exit);
}

void emitLoopNest(Emitter &e, const std::string &name, Shape shape,
                  std::vector<Access> accesses,
                  const std::function<void(const LoopPoint &)> &body,
                  LoopNestOptions options) {
  for (int64_t d : shape)
    if (d == 0)
      return;
  for (const Access &a : accesses)
    if (a.dtype == DType::BF16)
      e.current().error("code generation does not support bf16 tensors yet");
  simplify(shape, accesses, options.mergeDims);

  // void name(ptr access0, ..., ptr accessN, i64 begin, i64 end)
  llvm::LLVMContext &context = e.context();
  llvm::IRBuilder<> &outer = e.builder();
  std::vector<llvm::Type *> params(accesses.size(), outer.getPtrTy());
  params.push_back(outer.getInt64Ty());
  params.push_back(outer.getInt64Ty());
  auto *type = llvm::FunctionType::get(outer.getVoidTy(), params, false);
  auto *f = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                   name, e.module());
  f->addFnAttr(llvm::Attribute::AlwaysInline);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  // noalias on the buffers no other access names, so the vectorizer need
  // not check them for overlap. The memory plan lets an element-wise result
  // overwrite an operand in place (passes/MemoryPlan.h), and then both
  // accesses hold the same pointer (Emitter::pointer gives each workspace
  // offset one): those stay without noalias, which with a store through one
  // and a load through the other would be undefined behaviour. Distinct
  // pointers are distinct memory while the nest runs: the plan overlaps
  // live tensors only at the same offset.
  for (size_t k = 0; k < accesses.size(); ++k) {
    bool shared = false;
    for (size_t j = 0; j < accesses.size() && !shared; ++j)
      shared = j != k && accesses[j].base == accesses[k].base;
    if (!shared)
      f->addParamAttr(unsigned(k), llvm::Attribute::NoAlias);
  }

  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", f));
  std::vector<llvm::Value *> bases;
  for (size_t k = 0; k < accesses.size(); ++k)
    bases.push_back(f->getArg(unsigned(k)));
  std::vector<llvm::Value *> index(shape.size());
  std::function<void(size_t)> nest = [&](size_t d) {
    if (d == shape.size()) {
      body(LoopPoint{b, index, accesses, bases});
      return;
    }
    llvm::Value *begin = d == 0 ? (llvm::Value *)f->getArg(unsigned(accesses.size()))
                                : b.getInt64(0);
    llvm::Value *end = d == 0 ? (llvm::Value *)f->getArg(unsigned(accesses.size() + 1))
                              : b.getInt64(uint64_t(shape[d]));
    emitLoop(b, begin, end, [&](llvm::Value *i) {
      index[d] = i;
      nest(d + 1);
    });
  };
  nest(0);
  b.CreateRetVoid();

  std::vector<llvm::Value *> args;
  for (const Access &a : accesses)
    args.push_back(a.base);
  args.push_back(outer.getInt64(0));
  args.push_back(outer.getInt64(uint64_t(shape[0])));
  e.callFunction(f, args, options.parallel);
}

} // namespace cnnc
