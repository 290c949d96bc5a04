#include "ir/Graph.h"

#include <algorithm>
#include <unordered_set>

namespace cnnc {

const Tensor *Node::constantInput(size_t i) const {
  Value *v = input(i);
  return v && v->isConstant() ? v->constant.get() : nullptr;
}

const Attribute *Node::attr(std::string_view attrName) const {
  auto it = attrs.find(std::string(attrName));
  if (it != attrs.end())
    return &it->second;
  const AttrSpec *spec = info().findAttr(attrName);
  if (spec && spec->defaultValue)
    return &*spec->defaultValue;
  return nullptr;
}

int64_t Node::getInt(std::string_view attrName) const {
  const Attribute *a = attr(attrName);
  if (!a)
    error("missing attribute '{}'", attrName);
  return a->getInt();
}

double Node::getFloat(std::string_view attrName) const {
  const Attribute *a = attr(attrName);
  if (!a)
    error("missing attribute '{}'", attrName);
  return a->getFloat();
}

const std::string &Node::getString(std::string_view attrName) const {
  const Attribute *a = attr(attrName);
  if (!a)
    error("missing attribute '{}'", attrName);
  return a->getString();
}

std::vector<int64_t> Node::getInts(std::string_view attrName) const {
  const Attribute *a = attr(attrName);
  return a ? a->getInts() : std::vector<int64_t>{};
}

Diagnostic Node::diagnostic(std::string message) const {
  return Diagnostic{"", name, std::string(opName()), std::move(message)};
}

std::string Graph::uniqueName(const std::string &base) const {
  if (!names_.count(base))
    return base;
  // Names are never released, so suffixes below the stored one stay taken.
  size_t &next = nextSuffix_.try_emplace(base, 1).first->second;
  for (;; ++next) {
    std::string candidate = base + "_" + std::to_string(next);
    if (!names_.count(candidate))
      return candidate;
  }
}

Value *Graph::newValue(const std::string &name, TensorType type) {
  auto v = std::make_unique<Value>();
  v->name = uniqueName(name.empty() ? std::string("v") : name);
  v->type = std::move(type);
  names_.insert(v->name);
  values_.push_back(std::move(v));
  return values_.back().get();
}

Value *Graph::addInput(const std::string &name, TensorType type) {
  Value *v = newValue(name, std::move(type));
  inputs.push_back(v);
  return v;
}

Value *Graph::addConstant(const std::string &name, TensorRef tensor) {
  Value *v = newValue(name, tensor->type());
  v->constant = std::move(tensor);
  constants_.push_back(v);
  return v;
}

Node *Graph::addNode(OpKind kind, std::string nodeName,
                     std::vector<Value *> operands,
                     const std::vector<std::string> &outputNames,
                     AttrMap attrs) {
  auto n = std::make_unique<Node>();
  n->kind = kind;
  n->name = std::move(nodeName);
  n->inputs = std::move(operands);
  n->attrs = std::move(attrs);
  for (const std::string &outName : outputNames) {
    Value *v = newValue(outName, TensorType{DType::F32, {}, Layout::Plain});
    v->producer = n.get();
    n->outputs.push_back(v);
  }
  nodes.push_back(std::move(n));
  return nodes.back().get();
}

Node *Graph::insertNode(const Node *before, OpKind kind, std::string nodeName,
                        std::vector<Value *> inputs,
                        const std::vector<std::string> &outputNames,
                        AttrMap attrs) {
  Node *n = addNode(kind, std::move(nodeName), std::move(inputs), outputNames,
                    std::move(attrs));
  if (before) {
    std::unique_ptr<Node> owned = std::move(nodes.back());
    nodes.pop_back();
    nodes.insert(nodes.begin() + std::ptrdiff_t(indexOf(before)),
                 std::move(owned));
  }
  return n;
}

void Graph::replaceAllUsesWith(Value *from, Value *to) {
  for (const auto &n : nodes)
    for (Value *&v : n->inputs)
      if (v == from)
        v = to;
  for (Value *&v : outputs)
    if (v == from)
      v = to;
}

void Graph::eraseNode(Node *node) {
  size_t i = indexOf(node);
  for (Value *v : node->outputs)
    v->producer = nullptr;
  nodes.erase(nodes.begin() + std::ptrdiff_t(i));
}

size_t Graph::indexOf(const Node *node) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].get() == node)
      return i;
  throw InternalError("indexOf: node '" + node->name + "' not in the graph");
}

std::unordered_map<const Value *, size_t> Graph::useCounts() const {
  std::unordered_map<const Value *, size_t> uses;
  for (const auto &n : nodes)
    for (const Value *v : n->inputs)
      if (v)
        ++uses[v];
  for (const Value *v : outputs)
    ++uses[v];
  return uses;
}

bool Graph::isOutput(const Value *v) const {
  return std::find(outputs.begin(), outputs.end(), v) != outputs.end();
}

Value *Graph::addConstant(const std::string &base, Tensor tensor) {
  return addConstant(base, std::make_shared<Tensor>(std::move(tensor)));
}

void Graph::replaceNodeWithConstants(Node *node, std::vector<TensorRef> values) {
  if (values.size() != node->outputs.size())
    throw InternalError("replaceNodeWithConstants: result count mismatch");
  for (size_t i = 0; i < values.size(); ++i) {
    Value *v = node->outputs[i];
    if (values[i]->type() != v->type)
      throw InternalError("replaceNodeWithConstants: type mismatch for " +
                          v->name);
    v->producer = nullptr;
    v->constant = std::move(values[i]);
    constants_.push_back(v);
  }
  auto it = std::find_if(nodes.begin(), nodes.end(),
                         [&](const auto &n) { return n.get() == node; });
  if (it == nodes.end())
    throw InternalError("replaceNodeWithConstants: node not in graph");
  nodes.erase(it);
}

void Graph::removeUnusedConstants() {
  std::unordered_set<const Value *> used(outputs.begin(), outputs.end());
  for (const auto &n : nodes)
    used.insert(n->inputs.begin(), n->inputs.end());
  constants_.erase(std::remove_if(constants_.begin(), constants_.end(),
                                  [&](Value *c) { return !used.count(c); }),
                   constants_.end());
}

void Graph::clearMemoryPlan() {
  workspaceSize.reset();
  for (const auto &v : values_) {
    v->workspaceOffset.reset();
    v->viewOf = nullptr;
  }
}

} // namespace cnnc
