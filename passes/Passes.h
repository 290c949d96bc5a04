// The entry functions of the passes of Passes.def: each rewrites the graph
// in place, counts what it did in `stats`, and returns whether it changed
// the graph. Each file of passes/ opens with what its pass does, its
// preconditions and what it deliberately leaves alone.
#pragma once

#include "passes/Pass.h"

namespace cnnc {

#define PASS(name, function, description)                                      \
  bool function(Graph &graph, PassContext &ctx);
#include "passes/Passes.def"
#undef PASS

} // namespace cnnc
