/* The thread pool behind cnnc_parallel_for.
 *
 * One process-wide pool of T-1 workers; the thread that calls
 * cnnc_parallel_for is the T-th participant. A loop is cut into a share per
 * participant (at most T shares), and every share into as many chunks, at
 * most CNNC_CHUNKS_PER_THREAD. Participant p (the caller is 0, worker k is
 * k + 1) runs the chunks of share p in order, then claims the chunks still
 * unclaimed in the other shares, from their ends. That each thread runs its
 * own share is what keeps data in its cache: the code generator numbers a
 * layer's work items so that share p of every layer covers the same stripe
 * of the image, which share p of the layer before wrote on the same core.
 * The chunks balance the load when a core is slow (another process on it) or
 * late: the caller never waits for a worker to start, a worker that wakes
 * late simply finds less work, and a loop finishes correctly even if no
 * worker ever runs.
 *
 * Workers join a loop by taking a ticket under the pool mutex; the caller
 * issues one ticket per share it hopes to hand off, runs chunks itself, then
 * withdraws the tickets nobody took and waits until the workers that did take
 * one have finished. Because a worker only reads the loop's description while
 * holding a ticket of that loop, a slow worker can never mix up two loops.
 * Between loops the workers sleep on a condition variable, but only after
 * spinning for kSpinNanoseconds: a model's nodes post loops back to back,
 * and a worker woken through the condition variable arrives tens of
 * microseconds late, when the caller has often run every chunk itself. The
 * caller likewise spins a while before it sleeps waiting for the workers.
 *
 * Only one loop owns the pool at a time (`busy`). A loop started meanwhile,
 * from another application thread or from inside a task, runs inline on its
 * own thread instead of waiting, which rules out deadlock.
 *
 * The pool is only started, stopped or resized by a thread that owns it, so
 * changes of the thread count never race with a running loop. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */

#include "cnnc_rt.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Set on workers for their whole life and on the caller while it runs
 * chunks: a nested loop then runs inline without touching the pool. GCC and
 * Clang accept __thread in every C mode. */
static __thread int tls_in_task;

static pthread_mutex_t pool_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cond = PTHREAD_COND_INITIALIZER; /* to workers */
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER; /* to the caller */
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER; /* busy -> 0 */

/* Guarded by pool_mutex. */
static pthread_t *workers;
static int num_workers;   /* workers running */
static int pool_threads;  /* the thread count the pool was started for; 0 if
                             none (differs from num_workers + 1 only when
                             pthread_create failed) */
static int stopping;      /* tells workers to exit */
static int busy;          /* a thread owns the pool: running a loop, or
                             starting or stopping the workers */
static int tickets;       /* workers still wanted by the current loop */
static int active;        /* workers inside the current loop */
static int caller_waiting;

/* The current loop, written by its caller under pool_mutex before it issues
 * tickets; read by workers after they take one. */
static cnnc_task_fn job_fn;
static void *job_context;
static int64_t job_count;
static int64_t job_chunks;
static int64_t job_shares;
/* chunk_claimed[c] is set by the participant that runs chunk c of the
 * current loop; the caller clears the loop's flags before it posts it, when
 * no worker is inside a loop. */
static int chunk_claimed[CNNC_MAX_THREADS * CNNC_CHUNKS_PER_THREAD];

/* Bumped (under pool_mutex) whenever workers have something new to do: a
 * loop posted tickets or the pool is stopping. Spinning workers watch it
 * without the mutex, as the caller watches `active`. */
static unsigned pool_serial;
static const int64_t kSpinNanoseconds = 200000;

/* Written by resolve_num_threads and under pool_mutex, read without it on
 * the inline fast path; the __atomic builtins keep those reads well defined.
 * 0 until resolved. */
static int num_threads;
static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;

int cnnc_parse_num_threads(const char *text) {
  if (!text)
    return 0;
  const char *p = text;
  while (*p == ' ' || *p == '\t')
    ++p;
  /* Digits only: strtol would also take a sign, hex and locale quirks. */
  long value = 0;
  const char *digits = p;
  while (*p >= '0' && *p <= '9') {
    value = value * 10 + (*p - '0');
    if (value > CNNC_MAX_THREADS)
      return 0; /* also stops the accumulation before it can overflow */
    ++p;
  }
  if (p == digits)
    return 0;
  while (*p == ' ' || *p == '\t' || *p == '\n')
    ++p;
  if (*p != '\0' || value < 1)
    return 0;
  return (int)value;
}

