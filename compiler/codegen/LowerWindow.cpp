// Lowering of convolutions and pooling to libjit kernels.
#include "compiler/codegen/Emitter.h"

namespace cnnc {

namespace {

// A window's geometry as 2-D (1-D windows get a height of 1).
struct Window2D {
  int64_t H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR;
};

Window2D window2D(const Node &n) {
  const Shape &x = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  Window win = resolvedWindow(n);
  if (x.size() == 3)
    return {1, x[2],
            1, y[2],
            1, win.kernel[0],
            1, win.strides[0],
            1, win.dilations[0],
            0, win.pads[0],
            0, win.pads[1]};
  if (x.size() != 4)
    n.error("code generation supports 1-D and 2-D windows, not {}-D",
            x.size() - 2);
  return {x[2],
          x[3],
          y[2],
          y[3],
          win.kernel[0],
          win.kernel[1],
          win.strides[0],
          win.strides[1],
          win.dilations[0],
          win.dilations[1],
          win.pads[0],
          win.pads[1],
          win.pads[2],
          win.pads[3]};
}

} // namespace

void Emitter::conv(const Node &n) {
  requireF32(n);
  const Shape &x = n.inputs[0]->type.shape, &y = n.outputs[0]->type.shape;
  Window2D w = window2D(n);
  callRange("cnnc_conv2d_f32", {pointer(n.inputs[0]),
                           pointer(n.inputs[1]),
                           optionalPointer(n.input(2)),
                           pointer(n.outputs[0]),
                           i64(x[1]),
                           i64(w.H),
                           i64(w.W),
                           i64(y[1]),
                           i64(w.OH),
                           i64(w.OW),
                           i64(w.KH),
                           i64(w.KW),
                           i64(w.SH),
                           i64(w.SW),
                           i64(w.DH),
                           i64(w.DW),
                           i64(w.PT),
                           i64(w.PL),
                           i64(n.getInt("group")),
                           i64(0),
                           i64(y[0] * y[1])});
}

void Emitter::pool(const Node &n) {
  requireF32(n);
  if (n.outputs.size() > 1)
    n.error("code generation does not produce MaxPool's Indices yet");
  const Shape &y = n.outputs[0]->type.shape;
  Window2D w = window2D(n);
  bool average = n.kind == OpKind::AveragePool;
  callRange("cnnc_pool2d_f32", {pointer(n.inputs[0]),
                           pointer(n.outputs[0]),
                           i64(average ? 1 : 0),
                           i64(w.H),
                           i64(w.W),
                           i64(w.OH),
                           i64(w.OW),
                           i64(w.KH),
                           i64(w.KW),
                           i64(w.SH),
                           i64(w.SW),
                           i64(w.DH),
                           i64(w.DW),
                           i64(w.PT),
                           i64(w.PL),
                           i64(w.PB),
                           i64(w.PR),
                           i64(average ? n.getInt("count_include_pad") : 0),
                           i64(0),
                           i64(y[0] * y[1])});
}

void Emitter::globalPool(const Node &n) {
  requireF32(n);
  const Shape &x = n.inputs[0]->type.shape;
  callRange("cnnc_global_pool_f32",
       {pointer(n.inputs[0]), pointer(n.outputs[0]),
        i64(n.kind == OpKind::GlobalAveragePool ? 1 : 0),
        i64(elementCount(x, 2, x.size())), i64(0), i64(x[0] * x[1])});
}

void Emitter::convTranspose(const Node &n) { unsupported(n); }

void Emitter::lpPool(const Node &n) { unsupported(n); }

} // namespace cnnc
