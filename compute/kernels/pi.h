// Kernel `pi`: hit-or-miss estimate of pi in the unit square.
//
// Sample i draws one Philox block (stream, block 0): x from words 0..1,
// y from words 2..3, both uniform in [0, 1). It is a hit when
// x*x + y*y < 1. pi = 4 * hits / n, pi_err = 4 * sqrt(p (1 - p) / n) with
// p = hits / n. Hits are an integer counter, so the tally is exact.
#pragma once

#include <cstdint>

#include "compute/accumulator.h"
#include "compute/math/dmath.h"
#include "compute/philox.h"
#include "compute/registry.h"

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

  // Host half: the registry's view of the kernel.
  static KernelInfo info() {
    return KernelInfo{"pi", "hit-or-miss estimate of pi in the unit square", {}, {"pi", "pi_err"}};
  }

  static Params make_params(const ParamSet& params) {
    HPC_ASSERT(params.empty());
    return Params{};
  }

  static Result<std::vector<ResultField>> fields(const PointTally& tally) {
    const uint64_t n = tally.counts[0];
    const uint64_t hits = tally.counts[kHitsCount];
    if (hits > n) return Status::out_of_range("pi: more hits than samples (an inconsistent tally)");
    const double p = static_cast<double>(hits) / static_cast<double>(n);
    const double error = 4.0 * dmath::sqrt(p * (1.0 - p) / static_cast<double>(n));
    return std::vector<ResultField>{{"pi", {4.0 * p}, false}, {"pi_err", {error}, false}};
  }
};

}  // namespace hpchain::compute
