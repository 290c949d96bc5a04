// Textual IR parser: the inverse of Printer.h.
//
// Errors are UserErrors whose diagnostic location is "LINE:COL" in the text
// (tools print "FILE:LINE:COL: error: ..."). The parser checks syntax, that
// every op exists in the op table, that every value is defined once before it
// is used, and blob references; it does not run the verifier (callers do).
#pragma once

#include "ir/Graph.h"

#include <memory>
#include <string_view>

namespace cnnc {

std::unique_ptr<Graph> parseGraph(std::string_view text);

} // namespace cnnc
