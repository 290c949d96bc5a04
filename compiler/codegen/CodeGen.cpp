#include "compiler/codegen/CodeGen.h"

#include <llvm/MC/MCSubtargetInfo.h>

#include "compiler/codegen/Emitter.h"
#include "compiler/codegen/Profile.h"
#include "ir/Printer.h"
#include "ir/Summary.h"

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
#include <cstring>
#include <map>
#include <optional>

namespace cnnc {

extern const unsigned char libjitBitcode[];
extern const size_t libjitBitcodeSize;

namespace {
constexpr int64_t kAlignment = kWorkspaceAlignment;
} // namespace

llvm::Value *Emitter::pointer(const Value *v) {
  auto it = pointers_.find(v);
  if (it != pointers_.end())
    return it->second;
  // A constant (even one that is also a graph output) reads its global; a
  // graph input its caller buffer; a node result the output buffer when it
  // is a graph output, else its workspace slot.
  llvm::Value *p = nullptr;
  if (v->isConstant() && weights_) {
    const std::vector<uint8_t> &bytes = v->constant->bytes();
    p = weightsFileData(v, "w." + v->name, bytes.data(), bytes.size());
  } else if (v->isConstant()) {
    const std::vector<uint8_t> &bytes = v->constant->bytes();
    p = byteConstant("w." + v->name, bytes.data(), bytes.size());
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
  if (!p) {
    const TensorPlacement *placement = plan_.find(v);
    if (!placement)
      throw InternalError("no workspace slot for '" + v->name + "'");
    // One pointer per offset: a result in place and its operand, or a view
    // and its owner, are then the same pointer, which is how emitLoopNest
    // knows not to mark them noalias. (The entry function is one basic
    // block, so the first pointer made for an offset dominates every use.)
    llvm::Value *&slot = workspacePointers_[placement->offset];
    if (!slot)
      slot = b_.CreateConstGEP1_64(b_.getInt8Ty(), workspace_,
                                   uint64_t(placement->offset), v->name);
    p = slot;
  }
  pointers_[v] = p;
  return p;
}

void Emitter::call(const char *kernel, std::vector<llvm::Value *> args) {
  callFunction(libjitFunction(kernel), std::move(args), false);
}

void Emitter::callRange(const std::string &kernel,
                        std::vector<llvm::Value *> args, int64_t macsPerItem,
                        int64_t minItemsPerChunk) {
  callFunction(libjitFunction(kernel), std::move(args), true, macsPerItem,
               minItemsPerChunk);
}

llvm::Function *Emitter::libjitFunction(const std::string &kernel) {
  llvm::Function *f = m_.getFunction(kernel);
  if (!f)
    throw InternalError(fmt::format("libjit has no kernel '{}'", kernel));
  return f;
}

void Emitter::requireF32(const Node &n) {
  for (const Value *v : n.inputs)
    if (v && v->type.dtype != DType::F32 && !v->isConstant())
      n.error("code generation supports f32 tensors only, operand '{}' is {}",
              v->name, v->type.str());
}

// Layers of the same shape (ResNet-50's six layer3 3x3 convolutions, say)
// call a kernel with the same constant arguments and different buffers.
// Inlined into each call, the kernel would be optimized and compiled once
// per layer: most of the compile time of a deep model. Instead each distinct
// set of constants gets one specialization, `spec.KERNEL.N(pointers...)`,
// the kernel inlined with those constants, which the layers call with their
// buffers. Constants that are addresses (weights, tables) stay arguments;
// null pointers and functions (a fused epilogue) are part of the key.
std::pair<llvm::Function *, std::vector<llvm::Value *>>
Emitter::specialization(llvm::Function *kernel,
                        const std::vector<llvm::Value *> &args) {
  // What the specialization holds, as its key; the rest is passed.
  auto held = [](llvm::Value *a) -> std::optional<std::string> {
    if (auto *i = llvm::dyn_cast<llvm::ConstantInt>(a))
      return std::to_string(i->getSExtValue());
    if (auto *x = llvm::dyn_cast<llvm::ConstantFP>(a))
      return "f" + std::to_string(
                       x->getValueAPF().bitcastToAPInt().getZExtValue());
    if (llvm::isa<llvm::ConstantPointerNull>(a))
      return "null";
    if (llvm::isa<llvm::Function>(a))
      return "@" + a->getName().str();
    return std::nullopt;
  };
  std::string key = kernel->getName().str();
  std::vector<llvm::Value *> passed;
  std::vector<llvm::Type *> types;
  for (llvm::Value *a : args) {
    std::optional<std::string> h = held(a);
    key += " " + h.value_or("%");
    if (!h) {
      passed.push_back(a);
      types.push_back(a->getType());
    }
  }
  llvm::Function *&spec = specializations_[key];
  if (!spec) {
    auto *type = llvm::FunctionType::get(kernel->getReturnType(), types, false);
    spec = llvm::Function::Create(
        type, llvm::GlobalValue::InternalLinkage,
        fmt::format("spec.{}.{}", kernel->getName().str(),
                    specializations_.size() - 1),
        m_);
    spec->addFnAttr(llvm::Attribute::NoInline);
    llvm::IRBuilder<> sb(llvm::BasicBlock::Create(ctx_, "entry", spec));
    std::vector<llvm::Value *> kernelArgs;
    unsigned next = 0;
    for (llvm::Value *a : args)
      kernelArgs.push_back(held(a) ? a : spec->getArg(next++));
    llvm::CallInst *call = sb.CreateCall(kernel, kernelArgs);
    if (type->getReturnType()->isVoidTy())
      sb.CreateRetVoid();
    else
      sb.CreateRet(call);
  }
  return {spec, passed};
}

void Emitter::callFunction(llvm::Function *f, std::vector<llvm::Value *> args,
                           bool takesRange, int64_t macsPerItem,
                           int64_t minItemsPerChunk) {
  auto *count = llvm::dyn_cast<llvm::ConstantInt>(args.back());
  if (!takesRange || !count || count->getSExtValue() < 2 || serial_) {
    auto [spec, passed] = specialization(f, args);
    b_.CreateCall(spec, passed);
    return;
  }
  // cnnc_parallel_for(count, grain, task, context): the task calls the
  // kernel on its [begin, end); the context holds the arguments that are not
  // constants (buffer pointers, run-time scalars). A chunk gets at least
  // kMinChunk output elements, or kMinChunkMacs multiply-adds (under a
  // microsecond) where the caller counts them, so that the tiniest layers
  // stay on one thread. Workers spin between a model's nodes, so handing
  // them a chunk costs little; a layer left to the caller alone would read
  // much of its input from the other core's cache.
  constexpr int64_t kMinChunk = 16384, kMinChunkMacs = int64_t(1) << 15;
  int64_t items = count->getSExtValue();
  int64_t outputs = std::max<int64_t>(1, current_->outputs[0]->type.numElements());
  int64_t grain = std::max(
      minItemsPerChunk,
      macsPerItem > 0 ? std::max<int64_t>(1, kMinChunkMacs / macsPerItem)
                      : std::max<int64_t>(1, kMinChunk * items / outputs));
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
  auto [spec, passed] = specialization(f, taskArgs);
  tb.CreateCall(spec, passed);
  tb.CreateRetVoid();
}

std::vector<float> Emitter::constantFloats(const Node &n, size_t i) {
  const Tensor *t = n.constantInput(i);
  if (!t || !t->hasData())
    n.error("operand {} must be a constant with data for code generation", i);
  compileTimeReads_.insert(n.inputs[i]); // the code holds what it computes
  std::vector<float> v(size_t(t->numElements()));
  if (t->type().dtype == DType::F32 && !v.empty())
    std::memcpy(v.data(), t->bytes().data(), v.size() * sizeof(float));
  else
    for (size_t k = 0; k < v.size(); ++k)
      v[k] = float(t->floatAt(int64_t(k)));
  return v;
}

// The data is an array of bytes, whatever its type: LLVM's assembly printer
// writes a byte array in one piece but a float array element by element,
// which took seconds for VGG16's 400 MB of fully connected weights.
llvm::GlobalVariable *Emitter::byteConstant(const std::string &name,
                                            const void *data, size_t size) {
  auto *array = llvm::ConstantDataArray::getRaw(
      llvm::StringRef(static_cast<const char *>(data), size), size,
      b_.getInt8Ty());
  auto *global = new llvm::GlobalVariable(m_, array->getType(),
                                          /*isConstant=*/true,
                                          llvm::GlobalValue::PrivateLinkage,
                                          array, name);
  global->setAlignment(llvm::Align(kAlignment));
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return global;
}

// The next 64-aligned place in the weights file; the first data placed
// for `source` gives its offset.
llvm::Value *Emitter::weightsFileData(const Value *source,
                                      const std::string &name,
                                      const void *data, size_t size) {
  std::vector<uint8_t> &blob = weights_->bytes;
  blob.resize((blob.size() + kAlignment - 1) / kAlignment * kAlignment);
  weightOffsets_.emplace(source, blob.size());
  llvm::Value *p =
      b_.CreateConstGEP1_64(b_.getInt8Ty(), weightsArg_, blob.size(), name);
  const auto *bytes = static_cast<const uint8_t *>(data);
  blob.insert(blob.end(), bytes, bytes + size);
  return p;
}

llvm::Value *Emitter::derivedConstant(const Value *source,
                                      const std::string &layout,
                                      const void *data, size_t size) {
  std::string name = source->name + "." + layout;
  if (weights_) {
    derivedLayouts_.emplace(source, layout);
    return weightsFileData(source, name, data, size);
  }
  compileTimeReads_.insert(source); // the code holds what was made of it
  return byteConstant(name, data, size);
}

llvm::Value *Emitter::floatConstant(const std::string &name,
                                    const std::vector<float> &values) {
  return byteConstant(name, values.data(), values.size() * sizeof(float));
}

llvm::Value *Emitter::int64Constant(const std::string &name,
                                    const std::vector<int64_t> &values) {
  return byteConstant(name, values.data(), values.size() * sizeof(int64_t));
}

void Emitter::emitNode(const Node &n) {
  current_ = &n;
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
    return convTranspose(n);
  case OpKind::FusedConv:
    return fusedConv(n);
  case OpKind::Gemm1x1:
    return gemm1x1(n);
  case OpKind::ExpandDepthwise:
    return expandDepthwise(n);
  case OpKind::Reorder:
    return reorder(n);
  case OpKind::LpPool:
    return lpPool(n);
  case OpKind::InstanceNormalization:
    return instanceNorm(n);
  case OpKind::LRN:
    return lrn(n);
  case OpKind::Resize:
    return resize(n);
  case OpKind::Mean:
    return binary(n);
  case OpKind::Cast:
    return cast(n);
  case OpKind::ReduceMean:
  case OpKind::ReduceSum:
  case OpKind::ReduceMax:
    return reduce(n);
  case OpKind::Split:
    return split(n);
  case OpKind::Slice:
    return slice(n);
  case OpKind::Pad:
    return pad(n);
  case OpKind::Gather:
    return gather(n);
  case OpKind::Shape:
    return shape(n);
  case OpKind::ConstantOfShape:
    return constantOfShape(n);
  case OpKind::Expand:
    return expand(n);
  }
  throw InternalError("emitNode: unknown op kind");
}

void Emitter::emitEntry() {
  plan_ = checkedMemoryPlan(g_);
  llvm::Type *ptr = b_.getPtrTy();
  std::vector<llvm::Type *> params{ptr, ptr, ptr};
  if (weights_)
    params.push_back(ptr);
  auto *type = llvm::FunctionType::get(b_.getInt32Ty(), params, false);
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
  if (weights_) {
    weightsArg_ = f->getArg(3);
    weightsArg_->setName("weights");
    f->addParamAttr(
        3, llvm::Attribute::getWithAlignment(ctx_, llvm::Align(kAlignment)));
  }
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", f));
  // Under kSerialMacs multiply-adds (LeNet-5 has 0.4M, a few microseconds
  // on one core) every layer is too small to split: handing half of one to
  // another core and reading its result back costs about as much as the
  // layer (LeNet took 13 us on two threads, 8 us on one).
  constexpr int64_t kSerialMacs = int64_t(1) << 20;
  serial_ = summarize(g_).totalMacs < kSerialMacs;
  std::vector<Diagnostic> problems;
  std::optional<ProfileInstrumentation> profile;
  if (options_.profile)
    profile.emplace(g_, m_, options_.name);
  std::optional<ObserveInstrumentation> observe;
  if (options_.observe)
    observe.emplace(g_, m_, options_.name);
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    llvm::Value *start = profile ? profile->start(b_) : nullptr;
    try {
      emitNode(*g_.nodes[i]);
    } catch (const UserError &e) {
      problems.insert(problems.end(), e.diagnostics().begin(),
                      e.diagnostics().end());
    }
    if (profile)
      profile->record(b_, i, start);
    if (observe && problems.empty())
      observe->record(b_, *g_.nodes[i],
                      [&](const Value *v) { return pointer(v); });
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
  if (weights_)
    weights_->hash = architectureHash();

  auto *size = new llvm::GlobalVariable(
      m_, b_.getInt64Ty(), true, llvm::GlobalValue::ExternalLinkage,
      b_.getInt64(uint64_t(plan_.workspaceSize)),
      options_.name + "_workspace_size");
  size->setAlignment(llvm::Align(8));
}

uint64_t Emitter::architectureHash() const {
  // FNV-1a over a description of everything but the weights file's data:
  // value ids in order of appearance, types, ops with their attributes, and
  // the data of constants read at compile time (which the code holds).
  std::string text;
  std::map<const Value *, size_t> ids;
  auto id = [&](const Value *v) -> std::string {
    if (!v)
      return "_";
    auto [it, fresh] = ids.emplace(v, ids.size());
    std::string s = "%" + std::to_string(it->second);
    if (!fresh)
      return s;
    s += ":" + v->type.str();
    if (v->isConstant()) {
      auto w = weightOffsets_.find(v);
      auto layout = derivedLayouts_.find(v);
      if (w != weightOffsets_.end() && !compileTimeReads_.count(v))
        s += "@" + std::to_string(w->second) +
             (layout != derivedLayouts_.end() ? ":" + layout->second : "");
      else
        s += "=" + std::string(v->constant->bytes().begin(),
                               v->constant->bytes().end());
    }
    return s;
  };
  for (const Value *v : g_.inputs)
    text += "in " + id(v) + "\n";
  for (const auto &n : g_.nodes) {
    text += n->opName();
    for (const auto &[name, attr] : n->attrs)
      text += " " + name + "=" + printAttribute(attr);
    for (const Value *v : n->inputs)
      text += " " + id(v);
    text += " ->";
    for (const Value *v : n->outputs)
      text += " " + id(v);
    text += "\n";
  }
  for (const Value *v : g_.outputs)
    text += "out " + id(v) + "\n";
  text += "weights " + std::to_string(weights_->bytes.size());
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text)
    hash = (hash ^ c) * 0x100000001b3ULL;
  return hash;
}

