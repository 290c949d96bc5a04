// Lowering of data movement: copies and views, Concat, and as loop nests
// over any element type Transpose, Slice, Split, Expand, Gather, Pad, and
// the shape ops.
#include "compiler/codegen/LoopNest.h"

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
  // On blocked operands (channels, ir/LayoutRules.h) the stored blocks of
  // channels are concatenated the same way: every operand but the last
  // fills whole blocks. An operand the memory plan made a part of the
  // result (concatenation in place) is there already: nothing to copy.
  auto isPart = [&](const Value *in) {
    const TensorPlacement *p = plan_.find(in);
    return p && p->partOf == n.outputs[0];
  };
  const Shape y = storedShape(n.outputs[0]);
  int64_t axis = normalizeAxis(n, n.getInt("axis"),
                               n.outputs[0]->type.rank());
  int64_t elementBytes = int64_t(dtypeSize(n.outputs[0]->type.dtype));
  if (axis == 1 && n.outputs[0]->type.rank() == 4) {
    // Channels of images: planes (channels, or blocks of them) of rows,
    // copied in parallel by rows (cnnc_copy_plane_rows).
    int64_t rowBytes = elementCount(y, 3, y.size()) * elementBytes;
    int64_t plane0 = 0;
    for (const Value *in : n.inputs) {
      int64_t planes = storedShape(in)[1];
      if (!isPart(in))
        callRange("cnnc_copy_plane_rows",
                  {pointer(n.outputs[0]), pointer(in), i64(y[0]), i64(planes),
                   i64(y[1]), i64(plane0), i64(y[2]), i64(rowBytes), i64(0),
                   i64(y[2])});
      plane0 += planes;
    }
    return;
  }
  int64_t outer = elementCount(y, 0, size_t(axis));
  int64_t inner = elementCount(y, size_t(axis) + 1, y.size()) * elementBytes;
  int64_t offset = 0;
  for (const Value *in : n.inputs) {
    int64_t block = storedShape(in)[size_t(axis)] * inner;
    llvm::Value *dst =
        b_.CreateConstGEP1_64(b_.getInt8Ty(), pointer(n.outputs[0]), offset);
    if (!isPart(in))
      call("cnnc_copy_blocks", {dst, pointer(in), i64(outer), i64(block),
                                i64(y[size_t(axis)] * inner), i64(block)});
    offset += block;
  }
}

namespace {

// Copies `view` of `from` (offset and strides over `to`'s shape) into the
// row-major `to`.
void copyView(Emitter &e, const std::string &name, const Value *from,
              int64_t offset, std::vector<int64_t> strides, const Value *to) {
  const Shape &shape = to->type.shape;
  emitLoopNest(e, name, shape,
               {Access{e.pointer(from), from->type.dtype, offset,
                       std::move(strides)},
                broadcastAccess(e, to, shape)},
               [](const LoopPoint &p) { p.copy(0, 1); });
}

} // namespace

void Emitter::transpose(const Node &n) {
  const Shape &x = n.inputs[0]->type.shape;
  std::vector<int64_t> perm = n.getInts("perm");
  if (perm.empty())
    for (size_t i = x.size(); i-- > 0;)
      perm.push_back(int64_t(i));
  std::vector<int64_t> own = rowMajorStrides(x), strides;
  for (int64_t p : perm)
    strides.push_back(own[size_t(p)]);
  copyView(*this, "transpose." + n.name, n.inputs[0], 0, strides,
           n.outputs[0]);
}

void Emitter::slice(const Node &n) {
  StridedView view = sliceView(n);
  copyView(*this, "slice." + n.name, n.inputs[0], view.offset, view.strides,
           n.outputs[0]);
}

void Emitter::split(const Node &n) {
  const Shape &x = n.inputs[0]->type.shape;
  size_t axis = size_t(normalizeAxis(n, n.getInt("axis"), int64_t(x.size())));
  std::vector<int64_t> strides = rowMajorStrides(x);
  // The chunks are the results' extents along `axis`, in order.
  int64_t start = 0;
  for (const Value *out : n.outputs) {
    copyView(*this, "split." + n.name, n.inputs[0], start * strides[axis],
             strides, out);
    start += out->type.shape[axis];
  }
}

