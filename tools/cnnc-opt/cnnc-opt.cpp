// cnnc-opt: textual cnnc IR in, passes, textual IR out (like LLVM's opt and
// mlir-opt). The IR is verified after parsing, with the memory plan it
// records, if any; lit tests drive it. With --check-equivalence it also runs
// the graph before and after the passes on the reference interpreter with
// seeded random inputs and fails if any output differs by more than the code
// generator's tolerance.
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "ir/interp/Interpreter.h"
#include "passes/MemoryPlan.h"
#include "passes/Pass.h"
#include "tools/common/PassOptions.h"
#include "tools/common/ToolSupport.h"

#include <llvm/Support/CommandLine.h>

#include <cmath>
#include <iostream>
#include <sstream>

using namespace cnnc;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory toolOptions("cnnc-opt options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.cnnc | ->"),
                               cl::init("-"), cl::cat(toolOptions));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(toolOptions));
// Registered in main (PassOptions::registerIn).
PassOptions *passOptionsPtr = nullptr;
cl::opt<bool> listPasses("list-passes", cl::desc("List the registered passes"),
                         cl::init(false), cl::cat(toolOptions));
cl::opt<bool> checkEquivalence(
    "check-equivalence",
    cl::desc("Interpret the graph before and after the passes on the same "
             "random inputs; fail if an output differs by more than "
             "1e-4 + 1e-3 * |before|"),
    cl::init(false), cl::cat(toolOptions));
cl::opt<bool> splitInputFile(
    "split-input-file",
    cl::desc("Treat the input as graphs separated by lines \"// -----\", "
             "each run on its own (outputs separated the same way)"),
    cl::init(false), cl::cat(toolOptions));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed of --check-equivalence's inputs "
                                "(default 0)"),
                       cl::init(0), cl::cat(toolOptions));

// Print the blobs section exactly when the input had one, so a file
// round-trips whether or not it carries its weights.
bool hasBlobData(const Graph &g) {
  for (const Value *c : g.constants())
    if (c->constant->hasData() && !printsInline(*c->constant))
      return true;
  return false;
}

// The tolerance of the code generator's differential tests: passes
// reassociate and fold in double (BatchNorm into weights), which moves
// results by far less than this.
bool close(double actual, double expected) {
  if (std::isnan(expected) || std::isnan(actual))
    return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected))
    return actual == expected;
  return std::fabs(actual - expected) <= 1e-4 + 1e-3 * std::fabs(expected);
}

// A UserError naming the first output and element that differ.
void compareOutputs(const Graph &graph, const std::vector<Tensor> &before,
                    const std::vector<Tensor> &after) {
  if (before.size() != after.size())
    userError("--check-equivalence: {} outputs before the passes, {} after",
              before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) {
    const std::string &name = graph.outputs[i]->name;
    if (before[i].type() != after[i].type())
      userError("--check-equivalence: output '{}' was {}, is {}", name,
                before[i].type().str(), after[i].type().str());
    bool floats = isFloat(before[i].type().dtype);
    for (int64_t k = 0; k < before[i].numElements(); ++k) {
      bool same = floats ? close(after[i].floatAt(k), before[i].floatAt(k))
                         : after[i].intAt(k) == before[i].intAt(k);
      if (!same)
        userError("--check-equivalence: output '{}' element {} was {}, is {}",
                  name, k, before[i].floatAt(k), after[i].floatAt(k));
    }
  }
}

// Parses `text`, runs the pipeline (checking equivalence if asked) and
// returns the printed result.
std::vector<const PassInfo *> pipeline;

std::string optimize(const std::string &text) {
  std::unique_ptr<Graph> graph = parseGraph(text);
  verifyGraph(*graph);
  verifyRecordedPlan(*graph);
  std::vector<Tensor> inputs, before;
  if (checkEquivalence) {
    std::mt19937_64 rng(seed);
    for (const Value *in : graph->inputs)
      inputs.push_back(randomTensor(in->type, rng));
    before = interpretGraph(*graph, inputs);
  }
  runPasses(*graph, pipeline, passOptionsPtr->managerOptions(), std::cerr);
  if (checkEquivalence)
    compareOutputs(*graph, before, interpretGraph(*graph, inputs));
  PrintOptions opts;
  opts.printBlobs = hasBlobData(*graph);
  return printGraph(*graph, opts);
}

} // namespace

int main(int argc, char **argv) {
  passOptionsPtr = &PassOptions::registerIn(toolOptions);
  parseToolOptions(argc, argv, toolOptions,
                   "cnnc-opt: run passes over textual cnnc IR\n");
  if (listPasses) {
    for (const PassInfo &p : allPasses())
      std::cout << p.name << "  " << p.description << "\n";
    return 0;
  }
  // A bad --passes is the command line's error, reported before any input.
  if (int rc = runTool("cnnc-opt", "cnnc-opt", [&] {
        pipeline = passOptionsPtr->pipeline(/*optLevel=*/0);
        return 0;
      }))
    return rc;
  std::string file = inputFile == "-" ? "<stdin>" : std::string(inputFile);
  return runTool("cnnc-opt", file, [&] {
    std::string text = readInputFile(inputFile);
    std::vector<std::string> chunks{text};
    if (splitInputFile) {
      // Each chunk keeps its lines' numbers in error messages only
      // relative to the chunk; the chunks are small test cases.
      chunks.clear();
      std::string current, line;
      std::istringstream in(text);
      while (std::getline(in, line)) {
        if (line.rfind("// -----", 0) == 0) {
          chunks.push_back(current);
          current.clear();
        } else {
          current += line + "\n";
        }
      }
      chunks.push_back(current);
    }
    std::string out;
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (i)
        out += "// -----\n";
      out += optimize(chunks[i]);
    }
    writeOutput(outputFile, out);
    return 0;
  });
}
