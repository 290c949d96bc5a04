#include "ir/interp/Interpreter.h"

#include "ir/interp/Kernels.h"

#include <unordered_map>

namespace cnnc {

using namespace interp;

namespace {

// The kernel of each op. No default: a new op in Ops.def breaks the build
// here until it has a kernel.
Results runKernel(const Node &n, const Operands &in) {
  switch (n.kind) {
  case OpKind::Conv:
    return conv(n, in);
  case OpKind::ConvTranspose:
    return convTranspose(n, in);
  case OpKind::FusedConv:
    return fusedConv(n, in);
  case OpKind::Gemm1x1:
    return gemm1x1(n, in);
  case OpKind::ExpandDepthwise:
    return expandDepthwise(n, in);
  case OpKind::MaxPool:
    return maxPool(n, in);
  case OpKind::AveragePool:
    return averagePool(n, in);
  case OpKind::LpPool:
    return lpPool(n, in);
  case OpKind::GlobalAveragePool:
  case OpKind::GlobalMaxPool:
    return globalPool(n, in);
  case OpKind::BatchNormalization:
    return batchNormalization(n, in);
  case OpKind::InstanceNormalization:
    return instanceNormalization(n, in);
  case OpKind::LRN:
    return lrn(n, in);
  case OpKind::Relu:
  case OpKind::LeakyRelu:
  case OpKind::Sigmoid:
  case OpKind::HardSigmoid:
  case OpKind::HardSwish:
  case OpKind::Tanh:
  case OpKind::Elu:
  case OpKind::Selu:
  case OpKind::Softplus:
    return pointwiseActivation(n, in);
  case OpKind::PRelu:
    return prelu(n, in);
  case OpKind::Clip:
    return clip(n, in);
  case OpKind::Softmax:
  case OpKind::LogSoftmax:
    return softmax(n, in);
  case OpKind::Gemm:
    return gemm(n, in);
  case OpKind::MatMul:
    return matMul(n, in);
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Div:
  case OpKind::Pow:
    return binaryArithmetic(n, in);
  case OpKind::Max:
  case OpKind::Min:
  case OpKind::Sum:
  case OpKind::Mean:
    return variadicElementwise(n, in);
  case OpKind::Sqrt:
  case OpKind::Exp:
  case OpKind::Log:
  case OpKind::Abs:
  case OpKind::Neg:
  case OpKind::Reciprocal:
  case OpKind::Erf:
    return unaryMath(n, in);
  case OpKind::ReduceMean:
  case OpKind::ReduceSum:
  case OpKind::ReduceMax:
    return reduce(n, in);
  case OpKind::Flatten:
  case OpKind::Reshape:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Identity:
  case OpKind::Reorder: // operands and results are plain here (evaluateNode)
    return reshapeLike(n, in);
  case OpKind::Transpose:
    return transpose(n, in);
  case OpKind::Concat:
    return concat(n, in);
  case OpKind::Split:
    return split(n, in);
  case OpKind::Slice:
    return slice(n, in);
  case OpKind::Pad:
    return pad(n, in);
  case OpKind::Gather:
    return gather(n, in);
  case OpKind::Shape:
    return shape(n, in);
  case OpKind::ConstantOfShape:
    return constantOfShape(n, in);
  case OpKind::Expand:
    return expand(n, in);
  case OpKind::Dropout:
    return dropout(n, in);
  case OpKind::Cast:
    return cast(n, in);
  case OpKind::Resize:
    return resize(n, in);
  }
  throw InternalError("interpreter: unknown op kind");
}

} // namespace

std::vector<Tensor> evaluateNode(const Node &node,
                                 const std::vector<const Tensor *> &operands) {
  if (operands.size() != node.inputs.size())
    throw InternalError(fmt::format("interpreter: node '{}' has {} operands, "
                                    "{} values given",
                                    node.name, node.inputs.size(),
                                    operands.size()));
  for (size_t i = 0; i < operands.size(); ++i) {
    const Tensor *t = operands[i];
    if (!t != !node.inputs[i] || (t && t->type() != node.inputs[i]->type))
      throw InternalError(
          fmt::format("interpreter: operand {} of node '{}' is {}, expected {}",
                      i, node.name, t ? t->type().str() : "absent",
                      node.inputs[i] ? node.inputs[i]->type.str() : "absent"));
    if (t && !t->hasData())
      node.error("operand {} has no data (elided constant): the interpreter "
                 "needs the weights (print the IR with its blobs)",
                 i);
  }
  // The kernels compute on plain tensors: blocked operands are converted to
  // plain here, and results back to the layouts the node's types name.
  std::vector<Tensor> plainCopies;
  plainCopies.reserve(operands.size());
  Operands plain = operands;
  for (size_t i = 0; i < operands.size(); ++i)
    if (operands[i] && operands[i]->type().layout != Layout::Plain) {
      plainCopies.push_back(relayout(*operands[i], Layout::Plain));
      plain[i] = &plainCopies.back();
    }
  Results results = runKernel(node, plain);
  // Every kernel must produce exactly the types shape inference promised:
  // the check keeps the two in step.
  if (results.size() != node.outputs.size())
    throw InternalError(fmt::format("interpreter: kernel of node '{}' ({}) "
                                    "returned {} results for {} outputs",
                                    node.name, node.opName(), results.size(),
                                    node.outputs.size()));
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].type() != resultType(node, i))
      throw InternalError(fmt::format(
          "interpreter: kernel of node '{}' ({}) returned {} for output {} "
          "of type {}",
          node.name, node.opName(), results[i].type().str(), i,
          node.outputs[i]->type.str()));
    Layout layout = node.outputs[i]->type.layout;
    if (layout != Layout::Plain)
      results[i] = relayout(results[i], layout);
  }
  return results;
}