/* The CPUs this process may run on (taskset, cgroup cpusets), which can be
 * fewer than the machine has; more threads than that only time-slice. */
static int default_num_threads(void) {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n >= 1)
      return n < CNNC_MAX_THREADS ? n : CNNC_MAX_THREADS;
  }
#endif
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1)
    return 1;
  return n < CNNC_MAX_THREADS ? (int)n : CNNC_MAX_THREADS;
}

static void resolve_num_threads(void) {
  int n = cnnc_parse_num_threads(getenv("CNNC_NUM_THREADS"));
  if (n == 0)
    n = default_num_threads();
  /* No pool_mutex here: pthread_once already orders this store before every
   * caller, and taking the mutex would deadlock a caller that holds it. */
  __atomic_store_n(&num_threads, n, __ATOMIC_RELAXED);
}

int cnnc_get_num_threads(void) {
  pthread_once(&resolve_once, resolve_num_threads);
  return __atomic_load_n(&num_threads, __ATOMIC_RELAXED);
}

/* Runs chunk c of the current loop unless somebody has claimed it. Chunk c
 * spans [c*base + min(c, extra), ...): sizes differ by at most one and no
 * product can overflow. */
static void run_chunk(cnnc_task_fn fn, void *context, int64_t count,
                      int64_t chunks, int64_t c) {
  if (__atomic_load_n(&chunk_claimed[c], __ATOMIC_RELAXED) ||
      __atomic_exchange_n(&chunk_claimed[c], 1, __ATOMIC_RELAXED))
    return;
  int64_t base = count / chunks, extra = count % chunks;
  int64_t begin = c * base + (c < extra ? c : extra);
  fn(context, begin, begin + base + (c < extra ? 1 : 0));
}

/* Participant `self`'s part of the current loop: its own share's chunks in
 * order (a worker numbered past the shares has none), then what is left of
 * the other shares, each from its end. */
static void run_chunks(cnnc_task_fn fn, void *context, int64_t count,
                       int64_t chunks, int64_t shares, int64_t self) {
  for (int64_t i = 0; i < shares; ++i) {
    int64_t share = (self + i) % shares;
    int64_t first = share * chunks / shares;
    int64_t last = (share + 1) * chunks / shares;
    int own = i == 0 && self < shares;
    for (int64_t c = first; c < last; ++c)
      run_chunk(fn, context, count, chunks, own ? c : first + last - 1 - c);
  }
}

static int64_t monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Spins, without pool_mutex, until *word differs from `seen` (returns 1) or
 * kSpinNanoseconds have passed (returns 0). */
static int spin_while_equal(const unsigned *word, unsigned seen) {
  int64_t deadline = monotonic_ns() + kSpinNanoseconds;
  for (int i = 1;; ++i) {
    if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != seen)
      return 1;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (i % 64 == 0 && monotonic_ns() > deadline)
      return 0;
  }
}

static void *worker_main(void *arg) {
  int64_t self = (int64_t)(intptr_t)arg; /* participant number, from 1 */
  tls_in_task = 1;
  pthread_mutex_lock(&pool_mutex);
  for (;;) {
    while (!stopping && tickets == 0) {
      unsigned seen = __atomic_load_n(&pool_serial, __ATOMIC_RELAXED);
      pthread_mutex_unlock(&pool_mutex);
      int posted = spin_while_equal(&pool_serial, seen);
      pthread_mutex_lock(&pool_mutex);
      /* Rechecked under the mutex, where posting happens: no lost wake-up. */
      if (!posted && !stopping && tickets == 0)
        pthread_cond_wait(&work_cond, &pool_mutex);
    }
    if (stopping)
      break;
    --tickets;
    __atomic_add_fetch(&active, 1, __ATOMIC_RELAXED);
    cnnc_task_fn fn = job_fn;
    void *context = job_context;
    int64_t count = job_count, chunks = job_chunks, shares = job_shares;
    pthread_mutex_unlock(&pool_mutex);

    run_chunks(fn, context, count, chunks, shares, self);

    pthread_mutex_lock(&pool_mutex);
    if (__atomic_sub_fetch(&active, 1, __ATOMIC_RELEASE) == 0 && caller_waiting)
      pthread_cond_signal(&done_cond);
  }
  pthread_mutex_unlock(&pool_mutex);
  return NULL;
}

