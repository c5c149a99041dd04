// The VM's GPU path without a GPU: the grid decomposition and the exact
// reduction of vm/grid.h, run on the CPU for several grid sizes, give the
// CPU runner's tally bit for bit. With a CUDA device the real runner must
// give the same digest (skipped without one).
#include "tests/unit/vm/vm_test_util.h"

#include <algorithm>
#include <iterator>

#include "compute/backend.h"
#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "vm/grid.h"
#include "vm/kernel.h"

namespace hpchain::vm {
namespace {

struct Example {
  const char* file;
  compute::RawParams params;
};

const Example kExamples[] = {{"pi.hk", {}},
                             {"eemumu.hk", {{"sqrt_s", "91.1876"}}},
                             {"european_option.hk", {{"put", "1"}}},
                             {"integral5d.hk", {}},
                             {"eezh.hk", {{"sqrt_s", "240"}}}};

compute::JobSpec job_of(compute::KernelRegistry& registry, const Example& e, uint64_t samples) {
  const auto program = testing::must_compile(testing::example_source(e.file));
  EXPECT_TRUE(register_program(registry, program).is_ok());
  auto job = compute::make_job(registry, kernel_name(program->id), e.params, samples, 17);
  EXPECT_TRUE(job.is_ok()) << job.status().message();
  return std::move(job).value();
}

void expect_same(const compute::PointTally& a, const compute::PointTally& b, const std::string& what) {
  ASSERT_EQ(a.sums.size(), b.sums.size()) << what;
  for (size_t k = 0; k < a.sums.size(); ++k) {
    EXPECT_TRUE(std::equal(std::begin(a.sums[k].limb), std::end(a.sums[k].limb), std::begin(b.sums[k].limb)))
        << what << " sum " << k;
  }
  EXPECT_EQ(a.counts, b.counts) << what;
  EXPECT_EQ(a.flags, b.flags) << what;
  EXPECT_EQ(a.vanished, b.vanished) << what;
}

TEST(VmGrid, EmulatedGridsGiveTheCpuRunnersTallyBitForBit) {
  compute::KernelRegistry registry;
  for (const Example& e : kExamples) {
    const compute::JobSpec job = job_of(registry, e, 20'011);
    compute::CpuBackend cpu(2);
    auto partial = cpu.run(job, {0, job.samples}, nullptr);
    ASSERT_TRUE(partial.is_ok()) << partial.status().message();
    const auto& args = *static_cast<const ProgramArgs*>(job.points[0].instance.args.get());
    for (uint64_t threads : {1u, 7u, 256u, 1000u}) {
      const compute::PointTally grid = emulate_program_grid(args.view(), job.points[0].instance.shape,
                                                            compute::philox_key_for_seed(job.seed), 0, 0, job.samples,
                                                            threads);
      expect_same(grid, partial->points[0], std::string(e.file) + " with " + std::to_string(threads) + " threads");
    }
  }
}

TEST(VmGrid, TheCudaRunnerGivesTheCpuDigest) {
  auto cuda = compute::make_backend(compute::BackendKind::kCuda);
  if (!cuda.is_ok()) GTEST_SKIP() << "no CUDA device: " << cuda.status().message();
  compute::KernelRegistry registry;
  for (const Example& e : kExamples) {
    const compute::JobSpec job = job_of(registry, e, 1'000'003);
    compute::CpuBackend cpu(2);
    const auto on_cpu = compute::run_job(job, 3, cpu);
    const auto on_gpu = compute::run_job(job, 3, **cuda);
    ASSERT_TRUE(on_cpu.is_ok() && on_gpu.is_ok()) << e.file;
    EXPECT_EQ(on_gpu->digest, on_cpu->digest) << e.file;
  }
}

}  // namespace
}  // namespace hpchain::vm
