#include "ir/Verifier.h"

#include "ir/LayoutRules.h"
#include "ir/Printer.h"
#include "ir/ShapeInference.h"

#include <unordered_set>

namespace cnnc {

namespace {

// "1", "2 to 3" or "at least 1" (max -1: unbounded).
std::string countRange(int min, int max) {
  if (max < 0)
    return fmt::format("at least {}", min);
  return min == max ? std::to_string(min) : fmt::format("{} to {}", min, max);
}

class Verifier {
public:
  explicit Verifier(const Graph &g) : graph_(g) {}

  std::vector<Diagnostic> run() {
    for (const Value *in : graph_.inputs) {
      checkType(nullptr, in);
      define(nullptr, in);
    }
    for (const Value *c : graph_.constants()) {
      if (!c->isConstant())
        report(nullptr, fmt::format("constant {} has no data",
                                    printValueName(c->name)));
      else if (c->constant->hasData() &&
               c->constant->bytes().size() != c->type.byteSize())
        report(nullptr, fmt::format("constant {} holds {} bytes, its type {} "
                                    "needs {}",
                                    printValueName(c->name),
                                    c->constant->bytes().size(), c->type.str(),
                                    c->type.byteSize()));
      else if (c->constant->type() != c->type)
        report(nullptr, fmt::format("constant {} has type {} but data {}",
                                    printValueName(c->name), c->type.str(),
                                    c->constant->type().str()));
      checkType(nullptr, c);
      define(nullptr, c);
    }
    for (const auto &node : graph_.nodes)
      checkNode(*node);
    for (const Value *v : graph_.inputs)
      checkPlainInterface(v, "input");
    for (const Value *v : graph_.outputs)
      checkPlainInterface(v, "output");
    for (const Value *out : graph_.outputs)
      if (!defined_.count(out))
        report(nullptr, fmt::format("graph output {} is never defined",
                                    printValueName(out->name)));
    return std::move(diags_);
  }

private:
  void report(const Node *n, std::string message) {
    diags_.push_back(n ? n->diagnostic(std::move(message))
                       : Diagnostic{"", "", "", std::move(message)});
  }

  void define(const Node *n, const Value *v) {
    if (!defined_.insert(v).second)
      report(n, fmt::format("value {} defined twice", printValueName(v->name)));
  }

  bool checkType(const Node *n, const Value *v) {
    if (!checkedElementCount(v->type.shape)) {
      report(n, fmt::format("value {} has a negative or too large shape {}",
                            printValueName(v->name), v->type.str()));
      return false;
    }
    Layout layout = v->type.layout;
    if (!layoutFitsRank(layout, v->type.rank())) {
      report(n, fmt::format("value {} of rank {} cannot have layout {}",
                            printValueName(v->name), v->type.rank(),
                            layoutName(layout)));
      return false;
    }
    if (layout != Layout::Plain &&
        !checkedElementCount(storageShape(v->type.shape, layout))) {
      report(n, fmt::format("value {} is too large in layout {}",
                            printValueName(v->name), layoutName(layout)));
      return false;
    }
    return true;
  }

  // The caller's buffers are plain: layouts are the compiled code's business.
  void checkPlainInterface(const Value *v, const char *what) {
    if (v->type.layout != Layout::Plain)
      report(nullptr, fmt::format("graph {} {} must be plain, not {}", what,
                                  printValueName(v->name),
                                  layoutName(v->type.layout)));
  }

  void checkNode(const Node &n) {
    size_t before = diags_.size();
    std::vector<Diagnostic> structure = checkNodeStructure(n);
    diags_.insert(diags_.end(), structure.begin(), structure.end());
    for (const Value *v : n.inputs)
      if (v && !defined_.count(v))
        report(&n, fmt::format("operand {} is used before it is defined (a "
                               "cycle or an undefined value)",
                               printValueName(v->name)));
    bool typesOk = true;
    for (const Value *out : n.outputs) {
      if (out->producer != &n)
        report(&n, fmt::format("result {} does not name this node as producer",
                               printValueName(out->name)));
      typesOk &= checkType(&n, out);
    }
    bool structureOk = diags_.size() == before;
    for (const Value *out : n.outputs)
      define(&n, out);
    if (!structureOk || !typesOk)
      return;
    if (std::string problem = checkLayouts(n); !problem.empty()) {
      report(&n, problem);
      return;
    }
    try {
      std::vector<TensorType> expected = inferOutputTypes(n);
      for (size_t i = 0; i < expected.size() && i < n.outputs.size(); ++i) {
        // Layout is chosen by passes; shape inference works on logical shapes.
        TensorType recorded = n.outputs[i]->type, computed = expected[i];
        recorded.layout = computed.layout = Layout::Plain;
        if (recorded != computed)
          report(&n, fmt::format("result {} has type {} but the op computes {}",
                                 printValueName(n.outputs[i]->name),
                                 n.outputs[i]->type.str(), expected[i].str()));
      }
    } catch (const UserError &e) {
      diags_.insert(diags_.end(), e.diagnostics().begin(),
                    e.diagnostics().end());
    }
  }

  const Graph &graph_;
  std::unordered_set<const Value *> defined_;
  std::vector<Diagnostic> diags_;
};

} // namespace

std::vector<Diagnostic> checkNodeStructure(const Node &n) {
  std::vector<Diagnostic> diags;
  const OpInfo &info = n.info();
  int inputs = int(n.inputs.size()), outputs = int(n.outputs.size());
  if (inputs < info.minInputs || (info.maxInputs >= 0 && inputs > info.maxInputs))
    diags.push_back(n.diagnostic(fmt::format(
        "has {} operands, expected {}", inputs,
        countRange(info.minInputs, info.maxInputs))));
  if (outputs < info.minOutputs ||
      (info.maxOutputs >= 0 && outputs > info.maxOutputs))
    diags.push_back(n.diagnostic(fmt::format(
        "has {} results, expected {}", outputs,
        countRange(info.minOutputs, info.maxOutputs))));
  for (size_t i = 0; i < n.inputs.size() && int(i) < info.minInputs; ++i)
    if (!n.inputs[i])
      diags.push_back(n.diagnostic(fmt::format("required operand {} is absent", i)));
  for (const auto &[name, attr] : n.attrs) {
    const AttrSpec *spec = info.findAttr(name);
    if (!spec)
      diags.push_back(n.diagnostic(fmt::format("unknown attribute '{}'", name)));
    else if (spec->kind != attr.kind())
      diags.push_back(n.diagnostic(
          fmt::format("attribute '{}' must be {}, got {}", name,
                      attrKindName(spec->kind), attrKindName(attr.kind()))));
  }
  return diags;
}

void verifyGraph(const Graph &graph) {
  std::vector<Diagnostic> diags = Verifier(graph).run();
  if (!diags.empty())
    throw UserError(std::move(diags));
}

} // namespace cnnc
