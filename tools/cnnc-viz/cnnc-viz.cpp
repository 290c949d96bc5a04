// cnnc-viz: pictures of what a CNN does, from compiled code.
//
//   cnnc-viz filters MODEL [--layer NAME] -o DIR
//       each convolution's filters, normalized to [0, 1] per layer
//   cnnc-viz features MODEL IMAGE [--size HxW] [--mean ..] [--std ..] -o DIR
//       the feature maps of every convolution and pooling layer for IMAGE,
//       read out of a debug build of the compiled model (cnnc --observe)
//   cnnc-viz filter IMAGE --kernel NAME [--stride S] [--pad N|same|valid]
//                   [--relu] [--pool max|avg|sum[:K]] [--width N]
//                   [--stretch] -o OUT.png [--check]
//       a textbook 3x3 kernel applied to a gray image by a one-Conv model
//       compiled with cnnc
//
// Each writes PNG files (and for filters and features DIR/index.html, the
// pictures in network order with their layers' names).
#include "compiler/codegen/Jit.h"
#include "ir/ShapeInference.h"
#include "ir/Verifier.h"
#include "ir/interp/Interpreter.h"
#include "tools/common/Image.h"
#include "tools/common/ModelLoading.h"
#include "tools/common/PassOptions.h"
#include "tools/common/ToolSupport.h"

#include <fmt/format.h>
#include <llvm/Support/CommandLine.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>

using namespace cnnc;
namespace cl = llvm::cl;
namespace fs = std::filesystem;

