#include "cnnc_rt.h"

const char *cnnc_status_message(cnnc_status status) {
  switch (status) {
  case CNNC_OK:
    return "ok";
  case CNNC_ERROR_INVALID_ARGUMENT:
    return "invalid argument (null pointer or wrong size)";
  case CNNC_ERROR_MISALIGNED:
    return "buffer is not aligned as the model requires";
  case CNNC_ERROR_WEIGHTS_MISMATCH:
    return "weights file does not match the compiled architecture";
  case CNNC_ERROR_IO:
    return "could not read file";
  case CNNC_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case CNNC_ERROR_THREADS:
    return "could not start worker threads";
  }
  return "unknown status";
}
