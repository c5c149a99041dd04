#include <cmath>

#include "compute/kernels/host.h"

namespace hpchain::compute {

KernelInfo pi_info() {
  return KernelInfo{"pi", "hit-or-miss estimate of pi in the unit square", {}, {"pi", "pi_err"}};
}

PiKernel::Params pi_params(const ParamSet& params) {
  HPC_ASSERT(params.empty());
  return PiKernel::Params{};
}

std::vector<ResultField> pi_fields(const PointTally& tally) {
  HPC_ASSERT(tally.counts.size() == PiKernel::TallyType::kCounts);
  const uint64_t n = tally.counts[0];
  const uint64_t hits = tally.counts[PiKernel::kHitsCount];
  HPC_ASSERT(n > 0 && hits <= n);
  const double p = static_cast<double>(hits) / static_cast<double>(n);
  const double error = 4.0 * std::sqrt(p * (1.0 - p) / static_cast<double>(n));
  return {{"pi", {4.0 * p}, false}, {"pi_err", {error}, false}};
}

}  // namespace hpchain::compute
