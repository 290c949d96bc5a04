// The pass pipeline of each optimization level, in order, one line per pass
// with why it sits there.
#include "passes/Pass.h"

namespace cnnc {

namespace {

std::vector<std::string_view> passNames(int optLevel) {
  if (optLevel <= 0)
    return {}; // -O0: the graph as imported; codegen plans its memory itself
  if (optLevel == 1)
    return {
        "fold-constants",      // shape subgraphs become constants
        "remove-identity",     // no-op nodes cost a copy each
        "eliminate-dead-code", // what folding orphaned
        "plan-memory",         // last: the plan is of the final graph
    };
  return {
      // Exporters compute shapes at run time (Shape -> Gather -> Unsqueeze
      // -> Concat -> Reshape); folded first, every later pattern sees
      // constant operands.
      "fold-constants",
      // Identity, Dropout and no-op reshapes would sit between the ops the
      // fusions below look for.
      "remove-identity",
      // Duplicated shape subgraphs and constants merge.
      "eliminate-common-subexpressions",
      // MatMul + Add -> Gemm, transposes into transA/transB.
      "canonicalize-gemm",
      // Zero Pads into Conv/AveragePool pads, before fold-batchnorm checks a
      // Conv's padding.
      "fold-pad-into-conv",
      // BatchNorm and per-channel Mul/Add into the weights: before the
      // fusions, which need the Conv next to its activation.
      "fold-batchnorm",
      // Conv + Add (+ activation) first: fuse-conv-activation alone would
      // take the activation and leave the Add.
      "fuse-residual-add",
      "fuse-conv-activation",
      // Last of the conv rewrites: a fused epilogue comes along.
      "lower-1x1-conv",
      // Once the convolutions have their final form: blocked layouts for
      // the chains of them, reorders at the edges.
      "choose-layout",
      // Needs the blocked forms: its kernel exists for blocked layouts
      // only, and choose-layout has re-laid out both nodes' weights.
      "fuse-expand-depthwise",
      // Nodes and constants the rewrites left without readers.
      "eliminate-dead-code",
      // Last: the workspace plan is of the final graph (live ranges change
      // with every rewrite), and dead values would take memory.
      "plan-memory",
  };
}

} // namespace

std::vector<const PassInfo *> defaultPipeline(int optLevel) {
  std::vector<const PassInfo *> pipeline;
  for (std::string_view name : passNames(optLevel)) {
    const PassInfo *pass = findPass(name);
    if (!pass)
      throw InternalError("pipeline names unknown pass '" + std::string(name) +
                          "'");
    pipeline.push_back(pass);
  }
  return pipeline;
}

} // namespace cnnc
