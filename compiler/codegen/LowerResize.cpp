// Lowering of Resize.
#include "compiler/codegen/Emitter.h"

namespace cnnc {

void Emitter::resize(const Node &n) { unsupported(n); }

} // namespace cnnc
