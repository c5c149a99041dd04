// Runs the CUDA backend's per-thread work and block/grid reduction on the
// CPU for many grid shapes (compute/grid.h) and checks every kernel's tally
// is bit-identical to the CPU backend's and to a single sequential pass.
#include <gtest/gtest.h>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "test_support.h"

namespace hpchain::compute {
namespace {

using testing::emulated_gpu_partial;
using testing::must_make_job;

TEST(GridEmulation, ThreadRangesTileTheRange) {
  for (uint64_t threads : {1u, 3u, 64u, 1000u}) {
    uint64_t expected_begin = 17;
    for (uint64_t t = 0; t < threads; ++t) {
      uint64_t b = 0, e = 0;
      thread_range(17, 17 + 500, threads, t, &b, &e);
      EXPECT_EQ(b, expected_begin);
      EXPECT_LE(e - b, 500 / threads + 1);
      expected_begin = e;
    }
    EXPECT_EQ(expected_begin, 517u);
  }
}

TEST(GridEmulation, EveryShapeGivesTheCpuDigestForEveryKernel) {
  const JobSpec jobs[] = {
      must_make_job("pi", {}, 30'001, 4),
      must_make_job("eemumu", {{"sqrt_s", "91.1876"}}, 20'003, 5),
      must_make_job("european_option", {{"type", "put"}}, 20'011, 6),
      must_make_job("param_scan", {{"kernel", "european_option"}, {"scan", "sigma"},
                                   {"from", "0.1"}, {"to", "0.5"}, {"points", "3"}},
                    9'000, 7),
  };
  // Powers of two and not: the tree reduction pairs slots unevenly then.
  const uint64_t grids[] = {1, 2, 3, 64, 224, 300, 16384};
  CpuBackend cpu(2);
  for (const JobSpec& job : jobs) {
    const auto reference = run_job(job, 1, cpu);
    ASSERT_TRUE(reference.is_ok());
    for (const uint64_t threads : grids) {
      const Partial gpu = emulated_gpu_partial(job, {0, job.samples}, threads);
      const auto result = finalize(job, gpu);
      ASSERT_TRUE(result.is_ok()) << result.status().to_string();
      EXPECT_EQ(result->digest, reference->digest)
          << job.kernel << " grid of " << threads << " threads";
    }
  }
}

TEST(GridEmulation, MoreThreadsThanSamplesLeavesIdleThreadsHarmless) {
  const JobSpec job = must_make_job("eemumu", {{"sqrt_s", "240"}}, 5, 8);
  CpuBackend cpu(1);
  const auto reference = run_job(job, 1, cpu);
  const auto result = finalize(job, emulated_gpu_partial(job, {0, 5}, 32));
  ASSERT_TRUE(reference.is_ok() && result.is_ok());
  EXPECT_EQ(result->digest, reference->digest);
}

}  // namespace
}  // namespace hpchain::compute
