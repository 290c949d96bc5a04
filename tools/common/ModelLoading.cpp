#include "tools/common/ModelLoading.h"

#include "ir/Parser.h"
#include "ir/Verifier.h"
#include "passes/MemoryPlan.h"
#include "tools/common/ToolSupport.h"

#include <sstream>

namespace cnnc {

namespace cl = llvm::cl;

ModelOptions::ModelOptions(cl::OptionCategory &category)
    : batch_("batch",
             cl::desc("Size bound to symbolic or unknown batch dimensions "
                      "(default 1)"),
             cl::init(1), cl::cat(category)),
      inputShapes_(
          "input-shape",
          cl::desc(
              "Shape of a named input, e.g. --input-shape=data=1x3x224x224"),
          cl::value_desc("name=DxDx..."), cl::cat(category)) {}

ImportOptions ModelOptions::importOptions() const {
  ImportOptions opts;
  if (batch_ <= 0 || batch_ > (int64_t(1) << 20))
    userError("--batch must be between 1 and 1048576, got {}", int64_t(batch_));
  opts.batch = batch_;
  for (const std::string &spec : inputShapes_) {
    size_t eq = spec.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      userError("bad --input-shape '{}': expected NAME=DxDx...", spec);
    Shape shape;
    std::stringstream dims(spec.substr(eq + 1));
    std::string dim;
    while (std::getline(dims, dim, 'x')) {
      if (dim.empty() || dim.size() > 12 ||
          dim.find_first_not_of("0123456789") != std::string::npos ||
          std::stoll(dim) == 0)
        userError("bad --input-shape '{}': dimensions must be positive "
                  "integers separated by 'x'",
                  spec);
      shape.push_back(std::stoll(dim));
    }
    opts.inputShapes[spec.substr(0, eq)] = shape;
  }
  return opts;
}

std::unique_ptr<Graph> loadModel(const std::string &path,
                                 const ImportOptions &options) {
  if (llvm::StringRef(path).ends_with(".cnnc")) {
    std::unique_ptr<Graph> g = parseGraph(readInputFile(path));
    verifyGraph(*g);
    verifyRecordedPlan(*g);
    return g;
  }
  return importOnnxFile(path, options);
}

} // namespace cnnc
