#include "ir/interp/Kernels.h"

namespace cnnc::interp {

Results conv(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results convTranspose(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

} // namespace cnnc::interp
