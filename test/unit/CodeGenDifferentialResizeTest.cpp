// Randomized differential tests of the code generator's Resize (see
// DifferentialTestSupport.h): every mode under every
// coordinate_transformation_mode, with scales or sizes, up- and downsampling,
// ranks 2 to 5, axes, keep_aspect_ratio_policy, exclude_outside,
// cubic_coeff_a, antialias and the extrapolation of tf_crop_and_resize.
#include "DifferentialTestSupport.h"

using namespace cnnc;
using namespace cnnc::difftest;

namespace {

const std::vector<std::string> kModes{"nearest", "linear", "cubic"};
const std::vector<std::string> kTransforms{
    "half_pixel", "pytorch_half_pixel",   "align_corners",
    "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};

// An f32 vector constant with these values (scales, roi): Batch makes random
// constants only, so one of those is given the values.
Value *floatVector(Batch &b, const std::vector<float> &v) {
  Shape shape{int64_t(v.size())};
  Value *c = b.constant(shape);
  c->constant =
      std::make_shared<Tensor>(Tensor::fromValues(DType::F32, shape, v));
  return c;
}

// The axes to resize: all of them (the attribute left out or listed), the
// spatial ones (from 2 on, as in NCHW models), or a random non-empty subset,
// written as negative axes at times.
std::vector<int64_t> randomAxes(Rng &rng, int64_t rank, bool &listed) {
  std::vector<int64_t> axes;
  int kind = int(rng.intIn(0, 3));
  for (int64_t d = 0; d < rank; ++d)
    if (kind <= 1 || (kind == 2 && (d >= 2 || rank <= 2)) ||
        (kind == 3 && rng.chance(0.5)))
      axes.push_back(d);
  if (axes.empty())
    axes.push_back(rng.intIn(0, rank - 1));
  listed = kind != 0;
  return axes;
}

// Resize case c: mode c % 3 under coordinate_transformation_mode
// (c / 3) % 6, rank 3 or 4 alternating every 18 cases and sometimes 2 or 5;
// the rest is random. `dtype` is the data's type (nearest only, for any
// other than f32); `r` its range.
void resizeCase(Batch &b, int c, DType dtype = DType::F32, Range r = {}) {
  Rng &rng = b.rng();
  const std::string &mode = kModes[size_t(c % 3)];
  const std::string &transform = kTransforms[size_t((c / 3) % 6)];
  // Draws the interpreter rejects (a position out of reach of every input
  // element) are drawn again.
  for (int attempt = 0; attempt < 20; ++attempt) {
    int64_t rank =
        rng.chance(0.2) ? rng.pick<int64_t>({2, 5}) : 3 + (c / 18) % 2;
    Shape x = rng.shape(size_t(rank), 1, rank == 5 ? 3 : 6);
    if (rng.chance(0.25)) // long rows
      x.back() = rng.intIn(12, 30);
    bool listed = false;
    std::vector<int64_t> axes = randomAxes(rng, rank, listed);

    AttrMap attrs{{"mode", Attribute(mode)},
                  {"coordinate_transformation_mode", Attribute(transform)}};
    if (listed) {
      std::vector<int64_t> written = axes;
      for (int64_t &a : written)
        if (rng.chance(0.3))
          a -= rank;
      attrs.insert_or_assign("axes", ints(written));
    }
    // Scales (up, down, by 1, fractional) or sizes, the latter with a
    // keep_aspect_ratio_policy at times. Some resize nothing (which most
    // coordinate transformations then map to the input unchanged).
    bool sizes = rng.chance(0.4), same = rng.chance(0.1);
    std::vector<float> scales;
    std::vector<int64_t> outSizes;
    for (int64_t a : axes) {
      int64_t in = x[size_t(a)];
      if (sizes) {
        outSizes.push_back(same || rng.chance(0.2) ? in
                                                   : rng.intIn(1, 3 * in + 1));
        continue;
      }
      float s = same ? 1
                : rng.chance(0.6)
                    ? rng.pick<float>({0.5f, 0.75f, 1, 1, 1.5f, 2, 2.5f, 3})
                    : rng.floatIn(0.3f, 3.5f);
      if (float(in) * s < 1) // an empty output tests nothing
        s = 1;
      scales.push_back(s);
    }
    // Small enough for the interpreter to be quick.
    int64_t count = elementCount(x);
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t in = x[size_t(axes[i])];
      count =
          count / in *
          std::max(in, sizes ? outSizes[i] : int64_t(float(in) * scales[i]));
    }
    if (count > 6000)
      continue;
    if (sizes && rng.chance(0.3))
      attrs.insert_or_assign("keep_aspect_ratio_policy",
                             Attribute(rng.pick<std::string>(
                                 {"stretch", "not_larger", "not_smaller"})));
    if (mode == "nearest" && rng.chance(0.8))
      attrs.insert_or_assign(
          "nearest_mode",
          Attribute(rng.pick<std::string>(
              {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"})));
    if (mode != "nearest") {
      if (rng.chance(0.35))
        attrs.insert_or_assign("exclude_outside", Attribute(int64_t(1)));
      if (rng.chance(0.2))
        attrs.insert_or_assign("antialias", Attribute(int64_t(1)));
    }
    if (mode == "cubic" && rng.chance(0.5))
      attrs.insert_or_assign("cubic_coeff_a",
                             Attribute(double(rng.floatIn(-1, -0.25f))));
    // roi: the crop of tf_crop_and_resize, reaching outside the input at
    // times (extrapolated); other modes ignore a roi given to them.
    Value *roi = nullptr;
    if (transform == "tf_crop_and_resize" || rng.chance(0.1)) {
      std::vector<float> starts, ends;
      for (size_t i = 0; i < axes.size(); ++i) {
        starts.push_back(rng.chance(0.3) ? 0 : rng.floatIn(-0.4f, 0.5f));
        ends.push_back(rng.chance(0.3) ? 1 : rng.floatIn(0.5f, 1.4f));
      }
      starts.insert(starts.end(), ends.begin(), ends.end());
      roi = floatVector(b, starts);
      if (rng.chance(0.7))
        attrs.insert_or_assign("extrapolation_value",
                               Attribute(double(rng.floatIn(-3, 3))));
    }
    std::vector<Value *> operands{b.input(x, r, dtype), roi};
    if (sizes) {
      operands.push_back(nullptr);
      operands.push_back(intConstant(b, outSizes));
    } else {
      operands.push_back(floatVector(b, scales));
    }
    if (b.add(OpKind::Resize, operands, attrs, 1, true, /*probe=*/true))
      return;
  }
  FAIL() << "no valid Resize drawn for case " << c;
}

TEST(CodeGenDifferentialResizeTest, ModesAndTransforms) {
  // 144: every mode x transform pair 8 times, half of them at rank 3 and
  // half at rank 4 (with some rank 2 and 5).
  int64_t nodes =
      runCases("Resize", 144, 24, [](Batch &b, int c) { resizeCase(b, c); });
  EXPECT_EQ(nodes, 144);
}

// NaN, infinities and signed zeros: they must reach exactly the outputs whose
// taps read them (taps of weight 0 are left out, as in the interpreter).
TEST(CodeGenDifferentialResizeTest, SpecialValues) {
  int64_t nodes = runCases("ResizeSpecialValues", 36, 18, [](Batch &b, int c) {
    resizeCase(b, c, DType::F32, Range{-2, 2, false, true, false});
  });
  EXPECT_EQ(nodes, 36);
}

// Nearest copies elements of any type; the extrapolation value is converted
// to the type as the interpreter converts it (saturating, for u8).
TEST(CodeGenDifferentialResizeTest, NearestOtherTypes) {
  const std::vector<DType> dtypes{DType::I64, DType::I32, DType::U8,
                                  DType::I8,  DType::F16, DType::Bool};
  int cases = 6 * int(dtypes.size());
  int64_t nodes =
      runCases("ResizeNearestOtherTypes", cases, 18, [&](Batch &b, int c) {
        // c * 3: nearest, under transform c % 6.
        resizeCase(b, c * 3, dtypes[size_t(c / 6)]);
      });
  EXPECT_EQ(nodes, cases);
}

} // namespace
