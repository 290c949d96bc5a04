// Lowering of data movement: copies, views, Concat, Transpose.
#include "compiler/codegen/Emitter.h"

namespace cnnc {

void Emitter::copy(const Node &n) {
  // A result the memory plan made a view of its operand shares its memory:
  // nothing to copy.
  const TensorPlacement *placement = plan_.find(n.outputs[0]);
  bool view = placement && placement->viewOf;
  llvm::Value *src = pointer(n.inputs[0]), *dst = pointer(n.outputs[0]);
  uint64_t bytes = n.outputs[0]->type.byteSize();
  if (bytes > 0 && !view)
    b_.CreateMemCpy(dst, llvm::MaybeAlign(), src, llvm::MaybeAlign(), bytes);
  if (n.outputs.size() > 1) { // Dropout's mask: all true in inference
    uint64_t maskBytes = n.outputs[1]->type.byteSize();
    if (maskBytes > 0)
      b_.CreateMemSet(pointer(n.outputs[1]), b_.getInt8(1), maskBytes,
                      llvm::MaybeAlign());
  }
}

void Emitter::concat(const Node &n) {
  const Shape &y = n.outputs[0]->type.shape;
  int64_t axis = normalizeAxis(n, n.getInt("axis"), int64_t(y.size()));
  int64_t outer = elementCount(y, 0, size_t(axis));
  int64_t inner = elementCount(y, size_t(axis) + 1, y.size()) *
                  int64_t(dtypeSize(n.outputs[0]->type.dtype));
  int64_t offset = 0;
  for (const Value *in : n.inputs) {
    int64_t block = in->type.shape[size_t(axis)] * inner;
    llvm::Value *dst =
        b_.CreateConstGEP1_64(b_.getInt8Ty(), pointer(n.outputs[0]), offset);
    call("cnnc_copy_blocks", {dst, pointer(in), i64(outer), i64(block),
                              i64(y[size_t(axis)] * inner), i64(block)});
    offset += block;
  }
}

void Emitter::transpose(const Node &n) {
  const Shape &x = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  if (dtypeSize(n.inputs[0]->type.dtype) != 4 || x.size() > 6)
    n.error("code generation transposes 4-byte elements up to rank 6 only");
  std::vector<int64_t> perm = n.getInts("perm");
  if (perm.empty())
    for (size_t i = x.size(); i-- > 0;)
      perm.push_back(int64_t(i));
  std::vector<int64_t> own(x.size(), 1);
  for (size_t i = x.size(); i-- > 1;)
    own[i - 1] = own[i] * x[i];
  std::vector<int64_t> dims(6, 1), strides(6, 0);
  size_t pad = 6 - y.size();
  for (size_t i = 0; i < y.size(); ++i) {
    dims[pad + i] = y[i];
    strides[pad + i] = own[size_t(perm[i])];
  }
  std::vector<llvm::Value *> args{pointer(n.inputs[0]), pointer(n.outputs[0])};
  for (int64_t d : dims)
    args.push_back(i64(d));
  for (int64_t s : strides)
    args.push_back(i64(s));
  call("cnnc_transpose_u32", args);
}

} // namespace cnnc
