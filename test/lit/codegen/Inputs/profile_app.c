/* Runs a model compiled by `cnnc --profile ... --name model` twice on a raw
 * input file, writes its output, and prints its profile table: the node
 * count, then each node's name, op and calls, whether any time was
 * recorded, and whether cnnc_profile_reset cleared the counters. It never
 * prints a time: tests do not look at them.
 *
 * usage: profile_app IN.bin OUT.bin (the tensors' bytes, row-major) */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (MODEL_NUM_INPUTS != 1 || MODEL_NUM_OUTPUTS != 1 || argc != 3) {
    fprintf(stderr, "usage: %s INPUT.bin OUTPUT.bin (one input, one output)\n",
            argv[0]);
    return 2;
  }
  float *input = malloc(MODEL_INPUT0_SIZE),
        *output = malloc(MODEL_OUTPUT0_SIZE);
  FILE *in = fopen(argv[1], "rb");
  if (!input || !output || !in ||
      fread(input, 1, MODEL_INPUT0_SIZE, in) != MODEL_INPUT0_SIZE) {
    fprintf(stderr, "cannot read %d bytes from %s\n", MODEL_INPUT0_SIZE,
            argv[1]);
    return 1;
  }
  fclose(in);
  for (int run = 0; run < 2; ++run)
    if (model_infer(input, output) != CNNC_OK)
      return 1;
  FILE *out = fopen(argv[2], "wb");
  if (!out ||
      fwrite(output, 1, MODEL_OUTPUT0_SIZE, out) != MODEL_OUTPUT0_SIZE ||
      fclose(out)) {
    fprintf(stderr, "cannot write %s\n", argv[2]);
    return 1;
  }

  const cnnc_profile *profile = model_profile();
  uint64_t total = 0;
  printf("%lld nodes\n", (long long)profile->num_nodes);
  for (int64_t i = 0; i < profile->num_nodes; ++i) {
    printf("%s %s calls=%llu\n", profile->node_names[i], profile->op_names[i],
           (unsigned long long)profile->calls[i]);
    total += profile->nanoseconds[i];
  }
  printf("time recorded: %s\n", total > 0 ? "yes" : "no");
  cnnc_profile_reset(profile);
  int cleared = 1;
  for (int64_t i = 0; i < profile->num_nodes; ++i)
    cleared &= profile->calls[i] == 0 && profile->nanoseconds[i] == 0;
  printf("after reset: %s\n", cleared ? "cleared" : "NOT CLEARED");
  free(input);
  free(output);
  return 0;
}
