// Kernel `european_option`: Black-Scholes price of a European call or put
// by Monte Carlo over geometric Brownian motion.
//
//   S_T = s0 exp((r - sigma^2/2) T + sigma sqrt(T) Z),  Z ~ N(0, 1)
//   price = E[exp(-r T) max(S_T - K, 0)]   (call; put: max(K - S_T, 0))
//
// Z = Phi^-1(u) by inversion (kernels/normal.h) of one uniform from words
// 0..1 of Philox block 0. exp and the quantile's log are the project's
// deterministic dmath functions; sqrt is correctly rounded.
#pragma once

#include <cstdint>

#include "compute/accumulator.h"
#include "compute/kernels/normal.h"
#include "compute/kernels/result_math.h"
#include "compute/math/dmath.h"
#include "compute/philox.h"
#include "compute/registry.h"

namespace hpchain::compute {

struct EuropeanOptionKernel {
  static constexpr int kSumPayoff = 0;   // sum of discounted payoffs
  static constexpr int kSumPayoff2 = 1;  // sum of their squares
  using TallyType = Tally<2, 1>;

  // Precomputed once per run on the host (also with dmath).
  struct Params {
    double s0;
    double strike;
    double drift;     // (r - sigma^2/2) T
    double vol;       // sigma sqrt(T)
    double discount;  // exp(-r T)
    bool is_call;
  };

  // The discounted payoff for one standard normal draw z.
  HPC_HD static double discounted_payoff(const Params& p, double z) {
    const double terminal = p.s0 * dmath::exp(p.drift + p.vol * z);
    const double intrinsic = p.is_call ? terminal - p.strike : p.strike - terminal;
    return p.discount * (intrinsic > 0.0 ? intrinsic : 0.0);
  }

  template <class TallyT>
  HPC_HD static void sample(const Params& p, PhiloxKey key, uint64_t index, uint32_t stream,
                            TallyT& tally) {
    const double payoff = discounted_payoff(p, sample_normal(key, index, stream, 0));
    tally.add(kSumPayoff, payoff);
    tally.add(kSumPayoff2, payoff * payoff);
  }

  // Host half: the registry's view of the kernel. The ranges keep every
  // discounted payoff and its square inside the exact accumulator's range
  // (|v| < 2^126; docs/compute.md): s0, strike <= 1e4, sigma sqrt(T) <= 3.2,
  // |r| T <= 2 and |Z| <= 8.21 bound the payoff by ~1e18.
  static KernelInfo info() {
    return KernelInfo{
        "european_option",
        "Black-Scholes European option price by Monte Carlo over geometric Brownian motion",
        {
            {"s0", ParamType::kReal, false, 100.0, 0.01, 1e4, {}, "spot price"},
            {"strike", ParamType::kReal, false, 100.0, 0.01, 1e4, {}, "strike price"},
            {"rate", ParamType::kReal, false, 0.05, -0.2, 0.2, {}, "risk-free rate (per year)"},
            {"sigma", ParamType::kReal, false, 0.2, 1e-3, 1.0, {}, "volatility (per sqrt year)"},
            {"maturity", ParamType::kReal, false, 1.0, 1e-3, 10.0, {}, "time to expiry (years)"},
            {"type", ParamType::kChoice, false, 0.0, 0.0, 0.0, {"call", "put"}, "call or put"},
        },
        {"price", "price_err"}};
  }

  static Params make_params(const ParamSet& params) {
    const double rate = param_number(params, "rate");
    const double sigma = param_number(params, "sigma");
    const double maturity = param_number(params, "maturity");
    Params p{};
    p.s0 = param_number(params, "s0");
    p.strike = param_number(params, "strike");
    p.drift = (rate - 0.5 * sigma * sigma) * maturity;
    p.vol = sigma * dmath::sqrt(maturity);
    p.discount = dmath::exp(-rate * maturity);
    p.is_call = param_number(params, "type") == 0.0;
    return p;
  }

  static Result<std::vector<ResultField>> fields(const PointTally& tally) {
    const MeanAndError price = mean_and_error(tally.sums[kSumPayoff].to_double(),
                                              tally.sums[kSumPayoff2].to_double(), tally.counts[0]);
    return std::vector<ResultField>{{"price", {price.mean}, false}, {"price_err", {price.error}, false}};
  }
};

}  // namespace hpchain::compute