void Emitter::expand(const Node &n) {
  const Shape &shape = n.outputs[0]->type.shape;
  copyView(*this, "expand." + n.name, n.inputs[0], 0,
           broadcastAccess(*this, n.inputs[0], shape).strides, n.outputs[0]);
}

void Emitter::gather(const Node &n) {
  const Value *data = n.inputs[0], *indices = n.inputs[1];
  const Shape &shape = data->type.shape, &out = n.outputs[0]->type.shape;
  size_t axis =
      size_t(normalizeAxis(n, n.getInt("axis"), int64_t(shape.size())));
  size_t indexRank = indices->type.shape.size();
  // The result is [outer..., indices..., inner...]. Access 0 reads the
  // index over the result's index dimensions; access 1 is data with its
  // own strides along outer and inner and the looked-up row added in the
  // body; access 2 the result.
  std::vector<int64_t> own = rowMajorStrides(shape);
  Access index{pointer(indices), indices->type.dtype, 0,
               std::vector<int64_t>(out.size(), 0)};
  Access table{pointer(data), data->type.dtype, 0,
               std::vector<int64_t>(out.size(), 0)};
  std::vector<int64_t> indexStrides = rowMajorStrides(indices->type.shape);
  for (size_t d = 0; d < out.size(); ++d) {
    if (d < axis)
      table.strides[d] = own[d];
    else if (d < axis + indexRank)
      index.strides[d] = indexStrides[d - axis];
    else
      table.strides[d] = own[d - indexRank + 1];
  }
  int64_t dim = shape[axis], axisStride = own[axis];
  std::vector<Access> accesses{index, table,
                               broadcastAccess(*this, n.outputs[0], out)};
  emitLoopNest(*this, "gather." + n.name, out, accesses,
               [&](const LoopPoint &p) {
                 llvm::IRBuilder<> &b = p.b;
                 // Negative indices count from the end. An index out of
                 // range, which the interpreter reports, is clamped here
                 // so that no read leaves the tensor.
                 llvm::Value *i = p.load(0);
                 i = b.CreateSelect(b.CreateICmpSLT(i, b.getInt64(0)),
                                    b.CreateAdd(i, b.getInt64(uint64_t(dim))),
                                    i);
                 i = b.CreateSelect(b.CreateICmpSLT(i, b.getInt64(0)),
                                    b.getInt64(0), i);
                 i = b.CreateSelect(
                     b.CreateICmpSGT(i, b.getInt64(uint64_t(dim - 1))),
                     b.getInt64(uint64_t(dim - 1)), i);
                 llvm::Value *row = b.CreateMul(i, b.getInt64(uint64_t(axisStride)));
                 llvm::Type *type = storageType(b.getContext(), data->type.dtype);
                 llvm::Value *from = b.CreateGEP(type, p.address(1), row);
                 b.CreateStore(b.CreateLoad(type, from), p.address(2));
               },
               {/*mergeDims=*/false, /*parallel=*/true});
}

