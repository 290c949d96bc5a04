// cnnc-run: runs a model on given inputs, compares its outputs with
// expected ones (ONNX test data) and dumps intermediate tensors.
//
// By default the model is compiled in memory (LLVM ORC JIT) with the same
// code generator as `cnnc -o`; --interp runs the reference interpreter.
#include "compiler/codegen/Jit.h"
#include "compiler/onnx/Importer.h"
#include "ir/interp/Interpreter.h"
#include "tools/common/Image.h"
#include "tools/common/ModelLoading.h"
#include "tools/common/NpyFile.h"
#include "tools/common/PassOptions.h"
#include "tools/common/ToolSupport.h"

#include <llvm/Support/CommandLine.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>
#include <regex>
#include <set>
#include <sstream>

using namespace cnnc;
namespace cl = llvm::cl;
namespace fs = std::filesystem;

namespace {

cl::OptionCategory toolOptions("cnnc-run options");

cl::opt<std::string> modelFile(cl::Positional, cl::desc("<model.onnx>"),
                               cl::cat(toolOptions));
cl::opt<std::string> imageFile(
    cl::Positional,
    cl::desc("[image]: classify this picture (PNG, JPEG, ...): the model's "
             "one input is made from it, and the top classes are printed"),
    cl::cat(toolOptions));
cl::opt<std::string> labelsFile(
    "labels",
    cl::desc("With an image: the class names, one a line in the order of "
             "the model's scores (default: class numbers)"),
    cl::value_desc("file"), cl::cat(toolOptions));
cl::opt<int> top("top",
                 cl::desc("With an image: how many classes to print "
                          "(default 5)"),
                 cl::init(5), cl::cat(toolOptions));
cl::opt<int> resizeShorter(
    "resize",
    cl::desc("With an image: resize its shorter side to N and cut out the "
             "center at the model's input size (default for RGB models: "
             "the input's height * 8/7, ImageNet's 256 for 224; for gray "
             "ones the image is resized to the input's size); 0 resizes "
             "to the input's size directly"),
    cl::init(-1), cl::cat(toolOptions));
NormalizationOptions normalization(toolOptions, "With an image:");
cl::opt<bool> interp("interp",
                     cl::desc("Run on the reference interpreter instead of "
                              "compiled code"),
                     cl::init(false), cl::cat(toolOptions));
cl::list<std::string>
    inputFlags("input",
               cl::desc("Value of a named input from a .npy or ONNX .pb file"),
               cl::value_desc("name=file"), cl::cat(toolOptions));
cl::opt<bool> randomInputs("random-inputs",
                           cl::desc("Fill inputs without --input with "
                                    "random values (floats uniform in "
                                    "[-1, 1), integers in [0, 10))"),
                           cl::init(false), cl::cat(toolOptions));
cl::opt<uint64_t> seed("seed", cl::desc("Seed of --random-inputs (default 0)"),
                       cl::init(0), cl::cat(toolOptions));
cl::opt<std::string> testData(
    "test-data",
    cl::desc("ONNX test data: a test_data_set_N folder with input_N.pb and "
             "output_N.pb, or a test case folder holding several; runs each "
             "and compares the outputs"),
    cl::value_desc("dir"), cl::cat(toolOptions));
cl::opt<double>
    absTolerance("atol",
                 cl::desc("Absolute tolerance of --test-data (default "
                          "1e-5): |actual - expected| <= atol + rtol * "
                          "|expected|"),
                 cl::init(1e-5), cl::cat(toolOptions));
cl::opt<double>
    relTolerance("rtol",
                 cl::desc("Relative tolerance of --test-data (default "
                          "1e-3)"),
                 cl::init(1e-3), cl::cat(toolOptions));
cl::opt<std::string> dumpDir(
    "dump",
    cl::desc("Write every intermediate tensor to DIR as NODE.npy (named by "
             "its ONNX node name; result i > 0 as NODE.i.npy), with an "
             "index in DIR/index.tsv: the interpreter's, or with compiled "
             "code (no --interp) those of a debug build of the optimized "
             "graph (cnnc --observe)"),
    cl::value_desc("dir"), cl::cat(toolOptions));
cl::opt<std::string> outputDir("o",
                               cl::desc("Write each output to DIR/NAME.npy "
                                        "(default: print a summary)"),
                               cl::value_desc("dir"), cl::cat(toolOptions));
cl::opt<int> optLevel("O",
                      cl::desc("Optimization level of the compiled code "
                               "(0-3, default 3)"),
                      cl::Prefix, cl::init(3), cl::cat(toolOptions));
ModelOptions modelOptions(toolOptions);
// Registered in main (PassOptions::registerIn).
PassOptions *passOptionsPtr = nullptr;

// ------------------------------------------------------------ inputs

// The values given with --input, by input name.
std::map<std::string, TensorRef> inputFlagValues() {
  std::map<std::string, TensorRef> values;
  for (const std::string &spec : inputFlags) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      userError("bad --input '{}': expected NAME=FILE", spec);
    std::string file = spec.substr(eq + 1);
    bool npy = llvm::StringRef(file).ends_with(".npy");
    if (!npy && !llvm::StringRef(file).ends_with(".pb"))
      userError("input file '{}' must be .npy or .pb", file);
    try {
      values[spec.substr(0, eq)] = std::make_shared<Tensor>(
          npy ? readNpyFile(file) : readTensorProtoFile(file).tensor);
    } catch (const UserError &e) {
      userError("{}: {}", file, e.diagnostics().front().describe());
    }
  }
  return values;
}

