// Code generation: a Graph -> an LLVM module with one entry point,
//
//   int32_t NAME_run(const void *const *inputs, void *const *outputs,
//                    void *workspace);
//
// inputs/outputs in graph order, each a plain row-major buffer of its
// value's type; workspace is caller-owned scratch of NAME_workspace_size
// bytes, aligned to 64 (the memory plan, passes/MemoryPlan.h, places every
// intermediate tensor in it: the plan the graph records, else one made
// here). Weights are read-only globals of the module, or with
// externalWeights come from a file (see WeightsBlob) through a fourth
// argument `const void *weights`. Returns 0.
//
// Each node becomes a call to a libjit kernel (libjit/*.c, embedded as
// bitcode) with the node's shapes and attributes as constants; the kernels
// are inlined and the module optimized for the target machine, so the code is
// specialized to the model's shapes and vectorized.
#pragma once

#include "ir/Graph.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

namespace cnnc {

struct CodeGenOptions {
  std::string name = "model"; // C symbol prefix
  std::string triple;         // target; empty: the host
  std::string cpu = "native"; // "native": the host CPU
  int optLevel = 3;           // 0..3
  // Weights in a separate file (cnnc --weights=file) rather than in the
  // module: the entry point then takes a fourth argument, the weights
  // loaded from that file (cnnc_load_weights).
  bool externalWeights = false;
  // Time every node (cnnc --profile): the module then also exports
  // `const cnnc_profile *NAME_profile(void)` (runtime/cnnc_rt.h), and calls
  // the runtime's clock around each node. Off, the code has no trace of it.
  bool profile = false;
  // Hand every node's results to an observer (cnnc --observe, a debug
  // build): the module then also exports `void NAME_observe(cnnc_observer,
  // void *user)` (runtime/cnnc_rt.h) and calls the runtime after each node.
  // Off, the code has no trace of it.
  bool observe = false;
};

// With CodeGenOptions::externalWeights: the data of the constants the code
// reads at run time (as stored, or repacked for a kernel), each at an
// offset aligned to 64, and a hash of everything else the code depends on
// (the graph's ops, attributes and types, the forms the constants are
// stored in, and the constants the code generator read at compile time), so
// a weights file is refused by a model of another architecture.
struct WeightsBlob {
  uint64_t hash = 0;
  std::vector<uint8_t> bytes;
};

// The target machine for `options` (the host by default); a UserError for
// an unknown triple or CPU.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CodeGenOptions &options);

// The channel block choose-layout should use for code for `machine`: 16
// (one zmm register of f32) if it has AVX-512, else 8.
int64_t preferredChannelBlock(const llvm::TargetMachine &machine);

// The target's vector registers: their width and how many there are (what
// the kernels' register tiles must fit in).
struct VectorRegisters {
  int bits = 128;
  int count = 16;
};
VectorRegisters vectorRegisters(const llvm::TargetMachine &machine);

// Lowers `graph` to an optimized module for `machine`. An op or type the
// code generator cannot lower yet is a UserError naming the node; all such
// nodes are reported at once.
// With options.externalWeights, `weights` (required) receives the weights.
std::unique_ptr<llvm::Module> generateModule(const Graph &graph,
                                             llvm::LLVMContext &context,
                                             llvm::TargetMachine &machine,
                                             const CodeGenOptions &options,
                                             WeightsBlob *weights = nullptr);

// The workspace `graph` needs, in bytes (what NAME_workspace_size holds).
int64_t workspaceSize(const Graph &graph);

} // namespace cnnc
