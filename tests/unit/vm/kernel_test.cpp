// The shipped examples as compute jobs: the VM's pi, eemumu and
// european_option give the native kernels' tallies and fields bit for bit
// (where the operations are written in the native order), results do not
// depend on partitions or threads, integral5d meets its closed form,
// eezh its published tree-level cross section, and a non-finite tally
// fails the job as a native kernel's does.
#include "tests/unit/vm/vm_test_util.h"

#include <cmath>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "vm/kernel.h"

namespace hpchain::vm {
namespace {

using compute::CpuBackend;
using compute::JobSpec;
using compute::Partial;
using compute::PointResult;
using compute::RawParams;

struct Registry {
  compute::KernelRegistry registry;
  Registry() { compute::register_native_kernels(registry); }
  std::string add_example(const char* file) {
    const auto program = testing::must_compile(testing::example_source(file));
    EXPECT_NE(program, nullptr);
    EXPECT_TRUE(register_program(registry, program).is_ok());
    return kernel_name(program->id);
  }
  JobSpec job(const std::string& kernel, const RawParams& raw, uint64_t samples, uint64_t seed) {
    auto job = compute::make_job(registry, kernel, raw, samples, seed);
    EXPECT_TRUE(job.is_ok()) << job.status().message();
    return std::move(job).value();
  }
};

Partial run_whole(const JobSpec& job, unsigned threads = 2) {
  CpuBackend cpu(threads);
  auto partial = cpu.run(job, {0, job.samples}, nullptr);
  EXPECT_TRUE(partial.is_ok()) << partial.status().message();
  return std::move(partial).value();
}

PointResult result_of(const JobSpec& job, uint64_t partitions = 1) {
  CpuBackend cpu(2);
  auto result = compute::run_job(job, partitions, cpu);
  EXPECT_TRUE(result.is_ok()) << result.status().message();
  return result.is_ok() ? result->points.at(0) : PointResult{};
}

const compute::ResultField& field(const PointResult& r, const std::string& name) {
  for (const auto& f : r.fields) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no field " << name;
  static const compute::ResultField kNone{};
  return kNone;
}
double value(const PointResult& r, const std::string& name) {
  const auto& f = field(r, name);
  return f.values.empty() ? NAN : f.values[0];
}

TEST(VmKernel, PiCountsTheSameSamplesAsTheNativeKernel) {
  Registry r;
  const std::string vm = r.add_example("pi.hk");
  const Partial native = run_whole(r.job("pi", {}, 200'000, 7));
  const Partial program = run_whole(r.job(vm, {}, 200'000, 7));
  ASSERT_EQ(program.points[0].counts, native.points[0].counts);  // samples and hits
  const PointResult n = result_of(r.job("pi", {}, 200'000, 7));
  const PointResult v = result_of(r.job(vm, {}, 200'000, 7));
  EXPECT_EQ(value(v, "pi"), value(n, "pi"));
  // The native error is the binomial 4 sqrt(p (1 - p) / n); err() is the
  // sample standard error, which has n - 1: equal to 1 part in 2n.
  EXPECT_NEAR(value(v, "pi_err"), value(n, "pi_err"), 1e-5 * value(n, "pi_err"));
  EXPECT_NE(value(v, "pi_err"), value(n, "pi_err"));
}

TEST(VmKernel, EemumuSigmaAndHistogramAreTheNativeOnesBitForBit) {
  Registry r;
  const std::string vm = r.add_example("eemumu.hk");
  for (const char* z : {"1", "0"}) {
    const RawParams raw = {{"sqrt_s", "91.1876"}, {"z_exchange", z}};
    const PointResult n = result_of(r.job("eemumu", raw, 100'000, 3));
    const PointResult v = result_of(r.job(vm, raw, 100'000, 3));
    EXPECT_EQ(value(v, "sigma_pb"), value(n, "sigma_pb")) << z;
    EXPECT_EQ(value(v, "sigma_pb_err"), value(n, "sigma_pb_err")) << z;
    // The native histogram is sum w per bin over n; so is the VM's.
    EXPECT_EQ(field(v, "cos_theta").values, field(n, "hist_cos_theta").values) << z;
    // A_FB: same estimator, another order of summation: equal to rounding.
    EXPECT_NEAR(value(v, "afb"), value(n, "afb"), 1e-12) << z;
    EXPECT_EQ(value(v, "cos_theta_under"), 0.0);
    EXPECT_EQ(value(v, "cos_theta_over"), 0.0);
  }
}

TEST(VmKernel, EuropeanOptionPriceIsTheNativeOneBitForBit) {
  Registry r;
  const std::string vm = r.add_example("european_option.hk");
  const Partial native = run_whole(r.job("european_option", {{"sigma", "0.3"}}, 100'000, 5));
  const Partial program = run_whole(r.job(vm, {{"sigma", "0.3"}}, 100'000, 5));
  ASSERT_EQ(program.points[0].sums.size(), native.points[0].sums.size());
  for (size_t k = 0; k < native.points[0].sums.size(); ++k) {
    EXPECT_EQ(program.points[0].sums[k].to_double(), native.points[0].sums[k].to_double()) << k;
  }
  const PointResult n = result_of(r.job("european_option", {{"type", "put"}}, 50'000, 9));
  const PointResult v = result_of(r.job(vm, {{"put", "1"}}, 50'000, 9));
  EXPECT_EQ(value(v, "price"), value(n, "price"));
  EXPECT_EQ(value(v, "price_err"), value(n, "price_err"));
}

TEST(VmKernel, ResultsDoNotDependOnPartitionsOrThreads) {
  Registry r;
  const std::string vm = r.add_example("integral5d.hk");
  const JobSpec job = r.job(vm, {{"a", "0.5"}}, 30'001, 4);
  CpuBackend one(1), two(2);
  const auto a = compute::run_job(job, 1, one);
  const auto b = compute::run_job(job, 7, two);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->digest, b->digest);
  // The program is part of the identity: the same job of another program
  // (here, one more comment changes nothing; one more operation does).
  const auto other = testing::must_compile(testing::example_source("integral5d.hk") + "tally extra += 1.0\n");
  EXPECT_NE(kernel_name(other->id), vm);
}

TEST(VmKernel, Integral5dMeetsItsClosedForm) {
  Registry r;
  const std::string vm = r.add_example("integral5d.hk");
  for (const char* a : {"0.1", "1", "5"}) {
    const PointResult v = result_of(r.job(vm, {{"a", a}}, 200'000, 21));
    const double exact = std::pow(std::sqrt(M_PI / (4.0 * std::atof(a))) * std::erf(std::sqrt(std::atof(a))), 5);
    EXPECT_NEAR(value(v, "exact"), exact, 1e-14 * exact) << a;
    EXPECT_LT(std::fabs(value(v, "pull")), 5.0) << a;
    EXPECT_LT(std::fabs(value(v, "integral") - exact), 5.0 * value(v, "integral_err")) << a;
  }
}

TEST(VmKernel, EezhGivesTheTreeLevelCrossSection) {
  // Reference: the closed form sigma = GF^2 mZ^4/(96 pi s) (ve^2 + ae^2)
  // sqrt(lam) (lam + 12 mZ^2/s) / (1 - mZ^2/s)^2, evaluated here:
  // 0.238721 pb at 240 GeV, 0.238563 pb at 250 GeV.
  Registry r;
  const std::string vm = r.add_example("eezh.hk");
  for (double sqrt_s : {240.0, 250.0, 500.0}) {
    const double s = sqrt_s * sqrt_s, mz = 91.1876, mh = 125.0, gf = 1.1663787e-5, ve = -1 + 4 * 0.2312;
    const double lam = (1 - (mh + mz) * (mh + mz) / s) * (1 - (mh - mz) * (mh - mz) / s);
    const double sigma = 0.3893793721e9 * gf * gf * std::pow(mz, 4) / (96 * M_PI * s) * (ve * ve + 1) * std::sqrt(lam) *
                         (lam + 12 * mz * mz / s) / std::pow(1 - mz * mz / s, 2);
    const PointResult v = result_of(r.job(vm, {{"sqrt_s", std::to_string(sqrt_s)}}, 100'000, 8));
    EXPECT_LT(std::fabs(value(v, "sigma_pb") - sigma), 5.0 * value(v, "sigma_pb_err")) << sqrt_s;
    EXPECT_GT(value(v, "sigma_pb_err"), 0.0);
    if (sqrt_s == 240.0) {
      EXPECT_NEAR(sigma, 0.238721, 1e-6);
    }
  }
  // Below threshold: no events.
  const PointResult below = result_of(r.job(vm, {{"sqrt_s", "200"}}, 1000, 8));
  EXPECT_EQ(value(below, "sigma_pb"), 0.0);
}

TEST(VmKernel, ANonFiniteTallyFailsTheJobLikeANativeKernel) {
  Registry r;
  const auto program = testing::must_compile("param x: f64 = 0 in [0, 1]\ntally t += 1.0 / (uniform() * x)\n");
  ASSERT_TRUE(register_program(r.registry, program).is_ok());
  CpuBackend cpu(2);
  const auto result = compute::run_job(r.job(kernel_name(program->id), {}, 1000, 1), 2, cpu);
  ASSERT_FALSE(result.is_ok());
  EXPECT_NE(result.status().message().find("NaN or infinity"), std::string::npos) << result.status().message();
  // With x > 0 the same program runs.
  EXPECT_TRUE(compute::run_job(r.job(kernel_name(program->id), {{"x", "1"}}, 1000, 1), 2, cpu).is_ok());
}

}  // namespace
}  // namespace hpchain::vm
