// A longer simulation run for the `slow` label: more seeds, and sets up to
// 31 validators, with every fault kind on.
#include <gtest/gtest.h>

#include "tests/sim/simulator.h"

namespace hpchain::sim {
namespace {

uint64_t failures(SimConfig config, uint64_t first, uint64_t count) {
  uint64_t bad = 0;
  for (uint64_t s = first; s < first + count; ++s) {
    config.seed = s;
    const SeedResult r = run_seed(config);
    if (!r.violations.empty() || r.stalled) {
      ++bad;
      ADD_FAILURE() << describe(r) << "\n  " << r.schedule;
    }
  }
  return bad;
}

TEST(SimulatorSlowTest, TwentyThousandSeedsAllFaults) {
  EXPECT_EQ(failures(SimConfig{}, 100000, 20000), 0u);
}

TEST(SimulatorSlowTest, UpToThirtyOneValidatorsAllFaults) {
  SimConfig config;
  config.max_validators = 31;
  EXPECT_EQ(failures(config, 200000, 500), 0u);
}

}  // namespace
}  // namespace hpchain::sim
