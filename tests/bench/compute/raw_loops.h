// Raw baselines for the compute benchmarks: the same Philox draws and the
// same per-sample arithmetic as the kernels, with no framework (no chunk
// queue, no tallies, no exact accumulation; plain integer or double sums),
// split statically over std::threads. They bound what the engine could
// reach on the same cores.
#pragma once

#include <cstdint>
#include <thread>
#include <vector>

#include "compute/kernels/eemumu.h"
#include "compute/kernels/european_option.h"
#include "compute/kernels/pi.h"

namespace hpchain::compute::bench {

// Runs body(begin, end) for `threads` static slices of [0, n) and returns
// the sum of the slices' results.
template <class Body>
double run_static_slices(uint64_t n, unsigned threads, Body body) {
  std::vector<double> partial(threads, 0.0);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      partial[t] = body(n * t / threads, n * (t + 1) / threads);
    });
  }
  for (auto& w : workers) w.join();
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

inline double raw_pi(uint64_t n, unsigned threads, uint64_t seed) {
  const PhiloxKey key = philox_key_for_seed(seed);
  return run_static_slices(n, threads, [key](uint64_t begin, uint64_t end) {
    uint64_t hits = 0;
    for (uint64_t i = begin; i < end; ++i) {
      const PhiloxCounter w = sample_words(key, i, 0, 0);
      const double x = uniform_closed_open(w.w[0], w.w[1]);
      const double y = uniform_closed_open(w.w[2], w.w[3]);
      hits += (x * x + y * y < 1.0) ? 1u : 0u;
    }
    return static_cast<double>(hits);
  });
}

inline double raw_eemumu(uint64_t n, unsigned threads, uint64_t seed,
                         const EemumuCoefficients& k) {
  const PhiloxKey key = philox_key_for_seed(seed);
  return run_static_slices(n, threads, [key, k](uint64_t begin, uint64_t end) {
    // The kernel's work in plain doubles: the same histogram (binned from
    // the same integer) and the same forward/backward w^2 slots.
    double histogram[EemumuKernel::kHistogramBins] = {};
    double w2_forward = 0.0, w2_backward = 0.0;
    for (uint64_t i = begin; i < end; ++i) {
      const PhiloxCounter w = sample_words(key, i, 0, 0);
      const uint64_t u = top53(w.w[0], w.w[1]);
      const double c = 2.0 * (static_cast<double>(u) * kTwoPowMinus53) - 1.0;
      const double weight = EemumuKernel::weight(k, c);
      histogram[(u * EemumuKernel::kHistogramBins) >> 53] += weight;
      (c >= 0.0 ? w2_forward : w2_backward) += weight * weight;
    }
    double total = w2_forward + w2_backward;
    for (double h : histogram) total += h;
    return total;
  });
}

inline double raw_option(uint64_t n, unsigned threads, uint64_t seed,
                         const EuropeanOptionKernel::Params& p) {
  const PhiloxKey key = philox_key_for_seed(seed);
  return run_static_slices(n, threads, [key, p](uint64_t begin, uint64_t end) {
    double sum = 0.0, sum_squares = 0.0;
    for (uint64_t i = begin; i < end; ++i) {
      const double payoff = EuropeanOptionKernel::discounted_payoff(p, sample_normal(key, i, 0, 0));
      sum += payoff;
      sum_squares += payoff * payoff;
    }
    return sum + sum_squares;
  });
}

}  // namespace hpchain::compute::bench
