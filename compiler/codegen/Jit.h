// Runs generated code in memory: the module generateModule builds for the
// host, compiled by LLVM's ORC JIT, with no object file and no link step.
// cnnc-run uses it so that tests exercise the real code generator.
#pragma once

#include "compiler/codegen/CodeGen.h"

#include "cnnc_rt.h"

#include <functional>
#include <vector>

namespace cnnc {

// What the JIT-compiled code carries besides the model (CodeGenOptions).
enum class Instrumentation {
  None,
  Profile, // times every node (CodeGenOptions::profile)
  Observe  // hands every node's results to an observer (::observe)
};

class JitModel {
public:
  // Compiles `graph` for the host. Unsupported ops are UserErrors.
  explicit JitModel(const Graph &graph, int optLevel = 3,
                    Instrumentation instrumentation = Instrumentation::None);
  ~JitModel();
  JitModel(const JitModel &) = delete;
  JitModel &operator=(const JitModel &) = delete;

  // Runs the model on `inputs` (one per graph input, of its type) and
  // returns one tensor per graph output.
  std::vector<Tensor> run(const std::vector<Tensor> &inputs);

  // run(inputs) on a model compiled with Instrumentation::Observe: after
  // each node, `observer` gets each of its results as the code stored it
  // (cnnc_tensor_info in cnnc_rt.h; the bytes are valid during the call
  // only). Node indices are those of the graph given to the constructor.
  using Observer =
      std::function<void(const cnnc_tensor_info &info, const void *data)>;
  std::vector<Tensor> run(const std::vector<Tensor> &inputs,
                          const Observer &observer);

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

// An observed result (JitModel::run with an Observer) as a row-major
// tensor of its logical type.
Tensor observedTensor(const cnnc_tensor_info &info, const void *data);

} // namespace cnnc
