// Internal to the job files: one end-of-block pass over a job (a Step) and
// the lifecycle helpers the replicated and partitioned modes share
// (job_phases.cpp defines them; job_partitioned.cpp and job_disputes.cpp
// use them).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ledger/jobs.h"

namespace hpchain::ledger {

// What one end-of-block pass over a job needs.
struct Step {
  StateView& view;
  const BlockContext& block;
  const hpchain::v1::Params& params;
  std::vector<Event>& events;
  hpchain::v1::JobRecord& job;
  Hash32 id;
};

bool is_live(const hpchain::v1::Replica& r);
void unit_event(Step& s, std::string type, uint32_t unit, std::vector<std::pair<std::string, std::string>> more = {});
void set_state(Step& s, hpchain::v1::JobState state);
// The next phase closes `length` blocks from now, or at the deadline.
Status schedule(Step& s, uint64_t length);
Result<std::vector<hpchain::v1::UnitRecord>> load_units(const Step& s);
void store_units(Step& s, const std::vector<hpchain::v1::UnitRecord>& units);
Result<Hash32> latest_beacon_output(const StateView& view);
Result<std::vector<WorkerCandidate>> candidates_of(const Step& s);
// Draws up to `count` new replicas for `unit` in attempt `attempt`: never a
// worker the unit already had, other institutions first, within the cap.
// `checker` marks them as spot-checkers (partitioned mode).
Result<uint32_t> draw_replicas(Step& s, hpchain::v1::UnitRecord& unit, std::vector<WorkerCandidate>& candidates,
                               const Hash32& beacon, uint64_t attempt, uint32_t count, bool checker = false);
// Takes `digest` as the unit's result: revealers of it gain credibility;
// the others lose credibility and worker_slash_ppm of their stake.
Status verify_unit(Step& s, hpchain::v1::UnitRecord& unit, const std::string& digest);
// Committed replicas of `unit` that did not reveal are missed.
Status miss_unrevealed(Step& s, hpchain::v1::UnitRecord& unit);
// Starts a new commit phase for `drawn` fresh replicas.
Status start_attempt(Step& s, uint64_t attempt, uint32_t drawn);
// Merges the accepted unit results: PROVISIONAL (or ACCEPTED with no
// challenge window), or FAILED when the computation itself failed.
Status conclude(Step& s, std::vector<hpchain::v1::UnitRecord>& units);
Status fail(Step& s, std::vector<hpchain::v1::UnitRecord>& units, std::string reason);

// --- Partitioned mode (job_partitioned.cpp) ---

// The unit's worker replica that revealed (not a checker), or nullptr.
const hpchain::v1::Replica* revealed_worker(const hpchain::v1::UnitRecord& unit);
// The unit's current checker (live or revealed), or nullptr.
const hpchain::v1::Replica* current_checker(const hpchain::v1::UnitRecord& unit);
// The reveal phase's close: checkers' verdicts, then what comes next.
Status close_partitioned_reveal(Step& s);
// When the job's check round ends: which units are checked.
Status draw_spot_checks(Step& s, const Hash32& beacon);
// Draws what open units lack and moves the job to its next phase.
Status resume_partitioned(Step& s, std::vector<hpchain::v1::UnitRecord>& units);
Status add_clean_check(StateView& view, const std::string& worker);

// --- Disputes (job_disputes.cpp) ---

// A checker disagreed with the unit's worker: the unit is in dispute.
Status open_dispute(Step& s, hpchain::v1::UnitRecord& unit, const hpchain::v1::Replica& worker,
                    const hpchain::v1::Replica& checker);
// Starts the next round of every open dispute (the chain referees those
// down to dispute_leaf_samples at once).
Status start_disputes(Step& s, std::vector<hpchain::v1::UnitRecord>& units);
// A round's end: a party that did not post loses; otherwise the dispute
// follows a half where the parties disagree.
Status close_dispute_round(Step& s);

}  // namespace hpchain::ledger
