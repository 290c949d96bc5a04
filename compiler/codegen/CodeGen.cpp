#include "compiler/codegen/CodeGen.h"

#include "compiler/codegen/MemoryPlan.h"
#include "ir/ShapeInference.h"

#include <llvm/ADT/StringSwitch.h>
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Linker/Linker.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>

#include <cmath>
#include <map>

namespace cnnc {

extern const unsigned char libjitBitcode[];
extern const size_t libjitBitcodeSize;

namespace {

constexpr int64_t kAlignment = kWorkspaceAlignment;

// Emits the calls of one model's entry function.
class Emitter {
public:
  Emitter(const Graph &g, llvm::Module &m, const CodeGenOptions &options)
      : g_(g), m_(m), ctx_(m.getContext()), b_(ctx_), options_(options) {}

  void emitEntry();

private:
  // Pointers to values.
  llvm::Value *pointer(const Value *v);
  llvm::Value *optionalPointer(const Value *v) {
    return v ? pointer(v) : llvm::ConstantPointerNull::get(b_.getPtrTy());
  }
  llvm::Constant *i64(int64_t v) { return b_.getInt64(uint64_t(v)); }
  llvm::Constant *f32(double v) {
    return llvm::ConstantFP::get(b_.getFloatTy(), v);
  }
  void call(const char *kernel, std::vector<llvm::Value *> args);
  // The f32 data of a constant operand (BatchNormalization's statistics).
  std::vector<float> constantFloats(const Node &n, size_t i);
  llvm::Value *floatConstant(const std::string &name,
                             const std::vector<float> &values);

  void emitNode(const Node &n);
  void conv(const Node &n);
  void pool(const Node &n);
  void globalPool(const Node &n);
  void gemm(const Node &n, bool matMul);
  void unary(const Node &n);
  void binary(const Node &n);
  void batchNorm(const Node &n);
  void softmax(const Node &n);
  void copy(const Node &n);
  void concat(const Node &n);
  void transpose(const Node &n);

