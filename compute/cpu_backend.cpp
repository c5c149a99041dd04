#include "compute/cpu_backend.h"

#include <algorithm>

#include "compute/fp_env.h"

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

// The chunks of a range, computed from their index: memory depends on the
// number of job points the range touches, never on its sample count.
class ChunkPlan {
 public:
  ChunkPlan(const JobSpec& job, SampleRange range) : segments_(split_into_segments(job, range)) {
    first_chunk_.reserve(segments_.size() + 1);
    uint64_t total = 0;
    for (const Segment& s : segments_) {
      first_chunk_.push_back(total);
      total += (s.end - s.begin + kCpuChunkSamples - 1) / kCpuChunkSamples;
    }
    first_chunk_.push_back(total);
  }
  uint64_t chunks() const { return first_chunk_.back(); }
  // Chunk `c` < chunks(): a point and its [begin, end) of point-local samples.
  Segment chunk(uint64_t c) const {
    HPC_ASSERT(c < chunks());
    const size_t s = static_cast<size_t>(
        std::upper_bound(first_chunk_.begin(), first_chunk_.end(), c) - first_chunk_.begin() - 1);
    const Segment& segment = segments_[s];
    const uint64_t begin = segment.begin + (c - first_chunk_[s]) * kCpuChunkSamples;
    return Segment{segment.point, begin, std::min(segment.end, begin + kCpuChunkSamples)};
  }

 private:
  std::vector<Segment> segments_;
  std::vector<uint64_t> first_chunk_;  // per segment, then the total
};

// Runs one chunk of `point` into `into` through the kernel's CPU runner.
void run_chunk(const JobSpec& job, PhiloxKey key, const Segment& chunk, PointTally& into) {
  const JobPoint& point = job.points[chunk.point];
  job.descriptor->run_cpu(point.instance, key, point.stream, chunk.begin, chunk.end, into);
}
}  // namespace

CpuBackend::CpuBackend(unsigned threads) : pool_(resolve_threads(threads)) {}

// A range of one chunk runs on the calling thread: waking the pool would
// cost more than the samples (small units of partitioned jobs). The same
// staged tally and merge make it the same bits.
Result<Partial> CpuBackend::run_inline(const JobSpec& job, SampleRange range, const Segment& chunk,
                                       PhiloxKey key, std::atomic<uint64_t>* progress) {
  const ScopedFpEnvironment fp;
  HPC_TRY(fp.status().with_context("CPU backend"));
  Partial result = empty_partial(job);
  result.covered.push_back(range);
  run_chunk(job, key, chunk, result.points[chunk.point]);
  if (progress != nullptr) progress->fetch_add(chunk.end - chunk.begin, std::memory_order_relaxed);
  return result;
}

Result<Partial> CpuBackend::run(const JobSpec& job, SampleRange range,
                                std::atomic<uint64_t>* progress) {
  HPC_TRY(check_range(job, range));
  const ChunkPlan plan(job, range);
  const PhiloxKey key = philox_key_for_seed(job.seed);
  if (plan.chunks() == 1) return run_inline(job, range, plan.chunk(0), key, progress);
  std::vector<Partial> per_worker(pool_.size(), empty_partial(job));
  std::vector<Status> worker_status(pool_.size());
  std::atomic<uint64_t> cursor{0};
  pool_.run([&](unsigned worker) {
    // A worker that cannot pin the environment takes no chunk; the run is
    // then refused below rather than computed in the wrong environment.
    worker_status[worker] = pin_fp_environment();
    if (!worker_status[worker].is_ok()) return;
    Partial& mine = per_worker[worker];
    for (uint64_t c = cursor.fetch_add(1, std::memory_order_relaxed); c < plan.chunks();
         c = cursor.fetch_add(1, std::memory_order_relaxed)) {
      const Segment chunk = plan.chunk(c);
      run_chunk(job, key, chunk, mine.points[chunk.point]);
      if (progress != nullptr) progress->fetch_add(chunk.end - chunk.begin, std::memory_order_relaxed);
    }
  });
  for (const Status& status : worker_status) HPC_TRY(status.with_context("CPU backend worker"));
  Partial result = empty_partial(job);
  result.covered.push_back(range);
  for (const Partial& partial : per_worker) {
    for (size_t p = 0; p < partial.points.size(); ++p) merge_point_tally(result.points[p], partial.points[p]);
  }
  return result;
}

}  // namespace hpchain::compute
