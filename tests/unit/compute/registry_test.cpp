// The open kernel registry: kernels registered from outside the engine (as
// the VM will) run on every backend path, merge by units, scan, and have
// tally shapes fixed only when the job is built. Includes a 300-slot tally
// through the emulated CUDA grid (the shared-memory reduction it replaced
// could not launch one).
#include <gtest/gtest.h>

#include "compute/cpu_backend.h"
#include "compute/kernels/native.h"
#include "compute/planner.h"
#include "compute/unit_result.h"
#include "test_support.h"

namespace hpchain::compute {
namespace {

using testing::must_make_job;

// A native kernel written outside compute/: 300 bins of a uniform weight.
struct WideHistogramKernel {
  static constexpr int kBins = 300;
  struct Params {
    double scale;
  };
  using TallyType = Tally<kBins, 1>;

  template <class TallyT>
  HPC_HD static void sample(const Params& p, PhiloxKey key, uint64_t index, uint32_t stream, TallyT& tally) {
    const PhiloxCounter w = sample_words(key, index, stream, 0);
    const int bin = static_cast<int>((top53(w.w[0], w.w[1]) * kBins) >> 53);
    tally.add(bin, p.scale * uniform_closed_open(w.w[2], w.w[3]));
  }

  static KernelInfo info() {
    return KernelInfo{"wide_histogram",
                      "test kernel: 300 bins of a uniform weight",
                      {{"scale", ParamType::kReal, false, 1.0, 1e-3, 1e3, {}, "weight scale"}},
                      {"bins"}};
  }
  static Params make_params(const ParamSet& params) { return Params{param_number(params, "scale")}; }
  static Result<std::vector<ResultField>> fields(const PointTally& tally) {
    ResultField bins{"bins", {}, true};
    for (const ExactSum& sum : tally.sums) {
      bins.values.push_back(sum.to_double() / static_cast<double>(tally.counts[0]));
    }
    return std::vector<ResultField>{std::move(bins)};
  }
};

// A kernel whose tally shape comes from its parameters, with a hand-written
// runner over the dynamic tally (what a VM kernel does).
KernelDescriptor runtime_shaped_descriptor() {
  KernelDescriptor d;
  d.info = {"runtime_bins",
            "test kernel: as many bins as parameter 'bins'",
            {{"bins", ParamType::kInteger, true, 0.0, 1.0, 2048.0, {}, "number of bins"}},
            {"bins"}};
  d.instantiate = [](const ParamSet& params) -> Result<KernelInstance> {
    const auto bins = static_cast<uint32_t>(param_number(params, "bins"));
    return KernelInstance{std::make_shared<const uint32_t>(bins), TallyShape{bins, 2}};
  };
  d.run_cpu = [](const KernelInstance& instance, PhiloxKey key, uint32_t stream, uint64_t begin,
                 uint64_t end, PointTally& into) {
    const uint32_t bins = *static_cast<const uint32_t*>(instance.args.get());
    for (uint64_t i = begin; i < end; ++i) {
      const PhiloxCounter w = sample_words(key, i, stream, 0);
      const uint64_t bin = (top53(w.w[0], w.w[1]) * bins) >> 53;
      into.sums[bin].add_double(uniform_closed_open(w.w[2], w.w[3]), into.flags, into.vanished);
      add_count(into.counts[1], bin == 0 ? 1 : 0, into.flags);
    }
    add_count(into.counts[0], end - begin, into.flags);
  };
  d.finalize = [](const KernelInstance&, const PointTally& tally) -> Result<std::vector<ResultField>> {
    return std::vector<ResultField>{{"first_bin_hits", {static_cast<double>(tally.counts[1])}, false}};
  };
  return d;
}

KernelRegistry extended_registry() {
  KernelRegistry registry;
  register_native_kernels(registry);
  EXPECT_TRUE(registry.add(native_descriptor<WideHistogramKernel>()).is_ok());
  EXPECT_TRUE(registry.add(runtime_shaped_descriptor()).is_ok());
  return registry;
}

JobSpec must_make(const KernelRegistry& registry, std::string_view kernel, const RawParams& raw,
                  uint64_t samples, uint64_t seed) {
  auto job = make_job(registry, kernel, raw, samples, seed);
  EXPECT_TRUE(job.is_ok()) << job.status().to_string();
  return std::move(job).value();
}

TEST(KernelRegistry, NativeKernelsAreRegisteredInOrder) {
  std::vector<std::string> names;
  for (const auto& kernel : native_kernels().kernels()) names.push_back(kernel->info.name);
  EXPECT_EQ(names, (std::vector<std::string>{"pi", "eemumu", "european_option"}));
  const auto catalog = kernel_catalog(native_kernels());
  ASSERT_EQ(catalog.size(), 4u);
  EXPECT_EQ(catalog.back().name, "param_scan");
}

TEST(KernelRegistry, NativeKernelsHaveCudaRunnersExactlyInCudaBuilds) {
#ifdef HPCHAIN_HAVE_CUDA
  const bool cuda_build = true;
#else
  const bool cuda_build = false;
#endif
  for (const auto& kernel : native_kernels().kernels()) {
    EXPECT_EQ(static_cast<bool>(kernel->run_cuda), cuda_build) << kernel->info.name;
  }
  // A kernel the CUDA backend does not know gets none.
  EXPECT_FALSE(static_cast<bool>(native_descriptor<WideHistogramKernel>().run_cuda));
}

TEST(KernelRegistry, RefusesDuplicatesReservedAndIncompleteKernels) {
  KernelRegistry registry;
  register_native_kernels(registry);
  EXPECT_EQ(registry.add(native_descriptor<PiKernel>()).code(), StatusCode::kAlreadyExists);
  KernelDescriptor scan = runtime_shaped_descriptor();
  scan.info.name = "param_scan";
  EXPECT_EQ(registry.add(scan).code(), StatusCode::kInvalidArgument);
  KernelDescriptor bad_name = runtime_shaped_descriptor();
  bad_name.info.name = "Has Space";
  EXPECT_EQ(registry.add(bad_name).code(), StatusCode::kInvalidArgument);
  KernelDescriptor no_runner = runtime_shaped_descriptor();
  no_runner.run_cpu = nullptr;
  const Status status = registry.add(no_runner);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("run_cpu"), std::string::npos) << status.message();
  EXPECT_EQ(registry.kernels().size(), 3u);
}

TEST(KernelRegistry, AKernelOfAnotherRegistryIsUnknownToTheNativeOne) {
  const auto job = make_job("wide_histogram", {}, 100, 1);
  ASSERT_FALSE(job.is_ok());
  EXPECT_NE(job.status().message().find("unknown kernel 'wide_histogram'"), std::string::npos);
}

TEST(KernelRegistry, AWideTallyGivesOneDigestOnCpuThreadsUnitsAndEmulatedGrids) {
  const KernelRegistry registry = extended_registry();
  const JobSpec job = must_make(registry, "wide_histogram", {{"scale", "2.5"}}, 70'001, 3);
  EXPECT_EQ(job.points[0].instance.shape, (TallyShape{300, 1}));
  CpuBackend one(1), three(3);
  const auto reference = run_job(job, 1, one);
  ASSERT_TRUE(reference.is_ok()) << reference.status().to_string();
  const auto threaded = run_job(job, 7, three);
  ASSERT_TRUE(threaded.is_ok());
  EXPECT_EQ(threaded->digest, reference->digest);
  for (const uint64_t threads : {1u, 5u, 256u, 1000u}) {
    Partial grid = empty_partial(job);
    grid.covered.push_back({0, job.samples});
    merge_into(grid.points[0],
               emulate_grid<WideHistogramKernel>(native_args<WideHistogramKernel>(job.points[0].instance),
                                                 philox_key_for_seed(job.seed), 0, 0, job.samples, threads));
    const auto result = finalize(job, grid);
    ASSERT_TRUE(result.is_ok()) << result.status().to_string();
    EXPECT_EQ(result->digest, reference->digest) << threads << " grid threads";
  }
  // The bins add up to scale * (mean of a uniform) = 1.25 per sample.
  double total = 0;
  for (double bin : reference->points[0].fields[0].values) total += bin;
  EXPECT_NEAR(total, 1.25, 0.01);
}

TEST(KernelRegistry, TallyShapesComeFromTheJob) {
  const KernelRegistry registry = extended_registry();
  for (const uint32_t bins : {1u, 5u, 700u}) {
    const JobSpec job = must_make(registry, "runtime_bins", {{"bins", std::to_string(bins)}}, 40'000, 9);
    EXPECT_EQ(job.points[0].instance.shape, (TallyShape{bins, 2}));
    CpuBackend one(1), two(2);
    const auto whole = run_job(job, 1, one);
    const auto split = run_job(job, 13, two);
    ASSERT_TRUE(whole.is_ok() && split.is_ok());
    EXPECT_EQ(split->digest, whole->digest);
    // About 1/bins of the samples land in bin 0.
    const double hits = testing::field(whole->points[0], "first_bin_hits");
    EXPECT_NEAR(hits / 40'000.0, 1.0 / bins, 0.02) << bins;
  }
  const JobSpec five = must_make(registry, "runtime_bins", {{"bins", "5"}}, 1000, 9);
  const JobSpec six = must_make(registry, "runtime_bins", {{"bins", "6"}}, 1000, 9);
  CpuBackend cpu(1);
  auto partial = cpu.run(six, {0, 1000}, nullptr);
  ASSERT_TRUE(partial.is_ok());
  const auto mismatched = finalize(five, *partial);
  ASSERT_FALSE(mismatched.is_ok());
  EXPECT_NE(mismatched.status().message().find("layout"), std::string::npos) << mismatched.status().message();
}

TEST(KernelRegistry, ADeclaredShapeBeyondTheLimitIsRefused) {
  KernelRegistry registry;
  KernelDescriptor huge = runtime_shaped_descriptor();
  huge.instantiate = [](const ParamSet&) -> Result<KernelInstance> {
    return KernelInstance{std::make_shared<const uint32_t>(1), TallyShape{kMaxTallySlots + 1, 1}};
  };
  ASSERT_TRUE(registry.add(huge).is_ok());
  const auto job = make_job(registry, "runtime_bins", {{"bins", "1"}}, 10, 1);
  ASSERT_FALSE(job.is_ok());
  EXPECT_NE(job.status().message().find("4097 sums"), std::string::npos) << job.status().message();
}

TEST(KernelRegistry, ParamScanWorksOverAnyRegisteredKernel) {
  const KernelRegistry registry = extended_registry();
  const JobSpec job = must_make(registry, "param_scan",
                                {{"kernel", "wide_histogram"}, {"scan", "scale"}, {"from", "1"},
                                 {"to", "4"}, {"points", "4"}},
                                8'000, 2);
  ASSERT_EQ(job.points.size(), 4u);
  EXPECT_EQ(job.descriptor->info.name, "wide_histogram");
  CpuBackend cpu(2);
  const auto result = run_job(job, 3, cpu);
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  // Each point's bins sum to scale / 2.
  for (size_t p = 0; p < 4; ++p) {
    double total = 0;
    for (double bin : result->points[p].fields[0].values) total += bin;
    EXPECT_NEAR(total, (1.0 + static_cast<double>(p)) / 2.0, 0.05) << p;
  }
  const auto integer_param = make_job(registry, "param_scan",
                                      {{"kernel", "runtime_bins"}, {"scan", "bins"}, {"from", "1"},
                                       {"to", "4"}, {"points", "4"}},
                                      8'000, 2);
  ASSERT_FALSE(integer_param.is_ok());
  EXPECT_NE(integer_param.status().message().find("no real parameter 'bins'"), std::string::npos);
  const auto unknown = make_job(registry, "param_scan",
                                {{"kernel", "nope"}, {"scan", "x"}, {"from", "1"}, {"to", "4"}}, 48, 2);
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.status().message().find("no kernel 'nope'"), std::string::npos);
}

TEST(KernelRegistry, UnitFilesResolveTheirKernelInTheGivenRegistry) {
  const KernelRegistry registry = extended_registry();
  const JobSpec job = must_make(registry, "runtime_bins", {{"bins", "17"}}, 5'000, 4);
  CpuBackend cpu(1);
  auto partial = cpu.run(job, {0, 2'000}, nullptr);
  ASSERT_TRUE(partial.is_ok());
  const Hash32 job_id = sha256(as_bytes(std::string("job")));
  const Bytes file = encode_unit_file(job, make_unit_result(job, job_id, std::move(partial).value()));
  const auto decoded = decode_unit_file(registry, file);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->job.spec_id, job.spec_id);
  const auto native_only = decode_unit_file(file);
  ASSERT_FALSE(native_only.is_ok());
  EXPECT_NE(native_only.status().message().find("unknown kernel 'runtime_bins'"), std::string::npos);
}

TEST(GridPlan, BlocksAreFullSizedForAnyTallyAndWithinTheMemoryBudget) {
  // 132 SMs (an H100): a small tally gets the device cap, a big one the
  // memory cap, a tiny range one block; never fewer than 256 threads.
  EXPECT_EQ(plan_grid(uint64_t{1} << 34, 64, 132).blocks, 132u * kGridBlocksPerMultiprocessor);
  EXPECT_EQ(plan_grid(1000, 64, 132).blocks, 1u);
  const uint64_t big_tally = sizeof(Tally<4096, 1>);
  const GridPlan big = plan_grid(uint64_t{1} << 34, big_tally, 132);
  EXPECT_GE(big.blocks, 1u);
  EXPECT_LE(big.threads() * big_tally, kGridSlotBudgetBytes);
  EXPECT_EQ(first_reduce_stride(1), 0u);
  EXPECT_EQ(first_reduce_stride(300), 256u);
  EXPECT_EQ(first_reduce_stride(256), 128u);
}

}  // namespace
}  // namespace hpchain::compute