  const Graph &g_;
  llvm::Module &m_;
  llvm::LLVMContext &ctx_;
  llvm::IRBuilder<> b_;
  const CodeGenOptions &options_;
  MemoryPlan plan_;
  const Node *current_ = nullptr; // the node being lowered
  llvm::Value *inputs_ = nullptr, *outputs_ = nullptr, *workspace_ = nullptr;
  std::map<const Value *, llvm::Value *> pointers_;
};

llvm::Value *Emitter::pointer(const Value *v) {
  auto it = pointers_.find(v);
  if (it != pointers_.end())
    return it->second;
  // A constant (even one that is also a graph output) reads its global; a
  // graph input its caller buffer; a node result the output buffer when it
  // is a graph output, else its workspace slot.
  llvm::Value *p = nullptr;
  if (v->isConstant()) {
    const std::vector<uint8_t> &bytes = v->constant->bytes();
    auto *data = llvm::ConstantDataArray::getRaw(
        llvm::StringRef(reinterpret_cast<const char *>(bytes.data()),
                        bytes.size()),
        bytes.size(), b_.getInt8Ty());
    auto *global = new llvm::GlobalVariable(
        m_, data->getType(), /*isConstant=*/true,
        llvm::GlobalValue::PrivateLinkage, data, "w." + v->name);
    global->setAlignment(llvm::Align(kAlignment));
    global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    p = global;
  }
  for (size_t i = 0; i < g_.inputs.size() && !p; ++i)
    if (g_.inputs[i] == v)
      p = b_.CreateLoad(b_.getPtrTy(),
                        b_.CreateConstGEP1_64(b_.getPtrTy(), inputs_, i),
                        "in." + v->name);
  for (size_t i = 0; i < g_.outputs.size() && !p; ++i)
    if (g_.outputs[i] == v)
      p = b_.CreateLoad(b_.getPtrTy(),
                        b_.CreateConstGEP1_64(b_.getPtrTy(), outputs_, i),
                        "out." + v->name);
  if (!p)
    p = b_.CreateConstGEP1_64(b_.getInt8Ty(), workspace_,
                              uint64_t(plan_.find(v)->offset), v->name);
  pointers_[v] = p;
  return p;
}

// The kernels whose last two parameters are a [begin, end) range of
// independent work items (libjit.c documents each): their calls run on the
// runtime's thread pool.
bool takesRange(llvm::StringRef kernel) {
  return llvm::StringSwitch<bool>(kernel)
      .Cases("cnnc_conv2d_f32", "cnnc_pool2d_f32", "cnnc_global_pool_f32",
             "cnnc_gemm_f32", "cnnc_unary_f32", true)
      .Cases("cnnc_binary_f32", "cnnc_channel_affine_f32",
             "cnnc_batchnorm_f32", "cnnc_softmax_f32", true)
      .Default(false);
}

void Emitter::call(const char *kernel, std::vector<llvm::Value *> args) {
  llvm::Function *f = m_.getFunction(kernel);
  if (!f)
    throw InternalError(fmt::format("libjit has no kernel '{}'", kernel));
  auto *count = llvm::dyn_cast<llvm::ConstantInt>(args.back());
  if (!takesRange(kernel) || !count || count->getSExtValue() < 2) {
    b_.CreateCall(f, args);
    return;
  }
  // cnnc_parallel_for(count, grain, task, context): the task calls the
  // kernel on its [begin, end); the context holds the arguments that are not
  // constants (buffer pointers, run-time scalars). A chunk gets at least
  // kMinChunk output elements, so small layers stay on one thread.
  constexpr int64_t kMinChunk = 16384;
  int64_t items = count->getSExtValue();
  int64_t outputs = std::max<int64_t>(1, current_->outputs[0]->type.numElements());
  int64_t grain = std::max<int64_t>(1, kMinChunk * items / outputs);
  std::vector<llvm::Type *> fieldTypes;
  std::vector<size_t> dynamic;
  for (size_t i = 0; i + 2 < args.size(); ++i)
    if (!llvm::isa<llvm::Constant>(args[i])) {
      dynamic.push_back(i);
      fieldTypes.push_back(args[i]->getType());
    }
  auto *contextType = llvm::StructType::get(ctx_, fieldTypes);
  llvm::Type *i64Type = b_.getInt64Ty(), *ptr = b_.getPtrTy();
  auto *taskType = llvm::FunctionType::get(b_.getVoidTy(), {ptr, i64Type, i64Type}, false);
  auto *task = llvm::Function::Create(taskType, llvm::GlobalValue::InternalLinkage,
                                      "task." + current_->name, m_);
  // Fill the context in the entry function.
  llvm::Value *context = b_.CreateAlloca(contextType);
  for (size_t k = 0; k < dynamic.size(); ++k)
    b_.CreateStore(args[dynamic[k]], b_.CreateStructGEP(contextType, context, unsigned(k)));
  llvm::FunctionCallee parallelFor = m_.getOrInsertFunction(
      "cnnc_parallel_for", b_.getVoidTy(), i64Type, i64Type, ptr, ptr);
  b_.CreateCall(parallelFor, {count, b_.getInt64(uint64_t(grain)), task, context});
  // The task: load the dynamic arguments, call the kernel on the range.
  llvm::IRBuilder<> tb(llvm::BasicBlock::Create(ctx_, "entry", task));
  std::vector<llvm::Value *> taskArgs = args;
  for (size_t k = 0; k < dynamic.size(); ++k)
    taskArgs[dynamic[k]] = tb.CreateLoad(
        fieldTypes[k], tb.CreateStructGEP(contextType, task->getArg(0), unsigned(k)));
  taskArgs[args.size() - 2] = task->getArg(1);
  taskArgs[args.size() - 1] = task->getArg(2);
  tb.CreateCall(f, taskArgs);
  tb.CreateRetVoid();
}

std::vector<float> Emitter::constantFloats(const Node &n, size_t i) {
  const Tensor *t = n.constantInput(i);
  if (!t || !t->hasData())
    n.error("operand {} must be a constant with data for code generation", i);
  std::vector<float> v(size_t(t->numElements()));
  for (size_t k = 0; k < v.size(); ++k)
    v[k] = float(t->floatAt(int64_t(k)));
  return v;
}

llvm::Value *Emitter::floatConstant(const std::string &name,
                                    const std::vector<float> &values) {
  auto *data = llvm::ConstantDataArray::get(ctx_, values);
  auto *global = new llvm::GlobalVariable(
      m_, data->getType(), true, llvm::GlobalValue::PrivateLinkage, data, name);
  global->setAlignment(llvm::Align(kAlignment));
  return global;
}

// ------------------------------------------------------------ the ops

// A window's geometry as 2-D (1-D windows get a height of 1).
struct Window2D {
  int64_t H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR;
};

Window2D window2D(const Node &n) {
  const Shape &x = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  Window win = resolvedWindow(n);
  if (x.size() == 3)
    return {1, x[2],
            1, y[2],
            1, win.kernel[0],
            1, win.strides[0],
            1, win.dilations[0],
            0, win.pads[0],
            0, win.pads[1]};
  if (x.size() != 4)
    n.error("code generation supports 1-D and 2-D windows, not {}-D",
            x.size() - 2);
  return {x[2],
          x[3],
          y[2],
          y[3],
          win.kernel[0],
          win.kernel[1],
          win.strides[0],
          win.strides[1],
          win.dilations[0],
          win.dilations[1],
          win.pads[0],
          win.pads[1],
          win.pads[2],
          win.pads[3]};
}

void Emitter::conv(const Node &n) {
  const Shape &x = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  Window2D w = window2D(n);
  call("cnnc_conv2d_f32", {pointer(n.inputs[0]),
                           pointer(n.inputs[1]),
                           optionalPointer(n.input(2)),
                           pointer(n.outputs[0]),
                           i64(x[1]),
                           i64(w.H),
                           i64(w.W),
                           i64(y[1]),
                           i64(w.OH),
                           i64(w.OW),
                           i64(w.KH),
                           i64(w.KW),
                           i64(w.SH),
                           i64(w.SW),
                           i64(w.DH),
                           i64(w.DW),
                           i64(w.PT),
                           i64(w.PL),
                           i64(n.getInt("group")),
                           i64(0),
                           i64(y[0] * y[1])});
}

void Emitter::pool(const Node &n) {
  if (n.outputs.size() > 1)
    n.error("code generation does not produce MaxPool's Indices yet");
  const Shape &y = n.outputs[0]->type.shape;
  Window2D w = window2D(n);
  bool average = n.kind == OpKind::AveragePool;
  call("cnnc_pool2d_f32", {pointer(n.inputs[0]),
                           pointer(n.outputs[0]),
                           i64(average ? 1 : 0),
                           i64(w.H),
                           i64(w.W),
                           i64(w.OH),
                           i64(w.OW),
                           i64(w.KH),
                           i64(w.KW),
                           i64(w.SH),
                           i64(w.SW),
                           i64(w.DH),
                           i64(w.DW),
                           i64(w.PT),
                           i64(w.PL),
                           i64(w.PB),
                           i64(w.PR),
                           i64(average ? n.getInt("count_include_pad") : 0),
                           i64(0),
                           i64(y[0] * y[1])});
}

void Emitter::globalPool(const Node &n) {
  const Shape &x = n.inputs[0]->type.shape;
  call("cnnc_global_pool_f32",
       {pointer(n.inputs[0]), pointer(n.outputs[0]),
        i64(n.kind == OpKind::GlobalAveragePool ? 1 : 0),
        i64(elementCount(x, 2, x.size())), i64(0), i64(x[0] * x[1])});
}

void Emitter::gemm(const Node &n, bool matMul) {
  const Shape &a = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  if (matMul && (a.size() != 2 || n.inputs[1]->type.rank() != 2))
    n.error("code generation supports 2-D MatMul only");
  bool transA = !matMul && n.getInt("transA") != 0;
  int64_t M = y[0], N = y[1], K = transA ? a[0] : a[1];
  int64_t cKind = 0;
  const Value *c = matMul ? nullptr : n.input(2);
  if (c) {
    const Shape &cs = c->type.shape;
    int64_t count = elementCount(cs);
    if (count == 1)
      cKind = 1;
    else if (cs.back() == N && count == N)
      cKind = 2;
    else if (count == M && cs.size() == 2 && cs[1] == 1)
      cKind = 3;
    else
      cKind = 4;
  }
  call("cnnc_gemm_f32",
       {pointer(n.inputs[0]), pointer(n.inputs[1]), optionalPointer(c),
        pointer(n.outputs[0]), i64(M), i64(N), i64(K), i64(transA),
        i64(!matMul && n.getInt("transB") != 0),
        f32(matMul ? 1.0 : n.getFloat("alpha")),
        f32(matMul ? 1.0 : n.getFloat("beta")), i64(cKind), i64(0), i64(M)});
}

// The libjit UNARY_* codes (libjit.c keeps the same order).
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

void Emitter::unary(const Node &n) {
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
  call("cnnc_unary_f32",
       {pointer(n.inputs[0]), pointer(n.outputs[0]), i64(op),
        loadedMin ? loadedMin : f32(alpha), loadedMax ? loadedMax : f32(beta),
        f32(gamma), i64(0), i64(n.outputs[0]->type.numElements())});
}

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

void Emitter::binary(const Node &n) {
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
  call("cnnc_binary_f32",
       {pointer(n.inputs[0]), pointer(n.inputs[1]), pointer(n.outputs[0]),
        i64(op), i64(out[1]), i64(out[2]), i64(out[3]), i64(as[0]), i64(as[1]),
        i64(as[2]), i64(as[3]), i64(bs[0]), i64(bs[1]), i64(bs[2]), i64(bs[3]),
        i64(0), i64(out[0] * out[1])});
}

void Emitter::batchNorm(const Node &n) {
  if (n.getInt("training_mode") != 0 || n.outputs.size() > 1)
    n.error("code generation supports BatchNormalization in inference only");
  const Shape &x = n.inputs[0]->type.shape;
  bool constantStatistics = true;
  for (size_t i = 1; i < 5; ++i)
    if (const Tensor *t = n.constantInput(i); !t || !t->hasData())
      constantStatistics = false;
  if (!constantStatistics) {
    // Statistics known at run time only: the kernel folds them per plane.
    call("cnnc_batchnorm_f32",
         {pointer(n.inputs[0]), pointer(n.inputs[1]), pointer(n.inputs[2]),
          pointer(n.inputs[3]), pointer(n.inputs[4]), pointer(n.outputs[0]),
          f32(n.getFloat("epsilon")), i64(x[1]),
          i64(elementCount(x, 2, x.size())), i64(0), i64(x[0] * x[1])});
    return;
  }
  std::vector<float> scale = constantFloats(n, 1), bias = constantFloats(n, 2),
                     mean = constantFloats(n, 3), var = constantFloats(n, 4);
  // Folded at compile time into y = x * s + t per channel, in double.
  std::vector<float> s(scale.size()), t(scale.size());
  double eps = n.getFloat("epsilon");
  for (size_t c = 0; c < s.size(); ++c) {
    double k = scale[c] / std::sqrt(double(var[c]) + eps);
    s[c] = float(k);
    t[c] = float(bias[c] - mean[c] * k);
  }
  call("cnnc_channel_affine_f32",
       {pointer(n.inputs[0]), floatConstant("bn.scale." + n.name, s),
        floatConstant("bn.shift." + n.name, t), pointer(n.outputs[0]),
        i64(x[1]), i64(elementCount(x, 2, x.size())), i64(0),
        i64(x[0] * x[1])});
}

void Emitter::softmax(const Node &n) {
  const Shape &x = n.inputs[0]->type.shape;
  int64_t axis = normalizeAxis(n, n.getInt("axis"), int64_t(x.size()));
  call("cnnc_softmax_f32",
       {pointer(n.inputs[0]), pointer(n.outputs[0]),
        i64(n.kind == OpKind::LogSoftmax), i64(x[size_t(axis)]),
        i64(elementCount(x, size_t(axis) + 1, x.size())), i64(0),
        i64(elementCount(x, 0, size_t(axis)))});
}

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

void Emitter::emitNode(const Node &n) {
  current_ = &n;
  // Every compute kernel is f32; data movement works on bytes.
  bool dataMovement = false;
  switch (n.kind) {
  case OpKind::Flatten:
  case OpKind::Reshape:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Identity:
  case OpKind::Concat:
  case OpKind::Transpose:
    dataMovement = true;
    break;
  default:
    break;
  }
  if (!dataMovement)
    for (const Value *v : n.inputs)
      if (v && v->type.dtype != DType::F32 && !v->isConstant())
        n.error("code generation supports f32 tensors only, operand '{}' is "
                "{}",
                v->name, v->type.str());
  switch (n.kind) {
  case OpKind::Conv:
    return conv(n);
  case OpKind::MaxPool:
  case OpKind::AveragePool:
    return pool(n);
  case OpKind::GlobalAveragePool:
  case OpKind::GlobalMaxPool:
    return globalPool(n);
  case OpKind::Gemm:
    return gemm(n, false);
  case OpKind::MatMul:
    return gemm(n, true);
  case OpKind::Relu:
  case OpKind::LeakyRelu:
  case OpKind::Sigmoid:
  case OpKind::HardSigmoid:
  case OpKind::HardSwish:
  case OpKind::Tanh:
  case OpKind::Elu:
  case OpKind::Selu:
  case OpKind::Softplus:
  case OpKind::Sqrt:
  case OpKind::Exp:
  case OpKind::Log:
  case OpKind::Abs:
  case OpKind::Neg:
  case OpKind::Reciprocal:
  case OpKind::Erf:
  case OpKind::Clip:
    return unary(n);
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div:
  case OpKind::Pow:
  case OpKind::Max:
  case OpKind::Min:
  case OpKind::Sum:
  case OpKind::PRelu:
    return binary(n);
  case OpKind::BatchNormalization:
    return batchNorm(n);
  case OpKind::Softmax:
  case OpKind::LogSoftmax:
    return softmax(n);
  case OpKind::Flatten:
  case OpKind::Reshape:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Identity:
  case OpKind::Dropout:
    return copy(n);
  case OpKind::Concat:
    return concat(n);
  case OpKind::Transpose:
    return transpose(n);
  case OpKind::ConvTranspose:
  case OpKind::LpPool:
  case OpKind::InstanceNormalization:
  case OpKind::LRN:
  case OpKind::Mean:
  case OpKind::ReduceMean:
  case OpKind::ReduceSum:
  case OpKind::ReduceMax:
  case OpKind::Split:
  case OpKind::Slice:
  case OpKind::Pad:
  case OpKind::Gather:
  case OpKind::Shape:
  case OpKind::ConstantOfShape:
  case OpKind::Expand:
  case OpKind::Cast:
  case OpKind::Resize:
    n.error("code generation does not support {} yet (cnnc-run --interp "
            "runs it)",
            n.opName());
  }
  throw InternalError("emitNode: unknown op kind");
}

void Emitter::emitEntry() {
  plan_ = planMemory(g_);
  llvm::Type *ptr = b_.getPtrTy();
  auto *type = llvm::FunctionType::get(b_.getInt32Ty(), {ptr, ptr, ptr}, false);
  auto *f = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                   options_.name + "_run", m_);
  f->getArg(0)->setName("inputs");
  f->getArg(1)->setName("outputs");
  f->getArg(2)->setName("workspace");
  f->addParamAttr(
      2, llvm::Attribute::getWithAlignment(ctx_, llvm::Align(kAlignment)));
  inputs_ = f->getArg(0);
  outputs_ = f->getArg(1);
  workspace_ = f->getArg(2);
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", f));
  std::vector<Diagnostic> problems;
  for (const auto &node : g_.nodes) {
    try {
      emitNode(*node);
    } catch (const UserError &e) {
      problems.insert(problems.end(), e.diagnostics().begin(),
                      e.diagnostics().end());
    }
  }
  if (!problems.empty())
    throw UserError(std::move(problems));
  // Output buffers the nodes did not write: outputs that are graph inputs
  // or constants, and a value listed again as a later output. Each gets a
  // copy of the value (a node result from the first slot that holds it).
  for (size_t i = 0; i < g_.outputs.size(); ++i) {
    const Value *out = g_.outputs[i];
    size_t first = size_t(std::find(g_.outputs.begin(), g_.outputs.end(), out) -
                          g_.outputs.begin());
    if (out->producer && first == i)
      continue; // the node wrote it
    llvm::Value *dst =
        b_.CreateLoad(ptr, b_.CreateConstGEP1_64(ptr, outputs_, i));
    llvm::Value *src = pointer(out); // global, input, or first output slot
    if (out->type.byteSize() > 0)
      b_.CreateMemCpy(dst, llvm::MaybeAlign(), src, llvm::MaybeAlign(),
                      out->type.byteSize());
  }
  b_.CreateRet(b_.getInt32(0));

