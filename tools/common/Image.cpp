#include "tools/common/Image.h"

#include "ir/Diagnostics.h"
#include "tools/common/ToolSupport.h"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>

// stb_easy_font is all static functions, compiled here.
#include <stb/stb_easy_font.h>

#include <algorithm>
#include <cmath>

namespace cnnc {

Image::Image(int width, int height, int channels, float fill)
    : width(width), height(height), channels(channels),
      pixels(size_t(width) * size_t(height) * size_t(channels), fill) {}

Image readImage(const std::string &path, int channels) {
  int width = 0, height = 0, inFile = 0;
  unsigned char *data =
      stbi_load(path.c_str(), &width, &height, &inFile, channels);
  if (!data)
    userError("{}: cannot read the image: {}", path, stbi_failure_reason());
  Image image(width, height, channels);
  for (size_t i = 0; i < image.pixels.size(); ++i)
    image.pixels[i] = float(data[i]) / 255.0f;
  stbi_image_free(data);
  return image;
}

void writePng(const std::string &path, const Image &image) {
  std::vector<unsigned char> bytes(image.pixels.size());
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<unsigned char>(
        std::lround(std::clamp(image.pixels[i], 0.0f, 1.0f) * 255.0f));
  if (!stbi_write_png(path.c_str(), image.width, image.height, image.channels,
                      bytes.data(), image.width * image.channels))
    userError("{}: cannot write the PNG file", path);
}

Image resize(const Image &image, int width, int height) {
  Image out(width, height, image.channels);
  // Linear values in, linear out (no sRGB conversion: the models were
  // trained on the stored values), edges clamped.
  if (!stbir_resize_float(image.pixels.data(), image.width, image.height, 0,
                          out.pixels.data(), width, height, 0, image.channels))
    throw InternalError("stbir_resize_float failed");
  return out;
}

Image resizeAndCrop(const Image &image, int shorter, int width, int height) {
  double scale = double(shorter) / std::min(image.width, image.height);
  int w = std::max(width, int(std::lround(image.width * scale)));
  int h = std::max(height, int(std::lround(image.height * scale)));
  Image resized = resize(image, w, h);
  Image out(width, height, image.channels);
  int x0 = (w - width) / 2, y0 = (h - height) / 2;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < image.channels; ++c)
        out.at(x, y, c) = resized.at(x0 + x, y0 + y, c);
  return out;
}

Image enlarge(const Image &image, int factor) {
  Image out(image.width * factor, image.height * factor, image.channels);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      for (int c = 0; c < image.channels; ++c)
        out.at(x, y, c) = image.at(x / factor, y / factor, c);
  return out;
}

void paste(Image &canvas, const Image &tile, int x, int y) {
  for (int ty = 0; ty < tile.height; ++ty)
    for (int tx = 0; tx < tile.width; ++tx) {
      int cx = x + tx, cy = y + ty;
      if (cx < 0 || cy < 0 || cx >= canvas.width || cy >= canvas.height)
        continue;
      for (int c = 0; c < canvas.channels; ++c)
        canvas.at(cx, cy, c) = tile.at(tx, ty, std::min(c, tile.channels - 1));
    }
}

// `text` with what stb_easy_font cannot draw (it has glyphs for ASCII 32
// to 126 and reads out of its table for any other byte, as in UTF-8 names)
// made '?'.
static std::string printable(const std::string &text) {
  std::string s = text;
  for (char &c : s)
    if (static_cast<unsigned char>(c) < 32 ||
        static_cast<unsigned char>(c) > 126)
      c = '?';
  return s;
}

void drawText(Image &canvas, const std::string &text, int x, int y, int scale,
              float gray) {
  // stb_easy_font gives each glyph as axis-aligned quads (4 vertices of
  // x, y, z and a color, 16 bytes each) in font units.
  std::vector<char> buffer(text.size() * 300 + 1000);
  std::string copy = printable(text);
  unsigned char color[4] = {255, 255, 255, 255};
  int quads = stb_easy_font_print(0, 0, copy.data(), color, buffer.data(),
                                  int(buffer.size()));
  for (int q = 0; q < quads; ++q) {
    const float *v = reinterpret_cast<const float *>(buffer.data() + q * 64);
    float x0 = v[0], y0 = v[1], x1 = v[8], y1 = v[9];
    for (int py = int(y0 * scale); py < int(y1 * scale); ++py)
      for (int px = int(x0 * scale); px < int(x1 * scale); ++px) {
        int cx = x + px, cy = y + py;
        if (cx < 0 || cy < 0 || cx >= canvas.width || cy >= canvas.height)
          continue;
        for (int c = 0; c < canvas.channels; ++c)
          canvas.at(cx, cy, c) = gray;
      }
  }
}