void Emitter::pad(const Node &n) {
  const Value *x = n.inputs[0];
  const Shape &shape = x->type.shape, &out = n.outputs[0]->type.shape;
  // Shape inference has checked the mode.
  const std::string &mode = n.getString("mode");
  std::vector<int64_t> before = padsBefore(n);
  // Per axis, a table of the input index feeding each output position (-1:
  // the fill), computed here; the nest looks them up.
  std::vector<llvm::Value *> tables;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (mode != "constant" && shape[d] == 0 && out[d] > 0)
      n.error("{} padding of an empty axis {}", mode, d);
    std::vector<int64_t> source;
    for (int64_t o = 0; o < out[d]; ++o)
      source.push_back(padSource(mode, shape[d], before[d], o));
    tables.push_back(int64Constant("pad." + n.name, source));
  }
  std::vector<int64_t> own = rowMajorStrides(shape);
  // Access 0 is x, indexed in the body; 1 the fill (a scalar operand, or a
  // zero of the result's type); 2 the result.
  llvm::Type *element = storageType(ctx_, x->type.dtype);
  llvm::Value *fill = nullptr;
  if (n.input(2))
    fill = pointer(n.input(2));
  else // zero bytes are 0 (or false) in every dtype
    fill = new llvm::GlobalVariable(m_, element, true,
                                    llvm::GlobalValue::PrivateLinkage,
                                    llvm::Constant::getNullValue(element),
                                    "pad.zero." + n.name);
  std::vector<Access> accesses{
      Access{pointer(x), x->type.dtype, 0, std::vector<int64_t>(out.size(), 0)},
      Access{fill, x->type.dtype, 0, std::vector<int64_t>(out.size(), 0)},
      broadcastAccess(*this, n.outputs[0], out)};
  emitLoopNest(
      *this, "pad." + n.name, out, accesses,
      [&](const LoopPoint &p) {
        llvm::IRBuilder<> &b = p.b;
        llvm::Value *element = b.getInt64(0), *inside = b.getTrue();
        for (size_t d = 0; d < shape.size(); ++d) {
          llvm::Value *i = b.CreateLoad(
              b.getInt64Ty(),
              b.CreateGEP(b.getInt64Ty(), tables[d], p.index[d]));
          inside = b.CreateAnd(inside, b.CreateICmpSGE(i, b.getInt64(0)));
          element = b.CreateAdd(
              element, b.CreateMul(i, b.getInt64(uint64_t(own[d]))));
        }
        // Outside, the element index is meaningless: read the fill.
        llvm::Type *type = storageType(b.getContext(), x->type.dtype);
        llvm::Value *inValue = nullptr, *fill = nullptr;
        llvm::BasicBlock *here = b.GetInsertBlock();
        llvm::Function *f = here->getParent();
        auto *read = llvm::BasicBlock::Create(b.getContext(), "pad.in", f);
        auto *join = llvm::BasicBlock::Create(b.getContext(), "pad.join", f);
        fill = b.CreateLoad(type, p.address(1));
        b.CreateCondBr(inside, read, join);
        b.SetInsertPoint(read);
        inValue = b.CreateLoad(type, p.elementAddress(0, element));
        b.CreateBr(join);
        b.SetInsertPoint(join);
        llvm::PHINode *v = b.CreatePHI(type, 2);
        v->addIncoming(fill, here);
        v->addIncoming(inValue, read);
        b.CreateStore(v, p.address(2));
      },
      {/*mergeDims=*/false, /*parallel=*/true});
}

void Emitter::shape(const Node &n) {
  // Shapes are static: the result is a constant.
  const Shape &s = n.inputs[0]->type.shape;
  auto [start, end] = shapeOpRange(n, int64_t(s.size()));
  std::vector<int64_t> dims(s.begin() + start, s.begin() + end);
  if (!dims.empty())
    b_.CreateMemCpy(pointer(n.outputs[0]), llvm::MaybeAlign(),
                    int64Constant("shape." + n.name, dims), llvm::MaybeAlign(),
                    dims.size() * sizeof(int64_t));
}

void Emitter::constantOfShape(const Node &n) {
  const TensorType &type = n.outputs[0]->type;
  // Without a value attribute ONNX fills with f32 0.
  std::vector<uint8_t> value(dtypeSize(type.dtype), 0);
  if (const Attribute *a = n.attr("value")) {
    const Tensor &t = *a->getTensor();
    if (!t.hasData())
      n.error("the value attribute has no data (elided)");
    value = t.bytes();
  }
  auto *data = llvm::ConstantDataArray::getRaw(
      llvm::StringRef(reinterpret_cast<const char *>(value.data()),
                      value.size()),
      1, storageType(ctx_, type.dtype));
  auto *global = new llvm::GlobalVariable(
      m_, data->getType(), true, llvm::GlobalValue::PrivateLinkage, data,
      "fill." + n.name);
  emitLoopNest(*this, "fill." + n.name, type.shape,
               {Access{global, type.dtype, 0,
                       std::vector<int64_t>(type.shape.size(), 0)},
                broadcastAccess(*this, n.outputs[0], type.shape)},
               [](const LoopPoint &p) { p.copy(0, 1); });
}

} // namespace cnnc
