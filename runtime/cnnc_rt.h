/* cnnc runtime: the small C library that compiled models link against.
 *
 * This first part holds the status codes that every entry point of the
 * runtime and of generated models returns. The thread pool and workspace
 * helpers join it with code generation. C99, no allocation. */
#ifndef CNNC_RT_H
#define CNNC_RT_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnnc_status {
  CNNC_OK = 0,
  CNNC_ERROR_INVALID_ARGUMENT = 1, /* a null pointer or a bad size */
  CNNC_ERROR_MISALIGNED = 2,       /* a buffer below the required alignment */
  CNNC_ERROR_WEIGHTS_MISMATCH = 3, /* weights file of another architecture */
  CNNC_ERROR_IO = 4,               /* a file could not be read */
  CNNC_ERROR_OUT_OF_MEMORY = 5     /* only from the convenience entry points */
} cnnc_status;

/* A static, human-readable message for `status` ("unknown status" for values
 * outside the enum). */
const char *cnnc_status_message(cnnc_status status);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_RT_H */
