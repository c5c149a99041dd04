// The deterministic network simulator (DESIGN.md section 4): n validators in
// one thread, a virtual clock and a seeded PRNG that chooses message delays,
// drops, duplicates, the fault schedule and byzantine behaviour. The same
// configuration and seed replay the same run exactly; the trace hash
// (SHA-256 over every delivered event) makes "exactly" checkable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chain/hash.h"
#include "consensus/safety_rules.h"

namespace hpchain::sim {

// Which fault kinds a run may draw. "all" enables every kind except
// lost_disk, which breaks safety on purpose (it forgets the safety state).
struct FaultSet {
  bool crash = false;        // crash and restart, keeping the safety state
  bool lost_disk = false;    // crash and restart with the safety state lost
  bool partition = false;    // the instances split in two groups, then heal
  bool slow = false;         // one validator's messages are late for a while
  bool drop = false;         // messages lost at random until the heal
  bool duplicate = false;    // messages delivered twice
  bool equivocate = false;   // byzantine leader: two blocks for one round
  bool double_vote = false;  // byzantine voter: two votes per round
  bool twins = false;        // byzantine: two instances sharing one key
  bool garbage = false;      // byzantine: malformed and invalid messages
  bool forge_tc = false;     // byzantine: TCs whose own share claims a QC that does not exist
  bool restart_all = false;  // every instance, or all but one, crashes at once and restarts
  bool unequal_power = false;  // voting powers drawn in [1, 100]; sometimes one byzantine just under 1/3
  bool laggard = false;      // one honest validator cut off until the rest are 1,100 blocks ahead
  bool observer = false;     // a non-validator joins late and follows (fetch and state sync)
  bool withhold = false;     // byzantine leader: shows its proposal to one validator only, and
                             // after a TC proposes below the TC's lock
  bool epochs = false;       // validator sets change at run time: joins, leaves, power changes,
                             // with a byzantine validator in every set; not in "all"

  static FaultSet none() { return {}; }
  static FaultSet all();
  bool any_byzantine() const {
    return equivocate || double_vote || twins || garbage || forge_tc || withhold;  // not unequal_power
  }
  // Parses "all", "none" or a comma list of: crash, lost-disk, partition,
  // slow, drop, duplicate, equivocate, double-vote, twins, garbage, forge-tc,
  // restart-all, withhold, unequal-power, laggard, observer, epochs (and
  // "all,lost-disk", "all,epochs"). InvalidArgument names an unknown kind.
  static Result<FaultSet> parse(std::string_view text);
  std::string to_string() const;
};

struct SimConfig {
  uint64_t seed = 1;
  uint32_t validators = 0;        // 0: drawn from the seed in [4, max_validators]
  uint32_t max_validators = 10;
  FaultSet faults = FaultSet::all();
  uint64_t fault_phase_ms = 5000;       // every fault starts before this
  // T: after the heal, K commits within this. 60 s, not 30: a byzantine
  // withholder holding a third of the leader slots can, in a random order,
  // lead 8 of 10 rounds, each a backed-off 3.2 s timeout (seed 1083845 at
  // 20887fa went 31.7 s without a commit, then recovered).
  uint64_t liveness_window_ms = 60000;
  uint32_t liveness_blocks = 3;         // K
  uint64_t base_timeout_ms = 400;
  bool stop_when_live = true;           // end the run once liveness is shown
  uint64_t run_ms = 0;                  // >0: run exactly this long, no liveness check
  bool real_crypto = false;             // secp256k1 instead of the keyed hash
  bool saved_tree = true;               // cores save their block tree (consensus/tree_storage.h)
  consensus::UnsafeVariants broken;    // test-only: a deliberately unsafe variant
  // Validators made withholders whatever the seed draws (the leader-schedule
  // measurement places them at every third index).
  std::vector<uint32_t> withholders;
  bool trace = false;                   // print every delivered event to stderr
  // Test-only: from committed height `diverge_height` on (0: never), the
  // instance of validator `diverge_validator` computes wrong state roots,
  // as a node with a broken build or a corrupted disk would. Its seed must
  // draw epochs (state certificates run only there): it must halt with the
  // divergence error while the others go on.
  uint64_t diverge_height = 0;
  uint32_t diverge_validator = 0;
};

struct SeedResult {
  uint64_t seed = 0;
  uint32_t validators = 0;
  std::string schedule;                 // the fault schedule, human readable
  std::vector<std::string> violations;  // safety invariants broken (first few)
  bool forked = false;                  // among them an agreement or prefix violation (not
                                        // only an honest double vote)
  bool stalled = false;                 // liveness not shown within the window
  Hash32 trace_hash;
  uint64_t virtual_ms = 0;
  uint64_t messages_delivered = 0;
  uint64_t max_committed_height = 0;    // highest height any honest instance committed
  uint64_t min_committed_height = 0;    // lowest final height among honest instances
  uint64_t max_round = 0;               // highest round an honest instance reached
  uint64_t state_syncs = 0;             // on_synced calls that jumped an instance ahead
  uint64_t max_sync_jump = 0;           // the most heights one state sync covered
  // Epochs and state certificates.
  uint64_t epochs = 0;                  // epoch changes every honest instance made
  uint64_t epoch_syncs = 0;             // epoch changes taken from a proof (an instance left behind)
  uint64_t certified_heights = 0;       // heights with a state certificate at some honest instance
  uint64_t cert_latency_samples = 0;    // (commit, certificate) pairs at honest instances
  uint64_t cert_latency_sum_ms = 0;     // virtual ms from an instance's commit to its certificate
  uint64_t cert_latency_max_ms = 0;
  std::vector<std::string> halts;       // "instance I: <divergence error>" of a diverge_validator
};

// Runs one seed. Deterministic: equal configs give equal results.
SeedResult run_seed(const SimConfig& config);

// The leaders of rounds 0..rounds-1 of the simulator's n equal-power
// validators (for the leader-schedule measurement).
std::vector<uint32_t> sim_leaders(uint32_t n, uint64_t rounds);

// One line: "seed S n N trace H: ok" or the violations / stall.
std::string describe(const SeedResult& r);

}  // namespace hpchain::sim
