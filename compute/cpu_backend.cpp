#include "compute/cpu_backend.h"

#include <algorithm>

#include "compute/grid.h"
#include "compute/staged_tally.h"

namespace hpchain::compute {

ThreadPool::ThreadPool(unsigned threads) {
  HPC_ASSERT(threads > 0);
  workers_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::run(const std::function<void(unsigned)>& fn) {
  std::unique_lock<std::mutex> lock(mutex_);
  HPC_ASSERT(task_ == nullptr && pending_ == 0);
  task_ = &fn;
  pending_ = size();
  ++generation_;
  wake_.notify_all();
  done_.wait(lock, [this] { return pending_ == 0; });
  task_ = nullptr;
}

void ThreadPool::worker_loop(unsigned index) {
  uint64_t seen = 0;
  for (;;) {
    const std::function<void(unsigned)>* task = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      task = task_;
    }
    (*task)(index);
    std::lock_guard<std::mutex> lock(mutex_);
    HPC_ASSERT(pending_ > 0);
    if (--pending_ == 0) done_.notify_one();
  }
}

namespace {
unsigned resolve_threads(unsigned threads) {
  if (threads != 0) return threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

struct Chunk {
  size_t segment;
  uint64_t begin;
  uint64_t end;
};
}  // namespace

CpuBackend::CpuBackend(unsigned threads) : pool_(resolve_threads(threads)) {}

Result<Partial> CpuBackend::run(const JobSpec& job, SampleRange range,
                                std::atomic<uint64_t>* progress) {
  HPC_TRY(check_range(job, range));
  const std::vector<Segment> segments = split_into_segments(job, range);
  std::vector<Chunk> chunks;
  for (size_t s = 0; s < segments.size(); ++s) {
    for (uint64_t b = segments[s].begin; b < segments[s].end; b += kCpuChunkSamples) {
      chunks.push_back(Chunk{s, b, std::min(segments[s].end, b + kCpuChunkSamples)});
    }
  }
  const PhiloxKey key = philox_key_for_seed(job.seed);
  std::vector<Partial> per_worker(pool_.size(), empty_partial(job));
  std::atomic<size_t> cursor{0};
  pool_.run([&](unsigned worker) {
    Partial& mine = per_worker[worker];
    for (size_t c = cursor.fetch_add(1, std::memory_order_relaxed); c < chunks.size();
         c = cursor.fetch_add(1, std::memory_order_relaxed)) {
      const Chunk& chunk = chunks[c];
      const JobPoint& point = job.points[segments[chunk.segment].point];
      visit_kernel(point.params, [&](auto kernel, const auto& params) {
        using Kernel = decltype(kernel);
        typename Kernel::TallyType tally;
        tally.clear();
        StagedTally<typename Kernel::TallyType> staged(tally);
        run_samples<Kernel>(params, key, point.stream, chunk.begin, chunk.end, staged);
        staged.fold();
        merge_into(mine.points[segments[chunk.segment].point], tally);
      });
      if (progress != nullptr) progress->fetch_add(chunk.end - chunk.begin, std::memory_order_relaxed);
    }
  });
  Partial result = empty_partial(job);
  result.covered.push_back(range);
  for (const Partial& partial : per_worker) {
    for (size_t p = 0; p < partial.points.size(); ++p) merge_point_tally(result.points[p], partial.points[p]);
  }
  return result;
}

}  // namespace hpchain::compute
