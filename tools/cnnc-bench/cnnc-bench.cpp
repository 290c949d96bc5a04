// cnnc-bench: how fast the compiled code of a model runs.
//
// Compiles the model in memory (the JIT, with the same passes and code
// generator as `cnnc -o`), runs it on seeded random inputs, and prints for
// each thread count the minimum, median and 90th-percentile latency and the
// effective GFLOP/s (2 x MACs of ir/Summary.h / median). --per-layer
// compiles the model a second time with per-node timers (CodeGenOptions::
// profile) and prints each node's median time, its share, its GFLOP/s and
// its fraction of the machine's FP32 peak, then the same per op. The
// latencies always come from the code without timers.
//
// A measurement tool: nothing here is a test, and no test asserts its times.
#include "compiler/codegen/Jit.h"
#include "ir/Summary.h"
#include "tools/cnnc-bench/PeakFlops.h"
#include "tools/common/ModelLoading.h"
#include "tools/common/PassOptions.h"
#include "tools/common/ToolSupport.h"

#include <llvm/Support/CommandLine.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

using namespace cnnc;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory toolOptions("cnnc-bench options");

cl::opt<std::string> modelFile(cl::Positional, cl::desc("<model.onnx>"),
                               cl::cat(toolOptions));
// libLLVM has a --threads of its own: main releases it, then makes ours.
cl::opt<std::string> &threadsFlag() {
  static cl::opt<std::string> flag(
      "threads",
      cl::desc("Comma-separated thread counts to measure, one after the "
               "other (default: 1 and the CPUs this process may use, or "
               "CNNC_NUM_THREADS)"),
      cl::value_desc("1,2"), cl::cat(toolOptions));
  return flag;
}
cl::opt<int> warmup("warmup",
                    cl::desc("Untimed runs before the timed ones, per thread "
                             "count (default 3)"),
                    cl::init(3), cl::cat(toolOptions));
cl::opt<int> iterations("iterations",
                        cl::desc("Timed runs per thread count (default 10)"),
                        cl::init(10), cl::cat(toolOptions));
cl::opt<bool> perLayer("per-layer",
                       cl::desc("Also time every node (a second, profiled "
                                "build) and print each node's and each op's "
                                "share, GFLOP/s and % of peak"),
                       cl::init(false), cl::cat(toolOptions));
cl::opt<double> peakFlag("peak",
                         cl::desc("FP32 peak of one thread in GFLOP/s "
                                  "(default: measured by an FMA loop)"),
                         cl::value_desc("GFLOPS"), cl::init(0),
                         cl::cat(toolOptions));
cl::opt<int> optLevel("O", cl::desc("Optimization level (0-3, default 3)"),
                      cl::Prefix, cl::init(3), cl::cat(toolOptions));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed of the random inputs (default 0)"),
                       cl::init(0), cl::cat(toolOptions));
cl::opt<std::string> jsonFile("json",
                              cl::desc("Also write the results as JSON to "
                                       "FILE"),
                              cl::value_desc("FILE"), cl::cat(toolOptions));
ModelOptions modelOptions(toolOptions);
// Registered in main (PassOptions::registerIn).
PassOptions *passOptionsPtr = nullptr;

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// --threads as a list of counts.
std::vector<int> threadCounts() {
  if (threadsFlag().empty()) {
    int n = cnnc_get_num_threads();
    return n > 1 ? std::vector<int>{1, n} : std::vector<int>{1};
  }
  std::vector<int> counts;
  std::string text = threadsFlag();
  for (size_t pos = 0; pos <= text.size();) {
    size_t comma = std::min(text.find(',', pos), text.size());
    std::string item = text.substr(pos, comma - pos);
    int n = cnnc_parse_num_threads(item.c_str());
    if (n == 0)
      userError("--threads: '{}' is not a thread count (1 to {})", item,
                CNNC_MAX_THREADS);
    counts.push_back(n);
    pos = comma + 1;
  }
  return counts;
}

// Order statistics of a sample of run times.
struct Stats {
  double min = 0, median = 0, p90 = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  // The 90th percentile by nearest rank: the smallest time that at least
  // 90% of the runs did not exceed (bench/ort-bench.js computes the same).
  size_t rank = (9 * v.size() + 9) / 10; // ceil(0.9 n)
  return {v.front(), median(v), v[rank - 1]};
}