// One value per graph input, from `given` or, with --random-inputs, random.
std::vector<Tensor> graphInputs(const Graph &graph,
                                const std::map<std::string, TensorRef> &given) {
  std::mt19937_64 rng(seed);
  std::vector<Tensor> inputs;
  for (const Value *in : graph.inputs) {
    auto it = given.find(in->name);
    if (it != given.end()) {
      if (it->second->type() != in->type)
        userError("input '{}' is {}, but its value is {}", in->name,
                  in->type.str(), it->second->type().str());
      inputs.push_back(*it->second);
    } else if (randomInputs) {
      inputs.push_back(randomTensor(in->type, rng));
    } else {
      userError("input '{}' ({}) has no value: give --input {}=FILE or "
                "--random-inputs",
                in->name, in->type.str(), in->name);
    }
  }
  for (const auto &[name, value] : given)
    if (std::none_of(graph.inputs.begin(), graph.inputs.end(),
                     [&](const Value *in) { return in->name == name; }) &&
        !testData.getNumOccurrences())
      userError("--input names '{}', which is not an input of the model", name);
  return inputs;
}

// ------------------------------------------------------------ dumping

class Dumper {
public:
  explicit Dumper(fs::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec)
      userError("cannot create --dump folder '{}': {}", dir_.string(),
                ec.message());
    index_ << "file\tnode\top\tvalue\ttype\n";
  }
  // Result i of `node`.
  void operator()(const Node &node, size_t i, const Tensor &result) {
    std::string base = fileSafe(node.name) + (i ? "." + std::to_string(i) : "");
    std::string file = base + ".npy";
    for (int n = 2; !used_.insert(file).second; ++n)
      file = base + "_" + std::to_string(n) + ".npy";
    writeNpyFile((dir_ / file).string(), result);
    index_ << file << '\t' << node.name << '\t' << node.opName() << '\t'
           << node.outputs[i]->name << '\t' << result.type().str() << '\n';
  }
  void finish() { writeOutput((dir_ / "index.tsv").string(), index_.str()); }

private:
  fs::path dir_;
  std::set<std::string> used_;
  std::ostringstream index_;
};

// ------------------------------------------------------------ comparing

std::string indexText(const Shape &shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    index[k] = shape[k] ? flat % shape[k] : 0;
    flat = shape[k] ? flat / shape[k] : 0;
  }
  return "[" + shapeToString(index) + "]";
}

// Element i of `t` as a long double, which holds every int64 and uint64
// value exactly (x86's 64-bit mantissa).
long double elementValue(const Tensor &t, int64_t i) {
  // Not `isFloat ? floatAt : intAt`: that would convert both to double.
  if (t.type().dtype == DType::U64)
    return loadElement<uint64_t>(t.bytes().data() + 8 * i);
  if (isFloat(t.type().dtype))
    return t.floatAt(i);
  return t.intAt(i);
}

std::string elementText(const Tensor &t, int64_t i) {
  if (isFloat(t.type().dtype))
    return fmt::format("{:.6g}", t.floatAt(i));
  if (t.type().dtype == DType::U64)
    return std::to_string(loadElement<uint64_t>(t.bytes().data() + 8 * i));
  return std::to_string(t.intAt(i));
}

