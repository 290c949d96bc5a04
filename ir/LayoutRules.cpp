#include "ir/LayoutRules.h"

#include <fmt/format.h>

namespace cnnc {

bool isLayoutTransparentElementwise(const Node &n) {
  switch (n.kind) {
  case OpKind::Relu:
  case OpKind::LeakyRelu:
  case OpKind::Clip:
  case OpKind::Sigmoid:
  case OpKind::HardSigmoid:
  case OpKind::HardSwish:
  case OpKind::Tanh:
  case OpKind::Abs:
  case OpKind::Neg:
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Max:
  case OpKind::Min:
  case OpKind::Sum:
    return true;
  default:
    return false;
  }
}

namespace {

Layout layoutOf(const Value *v) { return v ? v->type.layout : Layout::Plain; }

std::string describe(const Value *v) {
  return fmt::format("'{}' is {}", v->name, v->type.str());
}

// The weights layout a blocked convolution reading `x` needs.
Layout convWeightsLayout(const Node &n, int64_t block) {
  const Value *x = n.inputs[0];
  bool depthwise = n.kind != OpKind::Gemm1x1 && n.getInt("group") != 1;
  bool blocksInputs = x->type.layout != Layout::Plain && !depthwise;
  if (block == 8)
    return blocksInputs ? Layout::OIHW8i8o : Layout::OIHW8o;
  return blocksInputs ? Layout::OIHW16i16o : Layout::OIHW16o;
}

std::string checkBlockedConv(const Node &n, Layout out) {
  int64_t block = layoutBlock(out);
  const Value *x = n.inputs[0], *w = n.inputs[1];
  if (x->type.rank() != 4 || x->type.dtype != DType::F32)
    return "a blocked convolution must be 2-D on f32, " + describe(x);
  if (x->type.layout != Layout::Plain && x->type.layout != out)
    return fmt::format("operand {} but the result is {}", describe(x),
                       layoutName(out));
  if (n.kind != OpKind::Gemm1x1) {
    int64_t group = n.getInt("group");
    int64_t channels = x->type.shape[1], outChannels = w->type.shape[0];
    bool depthwise = group == channels && group == outChannels;
    if (group != 1 && !depthwise)
      return fmt::format("a blocked convolution has group 1 or is depthwise, "
                         "not group {}",
                         group);
    if (depthwise && x->type.layout == Layout::Plain)
      return "a blocked depthwise convolution reads a blocked operand";
  } else if (x->type.layout == Layout::Plain) {
    return "a blocked Gemm1x1 reads a blocked operand, " + describe(x);
  }
  Layout wanted = convWeightsLayout(n, block);
  if (w->type.layout != wanted)
    return fmt::format("weights {}, this blocked convolution needs {}",
                       describe(w), layoutName(wanted));
  if (layoutOf(n.input(2)) != Layout::Plain)
    return "the bias must be plain, " + describe(n.input(2));
  if (n.input(3) && layoutOf(n.input(3)) != out)
    return fmt::format("the residual {} must be {} like the result",
                       describe(n.input(3)), layoutName(out));
  return "";
}

std::string checkBlockedElementwise(const Node &n, Layout out) {
  const TensorType &y = n.outputs[0]->type;
  if (y.dtype != DType::F32)
    return "blocked element-wise ops compute on f32, not " + y.str();
  size_t tensors = n.kind == OpKind::Clip ? 1 : n.inputs.size();
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Value *v = n.inputs[i];
    if (!v)
      continue;
    if (i >= tensors) {
      if (v->type.layout != Layout::Plain)
        return "Clip's bounds must be plain, " + describe(v);
    } else if (v->type.layout != out || v->type.shape != y.shape) {
      return fmt::format("operand {}: a blocked element-wise op reads "
                         "operands of its result's type {} (no broadcasting)",
                         describe(v), y.str());
    }
  }
  return "";
}

std::string checkBlockedConcat(const Node &n, Layout out) {
  const TensorType &y = n.outputs[0]->type;
  int64_t axis = n.getInt("axis");
  if (y.rank() != 4 || y.dtype != DType::F32 || (axis != 1 && axis != -3))
    return "a blocked Concat joins 2-D f32 images on the channel axis";
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Value *v = n.inputs[i];
    if (v->type.layout != out)
      return fmt::format("operand {}: a blocked Concat reads operands in its "
                         "result's layout {}",
                         describe(v), layoutName(out));
    if (i + 1 < n.inputs.size() && v->type.shape[1] % layoutBlock(out))
      return fmt::format("operand {} does not fill whole blocks of {} "
                         "channels (only the last operand of a blocked "
                         "Concat may)",
                         describe(v), layoutBlock(out));
  }
  return "";
}

