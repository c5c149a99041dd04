// Throughput of the deterministic math library against the host libm
// (glibc) on the same arguments in the same run: the ratio is the price of
// bit-identical results (docs/math.md).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "compute/math/dmath.h"

namespace {

namespace dm = hpchain::dmath;

constexpr int kArguments = 4096;

// Seeded SplitMix64 arguments uniform in [low, high].
std::vector<double> arguments(double low, double high) {
  std::vector<double> values(kArguments);
  uint64_t state = 42;
  for (double& v : values) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    v = low + (high - low) * static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  }
  return values;
}

template <double (*F)(double)>
void unary(benchmark::State& state, double low, double high) {
  const std::vector<double> x = arguments(low, high);
  for (auto _ : state) {
    double sum = 0.0;
    for (double v : x) sum += F(v);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kArguments);
}

template <double (*F)(double, double)>
void binary(benchmark::State& state, double low, double high) {
  const std::vector<double> x = arguments(low, high), y = arguments(-high, high);
  for (auto _ : state) {
    double sum = 0.0;
    for (int i = 0; i < kArguments; ++i) sum += F(x[i], y[kArguments - 1 - i]);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kArguments);
}

double libm_exp(double x) { return std::exp(x); }
double libm_log(double x) { return std::log(x); }
double libm_sin(double x) { return std::sin(x); }
double libm_cos(double x) { return std::cos(x); }
double libm_erfc(double x) { return std::erfc(x); }
double libm_normal_cdf(double x) { return 0.5 * std::erfc(-x * 0.70710678118654752440); }
double libm_pow(double x, double y) { return std::pow(x, y); }
double libm_atan2(double y, double x) { return std::atan2(y, x); }
double dmath_exp(double x) { return dm::exp(x); }
double dmath_log(double x) { return dm::log(x); }
double dmath_sin(double x) { return dm::sin(x); }
double dmath_cos(double x) { return dm::cos(x); }
double dmath_erfc(double x) { return dm::erfc(x); }
double dmath_normal_cdf(double x) { return dm::normal_cdf(x); }
double dmath_pow(double x, double y) { return dm::pow(x, y); }
double dmath_atan2(double y, double x) { return dm::atan2(y, x); }

// Each function twice, libm first, so the pair sits side by side.
const bool kRegistered = [] {
  benchmark::RegisterBenchmark("exp/libm", unary<libm_exp>, -20.0, 20.0);
  benchmark::RegisterBenchmark("exp/dmath", unary<dmath_exp>, -20.0, 20.0);
  benchmark::RegisterBenchmark("log/libm", unary<libm_log>, 1e-3, 1e3);
  benchmark::RegisterBenchmark("log/dmath", unary<dmath_log>, 1e-3, 1e3);
  benchmark::RegisterBenchmark("sin/libm", unary<libm_sin>, -10.0, 10.0);
  benchmark::RegisterBenchmark("sin/dmath", unary<dmath_sin>, -10.0, 10.0);
  benchmark::RegisterBenchmark("sin_huge/libm", unary<libm_sin>, 1e20, 1e22);
  benchmark::RegisterBenchmark("sin_huge/dmath", unary<dmath_sin>, 1e20, 1e22);
  benchmark::RegisterBenchmark("cos/libm", unary<libm_cos>, -10.0, 10.0);
  benchmark::RegisterBenchmark("cos/dmath", unary<dmath_cos>, -10.0, 10.0);
  benchmark::RegisterBenchmark("erfc/libm", unary<libm_erfc>, -3.0, 10.0);
  benchmark::RegisterBenchmark("erfc/dmath", unary<dmath_erfc>, -3.0, 10.0);
  benchmark::RegisterBenchmark("normal_cdf/libm", unary<libm_normal_cdf>, -10.0, 5.0);
  benchmark::RegisterBenchmark("normal_cdf/dmath", unary<dmath_normal_cdf>, -10.0, 5.0);
  benchmark::RegisterBenchmark("pow/libm", binary<libm_pow>, 0.0, 10.0);
  benchmark::RegisterBenchmark("pow/dmath", binary<dmath_pow>, 0.0, 10.0);
  benchmark::RegisterBenchmark("atan2/libm", binary<libm_atan2>, -10.0, 10.0);
  benchmark::RegisterBenchmark("atan2/dmath", binary<dmath_atan2>, -10.0, 10.0);
  return true;
}();

}  // namespace
