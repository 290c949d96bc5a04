// Tests of the C runtime that compiled models link (runtime/): status
// messages, the thread pool behind cnnc_parallel_for, aligned allocation,
// the weights loader.
// Everything goes through the public C API, as generated code and apps do.
#include "cnnc_rt.h"

#include <gtest/gtest.h>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

TEST(Runtime, EveryStatusHasItsOwnMessage) {
  EXPECT_STREQ(cnnc_status_message(CNNC_OK), "ok");
  std::string mismatch = cnnc_status_message(CNNC_ERROR_WEIGHTS_MISMATCH);
  EXPECT_NE(mismatch.find("weights"), std::string::npos);
  EXPECT_STREQ(cnnc_status_message(static_cast<cnnc_status>(99)),
               "unknown status");

  std::set<std::string> seen;
  for (int s = CNNC_OK; s <= CNNC_ERROR_THREADS; ++s) {
    std::string message = cnnc_status_message(static_cast<cnnc_status>(s));
    EXPECT_NE(message, "unknown status") << "status " << s;
    EXPECT_TRUE(seen.insert(message).second) << "status " << s;
  }
}

// ---- parallel_for -------------------------------------------------------

// Records what one cnnc_parallel_for did: how often each index was visited,
// every chunk, and the threads that ran them.
struct Recorder {
  explicit Recorder(int64_t count) : hits(static_cast<size_t>(count)) {}

  static void task(void *context, int64_t begin, int64_t end) {
    auto *self = static_cast<Recorder *>(context);
    for (int64_t i = begin; i < end; ++i)
      if (i >= 0 && i < static_cast<int64_t>(self->hits.size()))
        self->hits[static_cast<size_t>(i)].fetch_add(1);
      else
        self->outOfRange.fetch_add(1);
    std::lock_guard<std::mutex> lock(self->mutex);
    self->chunks.emplace_back(begin, end);
    self->threads.insert(std::this_thread::get_id());
  }

  std::vector<std::atomic<int>> hits;
  std::atomic<int> outOfRange{0};
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  std::set<std::thread::id> threads;
};

// Restores the thread count a test changed, so tests do not depend on order.
class RuntimeParallelFor : public ::testing::Test {
protected:
  void SetUp() override { saved = cnnc_get_num_threads(); }
  void TearDown() override {
    EXPECT_EQ(cnnc_set_num_threads(saved), CNNC_OK);
  }
  int saved = 1;
};

TEST_F(RuntimeParallelFor, CoversEveryIndexExactlyOnce) {
  const int threadCounts[] = {1, 2, 3, 4, 7, 16};
  const int64_t counts[] = {0, 1, 2, 3, 7, 64, 1000, 1001};
  const int64_t grains[] = {-1, 0, 1, 2, 3, 64, 1000, 5000};
  for (int threads : threadCounts) {
    ASSERT_EQ(cnnc_set_num_threads(threads), CNNC_OK);
    for (int64_t count : counts)
      for (int64_t grain : grains) {
        SCOPED_TRACE("threads " + std::to_string(threads) + " count " +
                     std::to_string(count) + " grain " +
                     std::to_string(grain));
        Recorder rec(count);
        cnnc_parallel_for(count, grain, Recorder::task, &rec);
        EXPECT_EQ(rec.outOfRange.load(), 0);
        for (int64_t i = 0; i < count; ++i)
          ASSERT_EQ(rec.hits[static_cast<size_t>(i)].load(), 1) << "index " << i;
        if (count == 0) {
          EXPECT_TRUE(rec.chunks.empty());
          continue;
        }
        EXPECT_LE(rec.chunks.size(),
                  static_cast<size_t>(threads * CNNC_CHUNKS_PER_THREAD));
        int64_t minChunk = std::max<int64_t>(grain, 1);
        if (rec.chunks.size() > 1) {
          for (auto [begin, end] : rec.chunks)
            EXPECT_GE(end - begin, minChunk);
          // Every thread's share has as many chunks: none gets more work.
          int64_t shares = std::min<int64_t>(threads, count / minChunk);
          EXPECT_EQ(rec.chunks.size() % static_cast<size_t>(shares), 0u);
        }
        if (count < 2 * minChunk) {
          EXPECT_EQ(rec.chunks.size(), 1u); // too small to be worth splitting
        }
      }
  }
}

