#include "compiler/codegen/Jit.h"

#include "cnnc_rt.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>

#include <exception>
#include <optional>

namespace cnnc {

struct JitModel::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  using Entry = int32_t (*)(const void *const *, void *const *, void *);
  Entry entry = nullptr;
  int64_t workspaceSize = 0;
  const cnnc_profile *profile = nullptr;
  void (*observe)(cnnc_observer, void *) = nullptr;
  std::vector<TensorType> inputTypes, outputTypes;
};

namespace {

template <typename T> T orFail(llvm::Expected<T> value, const char *what) {
  if (!value)
    throw InternalError(std::string(what) + ": " +
                        llvm::toString(value.takeError()));
  return std::move(*value);
}

} // namespace

JitModel::JitModel(const Graph &graph, int optLevel,
                   Instrumentation instrumentation)
    : impl_(std::make_unique<Impl>()) {
  CodeGenOptions options;
  options.name = "cnnc_jit";
  options.optLevel = optLevel;
  options.profile = instrumentation == Instrumentation::Profile;
  options.observe = instrumentation == Instrumentation::Observe;
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(options);
  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module =
      generateModule(graph, *context, *machine, options);
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    throw InternalError("cannot target the host: " +
                        llvm::toString(builder.takeError()));
  builder->setCPU(machine->getTargetCPU().str());
  builder->addFeatures({machine->getTargetFeatureString().str()});
  builder->setCodeGenOptLevel(machine->getOptLevel());
  impl_->jit = orFail(
      llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*builder).create(),
      "cannot create the JIT");
  // The generated code calls libm (expf, ...) and memcpy: resolve them in
  // this process.
  impl_->jit->getMainJITDylib().addGenerator(
      orFail(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
                 impl_->jit->getDataLayout().getGlobalPrefix()),
             "cannot search this process for symbols"));
  // The runtime functions the generated code calls (the thread pool, the
  // profile's clock) are linked into this program: give the JIT their
  // addresses.
  llvm::orc::SymbolMap runtime;
  auto define = [&](const char *name, auto *function) {
    runtime[impl_->jit->mangleAndIntern(name)] = {
        llvm::orc::ExecutorAddr::fromPtr(function),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  };
  define("cnnc_parallel_for", &cnnc_parallel_for);
  define("cnnc_profile_clock", &cnnc_profile_clock);
  define("cnnc_profile_record", &cnnc_profile_record);
  define("cnnc_observe_record", &cnnc_observe_record);
  if (auto error = impl_->jit->getMainJITDylib().define(
          llvm::orc::absoluteSymbols(std::move(runtime))))
    throw InternalError("cannot define the runtime symbols: " +
                        llvm::toString(std::move(error)));
  if (auto error = impl_->jit->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
    throw InternalError("cannot add the model to the JIT: " +
                        llvm::toString(std::move(error)));
  impl_->entry = orFail(impl_->jit->lookup("cnnc_jit_run"), "no entry point")
                     .toPtr<Impl::Entry>();
  impl_->workspaceSize = *orFail(impl_->jit->lookup("cnnc_jit_workspace_size"),
                                 "no workspace size")
                              .toPtr<const int64_t *>();
  if (options.profile)
    impl_->profile = orFail(impl_->jit->lookup("cnnc_jit_profile"),
                            "no profile table")
                         .toPtr<const cnnc_profile *(*)()>()();
  if (options.observe)
    impl_->observe =
        orFail(impl_->jit->lookup("cnnc_jit_observe"), "no observer setter")
            .toPtr<void (*)(cnnc_observer, void *)>();
  for (const Value *v : graph.inputs)
    impl_->inputTypes.push_back(v->type);
  for (const Value *v : graph.outputs)
    impl_->outputTypes.push_back(v->type);
}

JitModel::~JitModel() = default;

std::vector<Tensor> JitModel::run(const std::vector<Tensor> &inputs) {
  if (inputs.size() != impl_->inputTypes.size())
    userError("the model has {} inputs, {} given", impl_->inputTypes.size(),
              inputs.size());
  std::vector<const void *> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].type() != impl_->inputTypes[i])
      userError("input {} is {}, the model expects {}", i,
                inputs[i].type().str(), impl_->inputTypes[i].str());
    in.push_back(inputs[i].bytes().data());
  }
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<void *> out;
  for (const TensorType &t : impl_->outputTypes) {
    buffers.emplace_back(t.byteSize());
    out.push_back(buffers.back().data());
  }
  // 64-byte aligned, as the generated code assumes: the runtime's
  // allocator, as a compiled application uses it.
  std::unique_ptr<void, decltype(&cnnc_aligned_free)> workspace(
      cnnc_aligned_alloc(size_t(impl_->workspaceSize), CNNC_ALIGNMENT),
      &cnnc_aligned_free);
  if (!workspace)
    throw std::bad_alloc();
  impl_->entry(in.data(), out.data(), workspace.get());
  std::vector<Tensor> results;
  for (size_t i = 0; i < buffers.size(); ++i)
    results.emplace_back(impl_->outputTypes[i], std::move(buffers[i]));
  return results;
}

std::vector<Tensor> JitModel::run(const std::vector<Tensor> &inputs,
                                  const Observer &observer) {
  if (!impl_->observe)
    throw InternalError("JitModel: observing a model compiled without "
                        "Instrumentation::Observe");
  // An exception must not unwind through the generated code and the C
  // runtime: the first one is kept, the observer is not called again, and
  // it is thrown once the run is over.
  struct Call {
    const Observer &observer;
    std::exception_ptr failure;
  } call{observer, nullptr};
  // The setter keeps the observer until it is unset, even if run throws.
  struct Unset {
    void (*observe)(cnnc_observer, void *);
    ~Unset() { observe(nullptr, nullptr); }
  } unset{impl_->observe};
  impl_->observe(
      [](void *user, const cnnc_tensor_info *info, const void *data) {
        auto *call = static_cast<Call *>(user);
        if (call->failure)
          return;
        try {
          call->observer(*info, data);
        } catch (...) {
          call->failure = std::current_exception();
        }
      },
      &call);
  std::vector<Tensor> outputs = run(inputs);
  if (call.failure)
    std::rethrow_exception(call.failure);
  return outputs;
}

void JitModel::run(const void *const *inputs, void *const *outputs,
                   void *workspace) const {
  impl_->entry(inputs, outputs, workspace);
}

int64_t JitModel::workspaceSize() const { return impl_->workspaceSize; }

const cnnc_profile *JitModel::profile() const { return impl_->profile; }

Tensor observedTensor(const cnnc_tensor_info &info, const void *data) {
  std::optional<DType> dtype = dtypeFromName(info.dtype);
  if (!dtype)
    throw InternalError(std::string("observed a tensor of unknown type ") +
                        info.dtype);
  TensorType type{*dtype, Shape(info.shape, info.shape + info.rank),
                  Layout::Plain};
  std::vector<uint8_t> bytes(type.byteSize());
  cnnc_copy_row_major(&info, data, bytes.data());
  return Tensor(type, std::move(bytes));
}

} // namespace cnnc
