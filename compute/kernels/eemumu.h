// Kernel `eemumu`: e+ e- -> mu+ mu- at tree level, photon and Z exchange,
// massless fermions (docs/compute.md derives every formula below).
//
//   dsigma/dOmega = alpha^2 / (4 s) [A0 (1 + c^2) + A1 c],   c = cos(theta)
//   A0 = 1 + 2 gV^2 Re chi + (gV^2 + gA^2)^2 |chi|^2
//   A1 = 4 gA^2 Re chi + 8 gV^2 gA^2 |chi|^2
//   chi(s) = kappa s / (s - mZ^2 + i mZ GammaZ),  kappa = 1 / (4 sin2w cos2w)
//   gV = -1/2 + 2 sin2w, gA = -1/2 (electron and muon alike)
// The Breit-Wigner has a fixed (s-independent) width. With z_exchange = 0,
// chi = 0 and the cross section is pure QED: sigma = 4 pi alpha^2 / (3 s).
//
// Sampling: c = 2u - 1 with u uniform in [0, 1) from words 0..1 of block 0
// (exact: c is a multiple of 2^-52 in [-1, 1)). phi is uniform in [0, 2 pi)
// and dsigma/dOmega does not depend on it, so its integral is the constant
// 2 pi: the event weight is w = 4 pi dsigma/dOmega(c) converted to pb, and
// sigma = E[w]. Forward events have c >= 0, backward c < 0.
#pragma once

#include <cstdint>

#include "compute/accumulator.h"
#include "compute/kernels/result_math.h"
#include "compute/math/dmath.h"
#include "compute/philox.h"
#include "compute/registry.h"

namespace hpchain::compute {

// GeV^-2 to picobarn: (hbar c)^2 = 0.3893793721 mb GeV^2 (PDG).
constexpr double kGevMinus2ToPb = 0.3893793721e9;
constexpr double kMathPi = 3.141592653589793;

// The angular coefficients of dsigma/dOmega at one energy.
struct EemumuCoefficients {
  double a0;
  double a1;
  double weight_norm;  // 4 pi * alpha^2 / (4 s) in pb: w = norm (A0 (1+c^2) + A1 c)
};

// Computes A0, A1 and the weight normalisation from the physical inputs.
// Uses only + - * /, so host and device agree bit for bit.
HPC_HD inline EemumuCoefficients eemumu_coefficients(double sqrt_s, double alpha, double mz,
                                                     double gz, double sin2w, bool z_exchange) {
  const double s = sqrt_s * sqrt_s;
  const double gv = -0.5 + 2.0 * sin2w;
  const double ga = -0.5;
  double re_chi = 0.0, abs_chi2 = 0.0;
  if (z_exchange) {
    const double kappa = 1.0 / (4.0 * sin2w * (1.0 - sin2w));
    const double d_re = s - mz * mz, d_im = mz * gz;
    const double denominator = d_re * d_re + d_im * d_im;
    re_chi = kappa * s * d_re / denominator;
    abs_chi2 = kappa * kappa * s * s / denominator;
  }
  const double gv2 = gv * gv, ga2 = ga * ga;
  EemumuCoefficients c{};
  c.a0 = 1.0 + 2.0 * gv2 * re_chi + (gv2 + ga2) * (gv2 + ga2) * abs_chi2;
  c.a1 = 4.0 * ga2 * re_chi + 8.0 * gv2 * ga2 * abs_chi2;
  c.weight_norm = 4.0 * kMathPi * alpha * alpha / (4.0 * s) * kGevMinus2ToPb;
  return c;
}

struct EemumuKernel {
  static constexpr int kHistogramBins = 20;
  // Sum slots of the tally. Only two exact additions per event: w into its
  // cos(theta) bin and w^2 into the forward or backward slot. sum w, the
  // forward and backward sums of w (bins 10..19 are exactly c >= 0) and
  // sum w^2 are exact integer sums of these slots (fields() below).
  static constexpr int kSumForwardW2 = 0;  // sum of w^2 over c >= 0
  static constexpr int kSumBackwardW2 = 1; // sum of w^2 over c < 0
  static constexpr int kSumHistogram = 2;  // 20 bins of sum w over c in [-1, 1)
  using TallyType = Tally<kSumHistogram + kHistogramBins, 1>;

  struct Params {
    EemumuCoefficients coefficients;
  };

