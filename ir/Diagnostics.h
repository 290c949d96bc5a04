// The two kinds of errors cnnc reports, kept apart (DESIGN.md "Errors").
//
// UserError: the model, the textual IR or a flag is bad or unsupported. It
// carries one or more diagnostics (all unsupported ops are reported at once);
// tools print each as "FILE: error: node 'NAME' (OP): MESSAGE" and exit 1.
//
// InternalError: a broken invariant inside cnnc, reported as
// "internal compiler error: ..." naming the pass and node where known.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace cnnc {

struct Diagnostic {
  std::string location; // "12:5" for textual IR; empty otherwise
  std::string nodeName; // ONNX node name, if the error is about a node
  std::string opType;   // op of that node
  std::string message;

  // "node 'conv1' (Conv): message", or just the message.
  std::string describe() const;
  // "FILE[:LOC]: error: " + describe()
  std::string format(const std::string &file) const;
};

class UserError : public std::runtime_error {
public:
  explicit UserError(std::vector<Diagnostic> diags);
  explicit UserError(Diagnostic diag) : UserError(std::vector<Diagnostic>{diag}) {}
  const std::vector<Diagnostic> &diagnostics() const { return diags_; }

private:
  std::vector<Diagnostic> diags_;
};

class InternalError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

// Error about the model as a whole (no node).
[[noreturn]] void throwUserError(std::string message);

template <typename... Args>
[[noreturn]] void userError(fmt::format_string<Args...> f, Args &&...args) {
  throwUserError(fmt::format(f, std::forward<Args>(args)...));
}

} // namespace cnnc
