// Node attributes: a small closed set of kinds, mirroring the ONNX attribute
// kinds that the CNN op set uses (no graphs, no sparse tensors).
#pragma once

#include "ir/Tensor.h"

#include <map>
#include <string>
#include <variant>
#include <vector>

namespace cnnc {

enum class AttrKind : uint8_t { Int, Float, String, Ints, Floats, Strings, Tensor };
std::string_view attrKindName(AttrKind k);

class Attribute {
public:
  using Storage = std::variant<int64_t, double, std::string, std::vector<int64_t>,
                               std::vector<double>, std::vector<std::string>,
                               TensorRef>;
  Attribute(int64_t v) : v_(v) {}
  Attribute(int v) : v_(int64_t(v)) {}
  Attribute(double v) : v_(v) {}
  Attribute(std::string v) : v_(std::move(v)) {}
  Attribute(const char *v) : v_(std::string(v)) {}
  Attribute(std::vector<int64_t> v) : v_(std::move(v)) {}
  Attribute(std::vector<double> v) : v_(std::move(v)) {}
  Attribute(std::vector<std::string> v) : v_(std::move(v)) {}
  Attribute(TensorRef v) : v_(std::move(v)) {}

  AttrKind kind() const { return AttrKind(v_.index()); }
  int64_t getInt() const { return std::get<int64_t>(v_); }
  double getFloat() const { return std::get<double>(v_); }
  const std::string &getString() const { return std::get<std::string>(v_); }
  const std::vector<int64_t> &getInts() const {
    return std::get<std::vector<int64_t>>(v_);
  }
  const std::vector<double> &getFloats() const {
    return std::get<std::vector<double>>(v_);
  }
  const std::vector<std::string> &getStrings() const {
    return std::get<std::vector<std::string>>(v_);
  }
  const TensorRef &getTensor() const { return std::get<TensorRef>(v_); }

  bool operator==(const Attribute &o) const;
  bool operator!=(const Attribute &o) const { return !(*this == o); }

private:
  Storage v_;
};

// Sorted by name so printing is deterministic.
using AttrMap = std::map<std::string, Attribute>;

} // namespace cnnc
