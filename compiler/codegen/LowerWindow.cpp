// Lowering of convolutions and pooling to libjit kernels.
#include "compiler/codegen/LoopNest.h"

namespace cnnc {

namespace {

// A window's geometry as 3-D (depth, height, width): the kernels take 3-D
// windows, and 1-D and 2-D ones get leading dims of extent 1 (kernel, stride
// and dilation 1, no padding), which costs nothing once the constant
// arguments are folded.
struct Window3D {
  int64_t in[3], out[3], kernel[3], stride[3], dilation[3], padBegin[3],
      padEnd[3];
};

Window3D window3D(const Node &n) {
  const Shape &x = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  if (x.size() < 3 || x.size() > 5)
    n.error("code generation supports 1-D, 2-D and 3-D windows, not {}-D",
            int64_t(x.size()) - 2);
  Window win = resolvedWindow(n);
  size_t sp = x.size() - 2, lead = 3 - sp;
  Window3D w;
  for (size_t d = 0; d < 3; ++d) {
    bool given = d >= lead;
    size_t i = d - lead; // the node's spatial dim, if given
    w.in[d] = given ? x[i + 2] : 1;
    w.out[d] = given ? y[i + 2] : 1;
    w.kernel[d] = given ? win.kernel[i] : 1;
    w.stride[d] = given ? win.strides[i] : 1;
    w.dilation[d] = given ? win.dilations[i] : 1;
    w.padBegin[d] = given ? win.pads[i] : 0;
    w.padEnd[d] = given ? win.pads[i + sp] : 0;
  }
  return w;
}

// The arguments of cnnc_conv_f32 and cnnc_conv_transpose_f32: the buffers,
// the geometry, the group and the range of output planes.
std::vector<llvm::Value *> convArgs(Emitter &e, const Node &n) {
  const Shape &x = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  Window3D w = window3D(n);
  std::vector<llvm::Value *> args{
      e.pointer(n.inputs[0]), e.pointer(n.inputs[1]),
      e.optionalPointer(n.input(2)), e.pointer(n.outputs[0]), e.i64(x[1])};
  for (int64_t v : w.in)
    args.push_back(e.i64(v));
  args.push_back(e.i64(y[1]));
  for (const int64_t *field :
       {w.out, w.kernel, w.stride, w.dilation, w.padBegin})
    for (size_t d = 0; d < 3; ++d)
      args.push_back(e.i64(field[d]));
  args.push_back(e.i64(n.getInt("group")));
  args.push_back(e.i64(0));
  args.push_back(e.i64(y[0] * y[1]));
  return args;
}

// The pool kernels by element type: MaxPool is also defined on int8 and
// uint8 tensors; f16 and bf16 have none.
const char *poolKernel(const Node &n) {
  DType t = n.inputs[0]->type.dtype;
  bool anyType = n.kind == OpKind::MaxPool;
  switch (t) {
  case DType::F32:
    return "cnnc_pool_f32";
  case DType::F64:
    return "cnnc_pool_f64";
  case DType::I8:
    return anyType ? "cnnc_pool_i8" : nullptr;
  case DType::U8:
    return anyType ? "cnnc_pool_u8" : nullptr;
  default:
    return nullptr;
  }
}

// The blocked variant of a libjit kernel for `v`'s layout:
// "cnnc_conv_nchwc" -> "cnnc_conv_nchwc_b16_f32".
std::string blockedKernel(const char *base, const Value *v) {
  return fmt::format("{}_b{}_f32", base, layoutBlock(v->type.layout));
}

bool isBlocked(const Value *v) { return v->type.layout != Layout::Plain; }

// The planes (n, channel block) of blocked `v`: the units its kernels split.
int64_t blockedPlanes(const Value *v) {
  Shape stored = storedShape(v);
  return stored[0] * stored[1];
}

// The columns RT of blocked.c's convolution register tile for a row of OW
// output columns: RT x RO accumulators of B floats must fit in the vector
// registers beside the RO weight vectors and the broadcast input. A row
// takes ceil(OW / RT) tiles (the last may overlap the one before it), and a
// tile costs its columns plus about 1.5 columns' worth of weight loads and
// loop overhead, so 7 columns go as 4 + 4 rather than 6 + 6.
//
// `rowTaps` > 0: a tile reading a plain input with stride 1 and that many
// taps in a row (CONV_PLAIN), where LLVM broadcasts each input pixel once
// for all the taps that read it, so the RT + rowTaps - 1 broadcasts stay in
// registers too (and two more for addresses and the like). Counting only
// one, VGG16's first layer (3x3 over 3 channels) got 12 columns and
// spilled accumulators; with 8 it runs 18% faster.
int64_t convTileColumns(int64_t OW, int64_t B, int64_t RO,
                        const VectorRegisters &vectors, int64_t rowTaps = 0) {
  constexpr int64_t kMaxColumns = 12; // MAX_RT in blocked.c
  int64_t perVector = std::max<int64_t>(1, B * 32 / vectors.bits);
  int64_t registers = vectors.count / perVector;
  int64_t fit = rowTaps > 0 ? (registers - RO - (rowTaps - 1) - 2) / (RO + 1)
                            : (registers - RO - 1) / RO;
  int64_t most = std::clamp<int64_t>(fit, 1, std::min(kMaxColumns, OW));
  int64_t best = 1;
  double bestCost = 1e300;
  for (int64_t rt = 1; rt <= most; ++rt) {
    double cost = double((OW + rt - 1) / rt) * (double(rt) + 1.5);
    if (cost <= bestCost)
      best = rt, bestCost = cost;
  }
  return best;
}

// Whether fused convolution `n` has an activation with `prefix` (a Conv
// has none), and what tells it apart from others: its name and attributes.
bool hasActivation(const Node &n, const std::string &prefix) {
  return n.kind != OpKind::Conv && !n.getString(prefix + "activation").empty();
}
std::string activationKey(const Node &n, const std::string &prefix) {
  return fmt::format("{} {} {} {}", n.getString(prefix + "activation"),
                     n.getFloat(prefix + "leaky_alpha"),
                     n.getFloat(prefix + "clip_min"),
                     n.getFloat(prefix + "clip_max"));
}

} // namespace

// Conv, FusedConv and Gemm1x1 (a 1x1 kernel without padding) with a blocked
// result, whose layouts ir/LayoutRules.h has checked: a call of
// cnnc_conv_nchwc_bB_f32 with x, w, bias, y, the residual and activation,
// the geometry, the input mode, the register tile's columns, the loop
// order, the input channel groups, and the range of work items: parts of
// units (pairs of output blocks, or single ones for depthwise).
void Emitter::blockedConv(const Node &n) {
  requireF32(n);
  const TensorType &x = n.inputs[0]->type, &y = n.outputs[0]->type;
  int64_t H = x.shape[2], W = x.shape[3], OH = y.shape[2], OW = y.shape[3];
  int64_t KH = 1, KW = 1, SH = 1, SW = 1, DH = 1, DW = 1, PT = 0, PL = 0;
  int64_t mode = isBlocked(n.inputs[0]) ? 0 : 1; // CONV_BLOCKED, CONV_PLAIN
  if (n.kind == OpKind::Gemm1x1) {
    std::vector<int64_t> strides = n.getInts("strides");
    strides.resize(2, 1);
    SH = strides[0], SW = strides[1];
  } else {
    Window3D w = window3D(n);
    KH = w.kernel[1], KW = w.kernel[2], SH = w.stride[1], SW = w.stride[2];
    DH = w.dilation[1], DW = w.dilation[2], PT = w.padBegin[1];
    PL = w.padBegin[2];
    if (n.getInt("group") != 1)
      mode = 2; // CONV_DEPTHWISE
  }
  // A 1x1 window with stride 1 and no padding maps pixel i to pixel i: the
  // plane is one row, so the tiles run across row ends.
  if (KH == 1 && KW == 1 && SH == 1 && SW == 1 && PT == 0 && PL == 0 &&
      H == OH && W == OW) {
    W = OW = H * W;
    H = OH = 1;
  }
  int64_t B = layoutBlock(y.layout);
  int64_t Mb = (y.shape[1] + B - 1) / B, Cb = (x.shape[1] + B - 1) / B;
  // A unit: two output blocks (blocked.c's MAX_RO), one for depthwise.
  int64_t perUnit = mode == 2 ? 1 : 2;
  int64_t units = y.shape[0] * ((Mb + perUnit - 1) / perUnit);
  int64_t RO = std::min(perUnit, Mb);
  int64_t inputsPerOutput = mode == 2 ? 1 : mode == 0 ? Cb * B : x.shape[1];
  int64_t macsPerUnit = OH * OW * perUnit * B * inputsPerOutput * KH * KW;
  int64_t RT = convTileColumns(OW, B, RO, vectors_,
                               mode == 1 && SW == 1 ? KW : 0);
  // The loop order (blocked.c's band): what is read again and again from
  // beyond the L2 cache otherwise. Units outermost read the input once per
  // unit; bands of columns outermost, each reading kBandFloats of input (64
  // KiB, to stay in L1 and L2 while every unit of a thread computes the
  // band), read the weights once per band. Either is free while what it
  // rereads fits in half the L2 cache.
  // The input counts only the rows and columns the window reads: a 1x1
  // convolution with stride 2 reads a quarter of its input (ResNet-50's
  // downsampling layers), which then fits in the cache.
  constexpr int64_t kCachedBytes = 512 * 1024, kBandFloats = 16384;
  int64_t rowsRead = std::min(H, OH * KH), columnsRead = std::min(W, OW * KW);
  int64_t inputBytes = inputsPerOutput * rowsRead * columnsRead * 4;
  int64_t weightBytes = Mb * B * inputsPerOutput * KH * KW * 4;
  int64_t bandColumns =
      std::max(RT, kBandFloats / (KH * SW * inputsPerOutput) / RT * RT);
  int64_t bands = OH * ((OW + bandColumns - 1) / bandColumns);
  double unitsOuterCost =
      inputBytes > kCachedBytes ? double(units) * double(inputBytes) : 0;
  double bandsOuterCost =
      weightBytes > kCachedBytes ? double(bands) * double(weightBytes) : 0;
  bool bandsOuter = mode != 2 && bandsOuterCost < unitsOuterCost;
  // Parts of a unit (blocked.c). Where the layer's activations outweigh
  // its weights, every row (or, for a one-row plane, every register tile of
  // columns) is a part: the threads' shares are then stripes of the image
  // that follow from one layer to the next, so each thread reads what it
  // wrote itself from its own cache, and every thread reads all of the
  // weights. Where the weights outweigh the activations, the threads share
  // the units instead (each reads its units' weights only) and the
  // activations cross between the cores; a layer with few units is then
  // still split by rows, so that every thread gets work and the threads'
  // shares differ by little.
  constexpr int64_t kMinItems = 16;
  int64_t maxParts = OH > 1 ? OH : (OW + RT - 1) / RT;
  int64_t activationBytes =
      (Cb * H * W + Mb * OH * OW) * B * 4 * y.shape[0];
  int64_t parts =
      weightBytes <= activationBytes
          ? maxParts
          : std::clamp<int64_t>((kMinItems + units - 1) / units, 1, maxParts);
  // Input channels in groups (blocked.c) whose weights, for a unit's
  // output blocks, take kGroupWeightBytes (about L1), each group run over
  // all of the unit's rows (bands outermost: the band's tiles) before the
  // next, so that the tiles reuse its weights from L1 instead of streaming
  // all of the unit's weights from L2 for every tile. Only where those
  // exceed kGroupedAbove: below, the extra passes over the output cost more
  // than they save (ResNet-18 ran 6% slower with 56x56x64 layers grouped;
  // VGG16 runs 11% faster, ResNet-50 4%, with its large layers grouped).
  constexpr int64_t kGroupWeightBytes = 32 * 1024, kGroupedAbove = 128 * 1024;
  int64_t inputUnits = mode == 0 ? Cb : mode == 1 ? x.shape[1] : 1;
  int64_t unitWeightBytes = RO * KH * KW * B * (mode == 0 ? B : 1) * 4;
  int64_t group = std::max<int64_t>(1, kGroupWeightBytes / unitWeightBytes);
  if (group >= inputUnits || unitWeightBytes * inputUnits <= kGroupedAbove)
    group = 0; // one group
  callRange(blockedKernel("cnnc_conv_nchwc", n.outputs[0]),
            {pointer(n.inputs[0]), pointer(n.inputs[1]),
             optionalPointer(n.input(2)), pointer(n.outputs[0]),
             optionalPointer(n.input(3)), activationArgument(n),
             i64(x.shape[1]), i64(H), i64(W), i64(y.shape[1]), i64(OH),
             i64(OW), i64(KH), i64(KW), i64(SH), i64(SW), i64(DH), i64(DW),
             i64(PT), i64(PL), i64(mode),
             i64(RT), i64(bandsOuter ? bandColumns : 0), i64(group), i64(units),
             i64(parts),
             i64(0),
             i64(units * parts)},
            macsPerUnit / parts);
}

// cnnc.ExpandDepthwise, blocked (ir/LayoutRules.h): a call of
// cnnc_expand_dw_nchwc_bB_f32 with the operands, both epilogues, the
// geometry, the register tiles of the expansion (over input rows) and of
// the depthwise convolution (over output rows), and the work items: output
// rows of units (pairs of expanded blocks), rows outermost, so that the
// threads' shares are stripes of the image like those of the convolutions
// around it. The kernel runs a call's rows of a unit as one run, and a run
// that starts below the first row computes the expanded rows above it again
// (KH - SH of them): so a thread's chunk takes at least kMinRowsPerChunk
// rows, and a quarter of the image where that is more, which keeps the
// rows computed twice to about an eighth of the expansion (ResNet and
// MobileNet planes of 56 rows: 4 chunks of 14) while the threads still get
// equal stripes and a late thread's rows can be taken by the others. An
// image of fewer than two such chunks' rows is not split by rows: its work
// items are whole units (the blocks of MobileNetV2 at 14x14 and 7x7, which
// are fused at batch 8), shared out by units and images.
void Emitter::expandDepthwise(const Node &n) {
  requireF32(n);
  const TensorType &x = n.inputs[0]->type, &y = n.outputs[0]->type;
  Window3D w = window3D(n);
  if (w.dilation[1] != 1 || w.dilation[2] != 1 || w.stride[1] > w.kernel[1])
    throw InternalError("cnnc.ExpandDepthwise '" + n.name +
                        "' has a dilation or a stride beyond its kernel");
  int64_t H = x.shape[2], W = x.shape[3], OH = y.shape[2], OW = y.shape[3];
  int64_t C = x.shape[1], E = y.shape[1];
  int64_t B = layoutBlock(y.layout), Eb = (E + B - 1) / B;
  int64_t units = y.shape[0] * ((Eb + 1) / 2);
  int64_t RT = convTileColumns(W, B, std::min<int64_t>(2, Eb), vectors_);
  int64_t RTd = convTileColumns(OW, B, 1, vectors_);
  constexpr int64_t kMinRowsPerChunk = 8;
  bool byRows = OH >= 2 * kMinRowsPerChunk;
  int64_t parts = byRows ? OH : 1;
  int64_t minItems = byRows ? units * std::max(kMinRowsPerChunk, OH / 4) : 1;
  // Per item (its output rows of a unit): its depthwise rows and, on
  // average, SH expanded rows for each.
  int64_t macsPerItem = 2 * B * OH / parts *
                        (OW * w.kernel[1] * w.kernel[2] + w.stride[1] * W * C);
  callRange(blockedKernel("cnnc_expand_dw_nchwc", n.outputs[0]),
            {pointer(n.inputs[0]), pointer(n.inputs[1]),
             optionalPointer(n.input(3)), pointer(n.inputs[2]),
             optionalPointer(n.input(4)), pointer(n.outputs[0]),
             activationArgument(n, "expand_"), activationArgument(n), i64(C),
             i64(H), i64(W), i64(E), i64(OH), i64(OW), i64(w.kernel[1]),
             i64(w.kernel[2]),
             i64(w.stride[1]), i64(w.stride[2]), i64(w.padBegin[1]),
             i64(w.padBegin[2]), i64(RT), i64(RTd), i64(units), i64(parts),
             i64(0), i64(units * parts)},
            macsPerItem, minItems);
}

void Emitter::conv(const Node &n) {
  requireF32(n);
  if (isBlocked(n.outputs[0]))
    return blockedConv(n);
  callRange("cnnc_conv_f32", convArgs(*this, n));
}

llvm::Function *Emitter::epilogueFunction(const Node &n) {
  const Value *residual =
      n.kind == OpKind::FusedConv || n.kind == OpKind::Gemm1x1 ? n.input(3)
                                                                : nullptr;
  if (!residual && !hasActivation(n, ""))
    return nullptr;
  // One function per distinct epilogue, so that layers of the same shape
  // share their kernel's specialization (see Emitter::specialization).
  std::string key =
      fmt::format("{} {}", residual != nullptr, activationKey(n, ""));
  llvm::Function *&f = epilogues_[key];
  if (f)
    return f;
  llvm::Type *ptr = b_.getPtrTy(), *i64Type = b_.getInt64Ty();
  auto *type = llvm::FunctionType::get(b_.getVoidTy(),
                                       {ptr, ptr, i64Type, i64Type}, false);
  f = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                             fmt::format("epilogue.{}", epilogues_.size() - 1),
                             m_);
  f->addFnAttr(llvm::Attribute::AlwaysInline);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", f));
  llvm::Value *out = f->getArg(0), *res = f->getArg(1);
  llvm::Value *begin = f->getArg(2);
  llvm::Type *floatType = b.getFloatTy();
  emitLoop(b, begin, b.CreateAdd(begin, f->getArg(3)), [&](llvm::Value *i) {
    llvm::Value *at = b.CreateGEP(floatType, out, i);
    llvm::Value *v = b.CreateLoad(floatType, at);
    if (residual)
      v = b.CreateFAdd(v, b.CreateLoad(floatType, b.CreateGEP(floatType, res, i)));
    b.CreateStore(emitFusedActivation(b, m_, n, v, ""), at);
  });
  b.CreateRetVoid();
  return f;
}