/* Joins every worker. Called with pool_mutex held by the pool's owner; drops
 * it while joining, since exiting workers need it. */
static void stop_workers_locked(void) {
  if (pool_threads == 0)
    return;
  stopping = 1;
  __atomic_add_fetch(&pool_serial, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&work_cond);
  pthread_mutex_unlock(&pool_mutex);
  for (int i = 0; i < num_workers; ++i)
    pthread_join(workers[i], NULL);
  pthread_mutex_lock(&pool_mutex);
  free(workers);
  workers = NULL;
  num_workers = 0;
  pool_threads = 0;
  stopping = 0;
}

/* fork() copies only the calling thread, so a child must not believe it has
 * workers (joining them would be undefined) nor inherit condition variables
 * that count waiters which do not exist in it. The prepare handler takes the
 * mutex so that the child never sees the bookkeeping half-written; the child
 * then starts over without a pool and starts its own on its first loop. It
 * keeps the parent's worker array, still reachable for leak checkers, until
 * start_workers_locked replaces it: free() has no place in a fork handler. */
static void before_fork(void) { pthread_mutex_lock(&pool_mutex); }
static void after_fork_parent(void) { pthread_mutex_unlock(&pool_mutex); }
static void after_fork_child(void) {
  num_workers = pool_threads = stopping = busy = tickets = active = 0;
  caller_waiting = 0;
  pthread_cond_init(&work_cond, NULL);
  pthread_cond_init(&done_cond, NULL);
  pthread_cond_init(&idle_cond, NULL);
  pthread_mutex_unlock(&pool_mutex);
}
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static void register_atfork(void) {
  pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

/* Starts threads - 1 workers. Called with pool_mutex held by the pool's
 * owner and no workers running. Returns CNNC_ERROR_THREADS if fewer could be
 * started; the pool then works with those. */
static cnnc_status start_workers_locked(int threads) {
  pthread_once(&atfork_once, register_atfork);
  pool_threads = threads;
  free(workers); /* NULL, except in a child of fork() */
  workers = malloc((size_t)(threads - 1) * sizeof *workers);
  if (!workers)
    return CNNC_ERROR_THREADS;
  /* Workers block every signal, so that signals meant for the application
   * land on its own threads. They inherit the mask at creation. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  while (num_workers < threads - 1 &&
         pthread_create(&workers[num_workers], NULL, worker_main,
                        (void *)(intptr_t)(num_workers + 1)) == 0)
    ++num_workers;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return num_workers == threads - 1 ? CNNC_OK : CNNC_ERROR_THREADS;
}

/* Gives up ownership of the pool. A thread count changed while the pool was
 * busy takes effect here, so that extra threads do not linger. */
static void release_pool_locked(void) {
  int wanted = __atomic_load_n(&num_threads, __ATOMIC_RELAXED);
  if (pool_threads != 0 && pool_threads != wanted)
    stop_workers_locked();
  busy = 0;
  pthread_cond_broadcast(&idle_cond);
}

cnnc_status cnnc_set_num_threads(int n) {
  if (n < 1 || n > CNNC_MAX_THREADS)
    return CNNC_ERROR_INVALID_ARGUMENT;
  /* Resolve first so that a later first use does not read the environment
   * over the application's choice. */
  pthread_once(&resolve_once, resolve_num_threads);
  pthread_mutex_lock(&pool_mutex);
  __atomic_store_n(&num_threads, n, __ATOMIC_RELAXED);
  if (!busy && pool_threads != 0 && pool_threads != n) {
    busy = 1;
    release_pool_locked();
  }
  pthread_mutex_unlock(&pool_mutex);
  return CNNC_OK;
}

cnnc_status cnnc_init_threads(void) {
  int threads = cnnc_get_num_threads();
  if (threads == 1 || tls_in_task)
    return CNNC_OK;
  cnnc_status status = CNNC_OK;
  pthread_mutex_lock(&pool_mutex);
  while (busy)
    pthread_cond_wait(&idle_cond, &pool_mutex);
  threads = __atomic_load_n(&num_threads, __ATOMIC_RELAXED);
  if (threads > 1 && pool_threads != threads) {
    busy = 1;
    stop_workers_locked();
    status = start_workers_locked(threads);
    busy = 0;
    pthread_cond_broadcast(&idle_cond);
  }
  pthread_mutex_unlock(&pool_mutex);
  return status;
}

void cnnc_shutdown(void) {
  if (tls_in_task)
    return; /* a worker cannot join itself, nor the caller wait for itself */
  pthread_mutex_lock(&pool_mutex);
  while (busy)
    pthread_cond_wait(&idle_cond, &pool_mutex);
  busy = 1;
  stop_workers_locked();
  busy = 0;
  pthread_cond_broadcast(&idle_cond);
  pthread_mutex_unlock(&pool_mutex);
}

static void run_inline(int64_t count, cnnc_task_fn fn, void *context) {
  int saved = tls_in_task;
  tls_in_task = 1;
  fn(context, 0, count);
  tls_in_task = saved;
}

void cnnc_parallel_for(int64_t count, int64_t grain, cnnc_task_fn fn,
                       void *context) {
  if (count <= 0 || !fn)
    return;
  if (grain < 1)
    grain = 1;
  int64_t chunks = count / grain;
  if (chunks <= 1 || tls_in_task) {
    run_inline(count, fn, context);
    return;
  }
  int threads = cnnc_get_num_threads();
  if (threads == 1) {
    run_inline(count, fn, context);
    return;
  }

  pthread_mutex_lock(&pool_mutex);
  threads = __atomic_load_n(&num_threads, __ATOMIC_RELAXED);
  if (busy || threads == 1) {
    pthread_mutex_unlock(&pool_mutex);
    run_inline(count, fn, context);
    return;
  }
  busy = 1;
  if (pool_threads != threads) {
    stop_workers_locked();
    start_workers_locked(threads); /* on failure, fewer workers help */
  }
  int64_t shares = chunks < threads ? chunks : threads;
  if (chunks > shares * CNNC_CHUNKS_PER_THREAD)
    chunks = shares * CNNC_CHUNKS_PER_THREAD;
  /* As many chunks in every share: 7 chunks would give the shares 3 and 4,
   * a quarter more work for one thread than for the other. */
  chunks -= chunks % shares;
  int helpers = shares - 1 < num_workers ? (int)shares - 1 : num_workers;
  job_fn = fn;
  job_context = context;
  job_count = count;
  job_chunks = chunks;
  job_shares = shares;
  for (int64_t c = 0; c < chunks; ++c)
    __atomic_store_n(&chunk_claimed[c], 0, __ATOMIC_RELAXED);
  tickets = helpers;
  __atomic_add_fetch(&pool_serial, 1, __ATOMIC_RELEASE);
  if (helpers == num_workers)
    pthread_cond_broadcast(&work_cond);
  else
    for (int i = 0; i < helpers; ++i)
      pthread_cond_signal(&work_cond);
  pthread_mutex_unlock(&pool_mutex);

  tls_in_task = 1;
  run_chunks(fn, context, count, chunks, shares, 0);
  tls_in_task = 0;

  pthread_mutex_lock(&pool_mutex);
  tickets = 0; /* workers that have not woken yet are not needed any more */
  if (active > 0) {
    /* A worker still running a chunk: usually done within microseconds. */
    pthread_mutex_unlock(&pool_mutex);
    int64_t deadline = monotonic_ns() + kSpinNanoseconds;
    for (int i = 1; __atomic_load_n(&active, __ATOMIC_ACQUIRE) > 0; ++i) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      if (i % 64 == 0 && monotonic_ns() > deadline)
        break;
    }
    pthread_mutex_lock(&pool_mutex);
  }
  caller_waiting = 1;
  while (active > 0)
    pthread_cond_wait(&done_cond, &pool_mutex);
  caller_waiting = 0;
  release_pool_locked();
  pthread_mutex_unlock(&pool_mutex);
}
