// Samples per second of each kernel on the CPU backend next to, in the same
// run and on the same threads (1 and all cores):
//   Raw:   the same Philox draws and arithmetic with plain double sums
//          (raw_loops.h): the framework's overhead;
//   Naive: what a user would write instead, std::mt19937_64, <random>
//          distributions and glibc libm (naive_loops.h): the price of
//          determinism.
// And the per-unit overhead of a partitioned job. docs/performance.md
// reports the ratios; run with --benchmark_enable_random_interleaving=true.
#include <benchmark/benchmark.h>

#include <thread>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "naive_loops.h"
#include "raw_loops.h"

namespace hpchain::compute {
namespace {

constexpr uint64_t kSamples = uint64_t{1} << 23;

unsigned all_cores() { return std::max(1u, std::thread::hardware_concurrency()); }

JobSpec job_for(const char* kernel, const RawParams& raw, uint64_t samples = kSamples) {
  auto job = make_job(kernel, raw, samples, 42);
  HPC_ASSERT(job.is_ok());
  return std::move(job).value();
}

const JobSpec& eemumu_job() {
  static const JobSpec job = job_for("eemumu", {{"sqrt_s", "240"}});
  return job;
}
const JobSpec& option_job() {
  static const JobSpec job = job_for("european_option", {});
  return job;
}

unsigned threads_of(const benchmark::State& state) {
  return state.range(0) == 0 ? all_cores() : static_cast<unsigned>(state.range(0));
}

void run_backend(benchmark::State& state, const JobSpec& job) {
  CpuBackend cpu(threads_of(state));
  for (auto _ : state) {
    auto result = run_job(job, 1, cpu);
    HPC_ASSERT(result.is_ok());
    benchmark::DoNotOptimize(result->digest);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * job.samples));
  state.counters["threads"] = cpu.threads();
}

template <class Loop>
void run_loop(benchmark::State& state, Loop loop) {
  const unsigned threads = threads_of(state);
  for (auto _ : state) benchmark::DoNotOptimize(loop(threads));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSamples));
  state.counters["threads"] = threads;
}

void BM_BackendPi(benchmark::State& state) { run_backend(state, job_for("pi", {})); }
void BM_RawPi(benchmark::State& state) {
  run_loop(state, [](unsigned t) { return bench::raw_pi(kSamples, t, 42); });
}
void BM_NaivePi(benchmark::State& state) {
  run_loop(state, [](unsigned t) { return bench::naive_pi(kSamples, t, 42); });
}

void BM_BackendEemumu(benchmark::State& state) { run_backend(state, eemumu_job()); }
void BM_RawEemumu(benchmark::State& state) {
  const auto& k = native_args<EemumuKernel>(eemumu_job().points[0].instance).coefficients;
  run_loop(state, [&](unsigned t) { return bench::raw_eemumu(kSamples, t, 42, k); });
}
void BM_NaiveEemumu(benchmark::State& state) {
  const auto& k = native_args<EemumuKernel>(eemumu_job().points[0].instance).coefficients;
  run_loop(state, [&](unsigned t) { return bench::naive_eemumu(kSamples, t, 42, k); });
}

void BM_BackendEuropeanOption(benchmark::State& state) { run_backend(state, option_job()); }
void BM_RawEuropeanOption(benchmark::State& state) {
  const auto& p = native_args<EuropeanOptionKernel>(option_job().points[0].instance);
  run_loop(state, [&](unsigned t) { return bench::raw_option(kSamples, t, 42, p); });
}
void BM_NaiveEuropeanOption(benchmark::State& state) {
  const auto& p = native_args<EuropeanOptionKernel>(option_job().points[0].instance);
  run_loop(state, [&](unsigned t) { return bench::naive_option(kSamples, t, 42, p); });
}

// A 10^8-sample pi job in P units, one backend, all cores: the time above
// P = 1, divided by P, is the per-unit overhead.
void BM_PiUnits(benchmark::State& state) {
  const JobSpec job = job_for("pi", {}, 100000000);
  const uint64_t units = static_cast<uint64_t>(state.range(0));
  CpuBackend cpu(all_cores());
  for (auto _ : state) {
    auto result = run_job(job, units, cpu);
    HPC_ASSERT(result.is_ok());
    benchmark::DoNotOptimize(result->digest);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * job.samples));
  state.counters["units"] = static_cast<double>(units);
}

// Arg: threads (0 = all cores).
#define HPC_KERNEL_BENCH(name) \
  BENCHMARK(name)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime()
HPC_KERNEL_BENCH(BM_BackendPi);
HPC_KERNEL_BENCH(BM_RawPi);
HPC_KERNEL_BENCH(BM_NaivePi);
HPC_KERNEL_BENCH(BM_BackendEemumu);
HPC_KERNEL_BENCH(BM_RawEemumu);
HPC_KERNEL_BENCH(BM_NaiveEemumu);
HPC_KERNEL_BENCH(BM_BackendEuropeanOption);
HPC_KERNEL_BENCH(BM_RawEuropeanOption);
HPC_KERNEL_BENCH(BM_NaiveEuropeanOption);
BENCHMARK(BM_PiUnits)->Arg(1)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace hpchain::compute