llvm::Value *Emitter::activationArgument(const Node &n,
                                         const std::string &prefix) {
  if (!hasActivation(n, prefix))
    return llvm::ConstantPointerNull::get(b_.getPtrTy());
  // One function per distinct activation, as for epilogueFunction.
  llvm::Function *&f = activations_[activationKey(n, prefix)];
  if (f)
    return f;
  llvm::Type *floatType = b_.getFloatTy();
  f = llvm::Function::Create(
      llvm::FunctionType::get(floatType, {floatType}, false),
      llvm::GlobalValue::InternalLinkage,
      fmt::format("activation.{}", activations_.size() - 1), m_);
  f->addFnAttr(llvm::Attribute::AlwaysInline);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", f));
  b.CreateRet(emitFusedActivation(b, m_, n, f->getArg(0), prefix));
  return f;
}

// FusedConv and Gemm1x1 with plain kernels: a generated task runs `kernel`
// (whose arguments are `args`: x, w, bias, y, ..., begin, end over output
// planes) on its planes and then, while they are in cache, runs the
// epilogue on them.
void Emitter::convWithEpilogue(const Node &n, const std::string &kernel,
                               std::vector<llvm::Value *> args) {
  llvm::Function *epilogue = epilogueFunction(n);
  if (!epilogue)
    return callRange(kernel, std::move(args));
  // A plane: the elements of one output unit (n, channel).
  Shape y = storedShape(n.outputs[0]);
  int64_t plane = elementCount(y, 2, y.size());
  // void fused.NAME(ptr x, ptr w, ptr b, ptr y, ptr residual, i64, i64)
  llvm::Type *ptr = b_.getPtrTy(), *i64Type = b_.getInt64Ty();
  auto *type = llvm::FunctionType::get(
      b_.getVoidTy(), {ptr, ptr, ptr, ptr, ptr, i64Type, i64Type}, false);
  auto *f = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                   "fused." + n.name, m_);
  f->addFnAttr(llvm::Attribute::AlwaysInline);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", f));
  llvm::Value *begin = f->getArg(5), *end = f->getArg(6);
  std::vector<llvm::Value *> kernelArgs = args;
  for (unsigned k = 0; k < 4; ++k)
    kernelArgs[k] = f->getArg(k);
  kernelArgs[args.size() - 2] = begin;
  kernelArgs[args.size() - 1] = end;
  b.CreateCall(libjitFunction(kernel), kernelArgs);
  llvm::Value *planeSize = b.getInt64(uint64_t(plane));
  b.CreateCall(epilogue, {f->getArg(3), f->getArg(4),
                          b.CreateMul(begin, planeSize),
                          b.CreateMul(b.CreateSub(end, begin), planeSize)});
  b.CreateRetVoid();
  callFunction(f,
               {args[0], args[1], args[2], args[3],
                optionalPointer(n.input(3)), args[args.size() - 2],
                args.back()},
               true);
}

