// Checks job construction: parameter validation errors name the parameter,
// defaults are filled in canonically, and param_scan expands into points.
#include <gtest/gtest.h>

#include <cmath>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "test_support.h"

namespace hpchain::compute {
namespace {

using testing::must_make_job;

void expect_invalid(std::string_view kernel, const RawParams& raw, uint64_t samples,
                    std::string_view needle) {
  const auto job = make_job(kernel, raw, samples, 1);
  ASSERT_FALSE(job.is_ok()) << "accepted " << kernel;
  EXPECT_EQ(job.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(job.status().message().find(needle), std::string::npos) << job.status().to_string();
}

TEST(Job, RejectsBadKernelsParametersAndSampleCounts) {
  expect_invalid("nope", {}, 10, "unknown kernel 'nope'");
  expect_invalid("eemumu", {}, 10, "requires parameter 'sqrt_s'");
  expect_invalid("eemumu", {{"sqrt_s", "0.5"}}, 10, "'sqrt_s' = 0.5 is out of range");
  expect_invalid("eemumu", {{"sqrt_s", "91"}, {"mz", "abc"}}, 10, "'mz'");
  expect_invalid("eemumu", {{"sqrt_s", "91"}, {"colour", "1"}}, 10, "unknown parameter 'colour'");
  expect_invalid("eemumu", {{"sqrt_s", "91"}, {"z_exchange", "0.5"}}, 10, "'z_exchange'");
  expect_invalid("eemumu", {{"sqrt_s", "nan"}}, 10, "'sqrt_s'");
  expect_invalid("european_option", {{"type", "straddle"}}, 10, "'type'");
  expect_invalid("european_option", {{"sigma", "-0.1"}}, 10, "'sigma'");
  expect_invalid("pi", {{"radius", "2"}}, 10, "unknown parameter 'radius'");
  expect_invalid("pi", {}, 0, "samples");
  expect_invalid("pi", {}, kMaxSamples + 1, "samples");
}

TEST(Job, RejectsBadScans) {
  const RawParams scan = {{"kernel", "eemumu"}, {"scan", "sqrt_s"}, {"from", "20"},
                          {"to", "250"}, {"points", "4"}};
  expect_invalid("param_scan", scan, 10, "multiple of parameter 'points'");
  RawParams wrong_param = scan;
  wrong_param["scan"] = "strike";
  expect_invalid("param_scan", wrong_param, 40, "has no real parameter 'strike'");
  RawParams fixed = scan;
  fixed["sqrt_s"] = "91";
  expect_invalid("param_scan", fixed, 40, "set by the scan");
  RawParams below = scan;
  below["from"] = "0.1";
  expect_invalid("param_scan", below, 40, "param_scan point 0: parameter 'sqrt_s'");
  RawParams missing = scan;
  missing.erase("to");
  expect_invalid("param_scan", missing, 40, "requires parameter 'to'");
}

TEST(Job, DefaultsAreCanonical) {
  const JobSpec implicit = must_make_job("eemumu", {{"sqrt_s", "91.1876"}}, 1000, 3);
  const JobSpec explicit_defaults = must_make_job(
      "eemumu", {{"sqrt_s", "91.1876"}, {"mz", "91.1876"}, {"z_exchange", "1"}}, 1000, 3);
  EXPECT_EQ(implicit.params, explicit_defaults.params);
  EXPECT_EQ(implicit.params.size(), 6u);
  CpuBackend cpu(2);
  const auto a = run_job(implicit, 1, cpu);
  const auto b = run_job(explicit_defaults, 3, cpu);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->digest, b->digest);
}

TEST(Job, ParamScanExpandsIntoStreamsWithExactEndpoints) {
  const JobSpec job = must_make_job("param_scan",
                                    {{"kernel", "eemumu"}, {"scan", "sqrt_s"}, {"from", "20"},
                                     {"to", "250"}, {"points", "24"}, {"z_exchange", "0"}},
                                    2400, 5);
  ASSERT_EQ(job.points.size(), 24u);
  EXPECT_EQ(job.samples_per_point, 100u);
  EXPECT_EQ(job.points.front().scan_value, 20.0);
  EXPECT_EQ(job.points.back().scan_value, 250.0);
  for (uint32_t i = 0; i < 24; ++i) {
    EXPECT_EQ(job.points[i].stream, i);
    EXPECT_EQ(job.points[i].instance.shape, (TallyShape{EemumuKernel::TallyType::kSums, 1}));
  }
  EXPECT_EQ(job.params.count("sqrt_s"), 0u);
  EXPECT_EQ(job.params.at("z_exchange").number, 0.0);
}

TEST(Job, ScanEndpointsStayExactWhereInterpolationWouldRound) {
  // (from * (P-1)) / (P-1) is not `from` for from = -0.2; the endpoint must
  // still be exactly the bound the user gave, inside the parameter's range.
  const JobSpec job = must_make_job("param_scan",
                                    {{"kernel", "european_option"}, {"scan", "rate"}, {"from", "-0.2"},
                                     {"to", "0.2"}, {"points", "4"}},
                                    400, 5);
  EXPECT_EQ(job.points.front().scan_value, -0.2);
  EXPECT_EQ(job.points.back().scan_value, 0.2);
}

TEST(Job, NegativeZeroIsTheSameParameterAsZero) {
  CpuBackend cpu(1);
  const auto a = run_job(must_make_job("european_option", {{"rate", "0"}}, 2000, 4), 1, cpu);
  const auto b = run_job(must_make_job("european_option", {{"rate", "-0"}}, 2000, 4), 1, cpu);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->digest, b->digest);
}

TEST(Job, AHeavyZPeakThatOverflowed192BitsNowSumsExactlyInAnyGrouping) {
  // A narrow, heavy Z at its peak with alpha = 1: each w^2 slot stayed just
  // inside the old 192-bit range while their sum did not (found by review,
  // then an OutOfRange error). 256 bits hold it, in any order.
  const JobSpec job = must_make_job("eemumu",
                                    {{"sqrt_s", "1000"}, {"mz", "1000"}, {"gz", "0.03"},
                                     {"alpha", "1"}, {"sin2w", "0.99"}},
                                    3600000, 1);
  CpuBackend cpu(0);
  auto partial = cpu.run(job, {0, job.samples}, nullptr);
  ASSERT_TRUE(partial.is_ok());
  const auto& sums = partial->points[0].sums;
  EXPECT_GE(sums[EemumuKernel::kSumForwardW2].to_double() + sums[EemumuKernel::kSumBackwardW2].to_double(),
            std::ldexp(1.0, 127));
  const auto whole = run_job(job, 1, cpu);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  EXPECT_TRUE(std::isfinite(testing::field(whole->points[0], "sigma_pb_err")));
  CpuBackend one(1);
  const auto split = run_job(job, 7, one);
  ASSERT_TRUE(split.is_ok());
  EXPECT_EQ(split->digest, whole->digest);
}

TEST(Job, DigestDependsOnSeedParametersAndSamples) {
  CpuBackend cpu(2);
  auto digest = [&](const char* kernel, RawParams raw, uint64_t n, uint64_t seed) {
    const auto r = run_job(must_make_job(kernel, raw, n, seed), 1, cpu);
    EXPECT_TRUE(r.is_ok());
    return r->digest;
  };
  const Hash32 base = digest("european_option", {}, 5000, 1);
  EXPECT_NE(base, digest("european_option", {}, 5000, 2));
  EXPECT_NE(base, digest("european_option", {}, 5001, 1));
  EXPECT_NE(base, digest("european_option", {{"type", "put"}}, 5000, 1));
  EXPECT_EQ(base, digest("european_option", {{"type", "call"}}, 5000, 1));
}

}  // namespace
}  // namespace hpchain::compute