// Buffers for one model, aligned as the generated code assumes and kept
// across runs, so the timed loop does nothing but call the code.
class Buffers {
public:
  Buffers(const Graph &graph, const JitModel &model,
          const std::vector<Tensor> &inputs) {
    for (const Tensor &t : inputs) {
      inputs_.push_back(allocate(t.type().byteSize()));
      std::memcpy(inputs_.back(), t.bytes().data(), t.type().byteSize());
    }
    for (const Value *v : graph.outputs)
      outputs_.push_back(allocate(v->type.byteSize()));
    workspace_ = allocate(size_t(model.workspaceSize()));
  }
  void run(const JitModel &model) {
    model.run(inputs_.data(), outputs_.data(), workspace_);
  }

private:
  using Memory = std::unique_ptr<void, decltype(&cnnc_aligned_free)>;
  void *allocate(size_t size) {
    Memory m(cnnc_aligned_alloc(size, CNNC_ALIGNMENT), &cnnc_aligned_free);
    if (!m)
      throw std::bad_alloc();
    memory_.push_back(std::move(m));
    return memory_.back().get();
  }
  std::vector<Memory> memory_;
  std::vector<void *> inputs_, outputs_;
  void *workspace_ = nullptr;
};

// What an op of the table costs, summed over its nodes.
struct OpTotal {
  std::string op;
  int nodes = 0;
  double ms = 0;
  int64_t macs = 0;
};

// Convolutions in every form the passes give them: what "% of peak of the
// convolution layers" sums.
bool isConvolution(OpKind kind) {
  return kind == OpKind::Conv || kind == OpKind::FusedConv ||
         kind == OpKind::Gemm1x1 || kind == OpKind::ExpandDepthwise ||
         kind == OpKind::ConvTranspose;
}

struct LayerTimes {
  std::vector<double> ms;   // median per node
  std::vector<OpTotal> ops; // per op, by decreasing time
  OpTotal convolutions;     // every convolution node
  double totalMs = 0;       // sum of the node medians
};

class Bench {
public:
  Bench(const Graph &graph, double peak) : graph_(graph), peak_(peak) {
    GraphSummary summary = summarize(graph);
    for (const LayerSummary &l : summary.layers)
      macs_[l.node] = l.macs;
    totalMacs_ = summary.totalMacs;
    std::mt19937_64 rng(seed);
    for (const Value *in : graph.inputs)
      inputs_.push_back(randomTensor(in->type, rng));
  }

  int64_t totalMacs() const { return totalMacs_; }
  // GFLOP/s of `macs` multiply-adds in `ms`.
  static double gflops(int64_t macs, double ms) {
    return ms > 0 ? 2.0 * double(macs) / (ms * 1e6) : 0;
  }
  // What fraction of the peak of `threads` threads `gflopsValue` is, in %.
  double peakPercent(double gflopsValue, int threads) const {
    return 100 * gflopsValue / (peak_ * threads);
  }

  // The run times in ms of `model`, after the warm-up runs.
  std::vector<double> latencies(const JitModel &model) {
    Buffers buffers(graph_, model, inputs_);
    for (int i = 0; i < warmup; ++i)
      buffers.run(model);
    std::vector<double> ms;
    for (int i = 0; i < iterations; ++i) {
      auto start = Clock::now();
      buffers.run(model);
      ms.push_back(1e3 * secondsSince(start));
    }
    return ms;
  }

