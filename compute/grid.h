// The CUDA backend's per-thread work and its exact block and grid
// reduction, written as HPC_HD functions so the CPU can run them too.
//
// The GPU algorithm (compute/cuda/cuda_backend.cu) is:
//   1. sample kernel: global thread t of T takes the contiguous slice
//      thread_range(t) of the launch's samples, accumulates it into a
//      private Tally (run_samples), stores it in shared memory; the block
//      tree-reduces its tallies (block_reduce_step with stride blockDim/2,
//      /4, ..., 1, a barrier after each) and thread 0 writes the block tally;
//   2. reduce kernel: one block of R threads; thread r merges block tallies
//      r, r + R, ... (grid_reduce_thread), then the same tree reduction.
// emulate_grid runs exactly these steps sequentially on the host, so tests
// can check every part but the launch itself for any grid shape. Because
// every merge is exact, the result is the same for every grid shape.
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

// One step of a shared-memory tree reduction: thread `tid` < stride folds
// slot tid + stride into slot tid.
template <class TallyT>
HPC_HD void block_reduce_step(TallyT* slots, unsigned tid, unsigned stride) {
  if (tid < stride) slots[tid].merge(slots[tid + stride]);
}

// Thread `tid` of the reduce kernel's `threads` merges block tallies
// tid, tid + threads, ... into `out`.
template <class TallyT>
HPC_HD void grid_reduce_thread(const TallyT* block_tallies, unsigned blocks, unsigned tid,
                               unsigned threads, TallyT& out) {
  out.clear();
  for (unsigned b = tid; b < blocks; b += threads) out.merge(block_tallies[b]);
}

// Tree-reduces `count` slots (a power of two) into slots[0], as a block does.
template <class TallyT>
void emulate_block_reduce(TallyT* slots, unsigned count) {
  for (unsigned stride = count / 2; stride > 0; stride /= 2) {
    for (unsigned tid = 0; tid < count; ++tid) block_reduce_step(slots, tid, stride);
  }
}

// Runs the GPU algorithm above on the host for a grid of `blocks` blocks of
// `threads` threads and a reduce kernel of `reduce_threads` threads (both
// powers of two), over samples [begin, end) of `stream`.
template <class Kernel>
typename Kernel::TallyType emulate_grid(const typename Kernel::Params& params, PhiloxKey key,
                                        uint32_t stream, uint64_t begin, uint64_t end,
                                        unsigned blocks, unsigned threads,
                                        unsigned reduce_threads) {
  using TallyT = typename Kernel::TallyType;
  HPC_ASSERT(blocks > 0 && threads > 0 && (threads & (threads - 1)) == 0);
  HPC_ASSERT(reduce_threads > 0 && (reduce_threads & (reduce_threads - 1)) == 0);
  const uint64_t total_threads = uint64_t{blocks} * threads;
  std::vector<TallyT> block_tallies(blocks);
  std::vector<TallyT> shared(threads);
  for (unsigned b = 0; b < blocks; ++b) {
    for (unsigned tid = 0; tid < threads; ++tid) {
      uint64_t first = 0, last = 0;
      thread_range(begin, end, total_threads, uint64_t{b} * threads + tid, &first, &last);
      shared[tid].clear();
      run_samples<Kernel>(params, key, stream, first, last, shared[tid]);
    }
    emulate_block_reduce(shared.data(), threads);
    block_tallies[b] = shared[0];
  }
  std::vector<TallyT> reduce_slots(reduce_threads);
  for (unsigned tid = 0; tid < reduce_threads; ++tid) {
    grid_reduce_thread(block_tallies.data(), blocks, tid, reduce_threads, reduce_slots[tid]);
  }
  emulate_block_reduce(reduce_slots.data(), reduce_threads);
  return reduce_slots[0];
}

}  // namespace hpchain::compute
