/* classify: runs a Fashion-MNIST classifier compiled by cnnc on images.
 *
 * usage: classify IMAGE.pgm ...
 *
 * Each image is a binary PGM (P5) of 28x28 8-bit pixels, the Fashion-MNIST
 * format; pixels are scaled to [0, 1] as in training. Prints the most likely
 * class and its score per image. The model (fashion.h / fashion.o) is
 * compiled at build time by cnnc_add_model; this program links only it and
 * the cnnc runtime. */
#include "fashion.h"

#include <stdio.h>
#include <string.h>

static const char *const kClasses[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

/* Reads a 28x28 binary PGM into `pixels` scaled to [0, 1]; 0 on success. */
static int readImage(const char *path, float *pixels) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return 1;
  int width = 0, height = 0, maxValue = 0;
  int ok = fscanf(f, "P5 %d %d %d", &width, &height, &maxValue) == 3 &&
           width == 28 && height == 28 && maxValue > 0 && maxValue < 256 &&
           fgetc(f) != EOF; /* the single whitespace after the header */
  unsigned char bytes[28 * 28];
  ok = ok && fread(bytes, 1, sizeof bytes, f) == sizeof bytes;
  fclose(f);
  if (!ok)
    return 1;
  for (int i = 0; i < 28 * 28; ++i)
    pixels[i] = (float)bytes[i] / (float)maxValue;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s IMAGE.pgm ...\n", argv[0]);
    return 2;
  }
  _Static_assert(FASHION_INPUT0_ELEMENTS == 28 * 28, "a 1x28x28 input");
  _Static_assert(FASHION_OUTPUT0_ELEMENTS == 10, "10 class scores");
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    float pixels[28 * 28], scores[10];
    if (readImage(argv[i], pixels)) {
      fprintf(stderr, "%s: not a 28x28 binary PGM image\n", argv[i]);
      status = 1;
      continue;
    }
    int32_t rc = fashion_infer(pixels, scores);
    if (rc != CNNC_OK) {
      fprintf(stderr, "%s: %s\n", argv[i],
              cnnc_status_message((cnnc_status)rc));
      return 1;
    }
    int best = 0;
    for (int c = 1; c < 10; ++c)
      if (scores[c] > scores[best])
        best = c;
    printf("%s: %s (%.3f)\n", argv[i], kClasses[best], scores[best]);
  }
  return status;
}
