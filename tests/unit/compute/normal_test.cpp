// The inversion normal (kernels/normal.h): Phi(Phi^-1(p)) = p to near
// double precision across the centre and both tails, exact antisymmetry,
// monotonicity across region boundaries, and a finite extreme.
#include <gtest/gtest.h>

#include <cmath>

#include "compute/kernels/normal.h"

namespace hpchain::compute {
namespace {

// The reference CDF, Phi(z) = erfc(-z / sqrt 2) / 2 (glibc, test only).
double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

TEST(NormalQuantile, InvertsTheCdfInTheCentreAndTails) {
  const double ps[] = {0.5,    0.5 + 1e-9, 0.6,   0.9,      0.925, 0.075,  0.0749999,
                       0.01,   1e-5,       1e-10, 1.3e-11,  1e-12, 1e-15,  5e-16};
  for (double p : ps) {
    const double z = normal_quantile(p);
    // Phi's slope bounds how exactly p can be recovered from a double z.
    const double slope = std::exp(-0.5 * z * z) / std::sqrt(2.0 * 3.141592653589793);
    const double tolerance = 4e-16 * p + slope * std::fabs(z) * 2.3e-16 + 1e-300;
    EXPECT_NEAR(phi(z), p, tolerance * 8) << "p = " << p << ", z = " << z;
  }
  EXPECT_EQ(normal_quantile(0.5), 0.0);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 4e-15);
}

TEST(NormalQuantile, IsExactlyAntisymmetricOnTheUniformGrid) {
  for (uint64_t k : {uint64_t{0}, uint64_t{1}, uint64_t{12345}, (uint64_t{1} << 50) + 7, (uint64_t{1} << 51) - 1}) {
    const double u = static_cast<double>(2 * k + 1) * kTwoPowMinus53;
    const double mirror = static_cast<double>(2 * ((uint64_t{1} << 52) - 1 - k) + 1) * kTwoPowMinus53;
    ASSERT_EQ(u + mirror, 1.0);
    EXPECT_EQ(normal_quantile(u), -normal_quantile(mirror)) << k;
  }
}

TEST(NormalQuantile, HasNoJumpAtItsRegionBoundaries) {
  // Around 0.075 and 0.925 (centre/tail) and r = 5 (p ~ 1.389e-11). One grid
  // step moves z by a few ulps, and a rational approximation rounds to
  // within about one ulp, so single steps may go back by at most 2 ulps;
  // 64 steps always go forward.
  for (double centre : {0.075, 0.925, 1.3887943864964021e-11}) {
    double previous = normal_quantile(centre - 4096 * kTwoPowMinus53);
    double coarse = previous;
    for (int i = -4095; i <= 4096; ++i) {
      const double z = normal_quantile(centre + i * kTwoPowMinus53);
      ASSERT_GE(z, previous - 4.5e-16 * std::fabs(z)) << "at " << centre << " step " << i;
      if (i % 64 == 0) {
        ASSERT_GT(z, coarse) << "at " << centre << " step " << i;
        coarse = z;
      }
      previous = z;
    }
  }
}

TEST(NormalQuantile, TheExtremeUniformsGiveFiniteVariates) {
  const double lowest = normal_quantile(uniform_open_open(0, 0));
  const double highest = normal_quantile(uniform_open_open(0xffffffffu, 0xffffffffu));
  EXPECT_TRUE(std::isfinite(lowest) && std::isfinite(highest));
  EXPECT_EQ(lowest, -highest);
  EXPECT_NEAR(lowest, -8.2095, 1e-3);
}

}  // namespace
}  // namespace hpchain::compute