  // The per-node medians of the profiled `model`, over the timed runs (the
  // counters are read after each run, so each node gets one sample a run).
  LayerTimes layerTimes(const JitModel &model) {
    const cnnc_profile *p = model.profile();
    size_t n = size_t(p->num_nodes);
    if (n != graph_.nodes.size())
      throw InternalError("the profile has " + std::to_string(n) +
                          " nodes, the graph " +
                          std::to_string(graph_.nodes.size()));
    Buffers buffers(graph_, model, inputs_);
    for (int i = 0; i < warmup; ++i)
      buffers.run(model);
    cnnc_profile_reset(p);
    std::vector<std::vector<double>> samples(n);
    std::vector<uint64_t> before(n, 0);
    for (int i = 0; i < iterations; ++i) {
      buffers.run(model);
      for (size_t k = 0; k < n; ++k) {
        samples[k].push_back(double(p->nanoseconds[k] - before[k]) / 1e6);
        before[k] = p->nanoseconds[k];
      }
    }
    for (size_t k = 0; k < n; ++k)
      if (p->calls[k] != uint64_t(iterations))
        throw InternalError("node " + std::to_string(k) + " counted " +
                            std::to_string(p->calls[k]) + " calls in " +
                            std::to_string(iterations) + " runs");
    LayerTimes t;
    std::map<std::string, OpTotal> ops;
    t.convolutions.op = "convolutions";
    for (size_t k = 0; k < n; ++k) {
      const Node &node = *graph_.nodes[k];
      double ms = median(samples[k]);
      t.ms.push_back(ms);
      t.totalMs += ms;
      OpTotal &op = ops[std::string(node.opName())];
      op.op = node.opName();
      for (OpTotal *sum :
           {&op, isConvolution(node.kind) ? &t.convolutions : nullptr})
        if (sum) {
          sum->nodes += 1;
          sum->ms += ms;
          sum->macs += macs_.at(&node);
        }
    }
    for (auto &[name, op] : ops)
      t.ops.push_back(op);
    std::stable_sort(
        t.ops.begin(), t.ops.end(),
        [](const OpTotal &a, const OpTotal &b) { return a.ms > b.ms; });
    return t;
  }

  int64_t macsOf(const Node &n) const { return macs_.at(&n); }

private:
  const Graph &graph_;
  double peak_;
  std::map<const Node *, int64_t> macs_;
  int64_t totalMacs_ = 0;
  std::vector<Tensor> inputs_;
};

// Everything measured at one thread count.
struct ThreadResult {
  int threads;
  std::vector<double> ms;
  Stats latency;
  std::optional<LayerTimes> layers;
};

std::string share(double part, double whole) {
  return fmt::format("{:.1f}%", whole > 0 ? 100 * part / whole : 0.0);
}

void printLayers(std::ostream &os, const Graph &graph, const Bench &bench,
                 const ThreadResult &r) {
  const LayerTimes &t = *r.layers;
  size_t nameWidth = 4;
  for (const auto &node : graph.nodes)
    nameWidth = std::max(nameWidth, node->name.size());
  nameWidth = std::min<size_t>(nameWidth, 60);
  size_t opWidth = 12;
  for (const OpTotal &op : t.ops)
    opWidth = std::max(opWidth, op.op.size());
  os << fmt::format("\nPer layer, {} thread{} (median of {} profiled runs):\n",
                    r.threads, r.threads > 1 ? "s" : "", iterations.getValue());
  os << fmt::format("{:>4}  {:<{}}  {:<{}}  {:>10}  {:>6}  {:>8}  {:>6}\n", "#",
                    "node", nameWidth, "op", opWidth, "ms", "share", "GFLOP/s",
                    "% peak");
  for (size_t k = 0; k < graph.nodes.size(); ++k) {
    const Node &n = *graph.nodes[k];
    int64_t macs = bench.macsOf(n);
    double g = Bench::gflops(macs, t.ms[k]);
    os << fmt::format(
        "{:>4}  {:<{}}  {:<{}}  {:>10.4f}  {:>6}  {:>8}  {:>6}\n", k,
        n.name.empty() ? "(unnamed)" : n.name, nameWidth, n.opName(), opWidth,
        t.ms[k], share(t.ms[k], t.totalMs),
        macs ? fmt::format("{:.1f}", g) : "-",
        macs ? fmt::format("{:.1f}", bench.peakPercent(g, r.threads)) : "-");
  }
  os << fmt::format("{:>4}  {:<{}}  {:<{}}  {:>10.4f}  {:>6}\n", "", "total",
                    nameWidth, "", opWidth, t.totalMs,
                    share(t.totalMs, t.totalMs));
  os << fmt::format("\nPer op, {} thread{}:\n", r.threads,
                    r.threads > 1 ? "s" : "");
  os << fmt::format("{:<{}}  {:>5}  {:>10}  {:>6}  {:>8}  {:>6}\n", "op",
                    opWidth, "nodes", "ms", "share", "GFLOP/s", "% peak");
  std::vector<OpTotal> rows = t.ops;
  if (t.convolutions.nodes)
    rows.push_back(t.convolutions);
  for (const OpTotal &op : rows) {
    double g = Bench::gflops(op.macs, op.ms);
    os << fmt::format(
        "{:<{}}  {:>5}  {:>10.4f}  {:>6}  {:>8}  {:>6}\n", op.op, opWidth,
        op.nodes, op.ms, share(op.ms, t.totalMs),
        op.macs ? fmt::format("{:.1f}", g) : "-",
        op.macs ? fmt::format("{:.1f}", bench.peakPercent(g, r.threads)) : "-");
  }
}

