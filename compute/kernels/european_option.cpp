#include <cmath>

#include "compute/kernels/host.h"

namespace hpchain::compute {

// The ranges keep every discounted payoff and its square inside the exact
// accumulator's range (|v| < 2^126; docs/compute.md): s0, strike <= 1e4,
// sigma sqrt(T) <= 3.2, |r| T <= 2 and |Z| <= 8.6 bound the payoff by ~1e18.
KernelInfo european_option_info() {
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

EuropeanOptionKernel::Params european_option_params(const ParamSet& params) {
  const double rate = param_number(params, "rate");
  const double sigma = param_number(params, "sigma");
  const double maturity = param_number(params, "maturity");
  EuropeanOptionKernel::Params p{};
  p.s0 = param_number(params, "s0");
  p.strike = param_number(params, "strike");
  p.drift = (rate - 0.5 * sigma * sigma) * maturity;
  p.vol = sigma * std::sqrt(maturity);
  p.discount = dmath::exp(-rate * maturity);
  p.is_call = param_number(params, "type") == 0.0;
  return p;
}

std::vector<ResultField> european_option_fields(const PointTally& tally) {
  HPC_ASSERT(tally.sums.size() == EuropeanOptionKernel::TallyType::kSums);
  const MeanAndError price =
      mean_and_error(tally.sums[EuropeanOptionKernel::kSumPayoff].to_double(),
                     tally.sums[EuropeanOptionKernel::kSumPayoff2].to_double(), tally.counts[0]);
  return {{"price", {price.mean}, false}, {"price_err", {price.error}, false}};
}

}  // namespace hpchain::compute
