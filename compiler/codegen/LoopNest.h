// Loop nests generated directly as LLVM IR, for the ops that are simplest to
// express per element and must work on every element type: element-wise
// arithmetic, Cast, reductions and data movement (Transpose, Slice, Split,
// Expand, Gather, Pad).
//
// A nest iterates over a shape; each buffer it touches is an Access: element
// (i0, ..., ik) of the iteration space is element offset + sum(i_d *
// strides[d]) of the buffer. Broadcasting is a stride of 0, a transpose
// permuted strides, a slice an offset and scaled (possibly negative)
// strides. The nest becomes an always-inlined function whose outermost loop
// takes a [begin, end) range, so large nests run on the runtime's thread
// pool like the libjit kernels; with constant trip counts and strides, LLVM
// vectorizes the innermost loop where the strides allow it.
//
// Values are computed in the interpreter's compute types (withComputeType in
// ir/interp/Kernels.h): float for f32/f16/bf16, double for f64, i64 for
// integers and bool; toCompute/fromCompute convert at loads and stores, so
// integer arithmetic wraps to the element width and f16 rounds once per op,
// exactly as the interpreter does.
#pragma once

#include "compiler/codegen/Emitter.h"

#include <functional>

namespace cnnc {

struct Access {
  llvm::Value *base; // the buffer, as the entry function sees it
  DType dtype;
  int64_t offset = 0;           // in elements
  std::vector<int64_t> strides; // in elements, one per loop dimension
};

// The access of tensor `v` in a nest over `shape`: row-major over its stored
// shape, broadcast to `shape` by NumPy rules if that is smaller. (A blocked
// `v` is read in a nest over its own stored shape.)
Access broadcastAccess(Emitter &e, const Value *v, const Shape &shape);
// The shape `v` is stored in: its shape, or the blocked storage shape of its
// layout (ir/Types.h storageShape).
Shape storedShape(const Value *v);

// The element types of generated code.
llvm::Type *storageType(llvm::LLVMContext &context, DType dtype);
llvm::Type *computeType(llvm::LLVMContext &context, DType dtype);

// A loaded element of `dtype` widened to its compute type, and back.
llvm::Value *toCompute(llvm::IRBuilder<> &b, llvm::Value *stored, DType dtype);
llvm::Value *fromCompute(llvm::IRBuilder<> &b, llvm::Value *value,
                         DType dtype);
// A compute value of `from` converted to the compute type of `to`, as Cast
// and the interpreter's convertElement do: floats to integers truncate and
// saturate at the target's range (NaN gives 0), integers wrap, anything to
// bool is != 0, f64 to f16 rounds through f32.
llvm::Value *convertCompute(llvm::IRBuilder<> &b, llvm::Value *value,
                            DType from, DType to);

// One point of the iteration space, inside the generated function.
class LoopPoint {
public:
  llvm::IRBuilder<> &b;
  // Each loop's index (i64); after merging, the merged dimensions'.
  std::vector<llvm::Value *> index;

  // Access k's element at this point: its address, its value in compute
  // type, or a store of a compute value.
  llvm::Value *address(size_t k) const;
  llvm::Value *load(size_t k) const;
  void store(size_t k, llvm::Value *value) const;
  // Copies access `from`'s element to access `to`'s (same dtype), bits as
  // they are.
  void copy(size_t from, size_t to) const;
  // The address of element `element` (an i64) of access k's buffer, for
  // bodies that compute their own positions (Gather, Pad).
  llvm::Value *elementAddress(size_t k, llvm::Value *element) const;

  const std::vector<Access> &accesses;
  const std::vector<llvm::Value *> &bases; // the kernel's parameters
};

// `for (i = begin; i < end; ++i) body(i)` at b's insertion point, in
// rotated form (the body first, the test at its end), which LLVM's loop
// passes expect; b continues after the loop.
void emitLoop(llvm::IRBuilder<> &b, llvm::Value *begin, llvm::Value *end,
              const std::function<void(llvm::Value *)> &body);

// FusedConv's activation (its "activation" attribute, Ops.def; with a
// prefix ExpandDepthwise's "expand_activation") at the f32 value x, computed
// as the op it names computes it element-wise (LowerElementwise.cpp); x
// itself for none.
llvm::Value *emitFusedActivation(llvm::IRBuilder<> &b, llvm::Module &m,
                                 const Node &n, llvm::Value *x,
                                 const std::string &prefix = "");

struct LoopNestOptions {
  // Merge dimensions that every access walks contiguously (elementwise
  // ops); off when the body needs each original dimension's index.
  bool mergeDims = true;
  // Split the outermost loop over the thread pool (off when iterations
  // write the same element, as a reduction does).
  bool parallel = true;
};

// Emits a nest over `shape` calling `body` at every point, and the call of
// it at the emitter's insertion point. Nothing is emitted for an empty
// shape (a dimension of 0).
void emitLoopNest(Emitter &e, const std::string &name, Shape shape,
                  std::vector<Access> accesses,
                  const std::function<void(const LoopPoint &)> &body,
                  LoopNestOptions options = {});

} // namespace cnnc
