// StagedTally against the plain exact Tally: the same contributions, fed to
// both, must give bit-identical sums and flags, over random values that
// cross every range boundary of the staging (tiny, subnormal, huge, signed,
// non-finite) and enough additions to force many folds.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "compute/staged_tally.h"

namespace hpchain::compute {
namespace {

using TestTally = Tally<3, 1>;

// splitmix64: a fixed generator so the values are the same everywhere.
uint64_t next(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A value whose binary exponent is drawn from [-80, 80], so about a fifth
// fall outside the staged range [2^-12, 2^64).
double random_value(uint64_t& state) {
  const uint64_t r = next(state);
  const double mantissa = 1.0 + static_cast<double>(r >> 12) * 0x1p-52;
  const int exponent = static_cast<int>(next(state) % 161) - 80;
  return ((r & 1) != 0 ? -1.0 : 1.0) * std::ldexp(mantissa, exponent);
}

void expect_same(const TestTally& a, const TestTally& b) {
  for (int s = 0; s < TestTally::kSums; ++s) EXPECT_TRUE(a.sums[s] == b.sums[s]) << "slot " << s;
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.vanished, b.vanished);
}

void feed_both(const std::vector<std::pair<int, double>>& adds, TestTally& direct, TestTally& staged_target) {
  direct.clear();
  staged_target.clear();
  StagedTally<TestTally> staged(staged_target);
  for (const auto& [slot, v] : adds) {
    direct.add(slot, v);
    staged.add(slot, v);
  }
  staged.fold();
}

TEST(StagedTally, EqualsDirectTallyOnRandomValuesAcrossAllRanges) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    uint64_t state = seed;
    std::vector<std::pair<int, double>> adds;
    for (int i = 0; i < 5000; ++i) adds.emplace_back(static_cast<int>(next(state) % 3), random_value(state));
    adds.emplace_back(0, 0.0);
    adds.emplace_back(1, -0.0);
    adds.emplace_back(2, std::numeric_limits<double>::denorm_min());
    TestTally direct, staged;
    feed_both(adds, direct, staged);
    expect_same(direct, staged);
    EXPECT_EQ(direct.flags, 0u);
    EXPECT_GT(direct.vanished, 0u);  // exponents down to -80 include values below 2^-65
  }
}

TEST(StagedTally, FoldsBeforeABucketCanOverflow) {
  // The largest staged magnitude (just below 2^64, mantissa 2^53 - 1) added
  // many times into one bucket: without folding, 1024 of them overflow an
  // int64 bucket.
  const double largest_staged = std::nextafter(0x1p64, 0.0);
  std::vector<std::pair<int, double>> adds(5000, {0, largest_staged});
  for (int i = 0; i < 3000; ++i) adds.emplace_back(1, -largest_staged);
  TestTally direct, staged;
  feed_both(adds, direct, staged);
  expect_same(direct, staged);
  EXPECT_NEAR(staged.sums[0].to_double(), 5000 * largest_staged, 1e6);
}

TEST(StagedTally, NonFiniteAndHugeValuesKeepTheirFlags) {
  for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                     0x1p127}) {
    TestTally direct, staged;
    feed_both({{0, 1.0}, {1, bad}, {2, 2.0}}, direct, staged);
    expect_same(direct, staged);
    EXPECT_NE(staged.flags, 0u);
  }
}

}  // namespace
}  // namespace hpchain::compute
