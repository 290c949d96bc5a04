/* Runs a model compiled by `cnnc MODEL -o DIR/model --name model` on raw
 * input files and writes raw output files: the end-to-end test's C
 * application, linked with model.o and libcnnc_rt.a only.
 *
 * usage: run_model IN_0.bin ... OUT_0.bin ...  (one file per input, then
 * one per output, each the tensor's bytes in row-major order) */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>

static const size_t inputSizes[] = {MODEL_INPUT0_SIZE};
static const size_t outputSizes[] = {MODEL_OUTPUT0_SIZE};

int main(int argc, char **argv) {
  if (MODEL_NUM_INPUTS != 1 || MODEL_NUM_OUTPUTS != 1 || argc != 3) {
    fprintf(stderr, "usage: %s INPUT.bin OUTPUT.bin (one input, one output)\n",
            argv[0]);
    return 2;
  }
  void *input = malloc(inputSizes[0]), *output = malloc(outputSizes[0]);
  FILE *in = fopen(argv[1], "rb");
  if (!input || !output || !in || fread(input, 1, inputSizes[0], in) != inputSizes[0]) {
    fprintf(stderr, "cannot read %zu bytes from %s\n", inputSizes[0], argv[1]);
    return 1;
  }
  fclose(in);
  int32_t status = model_infer(input, output);
  if (status != CNNC_OK) {
    fprintf(stderr, "model_infer: %s\n", cnnc_status_message((cnnc_status)status));
    return 1;
  }
  FILE *out = fopen(argv[2], "wb");
  if (!out || fwrite(output, 1, outputSizes[0], out) != outputSizes[0] || fclose(out)) {
    fprintf(stderr, "cannot write %s\n", argv[2]);
    return 1;
  }
  free(input);
  free(output);
  return 0;
}
