/* Runs a model compiled by `cnnc --observe ... --name model` on a raw input
 * file with an observer set, prints each result it is handed (node, op,
 * shape, channel block, and the sum of its elements copied out row-major),
 * then runs again with the observer unset and checks nothing is handed over.
 *
 * usage: observe_app IN.bin (the input's bytes, row-major) */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>

static int calls;

static void print(void *user, const cnnc_tensor_info *info, const void *data) {
  int64_t count = 1, i;
  (void)user;
  ++calls;
  printf("%lld %s %s %s [", (long long)info->node, info->node_name,
         info->op_name, info->dtype);
  for (i = 0; i < info->rank; ++i) {
    printf("%s%lld", i ? "," : "", (long long)info->shape[i]);
    count *= info->shape[i];
  }
  float *plain = malloc((size_t)count * sizeof(float));
  double sum = 0;
  cnnc_copy_row_major(info, data, plain);
  for (i = 0; i < count; ++i)
    sum += plain[i];
  free(plain);
  printf("] block=%lld sum=%.3f\n", (long long)info->block, sum);
}

int main(int argc, char **argv) {
  float *input = malloc(MODEL_INPUT0_SIZE),
        *output = malloc(MODEL_OUTPUT0_SIZE);
  FILE *in = argc == 2 ? fopen(argv[1], "rb") : NULL;
  if (!input || !output || !in ||
      fread(input, 1, MODEL_INPUT0_SIZE, in) != MODEL_INPUT0_SIZE) {
    fprintf(stderr, "usage: %s INPUT.bin\n", argv[0]);
    return 1;
  }
  fclose(in);
  model_observe(print, NULL);
  if (model_infer(input, output) != CNNC_OK)
    return 1;
  printf("%d results\n", calls);
  model_observe(NULL, NULL);
  calls = 0;
  if (model_infer(input, output) != CNNC_OK)
    return 1;
  printf("unset: %d results\n", calls);
  return 0;
}