TEST_F(RuntimeParallelFor, OneThreadRunsInlineOnTheCaller) {
  ASSERT_EQ(cnnc_set_num_threads(1), CNNC_OK);
  EXPECT_EQ(cnnc_get_num_threads(), 1);
  Recorder rec(1000);
  cnnc_parallel_for(1000, 1, Recorder::task, &rec);
  ASSERT_EQ(rec.chunks.size(), 1u);
  EXPECT_EQ(rec.chunks[0].first, 0);
  EXPECT_EQ(rec.chunks[0].second, 1000);
  EXPECT_EQ(rec.threads, std::set<std::thread::id>{std::this_thread::get_id()});
}

// Each chunk waits until a second participant has arrived, so the loop can
// only finish quickly if workers really run chunks next to the caller. The
// wait is bounded, so a broken pool fails the test instead of hanging it.
TEST_F(RuntimeParallelFor, WorkersRunChunksNextToTheCaller) {
  ASSERT_EQ(cnnc_set_num_threads(4), CNNC_OK);
  struct Meeting {
    std::atomic<int> arrived{0};
    Recorder rec{4};
  } meeting;
  cnnc_parallel_for(
      4, 1,
      [](void *context, int64_t begin, int64_t end) {
        auto *m = static_cast<Meeting *>(context);
        m->arrived.fetch_add(1);
        auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (m->arrived.load() < 2 &&
               std::chrono::steady_clock::now() < deadline)
          std::this_thread::yield();
        Recorder::task(&m->rec, begin, end);
      },
      &meeting);
  EXPECT_GE(meeting.rec.threads.size(), 2u);
  for (auto &hit : meeting.rec.hits)
    EXPECT_EQ(hit.load(), 1);
}

// A task that starts its own loop gets it inline, on its own thread, in one
// chunk: the pool is busy with the outer loop, and waiting for it would
// deadlock.
TEST_F(RuntimeParallelFor, NestedLoopsRunInline) {
  ASSERT_EQ(cnnc_set_num_threads(4), CNNC_OK);
  constexpr int64_t outer = 16, inner = 100;
  struct Nest {
    std::atomic<int> hits[outer * inner] = {};
    std::atomic<int> innerChunks{0};
    std::atomic<int> innerOffThread{0};
  } nest;
  struct Row {
    Nest *nest;
    int64_t row;
    std::thread::id owner;
  };
  cnnc_parallel_for(
      outer, 1,
      [](void *context, int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
          Row row{static_cast<Nest *>(context), r, std::this_thread::get_id()};
          cnnc_parallel_for(
              inner, 1,
              [](void *context, int64_t b, int64_t e) {
                auto *row = static_cast<Row *>(context);
                row->nest->innerChunks.fetch_add(1);
                if (std::this_thread::get_id() != row->owner)
                  row->nest->innerOffThread.fetch_add(1);
                for (int64_t i = b; i < e; ++i)
                  row->nest->hits[row->row * inner + i].fetch_add(1);
              },
              &row);
        }
      },
      &nest);
  for (auto &hit : nest.hits)
    ASSERT_EQ(hit.load(), 1);
  EXPECT_EQ(nest.innerChunks.load(), outer);
  EXPECT_EQ(nest.innerOffThread.load(), 0);
}

