// Textual IR printer; the format is specified in Printer.h.
//
// Everything here must be re-parseable by Parser.cpp and print back to the
// same bytes, so every choice below is canonical: one spelling per value,
// shortest round-tripping numbers, fixed separators.
#include "ir/Printer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace cnnc {

namespace {

bool isPlainName(const std::string &name) {
  if (name.empty())
    return false;
  for (char c : name)
    if (!isPlainNameChar(c))
      return false;
  return true;
}

// Attribute names are identifiers in the parser's lexer, which must not start
// with a digit or '.', unlike value names (those follow a '%').
bool isIdentifier(const std::string &name) {
  return isPlainName(name) && !(name[0] >= '0' && name[0] <= '9') &&
         name[0] != '.';
}

std::string quote(const std::string &s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      // Other control bytes would make the text hard to read and to diff.
      if (c < 0x20 || c == 0x7f)
        out += fmt::format("\\x{:02x}", c);
      else
        out += char(c);
    }
  }
  out += '"';
  return out;
}

std::string sigilName(char sigil, const std::string &name) {
  return sigil + (isPlainName(name) ? name : quote(name));
}

// fmt prints the shortest text that reads back to the same number, but
// integral values come out as "3"; the ".0" keeps them floats when re-parsed.
std::string withFloatMark(std::string s) {
  if (s.find_first_of(".e") == std::string::npos &&
      s.find("inf") == std::string::npos && s.find("nan") == std::string::npos)
    s += ".0";
  return s;
}

std::string formatDouble(double v) {
  return withFloatMark(fmt::format("{}", v));
}

std::string formatFloat(float v) { return withFloatMark(fmt::format("{}", v)); }

// Dtypes whose elements print as decimal numbers. f16/bf16 would need a
// float-to-half conversion to parse back, so they stay binary.
bool isDecimalDType(DType t) {
  return t == DType::F32 || t == DType::F64 || t == DType::Bool || isInteger(t);
}

// "[1.0, 2.0]". Precondition: t.hasData() and isDecimalDType.
std::string formatElements(const Tensor &t) {
  DType dt = t.type().dtype;
  size_t size = dtypeSize(dt);
  const std::vector<uint8_t> &bytes = t.bytes();
  std::string out = "[";
  for (size_t i = 0; i + size <= bytes.size(); i += size) {
    if (i)
      out += ", ";
    const uint8_t *p = bytes.data() + i;
    if (dt == DType::F32)
      out += formatFloat(loadElement<float>(p));
    else if (dt == DType::F64)
      out += formatDouble(loadElement<double>(p));
    else if (dt == DType::Bool)
      out += *p ? '1' : '0';
    else if (dt == DType::U64) // intAt would wrap values above INT64_MAX
      out += fmt::format("{}", loadElement<uint64_t>(p));
    else
      out += fmt::format("{}", t.intAt(int64_t(i / size)));
  }
  out += ']';
  return out;
}

std::string hexBytes(const std::vector<uint8_t> &bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 + 2 * bytes.size());
  out += "0x";
  for (uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// A node's result types, each followed by its place in a recorded memory
// plan: "f32[1,8] @ws[4096]", "f32[8] @ws[4096] view(%a)".
std::string joinResultTypes(const std::vector<Value *> &values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i)
      out += ", ";
    const Value *v = values[i];
    if (!v) {
      out += "?";
      continue;
    }
    out += v->type.str();
    if (v->workspaceOffset)
      out += fmt::format(" @ws[{}]", *v->workspaceOffset);
    if (v->viewOf)
      out += " view(" + printValueName(v->viewOf->name) + ")";
  }
  return out;
}

std::string operandName(const Value *v) {
  return v ? printValueName(v->name) : "_";
}

std::string formatAttrs(const AttrMap &attrs) {
  if (attrs.empty())
    return "";
  std::string out = " {";
  bool first = true;
  for (const auto &[name, attr] : attrs) {
    if (!first)
      out += ", ";
    first = false;
    out += isIdentifier(name) ? name : quote(name);
    out += '=';
    out += printAttribute(attr);
  }
  out += '}';
  return out;
}

} // namespace

bool isPlainNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// A constant's data goes inline when it is small and readable; see the
// format comment in Printer.h.
bool printsInline(const Tensor &t) {
  if (!t.hasData())
    return false;
  if (t.bytes().empty())
    return true;
  return isDecimalDType(t.type().dtype) && t.numElements() <= kInlineElements;
}