void Emitter::fusedConv(const Node &n) {
  requireF32(n);
  if (isBlocked(n.outputs[0]))
    return blockedConv(n);
  convWithEpilogue(n, "cnnc_conv_f32", convArgs(*this, n));
}

void Emitter::gemm1x1(const Node &n) {
  requireF32(n);
  if (isBlocked(n.outputs[0]))
    return blockedConv(n);
  const Shape &x = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  if (x.size() > 4)
    n.error("code generation supports 1-D and 2-D Gemm1x1, not {}-D",
            x.size() - 2);
  // 1-D: a height of 1.
  bool oneD = x.size() == 3;
  std::vector<int64_t> strides = n.getInts("strides");
  strides.resize(x.size() - 2, 1);
  int64_t H = oneD ? 1 : x[2], W = x.back(), OH = oneD ? 1 : y[2],
          OW = y.back(), SH = oneD ? 1 : strides[0], SW = strides.back();
  convWithEpilogue(n, "cnnc_gemm1x1_f32",
                   {pointer(n.inputs[0]), pointer(n.inputs[1]),
                    optionalPointer(n.input(2)), pointer(n.outputs[0]),
                    i64(x[1]), i64(H), i64(W), i64(y[1]), i64(OH), i64(OW),
                    i64(SH), i64(SW), i64(0), i64(y[0] * y[1])});
}

