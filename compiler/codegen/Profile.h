// Per-node timing of generated code (CodeGenOptions::profile, cnnc
// --profile). Internal to compiler/codegen: the table's layout is
// cnnc_profile of runtime/cnnc_rt.h, which the application reads through
// NAME_profile().
#pragma once

#include "ir/Graph.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

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

} // namespace cnnc
