// Samples per second of each shipped VM example next to the native kernel
// with the same physics, in the same run, one CPU thread (the ratio is what
// the target names: CPU VM >= 25% of native). Run with
// --benchmark_enable_random_interleaving=true.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "vm/compiler.h"
#include "vm/kernel.h"

namespace hpchain::vm {
namespace {

constexpr uint64_t kSamples = uint64_t{1} << 21;

compute::KernelRegistry& registry() {
  static compute::KernelRegistry r = [] {
    compute::KernelRegistry out;
    compute::register_native_kernels(out);
    return out;
  }();
  return r;
}

// The example's source, less every line that starts with one of `drop`.
std::string example_source(const char* file, const std::vector<std::string>& drop = {}) {
  std::ifstream in(std::string(HPCHAIN_SOURCE_DIR) + "/vm/examples/" + file);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    bool keep = true;
    for (const auto& d : drop) keep = keep && line.rfind(d, 0) != 0;
    if (keep) out += line + "\n";
  }
  return out;
}

std::string program_kernel(const char* file, const std::vector<std::string>& drop = {}) {
  auto program = compile_source(example_source(file, drop));
  HPC_ASSERT(program.is_ok());
  auto shared = std::make_shared<const VerifiedProgram>(std::move(program).value());
  HPC_ASSERT(register_program(registry(), shared).is_ok());
  return kernel_name(shared->id);
}

void run(benchmark::State& state, const std::string& kernel, const compute::RawParams& raw) {
  auto job = compute::make_job(registry(), kernel, raw, kSamples, 42);
  HPC_ASSERT(job.is_ok());
  compute::CpuBackend cpu(1);
  for (auto _ : state) {
    auto result = compute::run_job(*job, 1, cpu);
    HPC_ASSERT(result.is_ok());
    benchmark::DoNotOptimize(result->digest);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kSamples));
}

void BM_PiNative(benchmark::State& s) { run(s, "pi", {}); }
void BM_PiVm(benchmark::State& s) { static const std::string k = program_kernel("pi.hk"); run(s, k, {}); }
void BM_EemumuNative(benchmark::State& s) { run(s, "eemumu", {{"sqrt_s", "240"}}); }
void BM_EemumuVm(benchmark::State& s) {
  static const std::string k = program_kernel("eemumu.hk");
  run(s, k, {{"sqrt_s", "240"}});
}
// eemumu.hk with only the native kernel's outputs (sigma and the
// histogram): the same work as the native kernel, so the ratio is the
// interpreter's alone.
void BM_EemumuVmNativeOutputs(benchmark::State& s) {
  static const std::string k = program_kernel("eemumu.hk", {"tally forward_minus_backward", "result afb"});
  run(s, k, {{"sqrt_s", "240"}});
}
void BM_OptionNative(benchmark::State& s) { run(s, "european_option", {}); }
void BM_OptionVm(benchmark::State& s) {
  static const std::string k = program_kernel("european_option.hk");
  run(s, k, {});
}
void BM_Integral5dVm(benchmark::State& s) {
  static const std::string k = program_kernel("integral5d.hk");
  run(s, k, {});
}
void BM_EezhVm(benchmark::State& s) {
  static const std::string k = program_kernel("eezh.hk");
  run(s, k, {{"sqrt_s", "240"}});
}

BENCHMARK(BM_PiNative)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PiVm)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EemumuNative)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EemumuVm)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EemumuVmNativeOutputs)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_OptionNative)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_OptionVm)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Integral5dVm)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EezhVm)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace hpchain::vm
