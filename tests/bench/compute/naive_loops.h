// What a user would write instead of the engine, for the price of
// determinism (docs/performance.md): std::mt19937_64 seeded per thread,
// std::uniform_real_distribution and std::normal_distribution, glibc's libm,
// plain double sums, the same static split over std::threads as
// raw_loops.h. Not reproducible across thread counts or machines, which is
// exactly what the engine pays to be.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

#include "compute/kernels/eemumu.h"
#include "compute/kernels/european_option.h"
#include "raw_loops.h"

namespace hpchain::compute::bench {

inline double naive_pi(uint64_t n, unsigned threads, uint64_t seed) {
  return run_static_slices(n, threads, [seed](uint64_t begin, uint64_t end) {
    std::mt19937_64 rng(seed + begin);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    uint64_t hits = 0;
    for (uint64_t i = begin; i < end; ++i) {
      const double x = uniform(rng), y = uniform(rng);
      hits += (x * x + y * y < 1.0) ? 1u : 0u;
    }
    return static_cast<double>(hits);
  });
}

inline double naive_eemumu(uint64_t n, unsigned threads, uint64_t seed, const EemumuCoefficients& k) {
  return run_static_slices(n, threads, [seed, k](uint64_t begin, uint64_t end) {
    std::mt19937_64 rng(seed + begin);
    std::uniform_real_distribution<double> cos_theta(-1.0, 1.0);
    double sum = 0.0, sum_squares = 0.0, forward_minus_backward = 0.0;
    double histogram[EemumuKernel::kHistogramBins] = {};
    for (uint64_t i = begin; i < end; ++i) {
      const double c = cos_theta(rng);
      const double weight = EemumuKernel::weight(k, c);
      sum += weight;
      sum_squares += weight * weight;
      forward_minus_backward += c > 0.0 ? weight : -weight;
      int bin = static_cast<int>((c + 1.0) * 0.5 * EemumuKernel::kHistogramBins);
      histogram[bin < EemumuKernel::kHistogramBins ? bin : EemumuKernel::kHistogramBins - 1] += weight;
    }
    return sum + sum_squares + forward_minus_backward + histogram[0];
  });
}

inline double naive_option(uint64_t n, unsigned threads, uint64_t seed, const EuropeanOptionKernel::Params& p) {
  return run_static_slices(n, threads, [seed, p](uint64_t begin, uint64_t end) {
    std::mt19937_64 rng(seed + begin);
    std::normal_distribution<double> normal(0.0, 1.0);
    double sum = 0.0, sum_squares = 0.0;
    for (uint64_t i = begin; i < end; ++i) {
      const double terminal = p.s0 * std::exp(p.drift + p.vol * normal(rng));
      const double intrinsic = p.is_call ? terminal - p.strike : p.strike - terminal;
      const double payoff = p.discount * (intrinsic > 0.0 ? intrinsic : 0.0);
      sum += payoff;
      sum_squares += payoff * payoff;
    }
    return sum + sum_squares;
  });
}

}  // namespace hpchain::compute::bench