namespace {

cl::OptionCategory toolOptions("cnnc-viz options");
cl::list<std::string> positional(cl::Positional, cl::OneOrMore,
                                 cl::desc("filters MODEL | features MODEL "
                                          "IMAGE | filter IMAGE"),
                                 cl::cat(toolOptions));
cl::opt<std::string> output("o",
                            cl::desc("Output: a folder (filters, features) "
                                     "or a PNG file (filter)"),
                            cl::value_desc("path"), cl::cat(toolOptions));
cl::opt<std::string> layer("layer",
                           cl::desc("filters: only the convolution with this "
                                    "ONNX node name"),
                           cl::cat(toolOptions));
cl::opt<std::string> size("size",
                          cl::desc("features: the size HxW (or N for NxN) "
                                   "the image is resized to; it must be the "
                                   "model's input size, which is the "
                                   "default"),
                          cl::cat(toolOptions));
NormalizationOptions normalization(toolOptions, "features:");
cl::opt<std::string> kernel(
    "kernel",
    cl::desc("filter: identity, edge1, edge2, edge3, sharpen, box-blur or "
             "gaussian-blur"),
    cl::cat(toolOptions));
cl::opt<int> stride("stride", cl::desc("filter: the convolution's stride"),
                    cl::init(1), cl::cat(toolOptions));
cl::opt<std::string> pad("pad",
                         cl::desc("filter: zero padding on each side, N, "
                                  "'same' (the output keeps the input's size "
                                  "at stride 1) or 'valid' (none)"),
                         cl::init("same"), cl::cat(toolOptions));
cl::opt<bool> relu("relu", cl::desc("filter: a ReLU after the convolution"),
                   cl::cat(toolOptions));
cl::opt<std::string> pool("pool",
                          cl::desc("filter: then pool KxK windows with "
                                   "stride K: max, avg or sum, ':K' (default "
                                   "2)"),
                          cl::cat(toolOptions));
cl::opt<int> width("width",
                   cl::desc("filter: first resize the image to this width "
                            "(its aspect kept)"),
                   cl::init(0), cl::cat(toolOptions));
cl::opt<bool> stretch("stretch",
                      cl::desc("filter: show the result's range as black to "
                               "white (default: values in [0, 1], below "
                               "black, above white)"),
                      cl::cat(toolOptions));
cl::opt<bool> check("check",
                    cl::desc("filter: also run the reference interpreter "
                             "and fail unless every pixel agrees within "
                             "1e-5"),
                    cl::cat(toolOptions));
ModelOptions modelOptions(toolOptions);
PassOptions *passOptionsPtr = nullptr;

constexpr int kOptLevel = 3;
constexpr float kBackground = 0.12f; // between tiles
constexpr int kTitleScale = 2;       // font units to pixels for titles
constexpr int kTitleHeight = 28;     // pixels above the grid for its title
// Pictures wider than this shrink their tiles (down to one pixel a value).
constexpr int kMaxWidth = 2048;

// --------------------------------------------------------------- pictures

// The columns of a grid of `count` tiles as near square as it allows.
int gridColumns(int count) {
  return std::max(1, int(std::ceil(std::sqrt(double(count)))));
}

// Runs the -O3 pipeline over `graph`, as cnnc compiles it.
void optimize(Graph &graph) {
  runPasses(graph, passOptionsPtr->pipeline(kOptLevel),
            passOptionsPtr->managerOptions(), std::cerr);
}

// Tiles of equal size in a grid as near square as the count allows, `gap`
// pixels apart, under a title line: a layer's filters or feature maps.
Image grid(const std::vector<Image> &tiles, int gap, const std::string &title,
           int channels) {
  int count = int(tiles.size());
  int columns = gridColumns(count);
  int rows = (count + columns - 1) / columns;
  int tw = tiles.empty() ? 0 : tiles[0].width;
  int th = tiles.empty() ? 0 : tiles[0].height;
  int width = std::max(columns * (tw + gap) + gap,
                       textWidth(title, kTitleScale) + 2 * gap + 8);
  Image canvas(width, kTitleHeight + rows * (th + gap) + gap, channels,
               kBackground);
  drawText(canvas, title, gap + 4, 6, kTitleScale, 0.95f);
  for (int i = 0; i < count; ++i)
    paste(canvas, tiles[size_t(i)], gap + (i % columns) * (tw + gap),
          kTitleHeight + gap + (i / columns) * (th + gap));
  return canvas;
}

// The enlargement that shows `count` tiles of `side` pixels (plus gaps) in a
// near-square grid at most kMaxWidth wide, and at least `want` pixels a
// side where that fits.
int tileScale(int count, int side, int want) {
  int fit = (kMaxWidth / gridColumns(count) - 2) / std::max(1, side);
  return std::clamp(want / std::max(1, side), 1, std::max(1, fit));
}

class IndexPage {
public:
  IndexPage(fs::path dir, std::string title)
      : dir_(std::move(dir)), title_(std::move(title)) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec)
      userError("cannot create folder '{}': {}", dir_.string(), ec.message());
  }
  void add(const std::string &file, const Image &image,
           const std::string &caption) {
    writePng((dir_ / file).string(), image);
    body_ += fmt::format("<h2>{}</h2>\n<p><img src=\"{}\" alt=\"{}\"></p>\n",
                         escape(caption), file, escape(caption));
    std::cout << "wrote " << (dir_ / file).string() << ": " << caption << "\n";
  }
  void finish() {
    writeOutput((dir_ / "index.html").string(),
                fmt::format("<!DOCTYPE html>\n<html><head><meta "
                            "charset=\"utf-8\"><title>{0}</title>\n<style>"
                            "body{{background:#222;color:#eee;font-family:"
                            "sans-serif}} img{{image-rendering:pixelated}}"
                            "</style></head>\n<body><h1>{0}</h1>\n{1}</body>"
                            "</html>\n",
                            escape(title_), body_));
    std::cout << "wrote " << (dir_ / "index.html").string() << "\n";
  }

private:
  static std::string escape(const std::string &s) {
    std::string out;
    for (char c : s)
      out += c == '<'   ? "&lt;"
             : c == '>' ? "&gt;"
             : c == '&' ? "&amp;"
             : c == '"' ? "&quot;"
                        : std::string(1, c);
    return out;
  }
  fs::path dir_;
  std::string title_, body_;
};

// ---------------------------------------------------------------- filters