  auto *size = new llvm::GlobalVariable(
      m_, b_.getInt64Ty(), true, llvm::GlobalValue::ExternalLinkage,
      b_.getInt64(uint64_t(plan_.workspaceSize)),
      options_.name + "_workspace_size");
  size->setAlignment(llvm::Align(8));
}

// libjit's bitcode, retargeted: its functions lose the CPU and features
// clang compiled them for and become always-inlined, so the optimizer
// specializes a copy per call (generateModule makes them internal once the
// calls exist, so the unused ones are dropped).
std::unique_ptr<llvm::Module> loadLibjit(llvm::LLVMContext &context,
                                         llvm::TargetMachine &machine) {
  llvm::MemoryBufferRef buffer(
      llvm::StringRef(reinterpret_cast<const char *>(libjitBitcode),
                      libjitBitcodeSize),
      "libjit.bc");
  auto module = llvm::parseBitcodeFile(buffer, context);
  if (!module)
    throw InternalError("cannot read libjit bitcode: " +
                        llvm::toString(module.takeError()));
  std::unique_ptr<llvm::Module> m = std::move(*module);
  m->setTargetTriple(machine.getTargetTriple().str());
  m->setDataLayout(machine.createDataLayout());
  for (llvm::Function &f : *m) {
    if (f.isDeclaration())
      continue;
    f.removeFnAttr("target-cpu");
    f.removeFnAttr("target-features");
    f.removeFnAttr("tune-cpu");
    f.removeFnAttr(llvm::Attribute::NoInline);
    f.removeFnAttr(llvm::Attribute::OptimizeNone);
    f.addFnAttr(llvm::Attribute::AlwaysInline);
  }
  return m;
}

void optimize(llvm::Module &m, llvm::TargetMachine &machine, int level) {
  for (llvm::Function &f : m) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", machine.getTargetCPU());
    f.addFnAttr("target-features", machine.getTargetFeatureString());
  }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = level >= 2;
  tuning.SLPVectorization = level >= 2;
  llvm::PassBuilder pb(&machine, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel opt = level <= 0   ? llvm::OptimizationLevel::O0
                                : level == 1 ? llvm::OptimizationLevel::O1
                                : level == 2 ? llvm::OptimizationLevel::O2
                                             : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = level <= 0
                                    ? pb.buildO0DefaultPipeline(opt)
                                    : pb.buildPerModuleDefaultPipeline(opt);
  mpm.run(m, mam);
}

} // namespace

