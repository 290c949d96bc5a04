// The code generator's emitter, shared by the files that lower each op
// family (Lower*.cpp). Internal to compiler/codegen: CodeGen.h is the API.
//
// Emitter builds one model's entry function. A node lowers either to a call
// of a libjit kernel (libjit/*.c, C compiled to bitcode and inlined; call()
// runs kernels that take a work range on the runtime's thread pool) or to a
// loop nest generated here (LoopNest.h), which is how element-wise ops and
// data movement handle every element type.
#pragma once

#include "compiler/codegen/CodeGen.h"
#include "ir/ShapeInference.h"
#include "passes/MemoryPlan.h"

#include <llvm/IR/IRBuilder.h>

#include <functional>
#include <map>
#include <set>

namespace cnnc {

class Emitter {
public:
  // `weights` receives the run-time constants with options.externalWeights.
  // `vectors` describes the target's vector registers (for kernel tiles).
  Emitter(const Graph &g, llvm::Module &m, const CodeGenOptions &options,
          WeightsBlob *weights, VectorRegisters vectors)
      : g_(g), m_(m), ctx_(m.getContext()), b_(ctx_), options_(options),
        weights_(weights), vectors_(vectors) {}

  void emitEntry();

  // ---------------------------------------------------------- helpers
  // The buffer holding `v`: a constant's global, a graph input or output
  // buffer, or the value's workspace slot.
  llvm::Value *pointer(const Value *v);
  llvm::Value *optionalPointer(const Value *v) {
    return v ? pointer(v) : llvm::ConstantPointerNull::get(b_.getPtrTy());
  }
  llvm::Constant *i64(int64_t v) { return b_.getInt64(uint64_t(v)); }
  llvm::Constant *f32(double v) {
    return llvm::ConstantFP::get(b_.getFloatTy(), v);
  }
  // Calls libjit's `kernel`.
  void call(const char *kernel, std::vector<llvm::Value *> args);
  // Calls libjit's `kernel` whose last two arguments are a [begin, end)
  // range of independent work items: on the thread pool when it is large.
  // `macsPerItem`, when known, sizes the threads' chunks by work rather
  // than by output elements, and a chunk holds at least `minItemsPerChunk`
  // items (see callFunction).
  void callRange(const std::string &kernel, std::vector<llvm::Value *> args,
                 int64_t macsPerItem = 0, int64_t minItemsPerChunk = 1);
  llvm::Function *libjitFunction(const std::string &kernel);
  // A UserError unless every operand that is not a constant is f32 (the
  // libjit kernels that are written for f32 only).
  void requireF32(const Node &n);
  // Calls `f` (a libjit kernel or a generated one) with `args`; with
  // `takesRange`, its last two arguments are a [begin, end) range of
  // independent work items and the call runs on the thread pool.
  void callFunction(llvm::Function *f, std::vector<llvm::Value *> args,
                    bool takesRange, int64_t macsPerItem = 0,
                    int64_t minItemsPerChunk = 1);
  // The f32 data of a constant operand (BatchNormalization's statistics).
  std::vector<float> constantFloats(const Node &n, size_t i);
  // A private read-only global holding `size` bytes of `data`, 64-aligned.
  llvm::GlobalVariable *byteConstant(const std::string &name, const void *data,
                                     size_t size);
  // A private read-only global holding `values`.
  llvm::Value *floatConstant(const std::string &name,
                             const std::vector<float> &values);
  llvm::Value *int64Constant(const std::string &name,
                             const std::vector<int64_t> &values);
  // Data the code reads at run time that the code generator made from
  // constant `source` in the form `layout` (weights repacked for a kernel,
  // "gemm-panels16"): in the weights file when there is one, at an offset
  // that stands for `source` in the architecture hash as the source's own
  // data would, with the layout (a file of the rows as stored is refused);
  // else a read-only global, `source` then counting as read at compile
  // time.
  llvm::Value *derivedConstant(const Value *source, const std::string &layout,
                               const void *data, size_t size);

  // Whether constants come from a weights file: a lowering that would read
  // a constant's data at compile time (and so bake it into the code) reads
  // it at run time instead where it can.
  bool externalWeights() const { return weights_ != nullptr; }

  const VectorRegisters &vectors() const { return vectors_; }
  llvm::Module &module() { return m_; }
  llvm::LLVMContext &context() { return ctx_; }
  llvm::IRBuilder<> &builder() { return b_; }
  const Node &current() const { return *current_; }

