// Lowering of Resize. Which input elements each output position reads, and
// with which weights, depends on shapes and attributes only (and on roi,
// which code generation needs as a constant): it is computed here at compile
// time by the code the interpreter uses (ir/ResizeTaps.h) and stored as
// tables that one libjit kernel (libjit/resize.c, whose comment describes
// the tables) combines.
#include "compiler/codegen/Emitter.h"
#include "ir/ResizeTaps.h"

#include <algorithm>
#include <cstring>

namespace cnnc {

namespace {

// One axis as the kernel sees it: an axis of the tensors, or several
// adjacent ones that read their input position unchanged, merged into one.
struct KernelAxis {
  int64_t size;     // of the output, which is the input's when unchanged
  int64_t inStride; // of the input (the innermost one's when merged)
  std::vector<ResizeSample> samples; // empty when unchanged
};

// Whether every output position o of an axis reads input position o alone
// (an axis not resized, or resized by 1 with a mapping that keeps the
// coordinates).
bool unchanged(const std::vector<ResizeSample> &samples, int64_t inSize) {
  if (int64_t(samples.size()) != inSize)
    return false;
  for (size_t o = 0; o < samples.size(); ++o) {
    const ResizeSample &s = samples[o];
    if (s.outside || s.taps.size() != 1 || s.taps[0].index != int64_t(o) ||
        s.taps[0].weight != 1.0)
      return false;
  }
  return true;
}

// The kernel's axes. Unchanged axes cost no tables and no weights, and runs
// of them merge, so NCHW data resized on H and W becomes [N * C, H, W].
std::vector<KernelAxis>
kernelAxes(const Shape &inShape,
           std::vector<std::vector<ResizeSample>> samples) {
  std::vector<KernelAxis> axes;
  bool previousUnchanged = false;
  for (size_t d = 0; d < inShape.size(); ++d) {
    int64_t stride = elementCount(inShape, d + 1, inShape.size());
    bool same = unchanged(samples[d], inShape[d]);
    if (same && previousUnchanged) {
      axes.back().size *= inShape[d];
      axes.back().inStride = stride;
    } else if (same) {
      axes.push_back({inShape[d], stride, {}});
    } else {
      axes.push_back(
          {int64_t(samples[d].size()), stride, std::move(samples[d])});
    }
    previousUnchanged = same;
  }
  if (axes.empty()) // a scalar
    axes.push_back({1, 1, {}});
  return axes;
}

} // namespace

void Emitter::resize(const Node &n) {
  const Shape &inShape = n.inputs[0]->type.shape;
  const TensorType &outType = n.outputs[0]->type;
  if (outType.numElements() == 0)
    return;
  // Nearest copies elements of any type; linear and cubic compute in f32.
  bool nearest = n.getString("mode") == "nearest";
  if (!nearest)
    requireF32(n);
  if (inShape.size() > 64)
    n.error("code generation supports Resize up to rank 64");

  // The operands as the interpreter reads them; shape inference has made
  // sure that scales and sizes are constants.
  ResizeOperands ops;
  auto floats = [](const Tensor *t) {
    std::vector<double> v;
    for (int64_t i = 0; t && i < t->numElements(); ++i)
      v.push_back(t->floatAt(i));
    return v;
  };
  ops.scales = floats(n.constantInput(2));
  if (ops.scales.empty() && n.constantInput(3))
    ops.sizes = n.constantInput(3)->toInts();
  if (n.getString("coordinate_transformation_mode") == "tf_crop_and_resize") {
    const Tensor *roi = n.constantInput(1);
    if (n.input(1) && (!roi || !roi->hasData()))
      n.error("code generation does not support a run-time roi yet: its "
              "taps are computed at compile time, from a constant roi");
    ops.roi = floats(roi);
  }
  std::vector<KernelAxis> axes =
      kernelAxes(inShape, resizeSamples(n, inShape, outType.shape, ops));

  // The tables of libjit/resize.c. Unchanged axes have none.
  std::vector<int64_t> info, counts, offsets;
  std::vector<float> weights;
  for (const KernelAxis &a : axes) {
    // K is 0 for an unchanged axis only.
    size_t K = a.samples.empty() ? 0 : 1;
    for (const ResizeSample &s : a.samples)
      K = std::max(K, s.taps.size());
    info.insert(info.end(), {a.size, int64_t(K), a.inStride,
                             int64_t(counts.size()), int64_t(offsets.size())});
    for (const ResizeSample &s : a.samples) {
      std::vector<ResizeTap> taps =
          s.outside ? std::vector<ResizeTap>{} : s.taps;
      counts.push_back(int64_t(taps.size()));
      taps.resize(K, ResizeTap{0, 0.0}); // unused entries
      for (const ResizeTap &t : taps) {
        offsets.push_back(t.index * a.inStride);
        weights.push_back(float(t.weight));
      }
    }
  }
  const std::string &name = n.name;
  int64_t rank = int64_t(axes.size());
  int64_t rows = outType.numElements() / axes.back().size;
  double extrapolation = n.getFloat("extrapolation_value");
  if (nearest) {
    // The fill element's bytes, as the interpreter converts it to the type.
    Tensor fill = scalarTensor(outType.dtype, extrapolation);
    int64_t fillBits = 0;
    std::memcpy(&fillBits, fill.bytes().data(), fill.bytes().size());
    callRange("cnnc_resize_nearest",
              {pointer(n.inputs[0]), pointer(n.outputs[0]),
               i64(int64_t(dtypeSize(outType.dtype))),
               int64Constant("resize.axes." + name, info),
               int64Constant("resize.counts." + name, counts),
               int64Constant("resize.offsets." + name, offsets),
               int64Constant("resize.fill." + name, {fillBits}), i64(rank),
               i64(0), i64(rows)});
    return;
  }
  callRange("cnnc_resize_f32",
            {pointer(n.inputs[0]), pointer(n.outputs[0]),
             int64Constant("resize.axes." + name, info),
             int64Constant("resize.counts." + name, counts),
             int64Constant("resize.offsets." + name, offsets),
             floatConstant("resize.weights." + name, weights), i64(rank),
             f32(extrapolation), i64(0), i64(rows)});
}

} // namespace cnnc
