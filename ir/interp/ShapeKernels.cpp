#include "ir/interp/Kernels.h"

namespace cnnc::interp {

Results reshapeLike(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results transpose(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results concat(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results split(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results slice(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results pad(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results gather(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results shape(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results constantOfShape(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results expand(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results dropout(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

Results cast(const Node &n, const Operands &) {
  throw InternalError("kernel not written yet: " + std::string(n.opName()));
}

} // namespace cnnc::interp
