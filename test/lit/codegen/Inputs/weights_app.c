/* Runs the model compiled with --weights=file (tiny.h) with the weights
 * file given as argv[1], on x = {1, 2, 3}; prints y or the loader's status. */
#include "tiny.h"

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  void *weights = NULL;
  int32_t status = tiny_load_weights(argv[1], &weights);
  if (status != CNNC_OK) {
    printf("error: %s\n", cnnc_status_message((cnnc_status)status));
    return 1;
  }
  const float x[3] = {1, 2, 3};
  float y[3];
  status = tiny_infer(weights, x, y);
  cnnc_aligned_free(weights);
  if (status != CNNC_OK)
    return 1;
  printf("%g %g %g\n", y[0], y[1], y[2]);
  return 0;
}
