// Per-node instrumentation of generated code, internal to compiler/codegen:
// timing (CodeGenOptions::profile, cnnc --profile; the table's layout is
// cnnc_profile of runtime/cnnc_rt.h, which the application reads through
// NAME_profile()), and observing (CodeGenOptions::observe, cnnc --observe:
// each node's results handed to the observer NAME_observe sets, described
// by cnnc_tensor_info).
#pragma once

#include "ir/Graph.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <map>

namespace cnnc {

class ProfileInstrumentation {
public:
  // Emits into `m` the table of `graph`'s nodes (names and op names as
  // constant strings, zeroed counters, a cnnc_profile pointing at them) and
  // `const cnnc_profile *NAME_profile(void)`, which returns it.
  ProfileInstrumentation(const Graph &graph, llvm::Module &m,
                         const std::string &name);

  // The name of the accessor function, which must stay external.
  static std::string accessorName(const std::string &name) {
    return name + "_profile";
  }

  // Before node `index`'s code: reads the clock.
  llvm::Value *start(llvm::IRBuilder<> &b);
  // After it: adds the time since `start` to node `index`'s counters.
  void record(llvm::IRBuilder<> &b, size_t index, llvm::Value *start);

private:
  llvm::GlobalVariable *table_ = nullptr;
  llvm::FunctionCallee clock_, record_;
};

class ObserveInstrumentation {
public:
  // Emits into `m` a cnnc_tensor_info for each result of `graph`'s nodes
  // that can be observed (row-major or an activation layout, not empty),
  // the observer slot (none set) and `void NAME_observe(cnnc_observer fn,
  // void *user)`, which sets it.
  ObserveInstrumentation(const Graph &graph, llvm::Module &m,
                         const std::string &name);

  static std::string accessorName(const std::string &name) {
    return name + "_observe";
  }

  // After node `node`'s code: hands each of its results that can be
  // observed, at the address `pointer` gives, to the observer.
  void record(llvm::IRBuilder<> &b, const Node &node,
              const std::function<llvm::Value *(const Value *)> &pointer);

private:
  std::map<const Value *, llvm::Constant *> infos_;
  llvm::GlobalVariable *slot_ = nullptr;
  llvm::FunctionCallee record_;
};

} // namespace cnnc
