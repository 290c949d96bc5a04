// verify: checks the IR invariants (ir/Verifier.h) and the memory plan the
// graph records, if any (passes/MemoryPlan.h), and changes nothing; a
// pipeline can place it anywhere (the PassManager also verifies after every
// pass unless told not to).
#include "ir/Verifier.h"
#include "passes/MemoryPlan.h"
#include "passes/Passes.h"

namespace cnnc {

bool verifyPass(Graph &graph, PassContext &) {
  verifyGraph(graph);
  verifyRecordedPlan(graph);
  return false;
}

} // namespace cnnc
