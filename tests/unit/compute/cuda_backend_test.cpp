// Compares CUDA and CPU digests for every kernel and several partitionings
// on a real GPU; skips (reported as skipped) when no CUDA device is present,
// after checking that the backend says so clearly.
#include <gtest/gtest.h>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "test_support.h"

namespace hpchain::compute {
namespace {

using testing::must_make_job;

std::unique_ptr<Backend> cuda_or_skip_reason(std::string* reason) {
  auto backend = make_backend(BackendKind::kCuda);
  if (backend.is_ok()) return std::move(backend).value();
  EXPECT_EQ(backend.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(backend.status().message().find("no CUDA device"), std::string::npos)
      << backend.status().to_string();
  *reason = backend.status().to_string();
  return nullptr;
}

TEST(CudaBackend, DigestsEqualCpuForEveryKernelAndPartitioning) {
  std::string reason;
  auto cuda = cuda_or_skip_reason(&reason);
  if (cuda == nullptr) GTEST_SKIP() << reason;
  const JobSpec jobs[] = {
      must_make_job("pi", {}, 10'000'019, 1),
      must_make_job("eemumu", {{"sqrt_s", "91.1876"}}, 2'000'003, 2),
      must_make_job("eemumu", {{"sqrt_s", "240"}, {"z_exchange", "0"}}, 1'000'003, 3),
      must_make_job("european_option", {{"type", "put"}}, 2'000'003, 4),
      must_make_job("param_scan", {{"kernel", "eemumu"}, {"scan", "sqrt_s"}, {"from", "20"},
                                   {"to", "250"}, {"points", "24"}}, 2'400'000, 5),
  };
  CpuBackend cpu;
  for (const JobSpec& job : jobs) {
    const auto reference = run_job(job, 1, cpu);
    ASSERT_TRUE(reference.is_ok()) << reference.status().to_string();
    for (uint64_t partitions : {1u, 3u, 17u}) {
      const auto gpu = run_job(job, partitions, *cuda);
      ASSERT_TRUE(gpu.is_ok()) << gpu.status().to_string();
      EXPECT_EQ(gpu->digest, reference->digest) << job.kernel << " partitions " << partitions;
    }
  }
}

TEST(CudaBackend, RefusesAKernelWithoutACudaRunner) {
  std::string reason;
  auto cuda = cuda_or_skip_reason(&reason);
  if (cuda == nullptr) GTEST_SKIP() << reason;
  KernelDescriptor cpu_only = *native_kernels().find("pi");
  cpu_only.info.name = "pi_cpu_only";
  cpu_only.run_cuda = nullptr;
  KernelRegistry registry;
  ASSERT_TRUE(registry.add(cpu_only).is_ok());
  auto job = make_job(registry, "pi_cpu_only", {}, 1000, 1);
  ASSERT_TRUE(job.is_ok());
  const auto partial = cuda->run(*job, {0, 1000}, nullptr);
  ASSERT_FALSE(partial.is_ok());
  EXPECT_EQ(partial.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(partial.status().message().find("has no CUDA runner"), std::string::npos);
}

TEST(CudaBackend, MixedCpuAndGpuPartialsMergeToTheWholeDigest) {
  std::string reason;
  auto cuda = cuda_or_skip_reason(&reason);
  if (cuda == nullptr) GTEST_SKIP() << reason;
  const JobSpec job = must_make_job("eemumu", {{"sqrt_s", "240"}}, 3'000'000, 6);
  CpuBackend cpu(3);
  const auto whole = run_job(job, 1, cpu);
  auto a = cuda->run(job, {0, 1'234'567}, nullptr);
  auto b = cpu.run(job, {1'234'567, 3'000'000}, nullptr);
  ASSERT_TRUE(whole.is_ok() && a.is_ok() && b.is_ok());
  Partial merged = *a;
  ASSERT_TRUE(merge_partial(merged, *b).is_ok());
  const auto result = finalize(job, merged);
  ASSERT_TRUE(result.is_ok());
  EXPECT_EQ(result->digest, whole->digest);
}

}  // namespace
}  // namespace hpchain::compute