// Compares `actual` with `expected` element by element; returns a line for
// stdout and, on mismatch, sets `problem`.
std::string compare(const std::string &what, const Tensor &actual,
                    const Tensor &expected, std::string &problem) {
  const TensorType &type = actual.type();
  if (type.dtype != expected.type().dtype ||
      type.shape != expected.type().shape) {
    problem = fmt::format("{} is {}, expected {}", what, type.str(),
                          expected.type().str());
    return what + ": " + problem;
  }
  // Integers and bools compare exactly, floats within the tolerance.
  bool exact = !isFloat(type.dtype);
  long double maxAbs = 0, maxRel = 0;
  int64_t worstAbs = 0, worstRel = 0, bad = 0, firstBad = -1;
  for (int64_t i = 0; i < actual.numElements(); ++i) {
    long double a = elementValue(actual, i), b = elementValue(expected, i);
    bool ok;
    long double abs;
    if (std::isnan(a) || std::isnan(b)) {
      ok = std::isnan(a) && std::isnan(b); // NaN matches NaN, as in NumPy
      abs = ok ? 0 : INFINITY;
    } else if (std::isinf(a) || std::isinf(b)) {
      ok = a == b;
      abs = ok ? 0 : INFINITY;
    } else {
      abs = std::fabs(a - b);
      ok = exact ? a == b : abs <= absTolerance + relTolerance * std::fabs(b);
    }
    // The relative error is that of the elements whose expected value is
    // not 0.
    long double rel = b != 0 && !std::isnan(b) ? abs / std::fabs(b) : 0;
    if (abs > maxAbs)
      maxAbs = abs, worstAbs = i;
    if (rel > maxRel)
      maxRel = rel, worstRel = i;
    if (!ok && bad++ == 0)
      firstBad = i;
  }
  std::string errors =
      fmt::format("max abs error {:.3g} at {}, max rel error {:.3g} at {}",
                  double(maxAbs), indexText(type.shape, worstAbs),
                  double(maxRel), indexText(type.shape, worstRel));
  if (bad == 0)
    return fmt::format("{} {}: ok ({})", what, type.str(), errors);
  problem = fmt::format("{} differs from the expected values in {} of {} "
                        "elements (first at {}): {}",
                        what, bad, actual.numElements(),
                        indexText(type.shape, firstBad), errors);
  std::string rule =
      exact ? std::string("differ (exact comparison)")
            : fmt::format("outside {} + {} * |expected|", double(absTolerance),
                          double(relTolerance));
  return fmt::format("{} {}: MISMATCH: {} of {} elements {} ({})", what,
                     type.str(), bad, actual.numElements(), rule, errors);
}

// A test data file; its errors name it.
NamedTensor readDataFile(const fs::path &path) {
  try {
    return readTensorProtoFile(path.string());
  } catch (const UserError &e) {
    userError("{}: {}", path.string(), e.diagnostics().front().describe());
  }
}