void Emitter::convTranspose(const Node &n) {
  requireF32(n);
  callRange("cnnc_conv_transpose_f32", convArgs(*this, n));
}

// MaxPool and AveragePool on blocked operands (ir/LayoutRules.h).
void Emitter::blockedPool(const Node &n) {
  Window3D w = window3D(n);
  std::vector<llvm::Value *> args{
      pointer(n.inputs[0]), pointer(n.outputs[0]),
      i64(n.kind == OpKind::MaxPool ? 0 : 1), i64(w.in[1]), i64(w.in[2]),
      i64(w.out[1]), i64(w.out[2]), i64(w.kernel[1]), i64(w.kernel[2]),
      i64(w.stride[1]), i64(w.stride[2]), i64(w.dilation[1]),
      i64(w.dilation[2]), i64(w.padBegin[1]), i64(w.padBegin[2]),
      i64(w.padEnd[1]), i64(w.padEnd[2]),
      i64(n.kind == OpKind::AveragePool ? n.getInt("count_include_pad") : 0),
      i64(blockedPlanes(n.outputs[0])), i64(0),
      i64(blockedPlanes(n.outputs[0]) * w.out[1])};
  callRange(blockedKernel("cnnc_pool_nchwc", n.outputs[0]), args);
}

// MaxPool, AveragePool and LpPool: one kernel, `kind` 0, 1 or 2.
void Emitter::pool(const Node &n) {
  if (isBlocked(n.outputs[0]))
    return blockedPool(n);
  const char *kernel = poolKernel(n);
  if (!kernel)
    n.error("code generation supports {} on f32 and f64 tensors{}, not {}",
            n.opName(), n.kind == OpKind::MaxPool ? ", i8 and u8" : "",
            n.inputs[0]->type.str());
  const Shape &y = n.outputs[0]->type.shape;
  Window3D w = window3D(n);
  int64_t kind = n.kind == OpKind::MaxPool       ? 0
                 : n.kind == OpKind::AveragePool ? 1
                                                 : 2;
  int64_t p = kind == 2 ? n.getInt("p") : 1;
  if (p <= 0)
    n.error("p must be positive, got {}", p);
  int64_t storageOrder = kind == 0 ? n.getInt("storage_order") : 0;
  if (storageOrder != 0 && storageOrder != 1)
    n.error("storage_order must be 0 or 1, got {}", storageOrder);
  // p has the kernel's element type; it is 1 (unused) for the other kinds.
  llvm::Type *pType = libjitFunction(kernel)->getArg(4)->getType();
  llvm::Value *pValue = pType->isFloatingPointTy()
                            ? llvm::ConstantFP::get(pType, double(p))
                            : llvm::ConstantInt::get(pType, uint64_t(p));
  std::vector<llvm::Value *> args{
      pointer(n.inputs[0]), pointer(n.outputs[0]),
      optionalPointer(n.outputs.size() > 1 ? n.outputs[1] : nullptr), i64(kind),
      pValue};
  for (const int64_t *field :
       {w.in, w.out, w.kernel, w.stride, w.dilation, w.padBegin, w.padEnd})
    for (size_t d = 0; d < 3; ++d)
      args.push_back(i64(field[d]));
  args.push_back(i64(kind == 1 ? n.getInt("count_include_pad") : 0));
  args.push_back(i64(storageOrder));
  args.push_back(i64(0));
  args.push_back(i64(y[0] * y[1]));
  callRange(kernel, args);
}