// ExpandDepthwise: x and the result in one NCHWBc layout, the expansion's
// weights as a blocked Gemm1x1's, the depthwise weights as a blocked
// depthwise convolution's, the biases plain.
std::string checkExpandDepthwise(const Node &n) {
  Layout out = n.outputs[0]->type.layout;
  if (!isActivationLayout(out))
    return "cnnc.ExpandDepthwise is computed in blocked layouts only, its "
           "result " + describe(n.outputs[0]);
  int64_t block = layoutBlock(out);
  const Value *x = n.inputs[0], *we = n.inputs[1], *wd = n.inputs[2];
  if (x->type.layout != out || x->type.dtype != DType::F32)
    return fmt::format("operand {} must be f32 in the result's layout {}",
                       describe(x), layoutName(out));
  Layout pointwise = block == 8 ? Layout::OIHW8i8o : Layout::OIHW16i16o;
  Layout depthwise = block == 8 ? Layout::OIHW8o : Layout::OIHW16o;
  if (we->type.layout != pointwise || wd->type.layout != depthwise)
    return fmt::format("weights {} and {}, cnnc.ExpandDepthwise needs {} and "
                       "{}",
                       describe(we), describe(wd), layoutName(pointwise),
                       layoutName(depthwise));
  for (size_t i : {3, 4})
    if (layoutOf(n.input(i)) != Layout::Plain)
      return "the biases must be plain, " + describe(n.input(i));
  return "";
}

} // namespace

std::string checkLayouts(const Node &n) {
  if (n.kind == OpKind::ExpandDepthwise)
    return checkExpandDepthwise(n);
  bool anyBlocked = false;
  for (const Value *v : n.inputs)
    anyBlocked |= layoutOf(v) != Layout::Plain;
  for (const Value *v : n.outputs)
    anyBlocked |= layoutOf(v) != Layout::Plain;
  if (!anyBlocked)
    return "";
  Layout out = n.outputs[0]->type.layout;
  if (n.kind == OpKind::Reorder) {
    Layout in = n.inputs[0]->type.layout;
    bool plainIn = in == Layout::Plain, plainOut = out == Layout::Plain;
    if (plainIn == plainOut ||
        !isActivationLayout(plainIn ? out : in))
      return fmt::format("a Reorder goes between plain and a blocked "
                         "activation layout, not {} to {}",
                         layoutName(in), layoutName(out));
    if (n.inputs[0]->type.dtype != DType::F32)
      return "Reorder moves f32 tensors, " + describe(n.inputs[0]);
    return "";
  }
  if (!isActivationLayout(out)) {
    for (const Value *v : n.inputs)
      if (layoutOf(v) != Layout::Plain)
        return fmt::format("{} with a plain result reads plain operands, "
                           "operand {}",
                           n.opName(), describe(v));
    return fmt::format("result {}: only activation layouts (nchw8c, "
                       "nchw16c) are computed",
                       describe(n.outputs[0]));
  }
  switch (n.kind) {
  case OpKind::Conv:
  case OpKind::FusedConv:
  case OpKind::Gemm1x1:
    return checkBlockedConv(n, out);
  case OpKind::MaxPool:
  case OpKind::AveragePool:
  case OpKind::GlobalAveragePool:
  case OpKind::GlobalMaxPool: {
    const Value *x = n.inputs[0];
    if (n.outputs.size() != 1)
      return "a blocked MaxPool has no Indices result";
    if (x->type.layout != out || x->type.rank() != 4 ||
        x->type.dtype != DType::F32)
      return fmt::format("a blocked pool reads a 2-D f32 operand in the "
                         "result's layout {}, {}",
                         layoutName(out), describe(x));
    return "";
  }
  case OpKind::Concat:
    return checkBlockedConcat(n, out);
  default:
    if (isLayoutTransparentElementwise(n))
      return checkBlockedElementwise(n, out);
    return fmt::format("{} runs on plain tensors only", n.opName());
  }
}

} // namespace cnnc