namespace {

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

int64_t preferredChannelBlock(const llvm::TargetMachine &machine) {
  return machine.getMCSubtargetInfo()->checkFeatures("+avx512f") ? 16 : 8;
}

VectorRegisters vectorRegisters(const llvm::TargetMachine &machine) {
  const llvm::MCSubtargetInfo &info = *machine.getMCSubtargetInfo();
  if (info.checkFeatures("+avx512f"))
    return {512, 32};
  if (info.checkFeatures("+avx"))
    return {256, 16};
  return {128, 16};
}

std::unique_ptr<llvm::Module> generateModule(const Graph &graph,
                                             llvm::LLVMContext &context,
                                             llvm::TargetMachine &machine,
                                             const CodeGenOptions &options,
                                             WeightsBlob *weights) {
  auto m = std::make_unique<llvm::Module>(options.name, context);
  m->setTargetTriple(machine.getTargetTriple().str());
  m->setDataLayout(machine.createDataLayout());
  if (llvm::Linker::linkModules(*m, loadLibjit(context, machine)))
    throw InternalError("cannot link libjit into the model module");
  if (options.externalWeights && !weights)
    throw InternalError("generateModule: externalWeights needs a WeightsBlob");
  if (weights)
    *weights = WeightsBlob{};
  Emitter(graph, *m, options, options.externalWeights ? weights : nullptr,
          vectorRegisters(machine))
      .emitEntry();
  for (llvm::Function &f : *m)
    if (!f.isDeclaration() && f.getName() != options.name + "_run" &&
        f.getName() != ProfileInstrumentation::accessorName(options.name) &&
        f.getName() != ObserveInstrumentation::accessorName(options.name))
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (llvm::verifyModule(*m, &os))
    throw InternalError("generated module does not verify: " + errors);
  optimize(*m, machine, options.optLevel);
  return m;
}

int64_t workspaceSize(const Graph &graph) {
  return checkedMemoryPlan(graph).workspaceSize;
}

} // namespace cnnc
