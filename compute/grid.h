// The CUDA backend's per-thread work and its exact block and grid
// reduction, written as HPC_HD functions so the CPU can run them too.
//
// The GPU algorithm (compute/cuda/cuda_backend.cu) is:
//   1. sample kernel: global thread t of T (plan_grid) takes the contiguous
//      slice thread_range(t) of the launch's samples and accumulates it
//      into slots[t], an array of T tallies in global memory
//      (grid_sample_thread);
//   2. reduction passes: for stride = first_reduce_stride(T), halved down
//      to 1, one launch in which thread i merges slots[i + stride] into
//      slots[i] (tree_reduce_step); slots[0] is then the launch's tally.
// Tallies in global memory have no size limit, so the block size does not
// depend on the kernel (with shared memory, a 64-slot tally got 32-thread
// blocks and a 256-slot one could not launch). emulate_grid runs exactly
// these steps sequentially on the host, so tests check every part but the
// launch itself for any grid size. Every merge is exact, so the result is
// the same for every grid.
#pragma once

#include <cstdint>
#include <vector>

#include "chain/check.h"
#include "compute/accumulator.h"
#include "compute/philox.h"

namespace hpchain::compute {

// Slice [*begin_out, *end_out) of [begin, end) for thread t of `threads`:
// near-equal contiguous slices, the first (n % threads) one sample longer.
HPC_HD inline void thread_range(uint64_t begin, uint64_t end, uint64_t threads, uint64_t t,
                                uint64_t* begin_out, uint64_t* end_out) {
  const uint64_t n = end - begin;
  const uint64_t quotient = n / threads, remainder = n % threads;
  *begin_out = begin + t * quotient + (t < remainder ? t : remainder);
  *end_out = *begin_out + quotient + (t < remainder ? 1 : 0);
}

// Accumulates samples [begin, end) of `stream` into `tally` and counts them.
// TallyT is the kernel's Tally, or on the host a StagedTally of it.
template <class Kernel, class TallyT>
HPC_HD void run_samples(const typename Kernel::Params& params, PhiloxKey key, uint32_t stream,
                        uint64_t begin, uint64_t end, TallyT& tally) {
  for (uint64_t i = begin; i < end; ++i) Kernel::sample(params, key, i, stream, tally);
  add_count(tally.counts[0], end - begin, tally.flags);
}

// Threads per block: fixed, whatever the tally's size, because tallies live
// in global memory rather than shared memory.
constexpr unsigned kGridThreadsPerBlock = 256;
// Samples per thread below which more blocks would not pay for themselves.
constexpr uint64_t kGridMinSamplesPerThread = 256;
constexpr unsigned kGridBlocksPerMultiprocessor = 16;
// Device memory the per-thread tallies of one launch may take.
constexpr uint64_t kGridSlotBudgetBytes = uint64_t{256} << 20;

struct GridPlan {
  unsigned blocks = 1;
  uint64_t threads() const { return uint64_t{blocks} * kGridThreadsPerBlock; }
};

// The grid for `samples` samples of a kernel whose tally takes `tally_bytes`
// on a device with `multiprocessors` SMs: enough threads for
// kGridMinSamplesPerThread samples each, at most kGridBlocksPerMultiprocessor
// blocks per SM, and per-thread tallies within kGridSlotBudgetBytes; at
// least one block.
inline GridPlan plan_grid(uint64_t samples, uint64_t tally_bytes, unsigned multiprocessors) {
  const uint64_t per_block = uint64_t{kGridThreadsPerBlock} * kGridMinSamplesPerThread;
  uint64_t blocks = (samples + per_block - 1) / per_block;
  const uint64_t by_device = uint64_t{multiprocessors} * kGridBlocksPerMultiprocessor;
  const uint64_t by_memory = kGridSlotBudgetBytes / (tally_bytes * kGridThreadsPerBlock);
  if (blocks > by_device) blocks = by_device;
  if (blocks > by_memory) blocks = by_memory;
  return GridPlan{static_cast<unsigned>(blocks < 1 ? 1 : blocks)};
}

// The first stride of the tree reduction of `count` >= 1 slots: the largest
// power of two below count (0 when count == 1: nothing to reduce).
HPC_HD inline uint64_t first_reduce_stride(uint64_t count) {
  uint64_t stride = 1;
  while (stride < count) stride *= 2;
  return stride / 2;
}

// Thread i of one reduction pass: folds slot i + stride into slot i when
// both exist. Passes with stride first_reduce_stride(count), then halved
// down to 1, leave the whole tally in slots[0].
template <class TallyT>
HPC_HD void tree_reduce_step(TallyT* slots, uint64_t count, uint64_t stride, uint64_t i) {
  if (i < stride && i + stride < count) slots[i].merge(slots[i + stride]);
}

// Small tallies accumulate in registers and are stored once; large ones in
// their global slot directly (a thread's local copy would be as slow and
// could exhaust local memory).
constexpr size_t kGridMaxLocalTallyBytes = 1024;

// Thread t of a `threads`-thread grid: samples its slice of [begin, end)
// into slots[t].
template <class Kernel>
HPC_HD void grid_sample_thread(const typename Kernel::Params& params, PhiloxKey key, uint32_t stream,
                               uint64_t begin, uint64_t end, uint64_t threads, uint64_t t,
                               typename Kernel::TallyType* slots) {
  using TallyT = typename Kernel::TallyType;
  uint64_t first = 0, last = 0;
  thread_range(begin, end, threads, t, &first, &last);
  if constexpr (sizeof(TallyT) <= kGridMaxLocalTallyBytes) {
    TallyT local;
    local.clear();
    run_samples<Kernel>(params, key, stream, first, last, local);
    slots[t] = local;
  } else {
    slots[t].clear();
    run_samples<Kernel>(params, key, stream, first, last, slots[t]);
  }
}

// Runs the GPU algorithm above on the host, step by step, for a grid of
// `threads` threads over samples [begin, end) of `stream`.
template <class Kernel>
typename Kernel::TallyType emulate_grid(const typename Kernel::Params& params, PhiloxKey key,
                                        uint32_t stream, uint64_t begin, uint64_t end, uint64_t threads) {
  HPC_ASSERT(threads > 0);
  std::vector<typename Kernel::TallyType> slots(threads);
  for (uint64_t t = 0; t < threads; ++t) {
    grid_sample_thread<Kernel>(params, key, stream, begin, end, threads, t, slots.data());
  }
  for (uint64_t stride = first_reduce_stride(threads); stride > 0; stride /= 2) {
    for (uint64_t i = 0; i < stride; ++i) tree_reduce_step(slots.data(), threads, stride, i);
  }
  return slots[0];
}

}  // namespace hpchain::compute
