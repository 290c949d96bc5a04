// cnnc: the compiler driver. Reads an ONNX model (or textual cnnc IR) and
// emits what --emit asks for.
#include "compiler/onnx/Importer.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Summary.h"
#include "ir/Verifier.h"
#include "tools/common/ToolSupport.h"

#include <llvm/Support/CommandLine.h>

#include <fstream>
#include <iostream>
#include <sstream>

using namespace cnnc;
namespace cl = llvm::cl;

namespace {

enum class Emit { IR, Summary };

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                               cl::Required);
cl::opt<Emit> emit("emit", cl::desc("What to produce"), cl::init(Emit::IR),
                   cl::values(clEnumValN(Emit::IR, "ir", "textual cnnc IR"),
                              clEnumValN(Emit::Summary, "summary",
                                         "per-layer shapes, parameters, MACs")));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"));
cl::opt<int64_t> batch("batch",
                       cl::desc("Size bound to symbolic or unknown batch "
                                "dimensions (default 1)"),
                       cl::init(1));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Shape of a named input, e.g. --input-shape=data=1x3x224x224"),
    cl::value_desc("name=DxDx..."));
cl::opt<bool> printBlobs("print-blobs",
                         cl::desc("With --emit=ir, append the data of large "
                                  "constants so the output can be parsed back "
                                  "with its weights"),
                         cl::init(false));

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ImportOptions importOptions() {
  ImportOptions opts;
  if (batch <= 0 || batch > (int64_t(1) << 20))
    userError("--batch must be between 1 and 1048576, got {}", int64_t(batch));
  opts.batch = batch;
  for (const std::string &spec : inputShapes) {
    size_t eq = spec.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      userError("bad --input-shape '{}': expected NAME=DxDx...", spec);
    Shape shape;
    std::stringstream dims(spec.substr(eq + 1));
    std::string dim;
    while (std::getline(dims, dim, 'x')) {
      if (dim.empty() || dim.size() > 12 ||
          dim.find_first_not_of("0123456789") != std::string::npos)
        userError("bad --input-shape '{}': dimensions must be positive "
                  "integers separated by 'x'",
                  spec);
      shape.push_back(std::stoll(dim));
    }
    opts.inputShapes[spec.substr(0, eq)] = shape;
  }
  return opts;
}

std::unique_ptr<Graph> load(const std::string &path) {
  if (endsWith(path, ".cnnc")) {
    std::ifstream in(path);
    if (!in)
      userError("cannot open file");
    std::stringstream text;
    text << in.rdbuf();
    std::unique_ptr<Graph> g = parseGraph(text.str());
    verifyGraph(*g);
    return g;
  }
  return importOnnxFile(path, importOptions());
}

} // namespace

int main(int argc, char **argv) {
  parseToolOptions(argc, argv,
                   "cnnc: ahead-of-time compiler for ONNX convolutional "
                   "networks\n\n  cnnc model.onnx --emit=summary\n  cnnc "
                   "model.onnx --emit=ir -o model.cnnc\n");
  return runTool("cnnc", inputFile, [] {
    std::unique_ptr<Graph> graph = load(inputFile);
    std::ostringstream out;
    switch (emit) {
    case Emit::IR: {
      PrintOptions opts;
      opts.printBlobs = printBlobs;
      printGraph(*graph, out, opts);
      break;
    }
    case Emit::Summary:
      printSummary(*graph, out);
      break;
    }
    if (outputFile == "-") {
      std::cout << out.str();
    } else {
      std::ofstream file(outputFile);
      if (!file || !(file << out.str()))
        userError("cannot write output file '{}'", std::string(outputFile));
    }
    return 0;
  });
}