std::string printValueName(const std::string &name) {
  return sigilName('%', name);
}

std::string printAttribute(const Attribute &attr) {
  switch (attr.kind()) {
  case AttrKind::Int:
    return fmt::format("{}", attr.getInt());
  case AttrKind::Float:
    return formatDouble(attr.getFloat());
  case AttrKind::String:
    return quote(attr.getString());
  case AttrKind::Ints:
    return fmt::format("[{}]", fmt::join(attr.getInts(), ", "));
  case AttrKind::Floats: {
    std::string out = "[";
    for (size_t i = 0; i < attr.getFloats().size(); ++i)
      out += (i ? ", " : "") + formatDouble(attr.getFloats()[i]);
    return out + "]";
  }
  case AttrKind::Strings: {
    std::string out = "[";
    for (size_t i = 0; i < attr.getStrings().size(); ++i)
      out += (i ? ", " : "") + quote(attr.getStrings()[i]);
    return out + "]";
  }
  case AttrKind::Tensor: {
    const TensorRef &t = attr.getTensor();
    if (!t)
      return "<null tensor>";
    std::string out = t->type().str() + " ";
    // Tensor attributes are tiny (ConstantOfShape's value), so they are
    // always inline; the hex and "elided" forms only keep odd dtypes and
    // data-less tensors printable and parseable.
    if (!t->hasData())
      out += "elided";
    else if (t->bytes().empty() || isDecimalDType(t->type().dtype))
      out += formatElements(*t);
    else
      out += hexBytes(t->bytes());
    return out;
  }
  }
  return "?";
}

std::string printGraph(const Graph &graph, PrintOptions opts) {
  std::string out = "graph " + sigilName('@', graph.name) + "(";
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const Value *v = graph.inputs[i];
    out += fmt::format("{}{}: {}", i ? ", " : "", printValueName(v->name),
                       v->type.str());
  }
  out += ") -> (";
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const Value *v = graph.outputs[i];
    out += fmt::format("{}{}: {}", i ? ", " : "", operandName(v),
                       v ? v->type.str() : "?");
  }
  out += ") {\n";
  if (graph.workspaceSize)
    out += fmt::format("  workspace {} bytes\n", *graph.workspaceSize);

  std::vector<const Tensor *> blobs;
  for (const Value *c : graph.constants()) {
    const Tensor &t = *c->constant;
    out += fmt::format("  {} = const {} ", printValueName(c->name),
                       t.type().str());
    if (printsInline(t)) {
      out += formatElements(t);
    } else {
      out += fmt::format("blob({})", blobs.size());
      blobs.push_back(&t);
    }
    out += '\n';
  }

  for (const auto &n : graph.nodes) {
    out += "  ";
    for (size_t i = 0; i < n->outputs.size(); ++i)
      out += (i ? ", " : "") + operandName(n->outputs[i]);
    out += fmt::format(" = {}(", n->opName());
    for (size_t i = 0; i < n->inputs.size(); ++i)
      out += (i ? ", " : "") + operandName(n->inputs[i]);
    out += ')';
    out += formatAttrs(n->attrs);
    out += " : " + joinResultTypes(n->outputs);
    if (!n->name.empty())
      out += " loc(" + quote(n->name) + ")";
    out += '\n';
  }

  out += "  return";
  for (size_t i = 0; i < graph.outputs.size(); ++i)
    out += (i ? ", " : " ") + operandName(graph.outputs[i]);
  out += "\n}\n";

  // Elided tensors have no bytes to print: they appear as "N: elided". If
  // every blob is elided, the section is left out entirely.
  bool anyData = false;
  for (const Tensor *t : blobs)
    anyData |= t->hasData();
  if (opts.printBlobs && anyData) {
    out += "blobs {\n";
    for (size_t i = 0; i < blobs.size(); ++i)
      out += blobs[i]->hasData()
                 ? fmt::format("  {}: {}\n", i, hexBytes(blobs[i]->bytes()))
                 : fmt::format("  {}: elided\n", i);
    out += "}\n";
  }
  return out;
}

void printGraph(const Graph &graph, std::ostream &os, PrintOptions opts) {
  os << printGraph(graph, opts);
}

} // namespace cnnc
