// Checks the exact accumulator bit by bit on hand-made values (rounding,
// range, overflow) and checks order independence on shuffled random sums.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "compute/accumulator.h"

namespace hpchain::compute {
namespace {

ExactSum from(double v, uint32_t* flags_out = nullptr) {
  ExactSum s{};
  uint32_t flags = 0;
  s.add_double(v, flags);
  if (flags_out != nullptr) *flags_out = flags;
  return s;
}

TEST(ExactSum, ConvertsWithScaleTwoToTheMinus64) {
  const ExactSum one = from(1.0);
  EXPECT_EQ(one.limb[0], 0u);
  EXPECT_EQ(one.limb[1], 1u);
  EXPECT_EQ(one.limb[2], 0u);
  const ExactSum quantum = from(std::ldexp(1.0, -64));
  EXPECT_EQ(quantum.limb[0], 1u);
  const ExactSum big = from(std::ldexp(3.0, 100));  // 3 * 2^164
  EXPECT_EQ(big.limb[2], uint64_t{3} << 36);
  const ExactSum minus_one = from(-1.0);
  EXPECT_EQ(minus_one.limb[0], 0u);
  EXPECT_EQ(minus_one.limb[1], ~uint64_t{0});
  EXPECT_EQ(minus_one.limb[2], ~uint64_t{0});
}

TEST(ExactSum, RoundsBelowTheQuantumToNearestEven) {
  EXPECT_EQ(from(std::ldexp(1.0, -65)).limb[0], 0u);   // 0.5 quantum -> 0 (even)
  EXPECT_EQ(from(std::ldexp(3.0, -65)).limb[0], 2u);   // 1.5 -> 2
  EXPECT_EQ(from(std::ldexp(5.0, -65)).limb[0], 2u);   // 2.5 -> 2
  EXPECT_EQ(from(std::ldexp(5.0, -66)).limb[0], 1u);   // 1.25 -> 1
  EXPECT_EQ(from(std::ldexp(7.0, -66)).limb[0], 2u);   // 1.75 -> 2
  EXPECT_EQ(from(std::numeric_limits<double>::denorm_min()).limb[0], 0u);
  EXPECT_TRUE(from(-std::ldexp(3.0, -65)) == from(-2.0 * std::ldexp(1.0, -64)));
  EXPECT_TRUE(from(-0.0) == ExactSum{});
}

TEST(ExactSum, FlagsNonFiniteAndOutOfRangeContributions) {
  uint32_t flags = 0;
  from(std::numeric_limits<double>::quiet_NaN(), &flags);
  EXPECT_EQ(flags, kTallyNonFinite);
  from(-std::numeric_limits<double>::infinity(), &flags);
  EXPECT_EQ(flags, kTallyNonFinite);
  from(std::ldexp(1.0, 126), &flags);
  EXPECT_EQ(flags, kTallyOverflow);
  from(-std::ldexp(1.0, 126), &flags);
  EXPECT_EQ(flags, kTallyOverflow);
  from(std::nextafter(std::ldexp(1.0, 126), 0.0), &flags);
  EXPECT_EQ(flags, 0u);
}

TEST(ExactSum, SumOverflowIsDetectedNotWrapped) {
  const double largest = std::nextafter(std::ldexp(1.0, 126), 0.0);
  for (double sign : {1.0, -1.0}) {
    ExactSum sum{};
    uint32_t flags = 0;
    sum.add_double(sign * largest, flags);
    sum.add_double(sign * largest, flags);
    EXPECT_EQ(flags, 0u) << "2 * (2^126 - ulp) still fits below 2^127";
    sum.add_double(sign * largest, flags);
    EXPECT_EQ(flags, kTallyOverflow);
  }
  uint64_t counter = ~uint64_t{0};
  uint32_t flags = 0;
  add_count(counter, 1, flags);
  EXPECT_EQ(flags, kTallyOverflow);
}

TEST(ExactSum, IsIndependentOfOrderAndGrouping) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-80, 60);
  std::vector<double> values(5000);
  for (double& v : values) v = std::ldexp(mantissa(rng), exponent(rng));
  auto sum_of = [](const std::vector<double>& vs) {
    ExactSum s{};
    uint32_t flags = 0;
    for (double v : vs) s.add_double(v, flags);
    EXPECT_EQ(flags, 0u);
    return s;
  };
  const ExactSum reference = sum_of(values);
  for (int trial = 0; trial < 5; ++trial) {
    std::shuffle(values.begin(), values.end(), rng);
    // Two groups summed separately and merged: same bits as one pass.
    const size_t cut = rng() % values.size();
    ExactSum left = sum_of({values.begin(), values.begin() + static_cast<long>(cut)});
    const ExactSum right = sum_of({values.begin() + static_cast<long>(cut), values.end()});
    uint32_t flags = 0;
    left.add(right, flags);
    EXPECT_TRUE(left == reference);
    EXPECT_TRUE(sum_of(values) == reference);
  }
}

TEST(ExactSum, ReadOutAsDoubleIsCorrectlyRounded) {
  EXPECT_EQ(from(1.0).to_double(), 1.0);
  EXPECT_EQ(from(-2.5).to_double(), -2.5);
  EXPECT_EQ(from(std::ldexp(1.0, -64)).to_double(), std::ldexp(1.0, -64));
  EXPECT_EQ(ExactSum{}.to_double(), 0.0);
  // 2^60 + 1 + 2^-64: the exact value needs 125 bits; the nearest double is
  // 2^60 (the tail is below half an ulp of 2^60, which is 2^8).
  ExactSum s = from(std::ldexp(1.0, 60));
  uint32_t flags = 0;
  s.add_double(1.0, flags);
  s.add_double(std::ldexp(1.0, -64), flags);
  EXPECT_EQ(s.to_double(), std::ldexp(1.0, 60));
  // 2^60 + 2^7 + 2^-64 is just above a tie: it must round up to 2^60 + 2^8,
  // which a conversion that dropped the sticky low bits would miss.
  ExactSum t = from(std::ldexp(1.0, 60));
  t.add_double(std::ldexp(1.0, 7), flags);
  t.add_double(std::ldexp(1.0, -64), flags);
  EXPECT_EQ(t.to_double(), std::ldexp(1.0, 60) + std::ldexp(1.0, 8));
  EXPECT_EQ(flags, 0u);
}

TEST(ExactSum, EncodesBigEndianTwosComplement) {
  uint8_t bytes[24];
  from(-1.0).to_big_endian(bytes);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(bytes[i], 0xff) << i;
  for (int i = 16; i < 24; ++i) EXPECT_EQ(bytes[i], 0x00) << i;
}

TEST(Tally, MergeAddsSumsCountsAndOrsFlags) {
  Tally<2, 2> a, b;
  a.clear();
  b.clear();
  a.sums[0].add_double(1.5, a.flags);
  b.sums[0].add_double(2.0, b.flags);
  b.sums[1].add_double(-3.0, b.flags);
  a.counts[1] = 4;
  b.counts[1] = 5;
  b.flags |= kTallyNonFinite;
  a.merge(b);
  EXPECT_EQ(a.sums[0].to_double(), 3.5);
  EXPECT_EQ(a.sums[1].to_double(), -3.0);
  EXPECT_EQ(a.counts[1], 9u);
  EXPECT_EQ(a.flags, kTallyNonFinite);
}

}  // namespace
}  // namespace hpchain::compute
