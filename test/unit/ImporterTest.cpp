#include "compiler/onnx/Importer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace cnnc;

namespace {

std::string writeTemp(const std::string &name, const std::string &text) {
  std::string path = testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

std::string importError(const std::string &path) {
  try {
    importOnnxFile(path);
  } catch (const UserError &e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(Importer, TextModelWithSymbolicBatchAndShapeSubgraph) {
  // The shape computation torch emits for x.view(x.size(0), -1).
  std::string path = writeTemp("view.onnxtxt", R"(
<ir_version: 8, opset_import: ["" : 13]>
view (float[N,2,3] x) => (float[N,6] y) {
  s = Shape (x)
  zero = Constant <value = int64[1] {0}> ()
  n = Gather <axis = 0> (s, zero)
  minus1 = Constant <value = int64[1] {-1}> ()
  shape = Concat <axis = 0> (n, minus1)
  y = Reshape (x, shape)
}
)");
  ImportOptions opts;
  opts.batch = 4;
  std::unique_ptr<Graph> g = importOnnxFile(path, opts);
  ASSERT_EQ(g->nodes.size(), 1u); // only the Reshape survives
  EXPECT_EQ(g->nodes[0]->kind, OpKind::Reshape);
  EXPECT_EQ(g->outputs[0]->type.str(), "f32[4,6]");
  EXPECT_EQ(g->nodes[0]->name, "y");
}

TEST(Importer, ReportsEveryUnsupportedOpAtOnce) {
  std::string path = writeTemp("unsupported.onnxtxt", R"(
<ir_version: 8, opset_import: ["" : 13]>
g (float[2] x) => (float[2] z) {
  y = Hardmax (x)
  z = Celu (y)
}
)");
  std::string msg = importError(path);
  EXPECT_NE(msg.find("node 'y' (Hardmax): unsupported op"), std::string::npos) << msg;
  EXPECT_NE(msg.find("node 'z' (Celu): unsupported op"), std::string::npos) << msg;
}

TEST(Importer, RejectsNonOnnxFiles) {
  std::string path = writeTemp("garbage.onnx", "this is not a protobuf\x01\x02");
  EXPECT_NE(importError(path).find("not an ONNX model"), std::string::npos);
  EXPECT_NE(importError(testing::TempDir() + "missing.onnx").find("no such file"),
            std::string::npos);
}
