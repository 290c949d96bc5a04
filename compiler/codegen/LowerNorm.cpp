// Lowering of normalizations and softmax to libjit kernels.
#include <cmath>

#include "compiler/codegen/Emitter.h"

namespace cnnc {

void Emitter::batchNorm(const Node &n) {
  requireF32(n);
  const Shape &x = n.inputs[0]->type.shape;
  if (n.getInt("training_mode") != 0) {
    // Statistics of the batch, computed at run time per channel; the
    // running statistics are the optional results 1 and 2.
    auto result = [&](size_t i) {
      return optionalPointer(i < n.outputs.size() ? n.outputs[i] : nullptr);
    };
    callRange("cnnc_batchnorm_train_f32",
              {pointer(n.inputs[0]), pointer(n.inputs[1]), pointer(n.inputs[2]),
               pointer(n.inputs[3]), pointer(n.inputs[4]),
               pointer(n.outputs[0]), result(1), result(2),
               f32(n.getFloat("epsilon")), f32(n.getFloat("momentum")),
               i64(x[0]), i64(x[1]), i64(elementCount(x, 2, x.size())), i64(0),
               i64(x[1])});
    return;
  }
  if (n.outputs.size() > 1)
    n.error("the running statistics (results 1 and 2) exist in training mode "
            "only");
  // Statistics in a weights file belong to the file, not to the code.
  bool constantStatistics = !externalWeights();
  for (size_t i = 1; i < 5; ++i)
    if (const Tensor *t = n.constantInput(i); !t || !t->hasData())
      constantStatistics = false;
  if (!constantStatistics) {
    // Statistics known at run time only: the kernel folds them per plane.
    callRange("cnnc_batchnorm_f32",
              {pointer(n.inputs[0]), pointer(n.inputs[1]), pointer(n.inputs[2]),
               pointer(n.inputs[3]), pointer(n.inputs[4]),
               pointer(n.outputs[0]), f32(n.getFloat("epsilon")), i64(x[1]),
               i64(elementCount(x, 2, x.size())), i64(0), i64(x[0] * x[1])});
    return;
  }
  std::vector<float> scale = constantFloats(n, 1), bias = constantFloats(n, 2),
                     mean = constantFloats(n, 3), var = constantFloats(n, 4);
  // Folded at compile time into y = x * s + t per channel, in double.
  std::vector<float> s(scale.size()), t(scale.size());
  double eps = n.getFloat("epsilon");
  for (size_t c = 0; c < s.size(); ++c) {
    double k = scale[c] / std::sqrt(double(var[c]) + eps);
    s[c] = float(k);
    t[c] = float(bias[c] - mean[c] * k);
  }
  callRange("cnnc_channel_affine_f32",
            {pointer(n.inputs[0]), floatConstant("bn.scale." + n.name, s),
             floatConstant("bn.shift." + n.name, t), pointer(n.outputs[0]),
             i64(x[1]), i64(elementCount(x, 2, x.size())), i64(0),
             i64(x[0] * x[1])});
}

void Emitter::softmax(const Node &n) {
  requireF32(n);
  const Shape &x = n.inputs[0]->type.shape;
  int64_t axis = normalizeAxis(n, n.getInt("axis"), int64_t(x.size()));
  callRange("cnnc_softmax_f32",
            {pointer(n.inputs[0]), pointer(n.outputs[0]),
             i64(n.kind == OpKind::LogSoftmax), i64(x[size_t(axis)]),
             i64(elementCount(x, size_t(axis) + 1, x.size())), i64(0),
             i64(elementCount(x, 0, size_t(axis)))});
}

void Emitter::instanceNorm(const Node &n) {
  requireF32(n);
  const Shape &x = n.inputs[0]->type.shape;
  // epsilon stays a double: the kernel works in double, as the interpreter.
  callRange(
      "cnnc_instance_norm_f32",
      {pointer(n.inputs[0]), pointer(n.inputs[1]), pointer(n.inputs[2]),
       pointer(n.outputs[0]),
       llvm::ConstantFP::get(builder().getDoubleTy(), n.getFloat("epsilon")),
       i64(x[1]), i64(elementCount(x, 2, x.size())), i64(0), i64(x[0] * x[1])});
}

void Emitter::lrn(const Node &n) {
  requireF32(n);
  const Shape &x = n.inputs[0]->type.shape;
  callRange("cnnc_lrn_f32",
            {pointer(n.inputs[0]), pointer(n.outputs[0]),
             f32(n.getFloat("alpha")), f32(n.getFloat("beta")),
             f32(n.getFloat("bias")), i64(n.getInt("size")), i64(x[1]),
             i64(elementCount(x, 2, x.size())), i64(0), i64(x[0] * x[1])});
}

} // namespace cnnc