std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CodeGenOptions &options) {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  std::string triple = options.triple.empty()
                           ? llvm::sys::getDefaultTargetTriple()
                           : options.triple;
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    userError("unknown target '{}': {}", triple, error);
  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    if (!options.triple.empty() &&
        llvm::Triple(triple).getArch() !=
            llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch())
      cpu = "generic"; // "native" means the host: of no use for another arch
    else {
      cpu = llvm::sys::getHostCPUName().str();
      for (const auto &f : llvm::sys::getHostCPUFeatures())
        features += (features.empty() ? "" : ",") +
                    std::string(f.second ? "+" : "-") + f.first().str();
    }
  }
  llvm::TargetOptions to;
  auto level = options.optLevel <= 0   ? llvm::CodeGenOptLevel::None
               : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                       : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, to, llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    userError("cannot create a target machine for '{}' (cpu '{}')", triple,
              cpu);
  return machine;
}

std::unique_ptr<llvm::Module> generateModule(const Graph &graph,
                                             llvm::LLVMContext &context,
                                             llvm::TargetMachine &machine,
                                             const CodeGenOptions &options) {
  auto m = std::make_unique<llvm::Module>(options.name, context);
  m->setTargetTriple(machine.getTargetTriple().str());
  m->setDataLayout(machine.createDataLayout());
  if (llvm::Linker::linkModules(*m, loadLibjit(context, machine)))
    throw InternalError("cannot link libjit into the model module");
  Emitter(graph, *m, options).emitEntry();
  for (llvm::Function &f : *m)
    if (!f.isDeclaration() && f.getName() != options.name + "_run")
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (llvm::verifyModule(*m, &os))
    throw InternalError("generated module does not verify: " + errors);
  optimize(*m, machine, options.optLevel);
  return m;
}

int64_t workspaceSize(const Graph &graph) {
  return planMemory(graph).workspaceSize;
}

} // namespace cnnc
