// Property tests over 60 seeds that merged partitions equal the whole run
// (merge_property.h), plus example-based tests of planning, coverage and
// error handling.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "merge_property.h"
#include "test_support.h"

namespace hpchain::compute {
namespace {

using testing::check_merge_equals_whole;
using testing::must_make_job;

TEST(Planner, MergedDigestEqualsWholeRunForRandomPartitions) {
  for (uint64_t seed = 0; seed < 60; ++seed) check_merge_equals_whole(seed);
}

TEST(Planner, UnitRangesSplitEvenlyAndBadCountsAreRejected) {
  EXPECT_EQ(unit_range(10, 3, 0), (SampleRange{0, 4}));
  EXPECT_EQ(unit_range(10, 3, 1), (SampleRange{4, 7}));
  EXPECT_EQ(unit_range(10, 3, 2), (SampleRange{7, 10}));
  EXPECT_TRUE(check_units(10, 10).is_ok());
  EXPECT_EQ(check_units(10, 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(check_units(10, 11).code(), StatusCode::kInvalidArgument);
}

TEST(Planner, UnitRangesOfHugeJobsAreComputedFromTheIndexAndTileTheSpace) {
  // 2^62 samples in 10^12 units: no list of units exists, each range is
  // O(1) arithmetic, and neighbours meet exactly.
  const uint64_t n = kMaxSamples, units = 1000000000000ull;
  ASSERT_TRUE(check_units(n, units).is_ok());
  EXPECT_EQ(unit_range(n, units, 0).begin, 0u);
  EXPECT_EQ(unit_range(n, units, units - 1).end, n);
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{123456789}, n % units - 1, n % units, units - 2}) {
    const SampleRange a = unit_range(n, units, i), b = unit_range(n, units, i + 1);
    EXPECT_EQ(a.end, b.begin) << i;
    EXPECT_EQ(a.size(), n / units + (i < n % units ? 1 : 0)) << i;
  }
}

TEST(Planner, RejectsOverlapsGapsAndForeignPartials) {
  const JobSpec job = must_make_job("pi", {}, 1000, 1);
  CpuBackend cpu(2);
  auto a = cpu.run(job, {0, 600}, nullptr);
  auto b = cpu.run(job, {500, 1000}, nullptr);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  Partial merged = *a;
  EXPECT_EQ(merge_partial(merged, *b).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(finalize(job, *a).status().code(), StatusCode::kFailedPrecondition);
  const JobSpec other = must_make_job("eemumu", {{"sqrt_s", "91"}}, 1000, 1);
  auto c = cpu.run(other, {600, 1000}, nullptr);
  ASSERT_TRUE(c.is_ok());
  Partial mixed = *a;
  EXPECT_EQ(merge_partial(mixed, *c).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(cpu.run(job, {900, 1001}, nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cpu.run(job, {5, 5}, nullptr).status().code(), StatusCode::kInvalidArgument);
}

TEST(Planner, OverflowedTallyIsAnErrorNotAResult) {
  const JobSpec job = must_make_job("european_option", {}, 100, 1);
  CpuBackend cpu(1);
  auto partial = cpu.run(job, {0, 100}, nullptr);
  ASSERT_TRUE(partial.is_ok());
  partial->points[0].flags |= kTallyOverflow;
  EXPECT_EQ(finalize(job, *partial).status().code(), StatusCode::kOutOfRange);
  partial->points[0].flags = kTallyNonFinite;
  EXPECT_EQ(finalize(job, *partial).status().code(), StatusCode::kInvalidArgument);
  // A sum beyond what 100 samples can reach (only a forged tally has one):
  // the single range check at finalize.
  partial->points[0].flags = 0;
  partial->points[0].sums[0].limb[3] = uint64_t{1} << 40;
  const auto forged = finalize(job, *partial);
  EXPECT_EQ(forged.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(forged.status().message().find("beyond what 100 samples"), std::string::npos);
}

TEST(Planner, ProgressCountsEverySample) {
  const JobSpec job = must_make_job("pi", {}, 100'000, 1);
  CpuBackend cpu(3);
  std::atomic<uint64_t> progress{0};
  ASSERT_TRUE(run_job(job, 4, cpu, &progress).is_ok());
  EXPECT_EQ(progress.load(), 100'000u);
}

}  // namespace
}  // namespace hpchain::compute