// Application threads that run loops at the same time: one gets the pool,
// the others run inline; all finish with correct results.
TEST_F(RuntimeParallelFor, ConcurrentCallersAllFinish) {
  ASSERT_EQ(cnnc_set_num_threads(3), CNNC_OK);
  std::atomic<int> failures{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&failures, t] {
      for (int iter = 0; iter < 200; ++iter) {
        int64_t count = 1 + (iter * 37 + t * 11) % 500;
        Recorder rec(count);
        cnnc_parallel_for(count, 1 + iter % 7, Recorder::task, &rec);
        for (auto &hit : rec.hits)
          if (hit.load() != 1)
            failures.fetch_add(1);
      }
    });
  for (auto &caller : callers)
    caller.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(RuntimeParallelFor, ThreadCountCanChangeBetweenLoops) {
  const int sequence[] = {1, 4, 2, 8, 1, 3, 3, 16, 2};
  for (int round = 0; round < 3; ++round)
    for (int threads : sequence) {
      ASSERT_EQ(cnnc_set_num_threads(threads), CNNC_OK);
      EXPECT_EQ(cnnc_get_num_threads(), threads);
      Recorder rec(257);
      cnnc_parallel_for(257, 1, Recorder::task, &rec);
      for (auto &hit : rec.hits)
        ASSERT_EQ(hit.load(), 1) << "threads " << threads;
      EXPECT_LE(rec.threads.size(), static_cast<size_t>(threads));
    }
}

// Changing the count from inside a task cannot stop the pool that runs the
// task; the change applies when the loop ends.
TEST_F(RuntimeParallelFor, ThreadCountChangedInsideATaskAppliesAfterTheLoop) {
  ASSERT_EQ(cnnc_set_num_threads(4), CNNC_OK);
  Recorder rec(64);
  cnnc_parallel_for(
      64, 1,
      [](void *context, int64_t begin, int64_t end) {
        if (begin == 0) {
          EXPECT_EQ(cnnc_set_num_threads(2), CNNC_OK);
        }
        Recorder::task(context, begin, end);
      },
      &rec);
  for (auto &hit : rec.hits)
    EXPECT_EQ(hit.load(), 1);
  EXPECT_EQ(cnnc_get_num_threads(), 2);
  Recorder again(64);
  cnnc_parallel_for(64, 1, Recorder::task, &again);
  EXPECT_LE(again.threads.size(), 2u);
}

TEST_F(RuntimeParallelFor, ShutdownThenLoopsStartThePoolAgain) {
  ASSERT_EQ(cnnc_set_num_threads(4), CNNC_OK);
  EXPECT_EQ(cnnc_init_threads(), CNNC_OK);
  EXPECT_EQ(cnnc_init_threads(), CNNC_OK); // already running: no change
  for (int round = 0; round < 3; ++round) {
    Recorder rec(100);
    cnnc_parallel_for(100, 1, Recorder::task, &rec);
    for (auto &hit : rec.hits)
      ASSERT_EQ(hit.load(), 1);
    cnnc_shutdown();
    cnnc_shutdown(); // twice is harmless
  }
}

TEST_F(RuntimeParallelFor, SetRejectsBadCounts) {
  ASSERT_EQ(cnnc_set_num_threads(3), CNNC_OK);
  EXPECT_EQ(cnnc_set_num_threads(0), CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_set_num_threads(-4), CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_set_num_threads(CNNC_MAX_THREADS + 1),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_get_num_threads(), 3);
}