void writeJson(const std::string &path, const Graph &graph, const Bench &bench,
               const PeakFlops &peak, double compileSeconds, int64_t workspace,
               const std::vector<ThreadResult> &results) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::json::OStream j(os, 2);
  auto opObject = [&](const OpTotal &op, int threads, double totalMs) {
    double g = Bench::gflops(op.macs, op.ms);
    j.object([&] {
      j.attribute("op", op.op);
      j.attribute("nodes", op.nodes);
      j.attribute("ms", op.ms);
      j.attribute("share", totalMs > 0 ? op.ms / totalMs : 0.0);
      j.attribute("macs", op.macs);
      j.attribute("gflops", g);
      j.attribute("peak_percent", bench.peakPercent(g, threads));
    });
  };
  j.object([&] {
    j.attribute("model", modelFile.getValue());
    j.attribute("nodes", int64_t(graph.nodes.size()));
    j.attribute("macs", bench.totalMacs());
    j.attribute("workspace_bytes", workspace);
    j.attribute("compile_seconds", compileSeconds);
    j.attribute("peak_gflops_per_thread", peak.gflops);
    j.attribute("peak_method", peak.method);
    j.attribute("warmup", warmup.getValue());
    j.attribute("iterations", iterations.getValue());
    j.attributeArray("runs", [&] {
      for (const ThreadResult &r : results)
        j.object([&] {
          double g = Bench::gflops(bench.totalMacs(), r.latency.median);
          j.attribute("threads", r.threads);
          j.attributeArray("times_ms", [&] {
            for (double ms : r.ms)
              j.value(ms);
          });
          j.attribute("min_ms", r.latency.min);
          j.attribute("median_ms", r.latency.median);
          j.attribute("p90_ms", r.latency.p90);
          j.attribute("gflops", g);
          j.attribute("peak_percent", bench.peakPercent(g, r.threads));
          if (!r.layers)
            return;
          const LayerTimes &t = *r.layers;
          j.attribute("layers_total_ms", t.totalMs);
          j.attributeArray("layers", [&] {
            for (size_t k = 0; k < graph.nodes.size(); ++k) {
              const Node &n = *graph.nodes[k];
              double g = Bench::gflops(bench.macsOf(n), t.ms[k]);
              j.object([&] {
                j.attribute("name", n.name);
                j.attribute("op", std::string(n.opName()));
                j.attribute("ms", t.ms[k]);
                j.attribute("share", t.totalMs > 0 ? t.ms[k] / t.totalMs : 0.0);
                j.attribute("macs", bench.macsOf(n));
                j.attribute("gflops", g);
                j.attribute("peak_percent", bench.peakPercent(g, r.threads));
              });
            }
          });
          j.attributeArray("ops", [&] {
            for (const OpTotal &op : t.ops)
              opObject(op, r.threads, t.totalMs);
          });
          j.attributeBegin("convolutions");
          opObject(t.convolutions, r.threads, t.totalMs);
          j.attributeEnd();
        });
    });
  });
  os << "\n";
  writeOutput(path, text);
}

