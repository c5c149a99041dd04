// The VM on a CUDA grid, written as HPC_HD steps so that the CPU can run
// them too (emulate_program_grid): the same decomposition as the native
// kernels' (compute/grid.h), with tallies whose shape the program gives.
//
//   1. sampling: thread t of T runs its slice thread_range(t) of the
//      launch's samples, from pc 0 (the invariant prefix included), into
//      its own tally in a ThreadTallies buffer in global memory;
//   2. reduction passes: for stride = first_reduce_stride(T), halved down
//      to 1, thread i merges tally i + stride into tally i
//      (program_reduce_step); tally 0 is then the launch's tally.
// Every add and merge is exact, so the result equals the CPU runner's for
// every grid, bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include "compute/grid.h"
#include "compute/tally.h"
#include "vm/interpreter.h"

namespace hpchain::vm {

// T tallies of one shape in flat arrays (device or host memory).
struct ThreadTallies {
  compute::ExactSum* sums = nullptr;  // T * n_sums
  uint64_t* counts = nullptr;         // T * n_counts
  uint32_t* flags = nullptr;          // T
  uint64_t* vanished = nullptr;       // T
  uint32_t n_sums = 0;
  uint32_t n_counts = 1;
};

// One thread's tally with the interpreter's interface.
struct ThreadTally {
  compute::ExactSum* sums;
  uint64_t* counts;
  uint32_t* flags;
  uint64_t* vanished;
  HPC_HD void add(uint32_t slot, double v) { sums[slot].add_double(v, *flags, *vanished); }
};

HPC_HD inline ThreadTally thread_tally(const ThreadTallies& all, uint64_t t) {
  return ThreadTally{all.sums + t * all.n_sums, all.counts + t * all.n_counts, all.flags + t, all.vanished + t};
}

// Thread t of a `threads`-thread grid: clears its tally and samples its
// slice of [begin, end) into it. `frame` has room for the registers.
HPC_HD inline void program_grid_thread(const ProgramView& view, Value* frame, compute::PhiloxKey key,
                                       uint32_t stream, uint64_t begin, uint64_t end, uint64_t threads, uint64_t t,
                                       const ThreadTallies& all) {
  ThreadTally tally = thread_tally(all, t);
  for (uint32_t s = 0; s < all.n_sums; ++s) tally.sums[s].clear();
  for (uint32_t c = 0; c < all.n_counts; ++c) tally.counts[c] = 0;
  *tally.flags = 0;
  *tally.vanished = 0;
  uint64_t first = 0, last = 0;
  compute::thread_range(begin, end, threads, t, &first, &last);
  for (uint64_t i = first; i < last; ++i) run_sample(view, frame, key, i, stream, tally);
  compute::add_count(tally.counts[0], last - first, *tally.flags);
}

// Thread i of one reduction pass: merges tally i + stride into tally i.
HPC_HD inline void program_reduce_step(const ThreadTallies& all, uint64_t count, uint64_t stride, uint64_t i) {
  if (i >= stride || i + stride >= count) return;
  ThreadTally into = thread_tally(all, i);
  const ThreadTally from = thread_tally(all, i + stride);
  *into.flags |= *from.flags;
  for (uint32_t s = 0; s < all.n_sums; ++s) into.sums[s].add(from.sums[s], *into.flags);
  for (uint32_t c = 0; c < all.n_counts; ++c) compute::add_count(into.counts[c], from.counts[c], *into.flags);
  compute::add_count(*into.vanished, *from.vanished, *into.flags);
}

// The GPU algorithm above, step by step on the host, for a grid of
// `threads` threads: what the CUDA runner computes, without a GPU.
inline compute::PointTally emulate_program_grid(const ProgramView& view, compute::TallyShape shape,
                                                compute::PhiloxKey key, uint32_t stream, uint64_t begin,
                                                uint64_t end, uint64_t threads) {
  std::vector<compute::ExactSum> sums(threads * shape.sums);
  std::vector<uint64_t> counts(threads * shape.counts), vanished(threads);
  std::vector<uint32_t> flags(threads);
  const ThreadTallies all{sums.data(), counts.data(), flags.data(), vanished.data(), shape.sums, shape.counts};
  std::vector<Value> frame(view.registers);
  for (uint64_t t = 0; t < threads; ++t) program_grid_thread(view, frame.data(), key, stream, begin, end, threads, t, all);
  for (uint64_t stride = compute::first_reduce_stride(threads); stride > 0; stride /= 2) {
    for (uint64_t i = 0; i < stride; ++i) program_reduce_step(all, threads, stride, i);
  }
  compute::PointTally out = compute::empty_tally(shape);
  out.sums.assign(sums.begin(), sums.begin() + shape.sums);
  out.counts.assign(counts.begin(), counts.begin() + shape.counts);
  out.flags = flags[0];
  out.vanished = vanished[0];
  return out;
}

}  // namespace hpchain::vm
