#include "ir/Op.h"

#include <cstdlib>
#include <deque>
#include <string>
#include <sstream>
#include <stdexcept>

namespace cnnc {

// Parses one Ops.def attribute schema ("group:i=1 pads:ints ..."). The table
// is compiled in, so a malformed schema is a bug caught by the first test.
static std::vector<AttrSpec> parseSchema(std::string_view schema) {
  std::vector<AttrSpec> specs;
  std::istringstream in{std::string(schema)};
  std::string item;
  while (in >> item) {
    size_t colon = item.find(':');
    size_t eq = item.find('=');
    std::string name = item.substr(0, colon);
    std::string kind = item.substr(colon + 1, eq == std::string::npos
                                                  ? std::string::npos
                                                  : eq - colon - 1);
    std::optional<std::string> def;
    if (eq != std::string::npos)
      def = item.substr(eq + 1);
    AttrSpec spec{name, AttrKind::Int, std::nullopt};
    if (kind == "i") {
      spec.kind = AttrKind::Int;
      if (def)
        spec.defaultValue = Attribute(int64_t(std::stoll(*def)));
    } else if (kind == "f") {
      spec.kind = AttrKind::Float;
      if (def)
        spec.defaultValue = Attribute(std::strtod(def->c_str(), nullptr));
    } else if (kind == "s") {
      spec.kind = AttrKind::String;
      if (def)
        spec.defaultValue = Attribute(*def);
    } else if (kind == "ints") {
      spec.kind = AttrKind::Ints;
    } else if (kind == "floats") {
      spec.kind = AttrKind::Floats;
    } else if (kind == "t") {
      spec.kind = AttrKind::Tensor;
    } else {
      throw std::logic_error("Ops.def: bad attribute kind in '" + item + "'");
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

const std::vector<OpInfo> &allOps() {
  static const std::vector<OpInfo> table = [] {
    std::vector<OpInfo> ops = {
#define OP(name, category, minIn, maxIn, minOut, maxOut, attrs)                \
  OpInfo{OpKind::name, #name, category, minIn, maxIn, minOut, maxOut,          \
         parseSchema(attrs)},
#include "ir/Ops.def"
    };
    // The ops that passes create are spelled "cnnc.NAME"; a deque keeps the
    // spellings where the string_views point.
    static std::deque<std::string> spellings;
    for (OpInfo &info : ops)
      if (info.category == "cnnc")
        info.name = spellings.emplace_back("cnnc." + std::string(info.name));
    return ops;
  }();
  return table;
}

const OpInfo &opInfo(OpKind kind) { return allOps()[size_t(kind)]; }

std::optional<OpKind> opKindFromName(std::string_view name) {
  for (const OpInfo &info : allOps())
    if (info.name == name)
      return info.kind;
  return std::nullopt;
}

const AttrSpec *OpInfo::findAttr(std::string_view attrName) const {
  for (const AttrSpec &spec : attrs)
    if (spec.name == attrName)
      return &spec;
  return nullptr;
}

} // namespace cnnc