int textWidth(const std::string &text, int scale) {
  std::string copy = printable(text);
  return stb_easy_font_width(copy.data()) * scale;
}

int imageChannels(const TensorType &input) {
  const Shape &s = input.shape;
  if (input.dtype != DType::F32 || s.size() != 4 || s[0] != 1 ||
      (s[1] != 1 && s[1] != 3) || s[2] < 1 || s[3] < 1 || s[2] > 8192 ||
      s[3] > 8192)
    userError("the model's input is {}: an image needs f32[1,C,H,W] with C 1 "
              "or 3",
              input.str());
  return int(s[1]);
}

NormalizationOptions::NormalizationOptions(llvm::cl::OptionCategory &category,
                                           const std::string &scope)
    : meanHelp_(scope + " subtracted from the pixels in [0, 1], one value or "
                        "one per channel (default: ImageNet's "
                        "0.485,0.456,0.406 for RGB models, 0 for gray ones)"),
      stdHelp_(scope + " what the pixels are then divided by (default: "
                       "ImageNet's 0.229,0.224,0.225 for RGB models, 1 for "
                       "gray ones)"),
      mean_("mean", llvm::cl::desc(meanHelp_), llvm::cl::cat(category)),
      std_("std", llvm::cl::desc(stdHelp_), llvm::cl::cat(category)) {}

std::vector<float> NormalizationOptions::mean(int channels) const {
  if (!mean_.empty())
    return parseFloatList("mean", mean_);
  return channels == 3 ? std::vector<float>{0.485f, 0.456f, 0.406f}
                       : std::vector<float>{0.0f};
}

std::vector<float> NormalizationOptions::deviation(int channels) const {
  if (!std_.empty())
    return parseFloatList("std", std_);
  return channels == 3 ? std::vector<float>{0.229f, 0.224f, 0.225f}
                       : std::vector<float>{1.0f};
}

Tensor imageTensor(const Image &image, const TensorType &input, int shorter,
                   const std::vector<float> &mean,
                   const std::vector<float> &std, Image *shown) {
  const Shape &s = input.shape;
  if (imageChannels(input) != image.channels)
    throw InternalError("imageTensor: an image of another channel count");
  int C = image.channels, H = int(s[2]), W = int(s[3]);
  Image sized = shorter > 0 ? resizeAndCrop(image, shorter, W, H)
                : image.width != W || image.height != H ? resize(image, W, H)
                                                        : image;
  if ((mean.size() != 1 && int(mean.size()) != C) ||
      (std.size() != 1 && int(std.size()) != C))
    userError("--mean and --std take 1 or {} values", C);
  std::vector<float> data(size_t(C) * size_t(H) * size_t(W));
  for (int c = 0; c < C; ++c) {
    float m = mean[mean.size() == 1 ? 0 : size_t(c)];
    float d = std[std.size() == 1 ? 0 : size_t(c)];
    if (!(d != 0))
      userError("--std must not be 0");
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        data[(size_t(c) * size_t(H) + size_t(y)) * size_t(W) + size_t(x)] =
            (sized.at(x, y, c) - m) / d;
  }
  if (shown)
    *shown = std::move(sized);
  return Tensor::fromValues(DType::F32, s, data);
}

void viridis(float value, float rgb[3]) {
  // matplotlib's viridis at 0, 1/9, ..., 1 (#440154, #482878, ...,
  // #fde725), interpolated linearly.
  static const unsigned kStops[10] = {0x440154, 0x482878, 0x3e4989, 0x31688e,
                                      0x26828e, 0x1f9e89, 0x35b779, 0x6ece58,
                                      0xb5de2b, 0xfde725};
  float t = std::clamp(std::isnan(value) ? 0.0f : value, 0.0f, 1.0f) * 9.0f;
  int i = std::min(8, int(t));
  float f = t - float(i);
  for (int c = 0; c < 3; ++c) {
    int shift = 16 - 8 * c;
    float a = float((kStops[i] >> shift) & 0xff) / 255.0f;
    float b = float((kStops[i + 1] >> shift) & 0xff) / 255.0f;
    rgb[c] = a + f * (b - a);
  }
}

} // namespace cnnc
