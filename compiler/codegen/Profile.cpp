#include "compiler/codegen/Profile.h"

#include <map>

namespace cnnc {

namespace {

// A private constant array of pointers to NUL-terminated copies of
// `strings`, one copy per distinct string (op names repeat).
llvm::Constant *stringTable(llvm::Module &m, const std::string &name,
                            const std::vector<std::string> &strings) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  std::map<std::string, llvm::Constant *> copies;
  std::vector<llvm::Constant *> pointers;
  for (const std::string &s : strings) {
    llvm::Constant *&copy = copies[s];
    if (!copy) {
      auto *data = llvm::ConstantDataArray::getString(ctx, s);
      auto *global = new llvm::GlobalVariable(m, data->getType(), true,
                                              llvm::GlobalValue::PrivateLinkage,
                                              data, name + ".str");
      global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
      copy = global;
    }
    pointers.push_back(copy);
  }
  auto *type = llvm::ArrayType::get(ptr, pointers.size());
  return new llvm::GlobalVariable(
      m, type, true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantArray::get(type, pointers), name);
}

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
  auto *init = llvm::ConstantStruct::get(
      type, {llvm::ConstantInt::get(i64, n),
             stringTable(m, name + ".profile.node_names", nodeNames),
             stringTable(m, name + ".profile.op_names", opNames),
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

} // namespace cnnc
