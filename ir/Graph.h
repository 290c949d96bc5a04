// Graph, Node and Value: the cnnc IR.
//
// A Graph is a list of Nodes in topological order over SSA Values. A Value is
// defined exactly once: as a graph input, as a constant (it then holds a
// Tensor), or as an output of one Node. Every Value has a static TensorType.
// The Graph owns all Nodes and Values; Nodes and Values refer to each other
// by raw pointer.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Op.h"

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cnnc {

class Node;

class Value {
public:
  std::string name; // SSA name, unique in its graph (ONNX tensor name)
  TensorType type;
  Node *producer = nullptr; // null for graph inputs and constants
  TensorRef constant;       // set for constants only

  // The memory plan plan-memory recorded (passes/MemoryPlan.h), if the
  // graph holds one (Graph::workspaceSize): where this node result lives,
  // in bytes from the workspace start; unset for values the plan does not
  // place (graph inputs and outputs, constants).
  std::optional<int64_t> workspaceOffset;
  // In that plan, for a no-copy view (a Reshape that moves no bytes): the
  // value whose bytes it names.
  const Value *viewOf = nullptr;

  bool isConstant() const { return constant != nullptr; }
};

class Node {
public:
  OpKind kind;
  std::string name; // ONNX node name, kept through every rewrite
  std::vector<Value *> inputs;  // nullptr marks an absent optional operand
  std::vector<Value *> outputs;
  AttrMap attrs; // only attributes set explicitly; see attr() for defaults

  const OpInfo &info() const { return opInfo(kind); }
  std::string_view opName() const { return info().name; }

  // Operand i, or nullptr if absent or beyond the operand list.
  Value *input(size_t i) const { return i < inputs.size() ? inputs[i] : nullptr; }
  // Constant data of operand i, or nullptr if it is absent or not a constant.
  const Tensor *constantInput(size_t i) const;

  // The stored attribute, else its Ops.def default, else nullptr.
  const Attribute *attr(std::string_view attrName) const;
  // Typed accessors. A missing attribute without default is a user error
  // naming this node ("missing attribute 'axis'").
  int64_t getInt(std::string_view attrName) const;
  double getFloat(std::string_view attrName) const;
  const std::string &getString(std::string_view attrName) const;
  // Ints without a default and not set: an empty list.
  std::vector<int64_t> getInts(std::string_view attrName) const;

  // Diagnostic about this node, e.g. error("kernel larger than input").
  Diagnostic diagnostic(std::string message) const;
  template <typename... Args>
  [[noreturn]] void error(fmt::format_string<Args...> f, Args &&...args) const {
    throw UserError(diagnostic(fmt::format(f, std::forward<Args>(args)...)));
  }
};

class Graph {
public:
  std::string name = "main";
  std::vector<Value *> inputs;
  std::vector<Value *> outputs;
  std::vector<std::unique_ptr<Node>> nodes; // topological order
  // Bytes of workspace of the memory plan plan-memory recorded; unset when
  // the graph records none (code generation then plans the memory itself).
  // The values carry the rest of the plan (Value::workspaceOffset, viewOf).
  std::optional<int64_t> workspaceSize;

  Graph() = default;
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  // Creates a value whose name is `name` made unique in this graph.
  Value *newValue(const std::string &name, TensorType type);
  Value *addInput(const std::string &name, TensorType type);
  Value *addConstant(const std::string &name, TensorRef tensor);
  // Appends a node; its outputs are new values named by outputNames (made
  // unique), typed f32[] until shape inference sets them.
  Node *addNode(OpKind kind, std::string nodeName, std::vector<Value *> inputs,
                const std::vector<std::string> &outputNames, AttrMap attrs = {});

  // Inserts a node before `before` (at the end for nullptr), so that a
  // rewrite can place a node where its operands are all defined; otherwise
  // as addNode.
  Node *insertNode(const Node *before, OpKind kind, std::string nodeName,
                   std::vector<Value *> inputs,
                   const std::vector<std::string> &outputNames,
                   AttrMap attrs = {});
  // Makes every node operand and graph output that is `from` read `to`.
  // (Graph outputs are named by their values: a pass that replaces one
  // keeps the output's name, see passes/Rewrite.h.)
  void replaceAllUsesWith(Value *from, Value *to);
  // Removes `node`; its results must be unused (no operand, no output).
  void eraseNode(Node *node);
  // The position of `node` in `nodes`.
  size_t indexOf(const Node *node) const;
  // How many operands of nodes and graph outputs read each value.
  std::unordered_map<const Value *, size_t> useCounts() const;
  // Whether `v` is one of the graph outputs.
  bool isOutput(const Value *v) const;
  // Adds a constant holding `tensor` named after `base` (made unique).
  Value *addConstant(const std::string &base, Tensor tensor);

  // Constants in the order they were added (the printing order).
  const std::vector<Value *> &constants() const { return constants_; }
  // `base` if no value has that name yet, else the first free base_N (N =
  // 1, 2, ...). Amortized O(1): the next suffix to try is kept per base.
  std::string uniqueName(const std::string &base) const;

  // Removes `node` from the graph; its results become constants holding
  // `values` (one per result, types equal to the results' types). Used when a
  // node's results are known at compile time.
  void replaceNodeWithConstants(Node *node, std::vector<TensorRef> values);

  // Drops constants that no node or graph output uses.
  void removeUnusedConstants();

  // Forgets the recorded memory plan: workspaceSize and every value's
  // workspaceOffset and viewOf.
  void clearMemoryPlan();

private:
  std::vector<std::unique_ptr<Value>> values_;
  std::vector<Value *> constants_;
  std::unordered_set<std::string> names_;
  // Per base name, the smallest N such that base_1 .. base_(N-1) are known
  // to be taken, so uniqueName never rescans them.
  mutable std::unordered_map<std::string, size_t> nextSuffix_;
};

} // namespace cnnc
