// Simulated consensus throughput without faults: committed blocks and
// delivered messages per second of wall time, for n = 4, 16 and 31, with the
// simulator's keyed-hash signatures and (for comparison) real secp256k1.
#include <benchmark/benchmark.h>

#include "tests/sim/simulator.h"

namespace {

void run(benchmark::State& state, bool real_crypto) {
  hpchain::sim::SimConfig config;
  config.faults = hpchain::sim::FaultSet::none();
  config.validators = static_cast<uint32_t>(state.range(0));
  config.run_ms = 10000;  // ten virtual seconds per iteration
  config.real_crypto = real_crypto;
  uint64_t blocks = 0;
  uint64_t messages = 0;
  for (auto _ : state) {
    const auto r = hpchain::sim::run_seed(config);
    if (!r.violations.empty()) state.SkipWithError("invariant violated");
    blocks += r.max_committed_height;
    messages += r.messages_delivered;
  }
  state.counters["blocks_per_s"] = benchmark::Counter(static_cast<double>(blocks), benchmark::Counter::kIsRate);
  state.counters["messages_per_s"] =
      benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
  state.counters["blocks_per_virtual_s"] =
      benchmark::Counter(static_cast<double>(blocks) / 10.0, benchmark::Counter::kAvgIterations);
}

void BM_SimNoFaults(benchmark::State& state) { run(state, false); }
void BM_SimNoFaultsRealCrypto(benchmark::State& state) { run(state, true); }

BENCHMARK(BM_SimNoFaults)->Arg(4)->Arg(16)->Arg(31)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimNoFaultsRealCrypto)->Arg(4)->Arg(16)->Arg(31)->Unit(benchmark::kMillisecond);

}  // namespace
