#include "ir/Diagnostics.h"

namespace cnnc {

std::string Diagnostic::describe() const {
  if (nodeName.empty() && opType.empty())
    return message;
  return fmt::format("node '{}' ({}): {}", nodeName, opType, message);
}

std::string Diagnostic::format(const std::string &file) const {
  std::string where = file;
  if (!location.empty())
    where += ":" + location;
  return fmt::format("{}: error: {}", where, describe());
}

static std::string joinMessages(const std::vector<Diagnostic> &diags) {
  std::string all;
  for (const Diagnostic &d : diags) {
    if (!all.empty())
      all += "\n";
    all += d.describe();
  }
  return all;
}

UserError::UserError(std::vector<Diagnostic> diags)
    : std::runtime_error(joinMessages(diags)), diags_(std::move(diags)) {}

void throwUserError(std::string message) {
  throw UserError(Diagnostic{"", "", "", std::move(message)});
}

} // namespace cnnc
