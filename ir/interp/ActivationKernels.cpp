#include "ir/interp/Kernels.h"

namespace cnnc::interp {

Results pointwiseActivation(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results prelu(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results clip(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results softmax(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

} // namespace cnnc::interp
