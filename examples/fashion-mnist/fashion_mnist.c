/* fashion_mnist: a Fashion-MNIST classifier compiled by cnnc, on the test set.
 *
 * usage: fashion_mnist [--data DIR] [--first-class K] [--weights FILE]
 *                      [--expect PREDICTIONS]
 *
 * Reads the IDX test set (DIR/t10k-images-idx3-ubyte.gz and
 * t10k-labels-idx1-ubyte.gz, by default Debian's dataset-fashion-mnist),
 * runs the model on every image one at a time, as an application serving
 * requests would, and prints the accuracy, the confusion matrix with the
 * class names, and images per second.
 *
 * The model is "model.h" / model.o, compiled at build time by
 * cnnc_add_model (see CMakeLists.txt); it has MODEL_OUTPUT0_ELEMENTS
 * classes. A model of fewer than 10 classes (the transfer-learning ones)
 * covers the classes K .. K + classes - 1 (--first-class K): only those test
 * images are used, labeled from 0. A model compiled with --weights=file takes
 * its weights from FILE (--weights), and refuses a file written for
 * another architecture. --expect compares the predictions with another
 * engine's (one class a line, as train.py writes PyTorch's) and fails
 * unless every one is equal. */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */

#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define SIDE 28
#define MAX_IMAGES 10000

