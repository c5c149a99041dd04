// The job-market simulator (hpchain-jobsim, docs/jobs.md "Partitioned
// mode: the figures"): synthetic workers with strategies drive the real
// ledger rules (apply_block on a memory state store, signed transactions,
// real compute) through partitioned jobs, and the run is measured against
// the documented detection formulas. One seed is one deterministic run.
#pragma once

#include <cstdint>
#include <string>

namespace hpchain::jobsim {

enum class Strategy {
  kHonest,
  kCheatSome,     // lies on a fraction cheat_p of the units it runs (checks honestly)
  kAlwaysCheat,   // lies on every unit it runs (checks honestly)
  kNeverReveal,   // commits, never reveals
  kLazyCopier,    // as a checker, copies the worker's revealed result without computing
  kSlow,          // acts in the last block of each phase, and misses one phase in five
  kColluder,      // a pair: lies on cheat_p of its units with the partner's lie; as the
                  // partner's checker, agrees with it
  kFalseAccuser,  // honest as a worker; as a checker, claims a wrong result and defends it
};

struct Config {
  uint32_t workers = 200;
  uint32_t institutions = 20;
  uint32_t jobs = 200;
  uint32_t units_per_job = 64;
  uint64_t samples_per_unit = 128;
  // 0: one job at a time (the next is submitted when the last is final),
  // which makes the wrong-final formula exact; N: a job every N blocks.
  uint32_t job_every_blocks = 0;
  // The mix (fractions of workers; the rest are honest).
  double cheat_fraction = 0.10;
  double cheat_p = 0.10;
  double always_fraction = 0.02;
  double never_reveal_fraction = 0.05;
  double lazy_fraction = 0.0;
  double slow_fraction = 0.0;
  double false_accuser_fraction = 0.0;
  uint32_t colluding_pairs_same_institution = 0;
  uint32_t colluding_pairs_other_institution = 0;
  // Chain parameters.
  uint64_t spot_check_floor_ppm = 50'000;
  uint64_t spot_check_new_ppm = 250'000;
  uint64_t spot_check_halving_units = 2;
  uint64_t dispute_leaf_samples = 16;
  uint64_t max_blocks = 100'000;
};

struct Outcome {
  uint64_t jobs = 0;            // jobs that ended (accepted or failed)
  uint64_t failed_jobs = 0;
  uint64_t units = 0;           // units needed: the sum of the jobs' units
  uint64_t executed = 0;        // unit computations committed (workers, checkers, re-runs)
  uint64_t cheated = 0;         // wrong unit results revealed by a unit's worker
  uint64_t caught = 0;          // of those, rejected (a lost dispute or backtracking)
  uint64_t wrong_final = 0;     // units of accepted jobs whose result is wrong
  double predicted_wrong_final = 0;  // the formula's expectation (docs/jobs.md)
  double predicted_variance = 0;     // its variance: sum of p(1 - p)
  uint64_t always_cheaters = 0;           // always-cheaters that cheated 100 units or were caught
  uint64_t always_caught_within_100 = 0;  // of those, caught within their first 100 cheated units
  uint64_t disputes = 0;
  uint64_t dispute_rounds = 0;  // rounds with splits posted
  uint64_t referee_samples = 0; // samples the chain recomputed
  uint64_t blocks = 0;

  double overhead() const { return units == 0 ? 0.0 : static_cast<double>(executed) / static_cast<double>(units); }
  void add(const Outcome& o);
};

// Runs one market. Deterministic in (config, seed).
Outcome run_market(const Config& config, uint64_t seed);

// The last line hpchain-jobsim prints, exactly:
// "jobs: J, units: U, cheated: C, caught: K, wrong_final: W,
// predicted_wrong_final: P, compute_overhead: X".
std::string summary_line(const Outcome& o);

}  // namespace hpchain::jobsim
