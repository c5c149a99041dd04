// Samples per second of each kernel on the CPU backend (all cores) next to
// a raw Philox + arithmetic loop on the same cores (raw_loops.h), in the
// same run; docs/performance.md reports the ratios.
#include <benchmark/benchmark.h>

#include <thread>

#include "compute/cpu_backend.h"
#include "compute/kernels/host.h"
#include "compute/planner.h"
#include "raw_loops.h"

namespace hpchain::compute {
namespace {

constexpr uint64_t kSamples = uint64_t{1} << 23;

unsigned all_cores() { return std::max(1u, std::thread::hardware_concurrency()); }

JobSpec job_for(const char* kernel, const RawParams& raw) {
  auto job = make_job(kernel, raw, kSamples, 42);
  HPC_ASSERT(job.is_ok());
  return std::move(job).value();
}

void run_backend(benchmark::State& state, const JobSpec& job) {
  CpuBackend cpu(all_cores());
  for (auto _ : state) {
    auto result = run_job(job, 1, cpu);
    HPC_ASSERT(result.is_ok());
    benchmark::DoNotOptimize(result->digest);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSamples));
  state.counters["threads"] = cpu.threads();
}

void BM_RawPi(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(bench::raw_pi(kSamples, all_cores(), 42));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSamples));
}
void BM_BackendPi(benchmark::State& state) { run_backend(state, job_for("pi", {})); }

void BM_RawEemumu(benchmark::State& state) {
  const JobSpec job = job_for("eemumu", {{"sqrt_s", "240"}});
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        bench::raw_eemumu(kSamples, all_cores(), 42, job.points[0].params.eemumu.coefficients));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSamples));
}
void BM_BackendEemumu(benchmark::State& state) {
  run_backend(state, job_for("eemumu", {{"sqrt_s", "240"}}));
}

void BM_RawEuropeanOption(benchmark::State& state) {
  const JobSpec job = job_for("european_option", {});
  for (auto _ : state) {
    benchmark::DoNotOptimize(bench::raw_option(kSamples, all_cores(), 42, job.points[0].params.option));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSamples));
}
void BM_BackendEuropeanOption(benchmark::State& state) {
  run_backend(state, job_for("european_option", {}));
}

// Pairs run back to back so each ratio compares neighbours in time.
BENCHMARK(BM_RawPi)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BackendPi)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RawEemumu)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BackendEemumu)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RawEuropeanOption)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BackendEuropeanOption)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace hpchain::compute
