// cnnc-opt: textual cnnc IR in, passes, textual IR out (like LLVM's opt and
// mlir-opt). The IR is verified after parsing; lit tests drive it.
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/Pass.h"
#include "tools/common/ToolSupport.h"

#include <llvm/Support/CommandLine.h>

#include <iostream>

using namespace cnnc;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory toolOptions("cnnc-opt options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.cnnc | ->"),
                               cl::init("-"), cl::cat(toolOptions));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"), cl::cat(toolOptions));
cl::opt<std::string> passes("passes",
                            cl::desc("Comma-separated passes to run in order "
                                     "(see --list-passes)"),
                            cl::init(""), cl::cat(toolOptions));
cl::opt<bool> listPasses("list-passes", cl::desc("List the registered passes"),
                         cl::init(false), cl::cat(toolOptions));

// Print the blobs section exactly when the input had one, so a file
// round-trips whether or not it carries its weights.
bool hasBlobData(const Graph &g) {
  for (const Value *c : g.constants())
    if (c->constant->hasData() && !printsInline(*c->constant))
      return true;
  return false;
}

} // namespace

int main(int argc, char **argv) {
  parseToolOptions(argc, argv, toolOptions, "cnnc-opt: run passes over textual cnnc IR\n");
  if (listPasses) {
    for (const PassInfo &p : allPasses())
      std::cout << p.name << "  " << p.description << "\n";
    return 0;
  }
  // A bad --passes is the command line's error, reported before any input.
  std::vector<const PassInfo *> pipeline;
  if (int rc = runTool("cnnc-opt", "cnnc-opt", [&] {
        pipeline = parsePipeline(passes);
        return 0;
      }))
    return rc;
  std::string file = inputFile == "-" ? "<stdin>" : std::string(inputFile);
  return runTool("cnnc-opt", file, [&] {
    std::unique_ptr<Graph> graph = parseGraph(readInputFile(inputFile));
    verifyGraph(*graph);
    runPasses(*graph, pipeline);
    PrintOptions opts;
    opts.printBlobs = hasBlobData(*graph);
    writeOutput(outputFile, printGraph(*graph, opts));
    return 0;
  });
}
