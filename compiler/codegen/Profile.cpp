#include "compiler/codegen/Profile.h"

#include <map>

namespace cnnc {

namespace {

// Private constant NUL-terminated strings of one module, one copy of each
// distinct string (op names repeat).
class StringConstants {
public:
  StringConstants(llvm::Module &m, std::string name)
      : m_(m), name_(std::move(name)) {}

  llvm::Constant *get(const std::string &s) {
    llvm::Constant *&copy = copies_[s];
    if (!copy) {
      auto *data = llvm::ConstantDataArray::getString(m_.getContext(), s);
      auto *global = new llvm::GlobalVariable(m_, data->getType(), true,
                                              llvm::GlobalValue::PrivateLinkage,
                                              data, name_ + ".str");
      global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
      copy = global;
    }
    return copy;
  }

  // A private constant array of pointers to `strings`.
  llvm::Constant *table(const std::string &name,
                        const std::vector<std::string> &strings) {
    auto *ptr = llvm::PointerType::getUnqual(m_.getContext());
    std::vector<llvm::Constant *> pointers;
    for (const std::string &s : strings)
      pointers.push_back(get(s));
    auto *type = llvm::ArrayType::get(ptr, pointers.size());
    return new llvm::GlobalVariable(
        m_, type, true, llvm::GlobalValue::PrivateLinkage,
        llvm::ConstantArray::get(type, pointers), name);
  }

private:
  llvm::Module &m_;
  std::string name_;
  std::map<std::string, llvm::Constant *> copies_;
};

// A private zeroed, writable array of `count` uint64 counters.
llvm::Constant *counters(llvm::Module &m, const std::string &name,
                         size_t count) {
  auto *type =
      llvm::ArrayType::get(llvm::Type::getInt64Ty(m.getContext()), count);
  auto *global = new llvm::GlobalVariable(
      m, type, false, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantAggregateZero::get(type), name);
  global->setAlignment(llvm::Align(8));
  return global;
}

} // namespace

ProfileInstrumentation::ProfileInstrumentation(const Graph &graph,
                                               llvm::Module &m,
                                               const std::string &name) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  std::vector<std::string> nodeNames, opNames;
  for (const auto &node : graph.nodes) {
    nodeNames.push_back(node->name);
    opNames.emplace_back(node->opName());
  }
  // struct cnnc_profile { int64_t num_nodes; const char *const *node_names;
  // const char *const *op_names; uint64_t *nanoseconds; uint64_t *calls; }:
  // the data layout gives it the C layout of the target.
  auto *type = llvm::StructType::get(ctx, {i64, ptr, ptr, ptr, ptr});
  size_t n = graph.nodes.size();
  StringConstants strings(m, name + ".profile");
  auto *init = llvm::ConstantStruct::get(
      type, {llvm::ConstantInt::get(i64, n),
             strings.table(name + ".profile.node_names", nodeNames),
             strings.table(name + ".profile.op_names", opNames),
             counters(m, name + ".profile.nanoseconds", n),
             counters(m, name + ".profile.calls", n)});
  table_ =
      new llvm::GlobalVariable(m, type, true, llvm::GlobalValue::PrivateLinkage,
                               init, name + ".profile");
  auto *accessor = llvm::Function::Create(llvm::FunctionType::get(ptr, false),
                                          llvm::GlobalValue::ExternalLinkage,
                                          accessorName(name), m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", accessor));
  b.CreateRet(table_);
  clock_ = m.getOrInsertFunction("cnnc_profile_clock", i64);
  record_ = m.getOrInsertFunction("cnnc_profile_record",
                                  llvm::Type::getVoidTy(ctx), ptr, i64, i64);
}

llvm::Value *ProfileInstrumentation::start(llvm::IRBuilder<> &b) {
  return b.CreateCall(clock_, {}, "profile.start");
}

void ProfileInstrumentation::record(llvm::IRBuilder<> &b, size_t index,
                                    llvm::Value *start) {
  b.CreateCall(record_, {table_, b.getInt64(index), start});
}

ObserveInstrumentation::ObserveInstrumentation(const Graph &graph,
                                               llvm::Module &m,
                                               const std::string &name) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  auto int64 = [&](int64_t v) { return llvm::ConstantInt::get(i64, v); };
  StringConstants strings(m, name + ".observe");
  // struct cnnc_tensor_info { int64_t node, result; const char *node_name,
  // *op_name, *name, *dtype; int64_t element_size, rank; const int64_t
  // *shape; int64_t block, bytes; }
  auto *infoType = llvm::StructType::get(
      ctx, {i64, i64, ptr, ptr, ptr, ptr, i64, i64, ptr, i64, i64});
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node &node = *graph.nodes[i];
    for (size_t r = 0; r < node.outputs.size(); ++r) {
      const Value *v = node.outputs[r];
      if (!v)
        continue;
      const TensorType &t = v->type;
      if ((t.layout != Layout::Plain && !isActivationLayout(t.layout)) ||
          t.byteSize() == 0)
        continue;
      std::vector<llvm::Constant *> dims;
      for (int64_t d : t.shape)
        dims.push_back(int64(d));
      auto *shapeType = llvm::ArrayType::get(i64, dims.size());
      auto *shape = new llvm::GlobalVariable(
          m, shapeType, true, llvm::GlobalValue::PrivateLinkage,
          llvm::ConstantArray::get(shapeType, dims), name + ".observe.shape");
      auto *info = llvm::ConstantStruct::get(
          infoType,
          {int64(int64_t(i)), int64(int64_t(r)), strings.get(node.name),
           strings.get(std::string(node.opName())), strings.get(v->name),
           strings.get(std::string(dtypeName(t.dtype))),
           int64(int64_t(dtypeSize(t.dtype))), int64(t.rank()), shape,
           int64(layoutBlock(t.layout)), int64(int64_t(t.byteSize()))});
      infos_[v] = new llvm::GlobalVariable(m, infoType, true,
                                           llvm::GlobalValue::PrivateLinkage,
                                           info, name + ".observe.info");
    }
  }
  // struct cnnc_observer_slot { cnnc_observer fn; void *user; }, none set.
  auto *slotType = llvm::StructType::get(ctx, {ptr, ptr});
  slot_ = new llvm::GlobalVariable(
      m, slotType, false, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantAggregateZero::get(slotType), name + ".observer");
  auto *setter = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, ptr}, false),
      llvm::GlobalValue::ExternalLinkage, accessorName(name), m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", setter));
  b.CreateStore(setter->getArg(0), b.CreateStructGEP(slotType, slot_, 0));
  b.CreateStore(setter->getArg(1), b.CreateStructGEP(slotType, slot_, 1));
  b.CreateRetVoid();
  record_ = m.getOrInsertFunction("cnnc_observe_record",
                                  llvm::Type::getVoidTy(ctx), ptr, ptr, ptr);
}

void ObserveInstrumentation::record(
    llvm::IRBuilder<> &b, const Node &node,
    const std::function<llvm::Value *(const Value *)> &pointer) {
  for (const Value *v : node.outputs) {
    auto it = infos_.find(v);
    if (it != infos_.end())
      b.CreateCall(record_, {slot_, it->second, pointer(v)});
  }
}

} // namespace cnnc
