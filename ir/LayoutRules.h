// Which layouts each op may read and write: the contract between the
// choose-layout pass, which assigns blocked layouts, and code generation,
// which implements every combination accepted here. The verifier enforces
// it, so a hand-written or stale IR cannot reach code generation with a
// layout no kernel handles.
//
// A node whose values are all plain is always fine. Blocked layouts
// (see Layout in ir/Types.h) are accepted on:
//   cnnc.Reorder       plain <-> NCHWBc (the only op that changes a layout)
//   Conv, FusedConv    2-D, f32, result NCHWBc; operand x NCHWBc with
//                      weights OIHWBiBo (group 1) or OIHWBo (depthwise:
//                      group = channels in = channels out), or x plain with
//                      weights OIHWBo (group 1); bias plain; a residual in
//                      the result's layout
//   Gemm1x1            2-D, f32, x and result NCHWBc, weights OIHWBiBo,
//                      bias plain, a residual in the result's layout
//   cnnc.ExpandDepthwise  only blocked: x and result NCHWBc, expansion
//                      weights OIHWBiBo, depthwise weights OIHWBo, biases
//                      plain
//   MaxPool (1 result), AveragePool, GlobalAveragePool, GlobalMaxPool:
//                      2-D, f32, operand and result NCHWBc
//   Concat             on the channel axis of 2-D f32 images, every operand
//                      and the result in one NCHWBc layout, every operand
//                      but the last filling whole blocks (so the blocks of
//                      the operands are the result's, in order)
//   the element-wise ops of CNN chains (Relu, LeakyRelu, Clip, Sigmoid,
//   HardSigmoid, HardSwish, Tanh, Abs, Neg, Add, Sub, Mul, Max, Min, Sum):
//   f32, every tensor operand and the result in one NCHWBc layout and of one
//   shape (no broadcasting; Clip's bounds plain).
// The padding lanes of a blocked tensor hold values nobody reads: a
// convolution skips them, pooling and element-wise ops keep lanes apart,
// and a Reorder to plain drops them.
// One node uses one block size throughout.
#pragma once

#include "ir/Graph.h"

#include <string>

namespace cnnc {

// Empty if `n`'s operand and result layouts are accepted, else what is
// wrong, for a diagnostic about `n`.
std::string checkLayouts(const Node &n);

// Whether `n` is one of the element-wise ops above that may run on blocked
// operands (judging by op kind only).
bool isLayoutTransparentElementwise(const Node &n);

} // namespace cnnc