  // ---------------------------------------------------------- lowerings
  // LowerWindow.cpp
  void conv(const Node &n);
  void pool(const Node &n);
  void blockedPool(const Node &n);
  void reorder(const Node &n);
  void globalPool(const Node &n);
  void convTranspose(const Node &n);
  void fusedConv(const Node &n);
  void gemm1x1(const Node &n);
  void convWithEpilogue(const Node &n, const std::string &kernel,
                        std::vector<llvm::Value *> args);
  // Conv, FusedConv and Gemm1x1 with a blocked result (blocked.c).
  void blockedConv(const Node &n);
  // A fused convolution's epilogue for the plain kernels, `void
  // epilogue.N(ptr y, ptr residual, i64 offset, i64 count)`, which
  // convWithEpilogue runs on the planes a task has just computed: the
  // residual add (FusedConv's and Gemm1x1's operand 3) and the activation
  // of y[offset, offset + count). NULL when there is nothing to do.
  llvm::Function *epilogueFunction(const Node &n);
  // A blocked kernel's cnnc_activation argument (libjit.h): `float
  // activation.N(float)`, the activation with `prefix` of one value (the
  // blocked kernels add the residual to their accumulators themselves), or
  // a null pointer when there is none.
  llvm::Value *activationArgument(const Node &n,
                                  const std::string &prefix = "");
  // cnnc.ExpandDepthwise (blocked.c).
  void expandDepthwise(const Node &n);
  void lpPool(const Node &n);
  // LowerLinear.cpp
  void gemm(const Node &n, bool matMul);
  // LowerNorm.cpp
  void batchNorm(const Node &n);
  void softmax(const Node &n);
  void instanceNorm(const Node &n);
  void lrn(const Node &n);
  // LowerResize.cpp
  void resize(const Node &n);
  // LowerElementwise.cpp
  void unary(const Node &n);
  void binary(const Node &n); // and the variadic Max, Min, Sum, Mean
  void cast(const Node &n);
  // LowerReduction.cpp
  void reduce(const Node &n);
  // LowerData.cpp
  void copy(const Node &n);
  void concat(const Node &n);
  void transpose(const Node &n);
  void slice(const Node &n);
  void split(const Node &n);
  void expand(const Node &n);
  void gather(const Node &n);
  void pad(const Node &n);
  void shape(const Node &n);
  void constantOfShape(const Node &n);

private:
  void emitNode(const Node &n);
  // The function to call instead of `kernel` with `args`, and its
  // arguments: one per distinct set of constant arguments (CodeGen.cpp).
  std::pair<llvm::Function *, std::vector<llvm::Value *>>
  specialization(llvm::Function *kernel,
                 const std::vector<llvm::Value *> &args);
  uint64_t architectureHash() const;

  const Graph &g_;
  llvm::Module &m_;
  llvm::LLVMContext &ctx_;
  llvm::IRBuilder<> b_;
  const CodeGenOptions &options_;
  WeightsBlob *weights_;
  VectorRegisters vectors_;
  std::map<const Value *, uint64_t> weightOffsets_; // in weights_->bytes
  std::set<const Value *> compileTimeReads_; // constants whose data was read
  // `size` bytes of `data` at the next 64-aligned place in the weights
  // file; the first data placed for `source` gives its offset.
  llvm::Value *weightsFileData(const Value *source, const std::string &name,
                               const void *data, size_t size);
  // Constants the weights file holds in another form (derivedConstant).
  std::map<const Value *, std::string> derivedLayouts_;
  MemoryPlan plan_; // the recorded plan, or one made for this graph
  std::map<int64_t, llvm::Value *> workspacePointers_; // by offset
  const Node *current_ = nullptr; // the node being lowered
  // The whole model runs on the calling thread (a model this small gains
  // nothing from threads; see emitEntry).
  bool serial_ = false;
  llvm::Value *inputs_ = nullptr, *outputs_ = nullptr, *workspace_ = nullptr,
              *weightsArg_ = nullptr;
  std::map<const Value *, llvm::Value *> pointers_;
  std::map<std::string, llvm::Function *> specializations_; // by key
  std::map<std::string, llvm::Function *> epilogues_;       // by key
  std::map<std::string, llvm::Function *> activations_;     // by key
};

} // namespace cnnc