int run(const ImportOptions &options, const std::vector<int> &threads) {
  auto compileStart = Clock::now();
  std::unique_ptr<Graph> graph = loadModel(modelFile, options);
  runPasses(*graph, passOptionsPtr->pipeline(optLevel),
            passOptionsPtr->managerOptions(), std::cerr);
  JitModel model(*graph, optLevel);
  double compileSeconds = secondsSince(compileStart);
  std::unique_ptr<JitModel> profiled;
  if (perLayer)
    profiled =
        std::make_unique<JitModel>(*graph, optLevel, Instrumentation::Profile);

  PeakFlops peak;
  if (peakFlag.getNumOccurrences())
    peak = {peakFlag, "given"};
  else
    peak = measurePeakFlops();
  Bench bench(*graph, peak.gflops);

  std::cout << fmt::format(
      "model: {} ({} nodes at -O{}, {} MACs, workspace {} bytes, compiled "
      "in {:.2f} s)\n",
      modelFile.getValue(), graph->nodes.size(), optLevel.getValue(),
      withCommas(bench.totalMacs()), withCommas(model.workspaceSize()),
      compileSeconds);
  std::cout << fmt::format("peak: {:.1f} GFLOP/s per thread ({})\n",
                           peak.gflops, peak.method);
  std::cout << fmt::format("runs: {} warm-up + {} timed per thread count\n\n",
                           warmup.getValue(), iterations.getValue());
  std::cout << fmt::format("{:>7}  {:>10}  {:>10}  {:>10}  {:>8}  {:>6}\n",
                           "threads", "min ms", "median ms", "p90 ms",
                           "GFLOP/s", "% peak");
  std::vector<ThreadResult> results;
  for (int t : threads) {
    if (cnnc_set_num_threads(t) != CNNC_OK)
      throw InternalError("cnnc_set_num_threads refused a checked count");
    if (cnnc_init_threads() != CNNC_OK)
      userError("could not start {} threads", t);
    ThreadResult r{t, bench.latencies(model), {}, {}};
    r.latency = stats(r.ms);
    double g = Bench::gflops(bench.totalMacs(), r.latency.median);
    std::cout << fmt::format(
        "{:>7}  {:>10.3f}  {:>10.3f}  {:>10.3f}  {:>8.1f}  {:>6.1f}\n", t,
        r.latency.min, r.latency.median, r.latency.p90, g,
        bench.peakPercent(g, t));
    if (profiled)
      r.layers = bench.layerTimes(*profiled);
    results.push_back(std::move(r));
  }
  if (profiled)
    for (const ThreadResult &r : results)
      printLayers(std::cout, *graph, bench, r);
  if (!jsonFile.empty())
    writeJson(jsonFile, *graph, bench, peak, compileSeconds,
              model.workspaceSize(), results);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  restartWithHugePages(argv);
  passOptionsPtr = &PassOptions::registerIn(toolOptions);
  releaseLLVMOption("threads");
  threadsFlag();
  parseToolOptions(argc, argv, toolOptions,
                   "cnnc-bench: latency and per-layer profile of a compiled "
                   "model\n\n"
                   "  cnnc-bench model.onnx --threads 1,2 --iterations 20\n"
                   "  cnnc-bench model.onnx --per-layer --json out.json\n");
  if (modelFile.empty()) {
    std::cerr << "cnnc-bench: error: no model file (see cnnc-bench --help)\n";
    return 1;
  }
  ImportOptions options;
  std::vector<int> threads;
  if (int rc = runTool("cnnc-bench", "cnnc-bench", [&] {
        if (optLevel < 0 || optLevel > 3)
          userError("-O must be 0 to 3, got {}", int(optLevel));
        if (warmup < 0)
          userError("--warmup must be 0 or more, got {}", int(warmup));
        if (iterations < 1)
          userError("--iterations must be 1 or more, got {}", int(iterations));
        if (peakFlag.getNumOccurrences() && !(peakFlag > 0))
          userError("--peak must be a positive GFLOP/s figure");
        threads = threadCounts();
        options = modelOptions.importOptions();
        passOptionsPtr->pipeline(optLevel); // a bad pass flag fails here
        passOptionsPtr->managerOptions();   // and a bad --channel-block
        return 0;
      }))
    return rc;
  return runTool("cnnc-bench", modelFile,
                 [&] { return run(options, threads); });
}
