/* The loader of weights files (cnnc_rt.h describes the format). */
#include "cnnc_rt.h"

#include <stdio.h>
#include <string.h>

static uint64_t readLittleEndian64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

cnnc_status cnnc_load_weights(const char *path, uint64_t hash, uint64_t size,
                              void **weights) {
  if (!weights)
    return CNNC_ERROR_INVALID_ARGUMENT;
  *weights = NULL;
  if (!path)
    return CNNC_ERROR_INVALID_ARGUMENT;
  FILE *file = fopen(path, "rb");
  if (!file)
    return CNNC_ERROR_IO;
  cnnc_status status = CNNC_OK;
  unsigned char header[CNNC_WEIGHTS_HEADER_SIZE];
  void *data = NULL;
  if (fread(header, 1, sizeof header, file) != sizeof header) {
    /* Shorter than a header: not a weights file (or an unreadable one). */
    status = ferror(file) ? CNNC_ERROR_IO : CNNC_ERROR_WEIGHTS_MISMATCH;
  } else if (memcmp(header, "CNNCWGT1", 8) != 0 ||
             readLittleEndian64(header + 8) != hash ||
             readLittleEndian64(header + 16) != size) {
    status = CNNC_ERROR_WEIGHTS_MISMATCH;
  } else if (size > SIZE_MAX ||
             !(data = cnnc_aligned_alloc((size_t)size, CNNC_ALIGNMENT))) {
    status = CNNC_ERROR_OUT_OF_MEMORY;
  } else if (fread(data, 1, (size_t)size, file) != (size_t)size) {
    status = ferror(file) ? CNNC_ERROR_IO : CNNC_ERROR_WEIGHTS_MISMATCH;
  } else if (fgetc(file) != EOF) {
    status = CNNC_ERROR_WEIGHTS_MISMATCH; /* longer than the header says */
  }
  fclose(file);
  if (status != CNNC_OK) {
    cnnc_aligned_free(data);
    return status;
  }
  *weights = data;
  return CNNC_OK;
}