// A child of fork() has no workers even if its parent had; it must still run
// loops (on a pool of its own) rather than wait for threads that are gone.
TEST_F(RuntimeParallelFor, ForkedChildRunsLoops) {
  ASSERT_EQ(cnnc_set_num_threads(4), CNNC_OK);
  // The parent gets a pool, and every worker runs a chunk before the fork: a
  // worker still starting up may hold a sanitizer allocator lock (GCC 12's
  // ASan does not take it around fork), which would hang the child inside
  // ASan, not inside the pool.
  std::atomic<int> arrived{0};
  cnnc_parallel_for(
      4, 1,
      [](void *context, int64_t, int64_t) {
        auto *arrived = static_cast<std::atomic<int> *>(context);
        arrived->fetch_add(1);
        auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (arrived->load() < 4 &&
               std::chrono::steady_clock::now() < deadline)
          std::this_thread::yield();
      },
      &arrived);
  ASSERT_EQ(arrived.load(), 4);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // No gtest assertions in the child: the exit code reports.
    std::atomic<int64_t> sum{0};
    cnnc_parallel_for(
        1000, 1,
        [](void *context, int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i)
            static_cast<std::atomic<int64_t> *>(context)->fetch_add(i);
        },
        &sum);
    cnnc_shutdown();
    _exit(sum.load() == 999 * 1000 / 2 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// ---- thread count from the environment, in fresh processes --------------

TEST(RuntimeThreads, ParseNumThreads) {
  EXPECT_EQ(cnnc_parse_num_threads("4"), 4);
  EXPECT_EQ(cnnc_parse_num_threads("1"), 1);
  EXPECT_EQ(cnnc_parse_num_threads(" 8 "), 8);
  EXPECT_EQ(cnnc_parse_num_threads("\t3\n"), 3);
  EXPECT_EQ(cnnc_parse_num_threads("007"), 7);
  EXPECT_EQ(cnnc_parse_num_threads("1024"), CNNC_MAX_THREADS);
  EXPECT_EQ(cnnc_parse_num_threads("1025"), 0);
  EXPECT_EQ(cnnc_parse_num_threads("99999999999999999999999"), 0);
  EXPECT_EQ(cnnc_parse_num_threads("0"), 0);
  EXPECT_EQ(cnnc_parse_num_threads("-2"), 0);
  EXPECT_EQ(cnnc_parse_num_threads("+2"), 0);
  EXPECT_EQ(cnnc_parse_num_threads("0x10"), 0);
  EXPECT_EQ(cnnc_parse_num_threads("4x"), 0);
  EXPECT_EQ(cnnc_parse_num_threads("4 4"), 0);
  EXPECT_EQ(cnnc_parse_num_threads("2.5"), 0);
  EXPECT_EQ(cnnc_parse_num_threads("abc"), 0);
  EXPECT_EQ(cnnc_parse_num_threads(""), 0);
  EXPECT_EQ(cnnc_parse_num_threads("   "), 0);
  EXPECT_EQ(cnnc_parse_num_threads(nullptr), 0);
}

// What cnnc_get_num_threads should report without CNNC_NUM_THREADS.
int cpusAvailable() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    return std::min(CPU_COUNT(&set), CNNC_MAX_THREADS);
  return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
}

int threadsInProcess() {
  int n = 0;
  if (DIR *dir = opendir("/proc/self/task")) {
    while (dirent *entry = readdir(dir))
      if (entry->d_name[0] != '.')
        ++n;
    closedir(dir);
  }
  return n;
}

