// Images for the tools that show a model's filters and feature maps
// (cnnc-viz) and classify pictures (cnnc-run --labels): reading PNG and
// JPEG, resizing, drawing tiles and text, writing PNG. Built on Debian's
// libstb (stb_image, stb_image_resize, stb_image_write, stb_easy_font).
#pragma once

#include "ir/Tensor.h"

#include <llvm/Support/CommandLine.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cnnc {

// Pixels in [0, 1], row-major, channels interleaved (1: gray, 3: RGB).
struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<float> pixels;

  Image() = default;
  Image(int width, int height, int channels, float fill = 0.0f);
  float &at(int x, int y, int c) {
    return pixels[(size_t(y) * size_t(width) + size_t(x)) * size_t(channels) +
                  size_t(c)];
  }
  float at(int x, int y, int c) const {
    return pixels[(size_t(y) * size_t(width) + size_t(x)) * size_t(channels) +
                  size_t(c)];
  }
};

// Reads a PNG, JPEG, BMP or PGM file as `channels` channels (1: converted
// to gray, 3: to RGB). A UserError naming the file if it cannot be read.
Image readImage(const std::string &path, int channels);

// Writes `image` (1 or 3 channels, values clamped to [0, 1]) as an 8-bit
// PNG. A UserError if the file cannot be written.
void writePng(const std::string &path, const Image &image);

// `image` resized to width x height (a filter fit for shrinking and
// enlarging photographs).
Image resize(const Image &image, int width, int height);

// `image` with its shorter side resized to `shorter`, then its center
// `width` x `height` cut out: the ImageNet preprocessing (256, then 224).
Image resizeAndCrop(const Image &image, int shorter, int width, int height);

// `image` enlarged `factor` times, each pixel a factor x factor square (to
// show a 3x3 filter or a 7x7 map as blocks rather than a blur).
Image enlarge(const Image &image, int factor);

// Copies `tile` into `canvas` (of as many channels, or a gray tile into an
// RGB canvas) with its top left corner at (x, y); parts outside are cut.
void paste(Image &canvas, const Image &tile, int x, int y);

// Draws `text` (ASCII) on `canvas` with its top left corner at (x, y),
// glyphs `scale` pixels per font unit (about 7 * scale pixels tall), in
// `gray` (0 black, 1 white) on every channel.
void drawText(Image &canvas, const std::string &text, int x, int y, int scale,
              float gray);
// The width in pixels drawText takes for `text` at `scale`.
int textWidth(const std::string &text, int scale);

// The channels C of a model input that takes an image, f32[1, C, H, W]
// with C 1 (gray) or 3 (RGB); a UserError naming the input's type if it is
// not one.
int imageChannels(const TensorType &input);

// The --mean and --std flags of a tool that feeds pictures to a model,
// registered in the tool's option category (`scope` opens their help: "With
// an image:"). Construct one as a global of the tool.
class NormalizationOptions {
public:
  NormalizationOptions(llvm::cl::OptionCategory &category,
                       const std::string &scope);
  // The flags' values (--mean, --std) for an image of `channels`, or their
  // defaults: ImageNet's statistics for RGB (what torchvision's models were
  // trained with), 0 and 1 (the pixels in [0, 1] as they are) for gray. A
  // bad flag is a UserError.
  std::vector<float> mean(int channels) const;
  std::vector<float> deviation(int channels) const;

private:
  std::string meanHelp_, stdHelp_; // the flags' descriptions point here
  llvm::cl::opt<std::string> mean_, std_;
};

// `image` as the input of a model, f32[1, C, H, W] with C 1 or 3 (the
// image's channels): resized to H x W, or with `shorter` > 0 its shorter
// side resized to `shorter` and its center H x W cut out (ImageNet's
// preprocessing: 256, then 224); pixels in [0, 1] minus `mean`, over `std`
// (one value for every channel, or one per channel). *shown (if not null)
// receives the image as resized, before the normalization. A UserError for
// an input of another type or a bad mean or std.
Tensor imageTensor(const Image &image, const TensorType &input, int shorter,
                   const std::vector<float> &mean,
                   const std::vector<float> &std, Image *shown = nullptr);

// Map `value` in [0, 1] to the viridis color map (dark blue, green,
// yellow), as matplotlib's imshow shows feature maps by default.
void viridis(float value, float rgb[3]);

} // namespace cnnc
