#include "passes/Rewrite.h"

#include "ir/ShapeInference.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace cnnc {

std::unordered_map<const Value *, std::vector<Node *>>
usersOf(const Graph &graph) {
  std::unordered_map<const Value *, std::vector<Node *>> users;
  for (const auto &n : graph.nodes)
    for (const Value *v : n->inputs)
      if (v)
        users[v].push_back(n.get());
  return users;
}

namespace {
bool isInput(const Graph &graph, const Value *v) {
  return std::find(graph.inputs.begin(), graph.inputs.end(), v) !=
         graph.inputs.end();
}
} // namespace

bool canReplace(const Graph &graph, const Value *old,
                const Value *replacement) {
  if (!graph.isOutput(old))
    return true;
  return !isInput(graph, replacement) && !replacement->isConstant() &&
         !graph.isOutput(replacement);
}

void replaceValue(Graph &graph, Value *old, Value *replacement) {
  if (!canReplace(graph, old, replacement))
    throw InternalError("replaceValue: '" + replacement->name +
                        "' cannot take over graph output '" + old->name + "'");
  if (graph.isOutput(old))
    std::swap(old->name, replacement->name); // both names stay in use
  graph.replaceAllUsesWith(old, replacement);
}

Node *soleUser(const Graph &graph, const Value *v) {
  if (graph.isOutput(v))
    return nullptr;
  Node *user = nullptr;
  for (const auto &n : graph.nodes)
    for (const Value *in : n->inputs)
      if (in == v) {
        if (user)
          return nullptr;
        user = n.get();
      }
  return user;
}

void reinferUnchanged(Node &node, std::string_view pass) {
  std::vector<TensorType> before;
  for (const Value *v : node.outputs)
    before.push_back(v->type);
  setInferredTypes(node);
  for (size_t i = 0; i < before.size(); ++i)
    if (node.outputs[i]->type != before[i])
      throw InternalError(fmt::format(
          "{}: node '{}' ({}) changed its result type from {} to {}", pass,
          node.name, node.opName(), before[i].str(),
          node.outputs[i]->type.str()));
}

void moveBefore(Graph &graph, Node *node, const Node *before) {
  size_t from = graph.indexOf(node);
  std::unique_ptr<Node> owned = std::move(graph.nodes[from]);
  graph.nodes.erase(graph.nodes.begin() + std::ptrdiff_t(from));
  size_t to = graph.indexOf(before);
  graph.nodes.insert(graph.nodes.begin() + std::ptrdiff_t(to),
                     std::move(owned));
}

namespace {

// The constant scalar operand i of `n`, if it is one.
std::optional<double> constantScalar(const Node &n, size_t i) {
  const Tensor *t = n.constantInput(i);
  if (!t || !t->hasData() || t->numElements() != 1)
    return std::nullopt;
  return t->floatAt(0);
}

} // namespace

bool absorbActivation(Graph &graph, Node *conv) {
  bool fusable = conv->kind == OpKind::Conv ||
                 (conv->kind == OpKind::FusedConv &&
                  conv->getString("activation").empty());
  if (!fusable || conv->outputs[0]->type.dtype != DType::F32)
    return false;
  Node *act = soleUser(graph, conv->outputs[0]);
  if (!act || act->inputs[0] != conv->outputs[0])
    return false;
  AttrMap attrs;
  switch (act->kind) {
  case OpKind::Relu:
  case OpKind::Sigmoid:
  case OpKind::HardSwish:
    break;
  case OpKind::LeakyRelu:
    attrs.emplace("leaky_alpha", Attribute(act->getFloat("alpha")));
    break;
  case OpKind::Clip: {
    // Both bounds, constant (ReLU6): FusedConv has no open-ended Clip.
    std::optional<double> lo = constantScalar(*act, 1);
    std::optional<double> hi = constantScalar(*act, 2);
    if (!lo || !hi)
      return false;
    attrs.emplace("clip_min", Attribute(*lo));
    attrs.emplace("clip_max", Attribute(*hi));
    break;
  }
  default:
    return false;
  }
  if (!canReplace(graph, act->outputs[0], conv->outputs[0]))
    return false;
  conv->kind = OpKind::FusedConv;
  conv->attrs.insert_or_assign("activation",
                               Attribute(std::string(act->opName())));
  for (auto &[name, value] : attrs)
    conv->attrs.insert_or_assign(name, value);
  replaceValue(graph, act->outputs[0], conv->outputs[0]);
  graph.eraseNode(act);
  return true;
}

} // namespace cnnc
