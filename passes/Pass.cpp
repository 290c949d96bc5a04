#include "passes/Pass.h"

#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/MemoryPlan.h"
#include "passes/Passes.h"

#include <algorithm>
#include <chrono>
#include <ostream>

namespace cnnc {

const std::vector<PassInfo> &allPasses() {
  static const std::vector<PassInfo> passes = {
#define PASS(name, function, description) {name, description, function},
#include "passes/Passes.def"
#undef PASS
  };
  return passes;
}

const PassInfo *findPass(std::string_view name) {
  for (const PassInfo &p : allPasses())
    if (p.name == name)
      return &p;
  return nullptr;
}

std::vector<const PassInfo *> parsePipeline(std::string_view pipeline) {
  std::vector<const PassInfo *> passes;
  size_t start = 0;
  while (start <= pipeline.size()) {
    size_t comma = pipeline.find(',', start);
    std::string_view name = pipeline.substr(
        start, comma == std::string_view::npos ? std::string_view::npos
                                               : comma - start);
    if (!name.empty()) {
      const PassInfo *pass = findPass(name);
      if (!pass) {
        std::string known;
        for (const PassInfo &p : allPasses())
          known += (known.empty() ? "" : ", ") + std::string(p.name);
        userError("unknown pass '{}' (known passes: {})", name, known);
      }
      passes.push_back(pass);
    }
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return passes;
}

namespace {

bool listed(const std::vector<std::string> &names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void printIR(std::ostream &log, const char *when, std::string_view pass,
             const Graph *graph) {
  log << "// ----- IR " << when << " " << pass << " -----\n";
  if (graph)
    log << printGraph(*graph);
  else
    log << "(unchanged)\n";
}

} // namespace

void runPasses(Graph &graph, const std::vector<const PassInfo *> &pipeline,
               const PassManagerOptions &options, std::ostream &log) {
  using Clock = std::chrono::steady_clock;
  std::vector<std::pair<std::string_view, double>> times;
  for (const PassInfo *pass : pipeline) {
    if (listed(options.printBefore, pass->name))
      printIR(log, "before", pass->name, &graph);
    PassContext ctx{options.target, {}};
    auto start = Clock::now();
    bool changed = pass->run(graph, ctx);
    // A recorded memory plan is of the graph plan-memory saw: once another
    // pass changed the graph it is stale, and dropped (a later plan-memory,
    // or code generation, plans again).
    if (changed && pass->name != "plan-memory")
      graph.clearMemoryPlan();
    times.emplace_back(
        pass->name,
        std::chrono::duration<double, std::milli>(Clock::now() - start)
            .count());
    if (options.verifyEach) {
      try {
        verifyGraph(graph);
        // A plan left in place by a pass that changed the graph without
        // saying so would be stale: that pass's bug.
        verifyRecordedPlan(graph);
      } catch (const UserError &e) {
        throw InternalError(fmt::format(
            "the IR does not verify after pass '{}': {}", pass->name,
            e.what()));
      }
    }
    if (options.printAfterAll || listed(options.printAfter, pass->name))
      printIR(log, "after", pass->name, changed ? &graph : nullptr);
    if (options.stats)
      for (const auto &[counter, n] : ctx.stats.counts())
        log << pass->name << ": " << n << " " << counter << "\n";
    if (pass->name == options.stopAfter)
      break;
  }
  if (options.timePasses) {
    double total = 0;
    for (const auto &entry : times)
      total += entry.second;
    log << fmt::format("{:>10}  {:>6}  pass\n", "time (ms)", "share");
    for (const auto &[name, ms] : times)
      log << fmt::format("{:>10.3f}  {:>5.1f}%  {}\n", ms,
                         total > 0 ? 100 * ms / total : 0.0, name);
    log << fmt::format("{:>10.3f}  {:>5.1f}%  total\n", total, 100.0);
  }
}

} // namespace cnnc
