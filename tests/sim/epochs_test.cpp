// Epoch changes and state certificates in the simulator: validator sets
// change while faults run (joins, leaves, power changes, a byzantine
// validator in every set) with no violation or stall, instances left
// behind catch up through the epoch-change proof, runs replay exactly,
// and a validator whose state diverges halts with the divergence error
// while the others go on.
#include <gtest/gtest.h>

#include "tests/sim/simulator.h"

namespace hpchain::sim {
namespace {

size_t occurrences(const std::string& text, const std::string& word) {
  size_t n = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

struct EpochTally {
  uint64_t bad = 0;
  uint64_t epochs = 0;
  uint64_t epoch_syncs = 0;
  uint64_t certified = 0;
  uint64_t latency_samples = 0;
  uint64_t byzantine_seeds = 0;
  uint64_t joiner_seeds = 0;
  uint64_t byzantine_first_leaders = 0;  // epochs whose first proposal is a byzantine one
};

EpochTally run_epochs(SimConfig config, uint64_t first, uint64_t count) {
  EpochTally t;
  for (uint64_t s = first; s < first + count; ++s) {
    config.seed = s;
    const SeedResult r = run_seed(config);
    if (!r.violations.empty() || r.stalled) {
      ++t.bad;
      ADD_FAILURE() << describe(r) << "\n  " << r.schedule;
      if (t.bad > 3) break;
      continue;
    }
    // Liveness includes every honest instance reaching the last epoch.
    EXPECT_EQ(r.epochs, occurrences(r.schedule, "reconfig(")) << r.schedule;
    t.epochs += r.epochs;
    t.epoch_syncs += r.epoch_syncs;
    t.certified += r.certified_heights;
    t.latency_samples += r.cert_latency_samples;
    const size_t roles_end = r.schedule.find(']');
    const std::string roles = r.schedule.substr(0, roles_end);
    t.byzantine_seeds += occurrences(roles, "equivocator") + occurrences(roles, "double-voter") +
                                 occurrences(roles, "garbage") > 0;
    t.joiner_seeds += r.schedule.find("joiners=") != std::string::npos;
    t.byzantine_first_leaders += occurrences(r.schedule, "byzantine-first-leader");
  }
  return t;
}

TEST(SimulatorEpochsTest, SetChangesUnderAllFaultsHaveNoViolationsOrStalls) {
  SimConfig config;
  config.faults = *FaultSet::parse("all,epochs");
  const EpochTally t = run_epochs(config, 1, 400);
  EXPECT_EQ(t.bad, 0u);
  EXPECT_GE(t.epochs, 400u);          // one to three changes per seed
  EXPECT_GT(t.epoch_syncs, 20u);      // instances behind caught up through the proof
  EXPECT_GT(t.certified, 400u * 10);  // every executed height gets certified somewhere
  EXPECT_GT(t.latency_samples, 0u);
  EXPECT_GT(t.byzantine_seeds, 300u);  // a byzantine validator in every set when the kinds allow
  EXPECT_GT(t.joiner_seeds, 200u);
  EXPECT_GT(t.byzantine_first_leaders, 150u);  // one byzantine leader at the boundary
}

TEST(SimulatorEpochsTest, SetChangesWithoutOtherFaultsAndWithLargeSetsOrRealSignatures) {
  SimConfig config;
  config.faults = *FaultSet::parse("epochs");
  EXPECT_EQ(run_epochs(config, 1, 200).bad, 0u);
  config.faults = *FaultSet::parse("all,epochs");
  config.validators = 16;
  EXPECT_EQ(run_epochs(config, 1, 10).bad, 0u);
  config.validators = 0;
  config.max_validators = 7;
  config.real_crypto = true;
  EXPECT_EQ(run_epochs(config, 1, 5).bad, 0u);
}

TEST(SimulatorEpochsTest, AnEpochRunReplaysExactly) {
  SimConfig config;
  config.faults = *FaultSet::parse("all,epochs");
  config.seed = 7;
  const SeedResult a = run_seed(config);
  const SeedResult b = run_seed(config);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.schedule, b.schedule);
  EXPECT_EQ(a.epoch_syncs, b.epoch_syncs);
  EXPECT_NE(a.schedule.find("reconfig("), std::string::npos);
}

TEST(SimulatorEpochsTest, ADivergingValidatorHaltsWithTheDivergenceErrorWhileTheOthersGoOn) {
  SimConfig config;
  config.faults = FaultSet::none();
  config.validators = 4;
  config.run_ms = 20000;
  config.diverge_validator = 1;
  config.diverge_height = 5;
  const SeedResult r = run_seed(config);
  EXPECT_TRUE(r.violations.empty()) << describe(r);
  ASSERT_EQ(r.halts.size(), 1u);
  EXPECT_EQ(r.halts[0].rfind("instance 1: state divergence at height 5: our state root ", 0), 0u) << r.halts[0];
  EXPECT_NE(r.halts[0].find(", certified state root "), std::string::npos);
  // Three of four hold a quorum: the chain goes on without the halted one.
  EXPECT_GT(r.min_committed_height, 15u);
  EXPECT_GT(r.certified_heights, 15u);
  // Without the divergence nobody halts.
  config.diverge_height = 0;
  EXPECT_TRUE(run_seed(config).halts.empty());
}

TEST(SimulatorEpochsTest, TheEpochsKindParsesAndIsNotInAll) {
  EXPECT_FALSE(FaultSet::parse("all")->epochs);
  EXPECT_EQ(FaultSet::parse("epochs,crash")->to_string(), "crash,epochs");
  EXPECT_TRUE(FaultSet::parse("all,epochs")->epochs);
}

}  // namespace
}  // namespace hpchain::sim
