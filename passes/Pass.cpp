#include "passes/Pass.h"

#include "ir/Verifier.h"

namespace cnnc {

const std::vector<PassInfo> &allPasses() {
  static const std::vector<PassInfo> passes = {
      {"verify", "check the IR invariants (ir/Verifier.h); changes nothing",
       [](Graph &g) {
         verifyGraph(g);
         return false;
       }},
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

void runPasses(Graph &graph, const std::vector<const PassInfo *> &pipeline) {
  for (const PassInfo *pass : pipeline)
    pass->run(graph);
}

} // namespace cnnc