// The filters of convolution `conv` (weights [M, Cg, KH, KW]) as one
// picture: a tile per output channel, RGB when Cg is 3, else a grid of Cg
// gray patches; weights normalized to [0, 1] over the layer.
Image filterPicture(const Node &conv, const Tensor &w) {
  const Shape &s = w.type().shape;
  int64_t M = s[0], Cg = s[1], KH = s[2], KW = s[3];
  float lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < w.type().numElements(); ++i) {
    lo = std::min(lo, float(w.floatAt(i)));
    hi = std::max(hi, float(w.floatAt(i)));
  }
  float range = hi > lo ? hi - lo : 1.0f;
  auto at = [&](int64_t m, int64_t c, int64_t y, int64_t x) {
    return (float(w.floatAt(((m * Cg + c) * KH + y) * KW + x)) - lo) / range;
  };
  bool rgb = Cg == 3;
  int patches = rgb ? 1 : int(Cg);
  int across = gridColumns(patches);
  int down = (patches + across - 1) / across;
  int scale = tileScale(int(M) * patches, int(std::max(KH, KW)) + 1, 40);
  int pw = int(KW) * scale, ph = int(KH) * scale;
  std::vector<Image> tiles;
  for (int64_t m = 0; m < M; ++m) {
    Image tile(across * (pw + 1) - 1, down * (ph + 1) - 1, 3, kBackground);
    for (int p = 0; p < patches; ++p) {
      Image patch(static_cast<int>(KW), static_cast<int>(KH), 3);
      for (int64_t y = 0; y < KH; ++y)
        for (int64_t x = 0; x < KW; ++x)
          for (int c = 0; c < 3; ++c)
            patch.at(int(x), int(y), c) = at(m, rgb ? c : p, y, x);
      paste(tile, enlarge(patch, scale), (p % across) * (pw + 1),
            (p / across) * (ph + 1));
    }
    tiles.push_back(std::move(tile));
  }
  std::string title =
      fmt::format("{}: {} filters of {}x{}x{}, [{:.3g}, {:.3g}] -> [0, 1]",
                  conv.name, M, Cg, KH, KW, lo, hi);
  return grid(tiles, 4, title, 3);
}

int filters(const std::string &modelFile) {
  std::unique_ptr<Graph> graph =
      loadModel(modelFile, modelOptions.importOptions());
  IndexPage page(output.getValue(), "Filters of " + modelFile);
  int written = 0, index = 0;
  for (const auto &node : graph->nodes) {
    if (node->kind != OpKind::Conv)
      continue;
    ++index;
    if (!layer.empty() && node->name != layer)
      continue;
    const Value *w = node->inputs[1];
    if (!w->isConstant() || !w->constant->hasData() ||
        w->type.dtype != DType::F32 || w->type.rank() != 4 ||
        w->type.layout != Layout::Plain)
      userError("node '{}' (Conv): the filters are not a constant f32 "
                "tensor of rank 4 with its data, in the plain layout",
                node->name);
    Image picture = filterPicture(*node, *w->constant);
    page.add(fmt::format("{:02d}-{}.png", index, fileSafe(node->name)), picture,
             fmt::format("{} ({} filters, {})", node->name, w->type.shape[0],
                         w->type.str()));
    ++written;
  }
  if (!layer.empty() && written == 0)
    userError("--layer '{}': no Conv node of that name", layer.getValue());
  if (written == 0)
    userError("the model has no Conv node");
  page.finish();
  return 0;
}

// --------------------------------------------------------------- features

// Whether an op's results are feature maps to show: convolutions (fused or
// not) and pooling, as the lesson plots them (not the dense layers).
bool showsFeatureMaps(const Node &n) {
  std::string_view category = n.info().category;
  return category == "conv" || category == "pool" ||
         n.kind == OpKind::FusedConv || n.kind == OpKind::Gemm1x1 ||
         n.kind == OpKind::ExpandDepthwise;
}

