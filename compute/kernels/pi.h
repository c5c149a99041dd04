// Kernel `pi`: hit-or-miss estimate of pi in the unit square.
//
// Sample i draws one Philox block (stream, block 0): x from words 0..1,
// y from words 2..3, both uniform in [0, 1). It is a hit when
// x*x + y*y < 1. pi = 4 * hits / n, pi_err = 4 * sqrt(p (1 - p) / n) with
// p = hits / n. Hits are an integer counter, so the tally is exact.
#pragma once

#include <cstdint>

#include "compute/accumulator.h"
#include "compute/philox.h"

namespace hpchain::compute {

struct PiKernel {
  // pi has no parameters; the empty struct keeps the kernel interface uniform.
  struct Params {};
  // counts[0] = samples, counts[1] = hits.
  using TallyType = Tally<0, 2>;
  static constexpr int kHitsCount = 1;

  template <class TallyT>
  HPC_HD static void sample(const Params&, PhiloxKey key, uint64_t index, uint32_t stream,
                            TallyT& tally) {
    const PhiloxCounter w = sample_words(key, index, stream, 0);
    const double x = uniform_closed_open(w.w[0], w.w[1]);
    const double y = uniform_closed_open(w.w[2], w.w[3]);
    tally.counts[kHitsCount] += (x * x + y * y < 1.0) ? 1u : 0u;
  }
};

}  // namespace hpchain::compute