static const char *const kClasses[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
/* The same, short enough for the matrix's columns. */
static const char *const kShortClasses[10] = {
    "T-shirt", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",  "Shirt",   "Sneaker",  "Bag",   "Boot"};

_Static_assert(MODEL_INPUT0_ELEMENTS == SIDE * SIDE, "a 1x28x28 input");
_Static_assert(MODEL_OUTPUT0_ELEMENTS >= 2 && MODEL_OUTPUT0_ELEMENTS <= 10,
               "2 to 10 class scores");
enum { kModelClasses = MODEL_OUTPUT0_ELEMENTS };

/* The gzipped IDX file `path` of `rank` dimensions whose first is at most
 * `most` and the others are `inner` (rank 3: 28, 28): its bytes in
 * `data`, its first dimension returned; exits on any problem. */
static int readIdx(const char *path, int rank, int most, int inner,
                   unsigned char *data) {
  gzFile f = gzopen(path, "rb");
  unsigned char header[16];
  int headerSize = 4 + 4 * rank, count = 0, d;
  if (!f || gzread(f, header, (unsigned)headerSize) != headerSize ||
      header[0] != 0 || header[1] != 0 || header[2] != 8 || header[3] != rank) {
    fprintf(stderr, "%s: not a gzipped IDX file of rank %d\n", path, rank);
    exit(1);
  }
  for (d = 0; d < rank; ++d) {
    const unsigned char *b = header + 4 + 4 * d;
    unsigned long size = ((unsigned long)b[0] << 24) | ((unsigned)b[1] << 16) |
                         ((unsigned)b[2] << 8) | b[3];
    int n = size > (unsigned long)most ? -1 : (int)size;
    if (d == 0)
      count = n;
    if ((d == 0 && (n < 1 || n > most)) || (d > 0 && n != inner)) {
      fprintf(stderr, "%s: unexpected dimension %d of size %d\n", path, d, n);
      exit(1);
    }
  }
  {
    int bytes = count * (rank == 3 ? inner * inner : 1);
    if (gzread(f, data, (unsigned)bytes) != bytes) {
      fprintf(stderr, "%s: truncated\n", path);
      exit(1);
    }
  }
  gzclose(f);
  return count;
}

static double seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

int main(int argc, char **argv) {
  const char *dataDir = "/usr/share/datasets/fashion-mnist";
  const char *expectPath = NULL, *weightsPath = NULL;
  int firstClass = 0, i;
  for (i = 1; i < argc; ++i) {
    if (i + 1 < argc && !strcmp(argv[i], "--data"))
      dataDir = argv[++i];
    else if (i + 1 < argc && !strcmp(argv[i], "--expect"))
      expectPath = argv[++i];
    else if (i + 1 < argc && !strcmp(argv[i], "--weights"))
      weightsPath = argv[++i];
    else if (i + 1 < argc && !strcmp(argv[i], "--first-class"))
      firstClass = atoi(argv[++i]);
    else {
      fprintf(stderr,
              "usage: %s [--data DIR] [--first-class K] [--weights FILE] "
              "[--expect PREDICTIONS]\n",
              argv[0]);
      return 2;
    }
  }
  if (firstClass < 0 || firstClass + kModelClasses > 10) {
    fprintf(stderr,
            "--first-class %d: the model's %d classes must be "
            "within the 10\n",
            firstClass, kModelClasses);
    return 2;
  }

#ifdef MODEL_WEIGHTS_SIZE
  void *weights = NULL;
  if (!weightsPath) {
    fprintf(stderr, "this model takes its weights from a file: --weights "
                    "FILE\n");
    return 2;
  }
  {
    int32_t status = model_load_weights(weightsPath, &weights);
    if (status != CNNC_OK) {
      fprintf(stderr, "%s: %s\n", weightsPath,
              cnnc_status_message((cnnc_status)status));
      return 1;
    }
  }
#define RUN(in, out, ws) model_run(in, out, ws, weights)
#else
  if (weightsPath) {
    fprintf(stderr, "this model has its weights built in: no --weights\n");
    return 2;
  }
#define RUN(in, out, ws) model_run(in, out, ws)
#endif

  static unsigned char pixels[MAX_IMAGES * SIDE * SIDE], labels[MAX_IMAGES];
  char path[4096];
  snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte.gz", dataDir);
  int count = readIdx(path, 3, MAX_IMAGES, SIDE, pixels);
  snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte.gz", dataDir);
  if (readIdx(path, 1, MAX_IMAGES, 0, labels) != count) {
    fprintf(stderr, "%s: not one label per image\n", path);
    return 1;
  }

  /* The images of the model's classes, and their labels from 0. */
  static int predictions[MAX_IMAGES], truth[MAX_IMAGES], used[MAX_IMAGES];
  int n = 0;
  for (i = 0; i < count; ++i)
    if (labels[i] >= firstClass && labels[i] < firstClass + kModelClasses) {
      used[n] = i;
      truth[n++] = labels[i] - firstClass;
    }

  void *workspace =
      cnnc_aligned_alloc(MODEL_WORKSPACE_SIZE, MODEL_WORKSPACE_ALIGNMENT);
  float *image =
      cnnc_aligned_alloc(sizeof(float) * SIDE * SIDE, CNNC_ALIGNMENT);
  float *scores =
      cnnc_aligned_alloc(sizeof(float) * kModelClasses, CNNC_ALIGNMENT);
  if ((!workspace && MODEL_WORKSPACE_SIZE > 0) || !image || !scores) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  const void *inputs[] = {image};
  void *outputs[] = {scores};
  double start = seconds();
  for (i = 0; i < n; ++i) {
    const unsigned char *p = pixels + (size_t)used[i] * SIDE * SIDE;
    int k, best = 0;
    for (k = 0; k < SIDE * SIDE; ++k)
      image[k] = (float)p[k] / 255.0f; /* as in training */
    int32_t status = RUN(inputs, outputs, workspace);
    if (status != CNNC_OK) {
      fprintf(stderr, "image %d: %s\n", used[i],
              cnnc_status_message((cnnc_status)status));
      return 1;
    }
    for (k = 1; k < kModelClasses; ++k)
      if (scores[k] > scores[best])
        best = k;
    predictions[i] = best;
  }
  double elapsed = seconds() - start;

  int confusion[10][10] = {{0}}, correct = 0, t, p;
  for (i = 0; i < n; ++i) {
    confusion[truth[i]][predictions[i]]++;
    correct += predictions[i] == truth[i];
  }
  printf("%d test images of classes %d-%d: accuracy %.2f%% (%d/%d), "
         "%.0f images/s\n\n",
         n, firstClass, firstClass + kModelClasses - 1, 100.0 * correct / n,
         correct, n, n / elapsed);
  printf("confusion matrix (rows: true class, columns: predicted)\n");
  printf("%12s", "");
  for (p = 0; p < kModelClasses; ++p)
    printf(" %8s", kShortClasses[firstClass + p]);
  printf("\n");
  for (t = 0; t < kModelClasses; ++t) {
    printf("%12s", kClasses[firstClass + t]);
    for (p = 0; p < kModelClasses; ++p)
      printf(" %8d", confusion[t][p]);
    printf("\n");
  }

  int status = 0;
  if (expectPath) {
    FILE *f = fopen(expectPath, "r");
    int agree = 0, expected, lines = 0;
    if (!f) {
      fprintf(stderr, "%s: cannot open\n", expectPath);
      return 1;
    }
    while (lines < n && fscanf(f, "%d", &expected) == 1) {
      agree += expected == predictions[lines];
      ++lines;
    }
    fclose(f);
    printf("\nagrees with %s on %d of %d images\n", expectPath, agree, n);
    if (lines != n || agree != n)
      status = 1;
  }
  cnnc_aligned_free(scores);
  cnnc_aligned_free(image);
  cnnc_aligned_free(workspace);
#ifdef MODEL_WEIGHTS_SIZE
  cnnc_aligned_free(weights);
#endif
  return status;
}
