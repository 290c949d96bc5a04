// OpKind and the op registry generated from Ops.def.
#pragma once

#include "ir/Attribute.h"

#include <optional>
#include <string_view>
#include <vector>

namespace cnnc {

enum class OpKind : uint16_t {
#define OP(name, category, minIn, maxIn, minOut, maxOut, attrs) name,
#include "ir/Ops.def"
};

struct AttrSpec {
  std::string name;
  AttrKind kind;
  std::optional<Attribute> defaultValue; // absent: no default (required or
                                         // computed from the operands)
};

struct OpInfo {
  OpKind kind;
  std::string_view name;     // ONNX spelling
  std::string_view category; // conv, pool, activation, ...
  int minInputs, maxInputs;  // maxInputs -1: variadic
  int minOutputs, maxOutputs;
  std::vector<AttrSpec> attrs;

  const AttrSpec *findAttr(std::string_view attrName) const;
};

const OpInfo &opInfo(OpKind kind);
std::optional<OpKind> opKindFromName(std::string_view name);
const std::vector<OpInfo> &allOps();

} // namespace cnnc
