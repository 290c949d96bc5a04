/* Calls the convenience entry point of bundle.onnxtxt's model. */
#include "small.h"

#include <stdio.h>

int main(void) {
  const float x[6] = {-1, 2, -3, 4, -5, 6};
  float y[6];
  if (small_infer(x, y) != CNNC_OK)
    return 1;
  for (int i = 0; i < 6; ++i)
    printf("%g ", y[i]);
  printf("\n");
  return 0;
}
