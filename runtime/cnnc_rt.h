/* cnnc runtime: the small C library that compiled models link against.
 *
 * Six parts: the status codes that every entry point of the runtime and of
 * generated models returns; a thread pool whose cnnc_parallel_for the
 * generated code calls; aligned allocation for workspaces; the loader of
 * weights files; the per-node timers of profiled models; and the hand-off
 * of node results to the observer of observed (debug) models. C99 plus
 * POSIX threads, no C++ runtime. While a model runs nothing here allocates
 * or locks beyond the pool's own hand-off to its workers; only the first
 * loop allocates, to start the pool (cnnc_init_threads does that earlier). */
#ifndef CNNC_RT_H
#define CNNC_RT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cnnc_status {
  CNNC_OK = 0,
  CNNC_ERROR_INVALID_ARGUMENT = 1, /* a null pointer or a bad size */
  CNNC_ERROR_MISALIGNED = 2,       /* a buffer below the required alignment */
  CNNC_ERROR_WEIGHTS_MISMATCH = 3, /* weights file of another architecture */
  CNNC_ERROR_IO = 4,               /* a file could not be read */
  CNNC_ERROR_OUT_OF_MEMORY = 5,    /* only from the convenience entry points */
  CNNC_ERROR_THREADS = 6           /* worker threads could not be started */
} cnnc_status;

/* A static, human-readable message for `status` ("unknown status" for values
 * outside the enum). */
const char *cnnc_status_message(cnnc_status status);

/* ---- Thread pool ------------------------------------------------------- */

/* Largest thread count accepted from cnnc_set_num_threads and
 * CNNC_NUM_THREADS; far above any core count, it only stops a typo from
 * starting a million threads. */
#define CNNC_MAX_THREADS 1024

/* One piece of a parallel loop: handle the indices [begin, end). */
typedef void (*cnnc_task_fn)(void *context, int64_t begin, int64_t end);

/* Most chunks per thread in one cnnc_parallel_for. */
#define CNNC_CHUNKS_PER_THREAD 4

/* Calls `fn` on disjoint chunks [begin, end) that together cover
 * [0, count), at most CNNC_CHUNKS_PER_THREAD chunks per thread, each at
 * least `grain` long unless count itself is smaller (grain < 1 counts as
 * 1), and returns when all of them are done. Thread p first runs the chunks
 * of the p-th share of [0, count), in order, then helps with what is left of
 * the others: consecutive loops give a thread the same part of their range
 * while the threads keep pace. The calling thread runs chunks too. Runs `fn(context, 0, count)` inline on the
 * calling thread when one thread is configured, when count < 2 * grain, when
 * called from inside a task (nested loops never deadlock), and when another
 * thread's loop already occupies the pool. count <= 0 or a NULL fn does nothing. The first
 * call that needs the pool starts it; `fn` must not throw or longjmp. */
void cnnc_parallel_for(int64_t count, int64_t grain, cnnc_task_fn fn,
                       void *context);

/* Sets the number of threads loops use, the caller included (1..
 * CNNC_MAX_THREADS; 1 means no thread is ever created). Overrides
 * CNNC_NUM_THREADS. An idle pool of another size is stopped at once, a busy
 * one when its loop ends; the next loop starts one of the new size.
 * Returns CNNC_ERROR_INVALID_ARGUMENT and changes nothing for a bad n. */
cnnc_status cnnc_set_num_threads(int n);

/* The thread count loops use: the last cnnc_set_num_threads, else
 * CNNC_NUM_THREADS as read on first use, else the number of CPUs this
 * process may run on. A malformed or out-of-range CNNC_NUM_THREADS is
 * ignored. */
int cnnc_get_num_threads(void);

/* Starts the pool now rather than in the first loop, so that the first run
 * of a model is not slower than the rest. CNNC_ERROR_THREADS when not every
 * worker could be started (loops still run, on fewer threads). */
cnnc_status cnnc_init_threads(void);

/* Stops and joins the workers, waiting for a running loop to finish first;
 * a later loop starts them again. Optional: exiting the process without it is
 * safe. Does nothing when called from inside a task. */
void cnnc_shutdown(void);

/* Parses a thread count as CNNC_NUM_THREADS is parsed: a decimal integer in
 * 1..CNNC_MAX_THREADS, surrounding blanks allowed. Returns 0 for anything
 * else, including NULL. */
int cnnc_parse_num_threads(const char *text);

/* ---- Aligned workspaces ------------------------------------------------ */

/* The alignment generated code expects of inputs, outputs and workspaces: one
 * cache line, which also covers a full AVX-512 vector. */
#define CNNC_ALIGNMENT 64

/* `size` bytes aligned to `alignment` (a power of two; smaller than a
 * pointer is raised to a pointer's). size 0 returns a unique pointer that
 * must be freed too. NULL when out of memory, for a bad alignment, or when
 * size plus alignment would overflow. Free with cnnc_aligned_free. */
