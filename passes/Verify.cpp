// verify: checks the IR invariants (ir/Verifier.h) and changes nothing; a
// pipeline can place it anywhere (the PassManager also verifies after every
// pass unless told not to).
#include "ir/Verifier.h"
#include "passes/Passes.h"

namespace cnnc {

bool verifyPass(Graph &graph, PassStats &) {
  verifyGraph(graph);
  return false;
}

} // namespace cnnc
