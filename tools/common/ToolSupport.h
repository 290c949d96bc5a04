// What every cnnc command-line tool shares: parsing flags with one-line
// errors, --version, reading the input and writing the output, and turning
// errors into "FILE: error: ..." lines with exit code 1 (user errors) or 2
// (internal compiler errors).
#pragma once

#include <random>

#include "ir/Diagnostics.h"
#include "ir/Tensor.h"

#include <llvm/Support/CommandLine.h>

#include <functional>
#include <string>
#include <vector>

namespace cnnc {

// Parses llvm::cl options; --help shows only the tool's own `category` (not
// the hundreds LLVM registers). On a bad flag prints one line,
// "TOOL: error: <what>", and exits 1.
void parseToolOptions(int argc, char **argv, llvm::cl::OptionCategory &category,
                      const char *overview);

// Restarts the tool (same arguments, same process) with glibc told to back
// its large allocations with transparent huge pages, unless it already is,
// glibc is not the C library, or the restart fails (the tool then goes on
// as it is). A model's weights pass through several fresh buffers of
// hundreds of MB (the protobuf, the IR's tensors, the repacked weights,
// LLVM's constants, the object's sections), and with 4 KiB pages the
// kernel's page faults were half of compiling VGG16 (8 s, 4 s with huge
// pages). glibc reads this setting (GLIBC_TUNABLES) only at startup, and
// the kernel's default (transparent_hugepage=madvise) leaves it to the
// process. Call first thing in main.
void restartWithHugePages(char **argv);

// Unregisters the option `name` that libLLVM itself defines (it registers
// hundreds, among them --stats and --threads), so that the tool can define
// its own flag of that name. Call it in main before constructing that flag:
// two options of one name abort at registration.
void releaseLLVMOption(llvm::StringRef name);

// The whole contents of file `path`, or of stdin if it is "-". A file that
// cannot be opened is a UserError "cannot open file" (runTool prefixes the
// file name).
std::string readInputFile(const std::string &path);

// Writes `text` to file `path`, or to stdout if it is "-". Failure is a
// UserError "cannot write output file 'PATH'".
void writeOutput(const std::string &path, const std::string &text);

// A file name made of `name`'s letters, digits, '.', '_' and '-', every
// other character '_' (node names such as "/layer1/layer1.0/conv1/Conv"
// hold slashes); "unnamed" for "".
std::string fileSafe(const std::string &name);

// The comma-separated numbers of flag --`flag` ("0.485,0.456,0.406"); a
// UserError naming the flag for anything else.
std::vector<float> parseFloatList(const std::string &flag,
                                  const std::string &text);

// Runs `body`, mapping UserError to one line per diagnostic prefixed with
// `file` and exit code 1; InternalError and any other std::exception (e.g.
// std::bad_variant_access) to "TOOL: internal compiler error: ..." and 2.
int runTool(const std::string &tool, const std::string &file,
            const std::function<int()> &body);

// A tensor of `type` with seeded random data: floats uniform in [-1, 1),
// integers in [0, 10), bools fair (cnnc-run --random-inputs, cnnc-opt
// --check-equivalence).
Tensor randomTensor(const TensorType &type, std::mt19937_64 &rng);

} // namespace cnnc