void *cnnc_aligned_alloc(size_t size, size_t alignment);

/* Frees memory from cnnc_aligned_alloc; NULL is allowed. */
void cnnc_aligned_free(void *ptr);

/* ---- Weights files ----------------------------------------------------- */

/* A model compiled with `cnnc --weights=file` reads its weights from memory
 * that NAME.weights was loaded into. The file is a 64-byte header and the
 * data: bytes 0-7 the magic "CNNCWGT1", then little-endian uint64 values:
 * at 8 the hash of the architecture the weights were written for, at 16 the
 * size of the data; bytes 24-63 are zero. The data starts at byte 64. */
#define CNNC_WEIGHTS_HEADER_SIZE 64

/* Reads the weights file `path` into memory aligned to CNNC_ALIGNMENT and
 * stores it in *weights (free with cnnc_aligned_free). `hash` and `size` are
 * what the model's header says (NAME_WEIGHTS_HASH, NAME_WEIGHTS_SIZE): a file
 * written for another architecture, or of another size, is refused with
 * CNNC_ERROR_WEIGHTS_MISMATCH; a file that cannot be opened or read gives
 * CNNC_ERROR_IO. *weights is NULL unless CNNC_OK is returned. */
cnnc_status cnnc_load_weights(const char *path, uint64_t hash, uint64_t size,
                              void **weights);

/* ---- Per-node profile ------------------------------------------------- */

/* A model compiled with `cnnc --profile` times each of its nodes: it owns a
 * table of them, which NAME_profile() returns, and every run adds each
 * node's wall-clock time (the node's threads included) and one call to its
 * counters. The counters sum over runs until cnnc_profile_reset; concurrent
 * runs add up correctly, though their times overlap. A model compiled
 * without --profile has no table and no timing code at all. */
typedef struct cnnc_profile {
  int64_t num_nodes;             /* in execution order */
  const char *const *node_names; /* ONNX node names ("" if unnamed) */
  const char *const *op_names;   /* "Conv", "cnnc.FusedConv", ... */
  uint64_t *nanoseconds;         /* per node, summed over runs */
  uint64_t *calls;               /* per node, runs counted */
} cnnc_profile;

/* A monotonic clock in nanoseconds: what profiled code reads before a
 * node. */
uint64_t cnnc_profile_clock(void);

/* Adds cnnc_profile_clock() - start to node `node`'s time in `profile` and
 * counts one call: what profiled code calls after a node. */
void cnnc_profile_record(const cnnc_profile *profile, int64_t node,
                         uint64_t start);

/* Zeroes every node's time and calls. Call it while no run is under way. */
void cnnc_profile_reset(const cnnc_profile *profile);

/* ---- Observed results -------------------------------------------------- */

/* A model compiled with `cnnc --observe` (a debug build, as ONNX Runtime's
 * node-output dumps or TVM's debug executor) shows every node's results to
 * an observer while it runs: after each node, for each of its results, the
 * observer set with NAME_observe(fn, user) is called with a description of
 * the tensor and its bytes where the model keeps them. The bytes are valid
 * only during the call (a later node may reuse that memory, or write over
 * it in place): copy what you keep. Nodes run one after another on the
 * calling thread, so the observer is called from there, in execution
 * order. A model compiled without --observe has no trace of it. */
typedef struct cnnc_tensor_info {
  int64_t node;          /* the producing node, in execution order */
  int64_t result;        /* which of its results (0 for most ops) */
  const char *node_name; /* its ONNX name ("" if unnamed) */
  const char *op_name;   /* "Conv", "cnnc.FusedConv", "MaxPool", ... */
  const char *name;      /* the tensor's name */
  const char *dtype;     /* "f32", "i64", ... */
  int64_t element_size;  /* bytes per element */
  int64_t rank;
  const int64_t *shape; /* the logical dimensions, e.g. N, C, H, W */
  /* 0: stored row-major. B (8 or 16): channels in blocks of B, stored as
   * [N, ceil(C/B), dims 2.., B], the last block padded (cnnc_copy_row_major
   * undoes it). */
  int64_t block;
  int64_t bytes; /* the stored size */
} cnnc_tensor_info;

typedef void (*cnnc_observer)(void *user, const cnnc_tensor_info *info,
                              const void *data);

/* Where an observed model keeps its observer (NAME_observe sets it). */
typedef struct cnnc_observer_slot {
  cnnc_observer fn;
  void *user;
} cnnc_observer_slot;

/* What observed code calls after a node, for each result: fn(user, info,
 * data) when an observer is set. */
void cnnc_observe_record(const cnnc_observer_slot *slot,
                         const cnnc_tensor_info *info, const void *data);

/* Copies the tensor `info` describes, stored at `data`, into `out` in
 * row-major order (the product of its shape, element_size bytes each). */
void cnnc_copy_row_major(const cnnc_tensor_info *info, const void *data,
                         void *out);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_RT_H */
