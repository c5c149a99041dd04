// Who computes what: the deterministic, capability-weighted draw of
// workers for a job's unit replicas (docs/jobs.md, "Assignment").
//
// Pure functions of their arguments, so every validator draws the same
// workers and the draw is tested on its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chain/hash.h"

namespace hpchain::ledger {

struct WorkerCandidate {
  std::string key;          // consensus key
  std::string institution;
  uint64_t samples_per_second = 0;  // declared rate for the job's kernel (> 0)
  uint64_t credibility = 0;         // ppm
  uint64_t load = 0;                // unit replicas assigned and not done
};

// A candidate's weight: rate × credibility / 10^6 / (1 + load), at least 1,
// so faster, more credible and less loaded workers are drawn more often.
uint64_t draw_weight(const WorkerCandidate& c);

// Draws `count` distinct workers from `candidates` (sorted by key, unique)
// for one unit: never one in `exclude` (sorted keys: workers the unit
// already had), and from institutions the unit does not have yet
// (`used_institutions`, sorted, plus those drawn here) while any such
// candidate remains. Each pick is weighted (draw_weight) and uses
// SHA-256("hpchain assignment v1" ‖ seed ‖ be32 pick) reduced modulo the
// total weight. Returns fewer than `count` keys only when the candidates
// run out; the order is the order drawn. `load` of a drawn candidate is
// not changed here: the caller counts it.
std::vector<std::string> draw_workers(const std::vector<WorkerCandidate>& candidates, const Hash32& seed,
                                      uint32_t count, const std::vector<std::string>& exclude,
                                      std::vector<std::string> used_institutions);

// The seed of one unit's draw in one attempt: SHA-256("hpchain unit draw
// v1" ‖ beacon output ‖ job id ‖ be32 unit ‖ be64 attempt).
Hash32 unit_draw_seed(const Hash32& beacon_output, const Hash32& job_id, uint32_t unit, uint64_t attempt);

}  // namespace hpchain::ledger