// `t` ([1, C, H, W]) as a grid of its C maps, each normalized to its own
// range and colored with viridis.
Image featurePicture(const std::string &title, const Tensor &t) {
  const Shape &s = t.type().shape;
  int64_t C = s[1], H = s[2], W = s[3];
  int scale = tileScale(int(C), int(std::max(H, W)), 56);
  std::vector<Image> tiles;
  for (int64_t c = 0; c < C; ++c) {
    float lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < H * W; ++i) {
      float v = float(t.floatAt(c * H * W + i));
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    Image map(static_cast<int>(W), static_cast<int>(H), 3);
    for (int64_t y = 0; y < H; ++y)
      for (int64_t x = 0; x < W; ++x) {
        float v = float(t.floatAt((c * H + y) * W + x));
        viridis(hi > lo ? (v - lo) / (hi - lo) : 0.0f,
                &map.at(int(x), int(y), 0));
      }
    tiles.push_back(enlarge(map, scale));
  }
  return grid(tiles, 2, title, 3);
}

// The image at `path` as the model's input: resized to --size (which must
// be the input's), normalized by --mean and --std.
Tensor imageInput(const std::string &path, const TensorType &input,
                  Image *shown) {
  const Shape &s = input.shape;
  int channels = imageChannels(input);
  if (!size.empty()) {
    llvm::StringRef text(size.getValue());
    auto [h, w] = text.split('x');
    int64_t hv = 0, wv = 0;
    if (h.getAsInteger(10, hv) ||
        (w.empty() ? (wv = hv, false) : w.getAsInteger(10, wv)) || hv != s[2] ||
        wv != s[3])
      userError("--size '{}' is not the model's input size {}x{} (give "
                "--input-shape to compile it for another)",
                size.getValue(), s[2], s[3]);
  }
  return imageTensor(readImage(path, channels), input, 0,
                     normalization.mean(channels),
                     normalization.deviation(channels), shown);
}

int features(const std::string &modelFile, const std::string &imageFile) {
  std::unique_ptr<Graph> graph =
      loadModel(modelFile, modelOptions.importOptions());
  if (graph->inputs.size() != 1)
    userError("the model has {} inputs; cnnc-viz features needs one image "
              "input",
              graph->inputs.size());
  Image shown;
  Tensor input = imageInput(imageFile, graph->inputs[0]->type, &shown);
  optimize(*graph);
  IndexPage page(output.getValue(),
                 "Feature maps of " + modelFile + " for " + imageFile);
  page.add(
      "00-input.png", enlarge(shown, tileScale(1, shown.width, 112)),
      fmt::format("input: {} ({}x{})", imageFile, shown.width, shown.height));
  JitModel model(*graph, kOptLevel, Instrumentation::Observe);
  int index = 0;
  model.run({input}, [&](const cnnc_tensor_info &info, const void *data) {
    const Node &node = *graph->nodes[size_t(info.node)];
    if (!showsFeatureMaps(node) || info.rank != 4 || info.shape[0] != 1 ||
        info.shape[2] * info.shape[3] <= 1 || std::string(info.dtype) != "f32")
      return;
    Tensor maps = observedTensor(info, data);
    std::string title =
        fmt::format("{} ({}): {} maps of {}x{}", node.name, node.opName(),
                    info.shape[1], info.shape[2], info.shape[3]);
    page.add(fmt::format("{:02d}-{}.png", ++index, fileSafe(node.name)),
             featurePicture(title, maps), title);
  });
  if (index == 0)
    userError("the model has no convolution or pooling layer with maps "
              "larger than 1x1");
  page.finish();
  return 0;
}

// ----------------------------------------------------------------- filter

// The lesson's kernels.
const std::map<std::string, std::vector<float>> &classicKernels() {
  static const std::map<std::string, std::vector<float>> kernels = {
      {"identity", {0, 0, 0, 0, 1, 0, 0, 0, 0}},
      {"edge1", {1, 0, -1, 0, 0, 0, -1, 0, 1}},
      {"edge2", {0, 1, 0, 1, -4, 1, 0, 1, 0}},
      {"edge3", {-1, -1, -1, -1, 8, -1, -1, -1, -1}},
      {"sharpen", {0, -1, 0, -1, 5, -1, 0, -1, 0}},
      {"box-blur",
       {1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f,
        1 / 9.f}},
      {"gaussian-blur",
       {1 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f, 4 / 16.f, 2 / 16.f, 1 / 16.f,
        2 / 16.f, 1 / 16.f}},
  };
  return kernels;
}