void Emitter::lpPool(const Node &n) { pool(n); }

// Reorder between plain and NCHWBc (ir/LayoutRules.h): planes (n, channel
// block) of the blocked side.
void Emitter::reorder(const Node &n) {
  requireF32(n);
  const Value *x = n.inputs[0], *y = n.outputs[0];
  bool toBlocked = isBlocked(y);
  const Value *blocked = toBlocked ? y : x;
  const Shape &shape = x->type.shape;
  // Stripes of an image: runs of 256 elements or more of each plane, at most
  // 64 of them.
  int64_t R = elementCount(shape, 2, shape.size());
  int64_t parts = std::clamp<int64_t>(R / 256, 1, 64);
  callRange(blockedKernel("cnnc_reorder_nchwc", blocked),
            {pointer(x), pointer(y), i64(shape[1]), i64(R), i64(toBlocked),
             i64(blockedPlanes(blocked)), i64(parts), i64(0),
             i64(blockedPlanes(blocked) * parts)});
}

void Emitter::globalPool(const Node &n) {
  requireF32(n);
  const Shape &x = n.inputs[0]->type.shape;
  if (isBlocked(n.inputs[0]))
    return callRange(
        blockedKernel("cnnc_global_pool_nchwc", n.inputs[0]),
        {pointer(n.inputs[0]), pointer(n.outputs[0]),
         i64(n.kind == OpKind::GlobalAveragePool ? 1 : 0),
         i64(elementCount(x, 2, x.size())), i64(0),
         i64(blockedPlanes(n.inputs[0]))});
  callRange("cnnc_global_pool_f32",
            {pointer(n.inputs[0]), pointer(n.outputs[0]),
             i64(n.kind == OpKind::GlobalAveragePool ? 1 : 0),
             i64(elementCount(x, 2, x.size())), i64(0), i64(x[0] * x[1])});
}

} // namespace cnnc
