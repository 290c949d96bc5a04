// Textual IR printer. The format (parsed back by Parser.h, so that
// print(parse(t)) == t):
//
//   graph @small(%x: f32[1,3,32,32]) -> (%y: f32[1,10,32,32]) {
//     %w = const f32[10,3,5,5] blob(0)
//     %s = const i64[2] [1, -1]
//     %c = Conv(%x, %w, _) {kernel_shape=[5, 5], pads=[2, 2, 2, 2]} : f32[1,10,32,32] loc("conv1")
//     %a, %b = Split(%c, %t) {axis=1} : f32[1,5,32,32], f32[1,5,32,32] loc("split")
//     %y = Relu(%a) : f32[1,10,32,32] loc("relu1")
//     return %y
//   }
//   blobs {
//     0: 0x0000803f...
//   }
//
// A graph may record a memory plan (plan-memory, passes/MemoryPlan.h): a
// first line "workspace N bytes" in the body, and after the type of each
// node result the plan places, its offset in the workspace and, for a
// no-copy view, the value whose bytes it names:
//
//   graph @planned(%x: f32[1,8]) -> (%y: f32[8,1]) {
//     workspace 64 bytes
//     %s = const i64[2] [8, 1]
//     %a = Relu(%x) : f32[1,8] @ws[0]
//     %b = Reshape(%a, %s) : f32[8,1] @ws[0] view(%a)
//     %y = Sigmoid(%b) : f32[8,1]
//     return %y
//   }
//
// The parser reads the plan as written; whether it is sound (aligned, no
// two live tensors in overlapping bytes but for views and element-wise
// results written in place) is verifyPlan's question, asked by the verify
// pass, cnnc-opt after parsing and code generation.
//
// Names are %ident when they are made of [A-Za-z0-9_.] and %"quoted" (with
// \" and \\ escapes) otherwise. "_" is an absent optional operand. Constants
// with at most kInlineElements elements of f32/f64/integer/bool type print
// their values inline; others print blob(N), numbered in printing order, and
// their bytes (little-endian, hex) go into the trailing blobs section when
// PrintOptions::printBlobs is set (an elided tensor's entry reads
// "N: elided"). Without the section the constant is parsed back as elided
// (type known, data absent).
#pragma once

#include "ir/Graph.h"

#include <ostream>
#include <string>

namespace cnnc {

constexpr int64_t kInlineElements = 16;

struct PrintOptions {
  bool printBlobs = false; // append the blobs section with constant data
};

void printGraph(const Graph &graph, std::ostream &os, PrintOptions opts = {});
std::string printGraph(const Graph &graph, PrintOptions opts = {});

// Whether a constant's data prints inline (small, decimal-printable) rather
// than as blob(N).
bool printsInline(const Tensor &t);

// Pieces shared with diagnostics and the summary.
std::string printValueName(const std::string &name); // "%x" or "%\"a/b\""
// [A-Za-z0-9_.]: the characters of an unquoted %name. The parser's lexer
// uses the same set, so what prints unquoted parses back.
bool isPlainNameChar(char c);
std::string printAttribute(const Attribute &attr);

} // namespace cnnc
