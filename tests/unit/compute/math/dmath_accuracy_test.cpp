// Measures the maximum ulp error of every dmath function against MPFR
// (128-bit) over seeded pseudo-random arguments in several ranges per
// function, and checks it against the bound documented in docs/math.md.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <vector>

#include "compute/math/dmath.h"
#include "tests/unit/compute/math/accuracy_sweep.h"
#include "tests/unit/compute/math/mpfr_reference.h"

// The slow build of this file (label `slow`) raises the count; the `unit`
// build keeps the whole binary well under a minute.
#ifndef HPC_DMATH_POINTS_PER_FUNCTION
#define HPC_DMATH_POINTS_PER_FUNCTION 200000
#endif
// Distinct suite names keep the two builds' ctest names (and labels) apart.
#ifndef HPC_DMATH_SUITE
#define HPC_DMATH_SUITE DmathAccuracy
#endif

namespace hpchain::dmath::testing {
namespace {

constexpr uint64_t kPointsPerFunction = HPC_DMATH_POINTS_PER_FUNCTION;

// Runs every range with an equal share of the points, prints one line per
// range (the figures docs/math.md quotes) and checks the bound.
void check_unary(const char* name, double (*function)(double), MpfrUnary reference,
                 const std::vector<ArgumentRange>& ranges, double bound_ulp) {
  const uint64_t points = kPointsPerFunction / ranges.size();
  for (const ArgumentRange& range : ranges) {
    const SweepResult result = sweep(range, nullptr, points, [&](double x, double) {
      return ulp_error(reference, x, function(x));
    });
    std::printf("%-11s %-22s points %9" PRIu64 "  max %.3f ulp  at x=%a\n", name, range.name.c_str(),
                result.points, result.max_ulp, result.worst_x);
    EXPECT_LE(result.max_ulp, bound_ulp) << name << " " << range.name << " x=" << result.worst_x;
  }
}

void check_binary(const char* name, double (*function)(double, double), MpfrBinary reference,
                  const std::vector<std::pair<ArgumentRange, ArgumentRange>>& ranges, double bound_ulp) {
  const uint64_t points = kPointsPerFunction / ranges.size();
  for (const auto& [first, second] : ranges) {
    const SweepResult result = sweep(first, &second, points, [&](double x, double y) {
      return ulp_error(reference, x, y, function(x, y));
    });
    std::printf("%-11s %-22s points %9" PRIu64 "  max %.3f ulp  at (%a, %a)\n", name,
                (first.name + "," + second.name).c_str(), result.points, result.max_ulp, result.worst_x,
                result.worst_y);
    EXPECT_LE(result.max_ulp, bound_ulp) << name << " " << first.name << " x=" << result.worst_x
                                         << " y=" << result.worst_y;
  }
}

ArgumentRange uniform(const char* name, double low, double high) { return {name, low, high}; }
ArgumentRange binades(const char* name, double low_exponent, double high_exponent, bool random_sign) {
  return {name, low_exponent, high_exponent, /*log_scale=*/true, random_sign};
}

TEST(HPC_DMATH_SUITE, Exp) {
  check_unary("exp", dmath::exp, mpfr_exp,
              {uniform("[-1,1]", -1, 1), uniform("[-50,50]", -50, 50), uniform("full", -745.2, 709.8),
               uniform("near overflow", 709.0, 709.7828), uniform("subnormal results", -745.14, -708.4),
               binades("tiny", -60, -1, true)},
              1.0);
}

TEST(HPC_DMATH_SUITE, Expm1) {
  check_unary("expm1", dmath::expm1, mpfr_expm1,
              {binades("tiny", -80, -1, true), uniform("[-1,1]", -1, 1), uniform("[-40,40]", -40, 40),
               uniform("full", -745, 709.78)},
              1.0);
}

TEST(HPC_DMATH_SUITE, Log) {
  check_unary("log", dmath::log, mpfr_log,
              {binades("all positive", -1075, 1024, false), uniform("[0.5,2]", 0.5, 2),
               uniform("near 1", 0.99, 1.01), uniform("very near 1", 1 - 0x1p-20, 1 + 0x1p-20)},
              1.0);
}

TEST(HPC_DMATH_SUITE, Log1p) {
  check_unary("log1p", dmath::log1p, mpfr_log1p,
              {binades("tiny", -80, -1, true), uniform("[-0.999,1]", -0.999, 1), uniform("[-1,-0.5]", -1, -0.5),
               binades("large", 0, 1024, false)},
              1.0);
}

TEST(HPC_DMATH_SUITE, Sin) {
  check_unary("sin", dmath::sin, mpfr_sin,
              {uniform("[-pi/4,pi/4]", -0.7853981, 0.7853981), uniform("[-10,10]", -10, 10),
               uniform("[-1e6,1e6]", -1e6, 1e6), ArgumentRange{"near k*pi/2", -2e6, 2e6, false, false, false, true},
               binades("huge", 20, 1024, true), binades("tiny", -1074, -20, true)},
              1.0);
}

TEST(HPC_DMATH_SUITE, Cos) {
  check_unary("cos", dmath::cos, mpfr_cos,
              {uniform("[-pi/4,pi/4]", -0.7853981, 0.7853981), uniform("[-10,10]", -10, 10),
               uniform("[-1e6,1e6]", -1e6, 1e6), ArgumentRange{"near k*pi/2", -2e6, 2e6, false, false, false, true},
               binades("huge", 20, 1024, true), binades("tiny", -1074, -20, true)},
              1.0);
}

TEST(HPC_DMATH_SUITE, Atan) {
  check_unary("atan", dmath::atan, mpfr_atan,
              {binades("all", -1075, 1024, true), uniform("[-3,3]", -3, 3), binades("tiny", -60, -1, true)}, 1.0);
}

TEST(HPC_DMATH_SUITE, Atan2) {
  check_binary("atan2", dmath::atan2, mpfr_atan2,
               {{uniform("y[-10,10]", -10, 10), uniform("x[-10,10]", -10, 10)},
                {binades("y all", -1075, 1024, true), binades("x all", -1075, 1024, true)},
                {binades("y ~x", 0, 2, true), binades("x ~y", 0, 2, true)}},
               1.25);
}

TEST(HPC_DMATH_SUITE, Pow) {
  ArgumentRange integers = uniform("y int[-300,300]", -300, 300);
  integers.integer_valued = true;
  check_binary("pow", dmath::pow, mpfr_pow,
               {{uniform("x[0,10]", 0, 10), uniform("y[-300,300]", -300, 300)},
                {binades("x all", -1075, 1024, false), uniform("y[-1,1]", -1, 1)},
                {uniform("x[0.99,1.01]", 0.99, 1.01), uniform("y[-7e4,7e4]", -7e4, 7e4)},
                {uniform("x[-10,0]", -10, 0), integers},
                {uniform("x[0.5,2]", 0.5, 2), uniform("y[-1075,1024]", -1075, 1024)}},
               1.0);
}

TEST(HPC_DMATH_SUITE, Erf) {
  check_unary("erf", dmath::erf, mpfr_erf,
              {binades("tiny", -1074, -1, true), uniform("[-1.25,1.25]", -1.25, 1.25), uniform("[-6,6]", -6, 6)}, 1.0);
}

TEST(HPC_DMATH_SUITE, Erfc) {
  check_unary("erfc", dmath::erfc, mpfr_erfc,
              {binades("tiny", -80, -1, true), uniform("[-6,0.84]", -6, 0.84), uniform("[0.84,1.25]", 0.84, 1.25),
               uniform("[1.25,2.86]", 1.25, 2.86), uniform("[2.86,27.3]", 2.86, 27.3), uniform("[26,27.3]", 26, 27.3)},
              1.0);
}

TEST(HPC_DMATH_SUITE, NormalCdf) {
  check_unary("normal_cdf", dmath::normal_cdf, mpfr_normal_cdf,
              {binades("tiny", -80, -1, true), uniform("[-3,3]", -3, 3), uniform("[-1.8,-1.1]", -1.8, -1.1),
               uniform("[-8,8.5]", -8, 8.5), uniform("[-38.5,-8]", -38.5, -8), uniform("[-38.5,-37]", -38.5, -37)},
              1.1);
}

}  // namespace
}  // namespace hpchain::dmath::testing