// A joined thread can linger in /proc/self/task for a moment after
// pthread_join returns (the kernel wakes the joiner before it reaps the task),
// so a count that should drop is polled for a while.
bool threadsSettleAt(int expected) {
  for (int i = 0; i < 200; ++i) {
    if (threadsInProcess() == expected)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// The runtime reads CNNC_NUM_THREADS once, on first use; each case runs in a
// freshly executed child ("threadsafe" death tests re-run the binary), so
// the runtime there has not been used yet.
class RuntimeThreadsDeathTest : public ::testing::Test {
protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    const char *old = getenv("CNNC_NUM_THREADS");
    hadValue = old != nullptr;
    if (old)
      oldValue = old;
  }
  void TearDown() override {
    if (hadValue)
      setenv("CNNC_NUM_THREADS", oldValue.c_str(), 1);
    else
      unsetenv("CNNC_NUM_THREADS");
  }
  bool hadValue = false;
  std::string oldValue;
};

TEST_F(RuntimeThreadsDeathTest, EnvironmentSetsTheThreadCount) {
  setenv("CNNC_NUM_THREADS", "3", 1);
  EXPECT_EXIT(std::exit(cnnc_get_num_threads() == 3 ? 0 : 1),
              ::testing::ExitedWithCode(0), "");
}

TEST_F(RuntimeThreadsDeathTest, BadEnvironmentValuesFallBackToTheCpuCount) {
  const int expected = cpusAvailable();
  for (const char *bad : {"", "0", "-1", "lots", "8x", "100000000000000000000",
                          "1025"}) {
    SCOPED_TRACE(std::string("CNNC_NUM_THREADS='") + bad + "'");
    setenv("CNNC_NUM_THREADS", bad, 1);
    EXPECT_EXIT(std::exit(cnnc_get_num_threads() == expected ? 0 : 1),
                ::testing::ExitedWithCode(0), "");
  }
  unsetenv("CNNC_NUM_THREADS");
  EXPECT_EXIT(std::exit(cnnc_get_num_threads() == expected ? 0 : 1),
              ::testing::ExitedWithCode(0), "");
}

TEST_F(RuntimeThreadsDeathTest, SetOverridesTheEnvironment) {
  setenv("CNNC_NUM_THREADS", "3", 1);
  EXPECT_EXIT(
      {
        int ok = cnnc_set_num_threads(2) == CNNC_OK &&
                 cnnc_get_num_threads() == 2;
        std::exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// With one thread, from the environment or from the app, loops never create
// a thread: the process keeps exactly the threads it had.
TEST_F(RuntimeThreadsDeathTest, OneThreadNeverCreatesAThread) {
  auto runLoops = [] {
    int before = threadsInProcess();
    Recorder rec(10000);
    for (int i = 0; i < 10; ++i)
      cnnc_parallel_for(10000, 1, Recorder::task, &rec);
    EXPECT_EQ(cnnc_init_threads(), CNNC_OK);
    bool inline_ = rec.threads.size() == 1 &&
                   *rec.threads.begin() == std::this_thread::get_id();
    return before >= 1 && threadsInProcess() == before && inline_;
  };
  setenv("CNNC_NUM_THREADS", "1", 1);
  EXPECT_EXIT(std::exit(runLoops() ? 0 : 1), ::testing::ExitedWithCode(0), "");
  unsetenv("CNNC_NUM_THREADS");
  EXPECT_EXIT(
      {
        cnnc_set_num_threads(1);
        std::exit(runLoops() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// Lowering the count to 1 stops the workers rather than leaving them asleep.
TEST_F(RuntimeThreadsDeathTest, SettingOneThreadStopsTheWorkers) {
  unsetenv("CNNC_NUM_THREADS");
  EXPECT_EXIT(
      {
        int before = threadsInProcess();
        cnnc_set_num_threads(4);
        Recorder rec(100);
        cnnc_parallel_for(100, 1, Recorder::task, &rec);
        int during = threadsInProcess();
        cnnc_set_num_threads(1);
        std::exit(during == before + 3 && threadsSettleAt(before) ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// Applications need not call cnnc_shutdown: exiting with idle workers is
// safe, also under the leak checker.
TEST_F(RuntimeThreadsDeathTest, ExitWithoutShutdownIsSafe) {
  unsetenv("CNNC_NUM_THREADS");
  EXPECT_EXIT(
      {
        cnnc_set_num_threads(4);
        Recorder rec(1000);
        cnnc_parallel_for(1000, 1, Recorder::task, &rec);
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

// ---- aligned allocation -------------------------------------------------

TEST(RuntimeAlignedAlloc, ReturnsAlignedWritableMemory) {
  static_assert(CNNC_ALIGNMENT == 64, "generated code assumes 64");
  const size_t alignments[] = {1, 2, 4, 8, 16, 32, CNNC_ALIGNMENT, 128, 4096};
  const size_t sizes[] = {0, 1, 3, 63, 64, 65, 1000, 1 << 20};
  for (size_t alignment : alignments)
    for (size_t size : sizes) {
      void *p = cnnc_aligned_alloc(size, alignment);
      ASSERT_NE(p, nullptr) << size << " @ " << alignment;
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % alignment, 0u);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % sizeof(void *), 0u);
      std::fill_n(static_cast<unsigned char *>(p), size, 0xAB); // ASan checks
      cnnc_aligned_free(p);
    }
}

TEST(RuntimeAlignedAlloc, SizeZeroGivesDistinctPointers) {
  void *a = cnnc_aligned_alloc(0, CNNC_ALIGNMENT);
  void *b = cnnc_aligned_alloc(0, CNNC_ALIGNMENT);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  cnnc_aligned_free(a);
  cnnc_aligned_free(b);
}

TEST(RuntimeAlignedAlloc, RejectsBadAlignmentsAndOverflowingSizes) {
  EXPECT_EQ(cnnc_aligned_alloc(64, 0), nullptr);
  EXPECT_EQ(cnnc_aligned_alloc(64, 3), nullptr);
  EXPECT_EQ(cnnc_aligned_alloc(64, 48), nullptr);
  EXPECT_EQ(cnnc_aligned_alloc(64, SIZE_MAX), nullptr);
  EXPECT_EQ(cnnc_aligned_alloc(SIZE_MAX, CNNC_ALIGNMENT), nullptr);
  EXPECT_EQ(cnnc_aligned_alloc(SIZE_MAX - 8, 8), nullptr);
  EXPECT_EQ(cnnc_aligned_alloc(static_cast<size_t>(PTRDIFF_MAX), 64), nullptr);
  cnnc_aligned_free(nullptr);
}

// ---------------------------------------------------------------- weights

// Writes a weights file: the 64-byte header (magic, hash, size) and `data`;
// `declaredSize` is what the header claims.
std::string writeWeights(const std::string &name, const char *magic,
                         uint64_t hash, uint64_t declaredSize,
                         const std::vector<unsigned char> &data) {
  std::string path = ::testing::TempDir() + name;
  std::vector<unsigned char> bytes(CNNC_WEIGHTS_HEADER_SIZE, 0);
  std::copy(magic, magic + 8, bytes.begin());
  for (int i = 0; i < 8; ++i) {
    bytes[size_t(8 + i)] = (unsigned char)(hash >> (8 * i));
    bytes[size_t(16 + i)] = (unsigned char)(declaredSize >> (8 * i));
  }
  bytes.insert(bytes.end(), data.begin(), data.end());
  FILE *f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return path;
}

TEST(RuntimeWeights, LoadsAMatchingFileIntoAlignedMemory) {
  std::vector<unsigned char> data(300);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = (unsigned char)(i * 7);
  std::string path =
      writeWeights("ok.weights", "CNNCWGT1", 0x0123456789abcdefULL, 300, data);
  void *weights = nullptr;
  ASSERT_EQ(cnnc_load_weights(path.c_str(), 0x0123456789abcdefULL, 300,
                              &weights),
            CNNC_OK);
  ASSERT_NE(weights, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(weights) % CNNC_ALIGNMENT, 0u);
  EXPECT_EQ(std::memcmp(weights, data.data(), data.size()), 0);
  cnnc_aligned_free(weights);
}

TEST(RuntimeWeights, RefusesFilesOfAnotherArchitectureOrSize) {
  void *weights = reinterpret_cast<void *>(1);
  struct Case {
    const char *what, *magic;
    uint64_t hash, declared;
    size_t actual;
  } cases[] = {
      {"another architecture", "CNNCWGT1", 2, 16, 16},
      {"another declared size", "CNNCWGT1", 1, 32, 16},
      {"data shorter than declared", "CNNCWGT1", 1, 16, 8},
      {"data longer than declared", "CNNCWGT1", 1, 16, 24},
      {"not a weights file", "GARBAGE!", 1, 16, 16},
  };
  for (const Case &c : cases) {
    std::string path = writeWeights(
        "bad.weights", c.magic, c.hash, c.declared,
        std::vector<unsigned char>(c.actual, 1));
    EXPECT_EQ(cnnc_load_weights(path.c_str(), 1, 16, &weights),
              CNNC_ERROR_WEIGHTS_MISMATCH)
        << c.what;
    EXPECT_EQ(weights, nullptr) << c.what;
  }
  // A file shorter than the header.
  std::string path = ::testing::TempDir() + "short.weights";
  FILE *f = std::fopen(path.c_str(), "wb");
  std::fwrite("CNNCWGT1", 1, 8, f);
  std::fclose(f);
  EXPECT_EQ(cnnc_load_weights(path.c_str(), 1, 16, &weights),
            CNNC_ERROR_WEIGHTS_MISMATCH);
}

TEST(RuntimeWeights, MissingFilesAndNullArguments) {
  void *weights = nullptr;
  EXPECT_EQ(cnnc_load_weights("/nonexistent/model.weights", 1, 16, &weights),
            CNNC_ERROR_IO);
  EXPECT_EQ(weights, nullptr);
  EXPECT_EQ(cnnc_load_weights(nullptr, 1, 16, &weights),
            CNNC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(cnnc_load_weights("x", 1, 16, nullptr),
            CNNC_ERROR_INVALID_ARGUMENT);
}

} // namespace