  // The Monte Carlo weight (pb) of an event at c = cos(theta).
  HPC_HD static double weight(const EemumuCoefficients& k, double c) {
    return k.weight_norm * (k.a0 * (1.0 + c * c) + k.a1 * c);
  }

  template <class TallyT>
  HPC_HD static void sample(const Params& p, PhiloxKey key, uint64_t index, uint32_t stream,
                            TallyT& tally) {
    const PhiloxCounter w = sample_words(key, index, stream, 0);
    const uint64_t k = top53(w.w[0], w.w[1]);
    const double c = 2.0 * (static_cast<double>(k) * kTwoPowMinus53) - 1.0;
    const double weight_pb = weight(p.coefficients, c);
    // Bin b covers c in [-1 + b/10, -1 + (b+1)/10); computed from the integer
    // k (c = k 2^-52 - 1) so no rounding can move an event across an edge.
    const int bin = static_cast<int>((k * kHistogramBins) >> 53);
    tally.add(kSumHistogram + bin, weight_pb);
    tally.add(c >= 0.0 ? kSumForwardW2 : kSumBackwardW2, weight_pb * weight_pb);
  }

  // Host half: the registry's view of the kernel.
  static KernelInfo info() {
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

  static Params make_params(const ParamSet& params) {
    return Params{eemumu_coefficients(
        param_number(params, "sqrt_s"), param_number(params, "alpha"), param_number(params, "mz"),
        param_number(params, "gz"), param_number(params, "sin2w"),
        param_number(params, "z_exchange") != 0.0)};
  }

  // OutOfRange when the combined sums (all bins, both w^2 slots) of an
  // inconsistent tally overflow the exact accumulator; honest ones cannot:
  // each slot is within what its samples reach, and each sample adds to
  // one bin only.
  static Result<std::vector<ResultField>> fields(const PointTally& tally) {
    const uint64_t n = tally.counts[0];
    constexpr int kHalf = kHistogramBins / 2;  // bins >= kHalf are c >= 0
    uint32_t flags = 0;
    const ExactSum backward = bin_sum(tally, 0, kHalf, flags);
    const ExactSum forward = bin_sum(tally, kHalf, kHistogramBins, flags);
    ExactSum all = forward, difference = forward;
    ExactSum all_w2 = tally.sums[kSumForwardW2], difference_w2 = tally.sums[kSumForwardW2];
    all.add(backward, flags);
    difference.subtract(backward, flags);
    all_w2.add(tally.sums[kSumBackwardW2], flags);
    difference_w2.subtract(tally.sums[kSumBackwardW2], flags);
    if (flags != 0) {
      return Status::out_of_range("eemumu: the bins of the tally add up beyond the exact accumulator "
                                  "(an inconsistent tally)");
    }
    const double sum_w = all.to_double(), sum_w2 = all_w2.to_double();
    const double sum_w_sign = difference.to_double(), sum_w2_sign = difference_w2.to_double();
    const MeanAndError sigma = mean_and_error(sum_w, sum_w2, n);
    // A_FB = sum(w sign) / sum(w), a ratio estimator; its error by the delta
    // method is sqrt(sum (w sign - A w)^2) / |sum w| with sign = +-1.
    double afb = 0.0, afb_err = 0.0;
    if (sum_w != 0.0) {
      afb = sum_w_sign / sum_w;
      const double spread = sum_w2 - 2.0 * afb * sum_w2_sign + afb * afb * sum_w2;
      afb_err = dmath::sqrt(spread > 0.0 ? spread : 0.0) / dmath::fabs(sum_w);
    }
    ResultField histogram{"hist_cos_theta", {}, true};
    for (int b = 0; b < kHistogramBins; ++b) {
      histogram.values.push_back(tally.sums[kSumHistogram + b].to_double() / static_cast<double>(n));
    }
    return std::vector<ResultField>{{"sigma_pb", {sigma.mean}, false},
                                    {"sigma_pb_err", {sigma.error}, false},
                                    {"afb", {afb}, false},
                                    {"afb_err", {afb_err}, false},
                                    std::move(histogram)};
  }

 private:
  // The exact sum of histogram bins [first, last).
  static ExactSum bin_sum(const PointTally& tally, int first, int last, uint32_t& flags) {
    ExactSum total{};
    for (int b = first; b < last; ++b) total.add(tally.sums[kSumHistogram + b], flags);
    return total;
  }
};

}  // namespace hpchain::compute
