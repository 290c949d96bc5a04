#include "ir/interp/Kernels.h"

namespace cnnc::interp {

Results binaryArithmetic(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results variadicElementwise(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results unaryMath(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

} // namespace cnnc::interp
