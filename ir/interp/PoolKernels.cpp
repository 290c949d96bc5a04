#include "ir/interp/Kernels.h"

namespace cnnc::interp {

Results maxPool(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results averagePool(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results lpPool(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results globalPool(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

} // namespace cnnc::interp