// The one-Conv model of --kernel, --stride, --pad, --relu and --pool for a
// gray image of H x W.
std::unique_ptr<Graph> filterModel(int64_t H, int64_t W) {
  auto it = classicKernels().find(kernel);
  if (it == classicKernels().end())
    userError("--kernel '{}' is not one of identity, edge1, edge2, edge3, "
              "sharpen, box-blur, gaussian-blur",
              kernel.getValue());
  if (stride < 1)
    userError("--stride must be at least 1, got {}", int(stride));
  int64_t S = stride, K = 3;
  int64_t padBegin = 0, padEnd = 0;
  if (pad == "same") {
    // TensorFlow's SAME: ceil(H / S) outputs, the extra padding at the end.
    auto total = [&](int64_t n) {
      return std::max<int64_t>(0, ((n + S - 1) / S - 1) * S + K - n);
    };
    if (total(H) != total(W))
      userError("--pad same pads a {}x{} image unevenly; give --pad N", H, W);
    padBegin = total(H) / 2;
    padEnd = total(H) - padBegin;
  } else if (pad != "valid" &&
             (llvm::StringRef(pad).getAsInteger(10, padBegin) || padBegin < 0 ||
              padBegin > 16)) {
    userError("--pad must be 'same', 'valid' or 0 to 16, got '{}'",
              pad.getValue());
  } else if (pad != "valid") {
    padEnd = padBegin;
  }
  auto g = std::make_unique<Graph>();
  g->name = "filter_" + kernel;
  Value *x = g->addInput("image", {DType::F32, {1, 1, H, W}, Layout::Plain});
  Value *w = g->addConstant(
      "kernel", Tensor::fromValues(DType::F32, {1, 1, K, K}, it->second));
  Value *y =
      g->addNode(OpKind::Conv, kernel, {x, w}, {"convolved"},
                 {{"kernel_shape", Attribute(std::vector<int64_t>{K, K})},
                  {"strides", Attribute(std::vector<int64_t>{S, S})},
                  {"pads", Attribute(std::vector<int64_t>{padBegin, padBegin,
                                                          padEnd, padEnd})}})
          ->outputs[0];
  if (relu)
    y = g->addNode(OpKind::Relu, "relu", {y}, {"rectified"})->outputs[0];
  if (!pool.empty()) {
    auto [how, sizeText] = llvm::StringRef(pool.getValue()).split(':');
    int64_t P = 2;
    if (!sizeText.empty() && (sizeText.getAsInteger(10, P) || P < 1 || P > 64))
      userError("--pool '{}': the window must be 1 to 64", pool.getValue());
    if (how != "max" && how != "avg" && how != "sum")
      userError("--pool must be max, avg or sum (with ':K'), got '{}'",
                pool.getValue());
    AttrMap window = {{"kernel_shape", Attribute(std::vector<int64_t>{P, P})},
                      {"strides", Attribute(std::vector<int64_t>{P, P})}};
    y = g->addNode(how == "max" ? OpKind::MaxPool : OpKind::AveragePool,
                   how.str() + "pool", {y}, {"pooled"}, window)
            ->outputs[0];
    if (how == "sum") // the window's sum: its average times its size
      y = g->addNode(
               OpKind::Mul, "sum",
               {y, g->addConstant("window_size",
                                  scalarTensor(DType::F32, double(P * P)))},
               {"summed"})
              ->outputs[0];
  }
  g->outputs.push_back(y);
  inferShapes(*g);
  verifyGraph(*g);
  const Shape &out = y->type.shape;
  if (out[2] < 1 || out[3] < 1)
    userError("the image ({}x{}) is too small for this kernel, stride and "
              "pooling",
              H, W);
  return g;
}

