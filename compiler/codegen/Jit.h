// Runs generated code in memory: the module generateModule builds for the
// host, compiled by LLVM's ORC JIT, with no object file and no link step.
// cnnc-run uses it so that tests exercise the real code generator.
#pragma once

#include "compiler/codegen/CodeGen.h"

#include "cnnc_rt.h"

#include <vector>

namespace cnnc {

class JitModel {
public:
  // Compiles `graph` for the host. Unsupported ops are UserErrors. With
  // `profile`, the code times every node (CodeGenOptions::profile).
  explicit JitModel(const Graph &graph, int optLevel = 3,
                    bool profile = false);
  ~JitModel();
  JitModel(const JitModel &) = delete;
  JitModel &operator=(const JitModel &) = delete;

  // Runs the model on `inputs` (one per graph input, of its type) and
  // returns one tensor per graph output.
  std::vector<Tensor> run(const std::vector<Tensor> &inputs);

  // The compiled entry point itself (NAME_run of CodeGen.h), for a caller
  // that keeps its buffers across runs (cnnc-bench times only the code):
  // one buffer per input and output of its type, and a workspace of
  // workspaceSize() bytes aligned to CNNC_ALIGNMENT. Nothing is checked.
  void run(const void *const *inputs, void *const *outputs,
           void *workspace) const;
  int64_t workspaceSize() const;

  // The node timings when compiled with `profile`, else null.
  const cnnc_profile *profile() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace cnnc