std::vector<Tensor> interpretGraph(const Graph &graph,
                                   const std::vector<Tensor> &inputs,
                                   const NodeObserver &observer) {
  if (inputs.size() != graph.inputs.size())
    userError("the graph has {} inputs, {} given", graph.inputs.size(),
              inputs.size());
  std::unordered_map<const Value *, std::shared_ptr<const Tensor>> values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value *in = graph.inputs[i];
    if (inputs[i].type() != in->type)
      userError("input '{}' is {}, the graph expects {}", in->name,
                inputs[i].type().str(), in->type.str());
    values[in] = std::make_shared<const Tensor>(inputs[i]);
  }
  for (const Value *c : graph.constants())
    values[c] = c->constant;

  // How many more reads each value has; at zero it is freed (graph outputs
  // hold one extra read, so they are never freed).
  std::unordered_map<const Value *, size_t> readsLeft;
  for (const auto &node : graph.nodes)
    for (const Value *v : node->inputs)
      if (v)
        ++readsLeft[v];
  for (const Value *out : graph.outputs)
    ++readsLeft[out];

  for (const auto &node : graph.nodes) {
    Operands operands;
    for (const Value *v : node->inputs) {
      if (!v) {
        operands.push_back(nullptr);
        continue;
      }
      auto it = values.find(v);
      if (it == values.end())
        throw InternalError(fmt::format("interpreter: value '{}' is read "
                                        "before it is defined",
                                        v->name));
      operands.push_back(it->second.get());
    }
    Results results = evaluateNode(*node, operands);
    if (observer)
      observer(*node, results);
    for (size_t i = 0; i < results.size(); ++i)
      if (readsLeft[node->outputs[i]] > 0) // else nothing reads it (a mask)
        values[node->outputs[i]] =
            std::make_shared<const Tensor>(std::move(results[i]));
    operands.clear();
    for (const Value *v : node->inputs)
      if (v && --readsLeft[v] == 0 && !v->isConstant())
        values.erase(v);
  }

  std::vector<Tensor> outputs;
  for (const Value *out : graph.outputs)
    outputs.push_back(*values.at(out));
  return outputs;
}

} // namespace cnnc