int filter(const std::string &imageFile) {
  if (width < 0 || width > 8192)
    userError("--width must be 1 to 8192, got {}", int(width));
  Image image = readImage(imageFile, 1);
  if (width > 0 && width != image.width)
    image = resize(image, width,
                   std::max(1, int(std::lround(double(image.height) * width /
                                               image.width))));
  int64_t H = image.height, W = image.width;
  Tensor input = Tensor::fromValues(DType::F32, {1, 1, H, W}, image.pixels);
  std::unique_ptr<Graph> graph = filterModel(H, W);
  std::vector<Tensor> expected;
  if (check)
    expected = interpretGraph(*graph, {input});
  optimize(*graph);
  Tensor result = JitModel(*graph, kOptLevel).run({input})[0];
  const Shape &s = result.type().shape;
  std::string what = fmt::format(
      "{} (stride {}, pad {}{}{}{}): {}x{} -> {}x{}", kernel.getValue(),
      int(stride), pad.getValue(), relu ? ", ReLU" : "",
      pool.empty() ? "" : ", pool ", pool.getValue(), H, W, s[2], s[3]);
  if (check) {
    // A NaN difference (a NaN on one side only) is the worst of all.
    double worst = 0;
    for (int64_t i = 0; i < result.type().numElements(); ++i) {
      double d = std::fabs(result.floatAt(i) - expected[0].floatAt(i));
      bool bothNan =
          std::isnan(result.floatAt(i)) && std::isnan(expected[0].floatAt(i));
      if (!bothNan && !(d <= worst))
        worst = std::isnan(d) ? INFINITY : d;
    }
    std::cout << fmt::format("{}: compiled and interpreted differ by at "
                             "most {:.3g} (tolerance 1e-5)\n",
                             what, worst);
    if (!(worst <= 1e-5))
      userError("the compiled filter differs from the reference "
                "interpreter by {:.3g}, more than 1e-5",
                worst);
  }
  // Pixels as the textbook shows them: values in [0, 1], negative
  // responses black, those above 1 white; or the range stretched.
  Image picture(static_cast<int>(s[3]), static_cast<int>(s[2]), 1);
  float lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < picture.pixels.size(); ++i) {
    picture.pixels[i] = float(result.floatAt(int64_t(i)));
    lo = std::min(lo, picture.pixels[i]);
    hi = std::max(hi, picture.pixels[i]);
  }
  if (stretch)
    for (float &p : picture.pixels)
      p = hi > lo ? (p - lo) / (hi - lo) : 0.0f;
  writePng(output, picture);
  std::cout << fmt::format("wrote {}: {}, values in [{:.3g}, {:.3g}]{}\n",
                           output.getValue(), what, lo, hi,
                           stretch ? " shown black to white" : "");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  passOptionsPtr = &PassOptions::registerIn(toolOptions);
  parseToolOptions(
      argc, argv, toolOptions,
      "cnnc-viz: pictures of a CNN's filters and feature maps, from compiled "
      "code\n\n"
      "  cnnc-viz filters model.onnx -o filters/\n"
      "  cnnc-viz features model.onnx image.png -o features/\n"
      "  cnnc-viz filter image.png --kernel edge3 --relu --pool max -o "
      "edges.png\n");
  std::string command = positional[0];
  size_t operands = command == "features" ? 2 : 1;
  if ((command != "filters" && command != "features" && command != "filter") ||
      positional.size() != operands + 1) {
    std::cerr << "cnnc-viz: error: expected 'filters MODEL', 'features MODEL "
                 "IMAGE' or 'filter IMAGE' (see cnnc-viz --help)\n";
    return 1;
  }
  if (output.empty()) {
    std::cerr << "cnnc-viz: error: -o is required\n";
    return 1;
  }
  const std::string &file = positional[1];
  return runTool("cnnc-viz", file, [&] {
    if (command == "filters")
      return filters(file);
    if (command == "features")
      return features(file, positional[2]);
    return filter(file);
  });
}
