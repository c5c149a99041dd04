// The CPU backend: a fixed pool of worker threads over all cores, fed
// chunks of consecutive samples from a shared atomic cursor. Each worker
// keeps its own exact tallies, merged once at the end; because merging is
// exact, thread count and chunk-to-thread scheduling never change a bit.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "compute/backend.h"
#include "compute/philox.h"

namespace hpchain::compute {

// A minimal pool: run(fn) calls fn(worker_index) once on each of the pool's
// threads and returns when all calls have returned. run() must not be
// called concurrently or from inside fn. Threads stop in the destructor.
class ThreadPool {
 public:
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  unsigned size() const { return static_cast<unsigned>(workers_.size()); }
  void run(const std::function<void(unsigned)>& fn);

 private:
  void worker_loop(unsigned index);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(unsigned)>* task_ = nullptr;  // valid during run()
  uint64_t generation_ = 0;  // bumped per run(); workers wait for a change
  unsigned pending_ = 0;     // workers still inside the current task
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// Samples per chunk: large enough that the atomic cursor and the per-chunk
// merge are negligible, small enough to balance threads and update
// progress often.
constexpr uint64_t kCpuChunkSamples = uint64_t{1} << 15;

class CpuBackend final : public Backend {
 public:
  // threads = 0: std::thread::hardware_concurrency() (at least 1).
  explicit CpuBackend(unsigned threads = 0);

  BackendKind kind() const override { return BackendKind::kCpu; }
  unsigned threads() const { return pool_.size(); }
  Result<Partial> run(const JobSpec& job, SampleRange range,
                      std::atomic<uint64_t>* progress) override;

 private:
  Result<Partial> run_inline(const JobSpec& job, SampleRange range, const Segment& chunk, PhiloxKey key,
                             std::atomic<uint64_t>* progress);

  ThreadPool pool_;
};

}  // namespace hpchain::compute
