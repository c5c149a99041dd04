#include <cmath>

#include "compute/kernels/host.h"

namespace hpchain::compute {

KernelInfo eemumu_info() {
  return KernelInfo{
      "eemumu",
      "e+e- -> mu+mu- at tree level (photon + Z), weighted events in cos(theta)",
      {
          {"sqrt_s", ParamType::kReal, true, 0.0, 1.0, 10000.0, {}, "centre-of-mass energy (GeV)"},
          {"alpha", ParamType::kReal, false, 1.0 / 137.035999084, 1e-4, 1.0, {},
           "fine-structure constant"},
          {"mz", ParamType::kReal, false, 91.1876, 1.0, 1000.0, {}, "Z mass (GeV)"},
          {"gz", ParamType::kReal, false, 2.4952, 1e-3, 100.0, {}, "Z width (GeV), fixed width"},
          {"sin2w", ParamType::kReal, false, 0.2312, 0.01, 0.99, {}, "sin^2 of the weak angle"},
          {"z_exchange", ParamType::kInteger, false, 1.0, 0.0, 1.0, {},
           "1: photon + Z; 0: photon only (pure QED)"},
      },
      {"sigma_pb", "sigma_pb_err", "afb", "afb_err", "hist_cos_theta"}};
}

EemumuKernel::Params eemumu_params(const ParamSet& params) {
  return EemumuKernel::Params{eemumu_coefficients(
      param_number(params, "sqrt_s"), param_number(params, "alpha"), param_number(params, "mz"),
      param_number(params, "gz"), param_number(params, "sin2w"),
      param_number(params, "z_exchange") != 0.0)};
}

namespace {
// The exact sum of histogram bins [first, last).
ExactSum bin_sum(const PointTally& tally, int first, int last, uint32_t& flags) {
  ExactSum total{};
  for (int b = first; b < last; ++b) total.add(tally.sums[EemumuKernel::kSumHistogram + b], flags);
  return total;
}
}  // namespace

Result<std::vector<ResultField>> eemumu_fields(const PointTally& tally) {
  HPC_ASSERT(tally.sums.size() == EemumuKernel::TallyType::kSums);
  const uint64_t n = tally.counts[0];
  HPC_ASSERT(n > 0);
  constexpr int kHalf = EemumuKernel::kHistogramBins / 2;  // bins >= kHalf are c >= 0
  uint32_t flags = 0;
  const ExactSum backward = bin_sum(tally, 0, kHalf, flags);
  const ExactSum forward = bin_sum(tally, kHalf, EemumuKernel::kHistogramBins, flags);
  ExactSum all = forward, difference = forward, all_w2 = tally.sums[EemumuKernel::kSumForwardW2],
           difference_w2 = tally.sums[EemumuKernel::kSumForwardW2];
  all.add(backward, flags);
  difference.subtract(backward, flags);
  all_w2.add(tally.sums[EemumuKernel::kSumBackwardW2], flags);
  difference_w2.subtract(tally.sums[EemumuKernel::kSumBackwardW2], flags);
  // finalize() has checked each slot against what its samples can reach,
  // and each sample adds to one bin only, so honest sums cannot wrap here;
  // a flag means an inconsistent (forged) tally.
  if (flags != 0) {
    return Status::out_of_range("eemumu: the bins of the tally add up beyond the exact accumulator "
                                "(an inconsistent tally)");
  }
  const double sum_w = all.to_double();
  const double sum_w2 = all_w2.to_double();
  const double sum_w_sign = difference.to_double();
  const double sum_w2_sign = difference_w2.to_double();
  const MeanAndError sigma = mean_and_error(sum_w, sum_w2, n);
  // A_FB = sum(w sign) / sum(w), a ratio estimator; its error by the delta
  // method is sqrt(sum (w sign - A w)^2) / |sum w| with sign = +-1.
  double afb = 0.0, afb_err = 0.0;
  if (sum_w != 0.0) {
    afb = sum_w_sign / sum_w;
    const double spread = sum_w2 - 2.0 * afb * sum_w2_sign + afb * afb * sum_w2;
    afb_err = std::sqrt(spread > 0.0 ? spread : 0.0) / std::fabs(sum_w);
  }
  ResultField histogram{"hist_cos_theta", {}, true};
  for (int b = 0; b < EemumuKernel::kHistogramBins; ++b) {
    histogram.values.push_back(tally.sums[EemumuKernel::kSumHistogram + b].to_double() /
                               static_cast<double>(n));
  }
  return std::vector<ResultField>{{"sigma_pb", {sigma.mean}, false},
                                  {"sigma_pb_err", {sigma.error}, false},
                                  {"afb", {afb}, false},
                                  {"afb_err", {afb_err}, false},
                                  std::move(histogram)};
}

}  // namespace hpchain::compute