// The input_N.pb / output_N.pb files of a data set folder, ordered by N.
std::vector<fs::path> numberedFiles(const fs::path &dir,
                                    const std::string &prefix) {
  std::vector<std::pair<int, fs::path>> found;
  std::regex re(prefix + R"(_(\d+)\.pb)");
  for (const auto &entry : fs::directory_iterator(dir)) {
    std::smatch m;
    std::string name = entry.path().filename().string();
    if (std::regex_match(name, m, re) && m[1].length() < 9)
      found.emplace_back(std::stoi(m[1]), entry.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> files;
  for (size_t i = 0; i < found.size(); ++i) {
    if (found[i].first != int(i))
      userError("{}: {}_{}.pb is missing", dir.string(), prefix, i);
    files.push_back(found[i].second);
  }
  return files;
}

// Runs the -O level's passes over `graph`, as cnnc compiles it.
void optimize(Graph &graph) {
  runPasses(graph, passOptionsPtr->pipeline(optLevel),
            passOptionsPtr->managerOptions(), std::cerr);
}

// The outputs of `graph` on `inputs`: compiled in memory by default (after
// optimize), on the reference interpreter with --interp (the graph as
// imported).
std::vector<Tensor> execute(Graph &graph, const std::vector<Tensor> &inputs) {
  if (interp)
    return interpretGraph(graph, inputs);
  optimize(graph);
  return JitModel(graph, optLevel).run(inputs);
}

// The data set folders --test-data names: itself, or its test_data_set_*.
std::vector<fs::path> dataSets(const fs::path &dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    userError("--test-data '{}' is not a folder", dir.string());
  std::vector<fs::path> sets;
  for (const auto &entry : fs::directory_iterator(dir))
    if (entry.is_directory() &&
        entry.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(entry.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty())
    sets.push_back(dir);
  return sets;
}

// Runs the model on one data set, whose inputs join the --input values
// `given`; `names` are the model's run-time inputs. Returns the mismatches
// (empty: passed).
std::vector<Diagnostic> runDataSet(const fs::path &set, ImportOptions options,
                                   const std::vector<std::string> &names,
                                   std::map<std::string, TensorRef> given) {
  std::vector<fs::path> inputFiles = numberedFiles(set, "input");
  // Inputs bind by the name the file carries, else by position, as ONNX's
  // backend runner does.
  for (size_t i = 0; i < inputFiles.size(); ++i) {
    NamedTensor t = readDataFile(inputFiles[i]);
    std::string name = t.name;
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      if (i >= names.size())
        userError("{}: the model has only {} inputs", inputFiles[i].string(),
                  names.size());
      name = names[i];
    }
    given[name] = std::make_shared<Tensor>(std::move(t.tensor));
  }
  options.inputValues = given;
  std::unique_ptr<Graph> graph = loadModel(modelFile, options);
  std::vector<Tensor> outputs = execute(*graph, graphInputs(*graph, given));
  std::vector<fs::path> expectedFiles = numberedFiles(set, "output");
  if (expectedFiles.size() != outputs.size())
    userError("{}: {} expected outputs, the model has {}", set.string(),
              expectedFiles.size(), outputs.size());
  std::vector<Diagnostic> mismatches;
  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor expected = readDataFile(expectedFiles[i]).tensor;
    std::string problem;
    std::string what = fmt::format("{}: output '{}'", set.filename().string(),
                                   graph->outputs[i]->name);
    std::cout << compare(what, outputs[i], expected, problem) << "\n";
    if (!problem.empty())
      mismatches.push_back(Diagnostic{"", "", "", problem});
  }
  return mismatches;
}

void printSummary(const Value &out, const Tensor &t) {
  std::string values;
  int64_t shown = std::min<int64_t>(t.numElements(), 8);
  for (int64_t i = 0; i < shown; ++i)
    values += (i ? ", " : "") + elementText(t, i);
  std::cout << fmt::format("{} {} = [{}{}]\n", out.name, t.type().str(), values,
                           t.numElements() > shown ? ", ..." : "");
}

// ------------------------------------------------------------ classifying

// A classifier's scores as probabilities: the softmax of the scores,
// unless the model computes one itself (`softmaxed`).
std::vector<double> probabilities(const Tensor &scores, bool softmaxed) {
  std::vector<double> p;
  double largest = -INFINITY;
  for (int64_t i = 0; i < scores.type().numElements(); ++i) {
    p.push_back(scores.floatAt(i));
    largest = std::max(largest, p.back());
  }
  if (softmaxed)
    return p;
  double sum = 0;
  for (double &v : p)
    sum += v = std::exp(v - largest);
  for (double &v : p)
    v /= sum;
  return p;
}

int classify(const ImportOptions &options) {
  std::unique_ptr<Graph> graph = loadModel(modelFile, options);
  if (graph->inputs.size() != 1 || graph->outputs.size() != 1)
    userError("the model has {} inputs and {} outputs; classifying an image "
              "needs one of each",
              graph->inputs.size(), graph->outputs.size());
  const TensorType &input = graph->inputs[0]->type;
  int channels = imageChannels(input);
  if (resizeShorter < -1 || resizeShorter > 8192)
    userError("--resize must be 0 to 8192, got {}", int(resizeShorter));
  if (top < 1)
    userError("--top must be at least 1, got {}", int(top));
  int shorter = resizeShorter >= 0 ? int(resizeShorter)
                : channels == 3    ? int((input.shape[2] * 8 + 3) / 7)
                                   : 0;
  Tensor x = imageTensor(readImage(imageFile, channels), input, shorter,
                         normalization.mean(channels),
                         normalization.deviation(channels));
  const Node *last = graph->outputs[0]->producer;
  bool softmaxed = last && last->kind == OpKind::Softmax;
  std::vector<std::string> labels;
  if (!labelsFile.empty()) {
    std::istringstream text(readInputFile(labelsFile));
    for (std::string line; std::getline(text, line);)
      labels.push_back(line);
  }
  std::vector<double> p = probabilities(execute(*graph, {x})[0], softmaxed);
  if (!labels.empty() && labels.size() != p.size())
    userError("--labels '{}' names {} classes, the model scores {}",
              labelsFile.getValue(), labels.size(), p.size());
  std::vector<size_t> order(p.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  size_t shown = std::min(order.size(), size_t(int(top)));
  // NaN scores (a broken model) rank last rather than break the sort.
  auto rank = [&](size_t i) { return std::isnan(p[i]) ? -INFINITY : p[i]; };
  std::partial_sort(order.begin(), order.begin() + long(shown), order.end(),
                    [&](size_t a, size_t b) { return rank(a) > rank(b); });
  std::cout << fmt::format("{}: top {} of {} classes\n", imageFile.getValue(),
                           shown, p.size());
  for (size_t k = 0; k < shown; ++k)
    std::cout << fmt::format(
        "{:3}. {:6.2f}%  {} (class {})\n", k + 1, 100 * p[order[k]],
        labels.empty() ? std::to_string(order[k]) : labels[order[k]], order[k]);
  return 0;
}

int run(const ImportOptions &baseOptions) {
  if (!imageFile.empty())
    return classify(baseOptions);
  if (!testData.empty()) {
    // Read once; each data set imports the model again, as its values may
    // fix different shapes.
    std::vector<std::string> names = modelInputNames(modelFile);
    std::map<std::string, TensorRef> given = inputFlagValues();
    std::vector<Diagnostic> mismatches;
    for (const fs::path &set : dataSets(testData.getValue())) {
      std::vector<Diagnostic> m = runDataSet(set, baseOptions, names, given);
      mismatches.insert(mismatches.end(), m.begin(), m.end());
    }
    if (!mismatches.empty())
      throw UserError(std::move(mismatches));
    return 0;
  }
  std::map<std::string, TensorRef> given = inputFlagValues();
  ImportOptions options = baseOptions;
  options.inputValues = given;
  std::unique_ptr<Graph> graph = loadModel(modelFile, options);
  std::vector<Tensor> inputs = graphInputs(*graph, given);
  std::optional<Dumper> dumper;
  if (!dumpDir.empty())
    dumper.emplace(dumpDir.getValue());
  std::vector<Tensor> outputs;
  if (dumper && interp) {
    outputs = interpretGraph(
        *graph, inputs, [&](const Node &n, const std::vector<Tensor> &results) {
          for (size_t i = 0; i < results.size(); ++i)
            (*dumper)(n, i, results[i]);
        });
  } else if (dumper) {
    // The compiled code's own intermediates, from a debug build
    // (cnnc --observe) of the optimized graph: fused nodes, row-major.
    optimize(*graph);
    outputs =
        JitModel(*graph, optLevel, Instrumentation::Observe)
            .run(inputs, [&](const cnnc_tensor_info &info, const void *data) {
              (*dumper)(*graph->nodes[size_t(info.node)], size_t(info.result),
                        observedTensor(info, data));
            });
  } else {
    outputs = execute(*graph, inputs);
  }
  if (dumper)
    dumper->finish();
  if (!outputDir.empty()) {
    std::error_code ec;
    fs::create_directories(outputDir.getValue(), ec);
    if (ec)
      userError("cannot create output folder '{}': {}", outputDir.getValue(),
                ec.message());
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputDir.empty())
      printSummary(*graph->outputs[i], outputs[i]);
    else
      writeNpyFile((fs::path(outputDir.getValue()) /
                    (fileSafe(graph->outputs[i]->name) + ".npy"))
                       .string(),
                   outputs[i]);
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  restartWithHugePages(argv);
  passOptionsPtr = &PassOptions::registerIn(toolOptions);
  parseToolOptions(argc, argv, toolOptions,
                   "cnnc-run: runs a model and checks its outputs\n\n"
                   "  cnnc-run model.onnx --interp --input x=x.npy -o out/\n"
                   "  cnnc-run model.onnx --interp --random-inputs --dump "
                   "maps/\n"
                   "  cnnc-run model.onnx --interp --test-data "
                   "test_data_set_0\n"
                   "  cnnc-run model.onnx image.jpg --labels labels.txt "
                   "--top 5\n");
  if (modelFile.empty()) {
    std::cerr << "cnnc-run: error: no model file (see cnnc-run --help)\n";
    return 1;
  }
  ImportOptions options;
  if (int rc = runTool("cnnc-run", "cnnc-run", [&] {
        if (optLevel < 0 || optLevel > 3)
          userError("-O must be 0 to 3, got {}", int(optLevel));
        if (!(absTolerance >= 0) || !(relTolerance >= 0))
          userError("--atol and --rtol must be non-negative");
        if (!imageFile.empty() &&
            (!testData.empty() || !dumpDir.empty() || !outputDir.empty() ||
             !inputFlags.empty() || randomInputs))
          userError("classifying an image does not combine with --input, "
                    "--random-inputs, --test-data, --dump or -o");
        if (!testData.empty() && (!dumpDir.empty() || !outputDir.empty()))
          userError("--test-data compares outputs; it does not combine with "
                    "--dump or -o");
        options = modelOptions.importOptions();
        passOptionsPtr->pipeline(optLevel); // a bad pass flag fails here
        return 0;
      }))
    return rc;
  return runTool("cnnc-run", modelFile, [&] { return run(options); });
}
