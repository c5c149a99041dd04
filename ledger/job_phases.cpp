// Jobs: what happens at the end of a block (docs/jobs.md, "Lifecycle"):
// assignment when the job's beacon round has its output, the close of
// commit and reveal phases (misses replaced, the verdict taken, escalation),
// the result, the challenge window, payments and refunds.
#include <algorithm>
#include <map>

#include "chain/check.h"
#include "compute/unit_result.h"
#include "ledger/job_step.h"

namespace hpchain::ledger {

using hpchain::v1::JobRecord;
using hpchain::v1::Replica;
using hpchain::v1::UnitRecord;

bool is_live(const Replica& r) {
  return r.state() == hpchain::v1::REPLICA_ASSIGNED || r.state() == hpchain::v1::REPLICA_COMMITTED;
}

void unit_event(Step& s, std::string type, uint32_t unit, std::vector<std::pair<std::string, std::string>> more) {
  std::vector<std::pair<std::string, std::string>> attributes = {
      {"job", s.id.hex()}, {"unit", std::to_string(unit)}, {"height", std::to_string(s.block.height)}};
  attributes.insert(attributes.end(), more.begin(), more.end());
  s.events.push_back({std::move(type), std::move(attributes)});
}

void set_state(Step& s, hpchain::v1::JobState state) {
  s.job.set_state(state);
  job_event(s.events, s.job, s.block.height);
}

// A later block in any case: this one's due list is being worked through.
Status schedule(Step& s, uint64_t length) {
  s.job.set_phase_end(std::max(s.block.height + 1, std::min(s.block.height + length, s.job.deadline_height())));
  return add_to_id_list(s.view, keys::jobs_due(s.job.phase_end()), s.id);
}

namespace {

Result<Address> operator_of(const StateView& view, const std::string& worker) {
  HPC_ASSIGN_OR_RETURN(auto v, view.get_record<hpchain::v1::Validator>(keys::validator(as_bytes(worker))));
  if (!v) return kFeePoolAddress;  // removed since: its pay keeps credits conserved in the pool
  return address_of(v->operator_());
}

}  // namespace

Result<std::vector<UnitRecord>> load_units(const Step& s) {
  std::vector<UnitRecord> units;
  for (uint32_t u = 0; u < mode_of(s.job.spec()).units; ++u) {
    HPC_ASSIGN_OR_RETURN(UnitRecord unit, load_unit(s.view, s.id, u));
    units.push_back(std::move(unit));
  }
  return units;
}

void store_units(Step& s, const std::vector<UnitRecord>& units) {
  for (const auto& u : units) s.view.put_record(keys::job_unit(s.id, u.unit()), u);
}

namespace {

// Pays every replica that revealed its unit's accepted result, refunds the
// rest of the escrow, drops the stored unit results and releases the load
// of replicas still working. The job becomes final.
Status settle(Step& s, std::vector<UnitRecord>& units, hpchain::v1::JobState final_state, std::string reason) {
  for (auto& unit : units) {
    for (auto& r : *unit.mutable_replicas()) {
      if (is_live(r)) {
        HPC_TRY(change_load(s.view, r.worker(), -1));
        r.set_state(r.state() == hpchain::v1::REPLICA_ASSIGNED ? hpchain::v1::REPLICA_MISSED_COMMIT
                                                               : hpchain::v1::REPLICA_MISSED_REVEAL);
      }
      if (r.state() == hpchain::v1::REPLICA_REJECTED && !r.digest().empty()) {
        s.view.erase(keys::unit_data(s.id, unit.unit(), hash_of(r.digest())));
      }
      if (r.state() == hpchain::v1::REPLICA_REVEALED) {
        s.view.erase(keys::unit_data(s.id, unit.unit(), hash_of(r.digest())));
        if (unit.state() == hpchain::v1::UNIT_VERIFIED && r.digest() == unit.accepted_digest()) {
          HPC_ASSIGN_OR_RETURN(Address to, operator_of(s.view, r.worker()));
          HPC_ASSERT(s.job.escrow() >= s.job.replica_price());
          HPC_TRY(credit(s.view, to, s.job.replica_price()));
          s.job.set_escrow(s.job.escrow() - s.job.replica_price());
        }
      }
    }
  }
  store_units(s, units);
  if (mode_of(s.job.spec()).partitioned) {
    for (const auto& unit : units) {
      for (const auto& r : unit.replicas()) HPC_TRY(remove_from_id_list(s.view, keys::worker_jobs(as_bytes(r.worker())), s.id));
    }
  }
  HPC_TRY(credit(s.view, address_of(s.job.submitter()), s.job.escrow()));
  s.job.set_escrow(0);
  s.job.set_reason(std::move(reason));
  s.job.set_final_height(s.block.height);
  set_state(s, final_state);
  return Status::ok();
}

}  // namespace

Result<uint32_t> draw_replicas(Step& s, UnitRecord& unit, std::vector<WorkerCandidate>& candidates,
                               const Hash32& beacon, uint64_t attempt, uint32_t count, bool checker) {
  const uint64_t room = s.params.job_replicas_max() - std::min<uint64_t>(unit.replicas_size(), s.params.job_replicas_max());
  count = static_cast<uint32_t>(std::min<uint64_t>(count, room));
  std::vector<std::string> exclude, institutions;
  for (const auto& r : unit.replicas()) {
    exclude.push_back(r.worker());
    if (r.state() == hpchain::v1::REPLICA_MISSED_COMMIT) continue;
    for (const auto& c : candidates) {
      if (c.key == r.worker()) institutions.push_back(c.institution);
    }
  }
  std::sort(exclude.begin(), exclude.end());
  const auto drawn = draw_workers(candidates, unit_draw_seed(beacon, s.id, unit.unit(), attempt), count, exclude,
                                  institutions);
  for (const auto& key : drawn) {
    Replica* r = unit.add_replicas();
    r->set_worker(key);
    r->set_attempt(attempt);
    r->set_checker(checker);
    HPC_TRY(change_load(s.view, key, +1));
    // Partitioned mode keeps each worker's jobs that are not final, for
    // backtracking when it is caught (job_disputes.cpp).
    if (mode_of(s.job.spec()).partitioned) HPC_TRY(add_to_id_list(s.view, keys::worker_jobs(as_bytes(key)), s.id));
    for (auto& c : candidates) c.load += c.key == key ? 1 : 0;  // later draws see it
    unit_event(s, "unit_assigned", unit.unit(), {{"worker", hex_encode(as_bytes(key))}});
  }
  return static_cast<uint32_t>(drawn.size());
}

Result<std::vector<WorkerCandidate>> candidates_of(const Step& s) {
  HPC_ASSIGN_OR_RETURN(auto job, compute_job_of(s.job.spec()));
  return eligible_workers(s.view, job.descriptor->info.name, s.block.height);
}

Status fail(Step& s, std::vector<UnitRecord>& units, std::string reason) {
  return settle(s, units, hpchain::v1::JOB_FAILED, std::move(reason));
}

namespace {

// The first attempt: every unit gets its replicas from the beacon output.
Status assign(Step& s, const Hash32& beacon) {
  HPC_ASSIGN_OR_RETURN(auto candidates, candidates_of(s));
  std::vector<UnitRecord> units;
  uint32_t drawn_total = 0;
  s.job.set_attempt(1);
  const ModeShape shape = mode_of(s.job.spec());
  for (uint32_t u = 0; u < shape.units; ++u) {
    UnitRecord unit;
    unit.set_unit(u);
    HPC_ASSIGN_OR_RETURN(uint32_t n, draw_replicas(s, unit, candidates, beacon, 1, shape.replicas));
    drawn_total += n;
    units.push_back(std::move(unit));
    if (n < shape.quorum) {
      return fail(s, units, "unit " + std::to_string(u) + ": " + std::to_string(n) + " eligible workers, quorum " +
                                std::to_string(shape.quorum));
    }
  }
  store_units(s, units);
  s.job.set_pending(drawn_total);
  set_state(s, hpchain::v1::JOB_ASSIGNED);
  return schedule(s, s.params.job_commit_blocks());
}

}  // namespace

Result<Hash32> latest_beacon_output(const StateView& view) {
  HPC_ASSIGN_OR_RETURN(auto beacon, beacon_state(view));
  return hash_of(beacon.output());
}

// A unit whose quorum agrees: the minority loses credibility and part of
// its stake (to the fee pool), the majority gains credibility.
Status verify_unit(Step& s, UnitRecord& unit, const std::string& digest) {
  unit.set_state(hpchain::v1::UNIT_VERIFIED);
  unit.set_accepted_digest(digest);
  for (const auto& r : unit.replicas()) {
    if (r.state() != hpchain::v1::REPLICA_REVEALED) continue;
    if (r.digest() == digest) {
      HPC_TRY(adjust_credibility(s.view, r.worker(), kCredibilityAccepted));
      continue;
    }
    HPC_TRY(adjust_credibility(s.view, r.worker(), kCredibilityMinority));
    HPC_ASSIGN_OR_RETURN(auto v, s.view.get_record<hpchain::v1::Validator>(keys::validator(as_bytes(r.worker()))));
    if (v) {
      HPC_TRY(slash_stake(s.view, s.params, *v));
      s.view.put_record(keys::validator(as_bytes(r.worker())), *v);
    }
    unit_event(s, "unit_minority", unit.unit(), {{"worker", hex_encode(as_bytes(r.worker()))}});
  }
  unit_event(s, "unit_verified", unit.unit(), {{"digest", hex_encode(as_bytes(digest))}});
  return Status::ok();
}

// Merges the accepted unit results into the job's result: PROVISIONAL for
// the challenge window, or FAILED when the computation itself failed.
Status conclude(Step& s, std::vector<UnitRecord>& units) {
  HPC_ASSIGN_OR_RETURN(auto job, compute_job_of(s.job.spec()));
  std::vector<compute::UnitResult> accepted;
  for (const auto& unit : units) {
    HPC_ASSIGN_OR_RETURN(auto bytes, s.view.get(keys::unit_data(s.id, unit.unit(), hash_of(unit.accepted_digest()))));
    HPC_ASSERT(bytes.has_value());  // stored at the first reveal of that digest
    hpchain::v1::UnitResult proto;
    HPC_TRY(parse_record_bytes(keys::unit_data(s.id, unit.unit(), hash_of(unit.accepted_digest())), *bytes, proto));
    HPC_ASSIGN_OR_RETURN(auto decoded, compute::unit_from_proto(proto));
    accepted.push_back(std::move(decoded));
  }
  HPC_ASSIGN_OR_RETURN(auto merged, compute::merge_units(job, s.id, accepted));  // checked at reveal
  auto result = compute::unit_failed(merged) ? Result<compute::JobResult>(Status::out_of_range("a tally overflowed"))
                                             : compute::finalize(job, merged.partial);
  if (!result.is_ok()) return fail(s, units, "the computation failed: " + result.status().message());
  s.view.put(keys::job_result(s.id), result.value().encoding);
  s.job.set_result_digest(result.value().digest.bytes.data(), Hash32::kSize);
  s.job.set_final_height(s.block.height + s.params.job_challenge_blocks());
  store_units(s, units);
  set_state(s, hpchain::v1::JOB_PROVISIONAL);
  if (s.params.job_challenge_blocks() == 0) return settle(s, units, hpchain::v1::JOB_ACCEPTED, "");
  s.job.set_phase_end(s.job.final_height());
  return add_to_id_list(s.view, keys::jobs_due(s.job.final_height()), s.id);
}

Status miss_unrevealed(Step& s, UnitRecord& unit) {
  for (auto& r : *unit.mutable_replicas()) {
    if (r.state() != hpchain::v1::REPLICA_COMMITTED) continue;
    r.set_state(hpchain::v1::REPLICA_MISSED_REVEAL);
    HPC_TRY(change_load(s.view, r.worker(), -1));
    HPC_TRY(adjust_credibility(s.view, r.worker(), kCredibilityMissedPhase));
    unit_event(s, "unit_missed", unit.unit(), {{"worker", hex_encode(as_bytes(r.worker()))}, {"phase", "reveal"}});
  }
  return Status::ok();
}

Status start_attempt(Step& s, uint64_t attempt, uint32_t drawn) {
  s.job.set_attempt(attempt);
  s.job.set_pending(drawn);
  set_state(s, hpchain::v1::JOB_ASSIGNED);
  return schedule(s, s.params.job_commit_blocks());
}

namespace {

Status close_reveal_phase(Step& s);

// Commit phase over: a replica with no commitment is missed and replaced
// (no result of the unit is public yet, so a replacement cannot copy one).
// With replacements a new commit phase runs; otherwise reveals open.
Status close_commit_phase(Step& s) {
  HPC_ASSIGN_OR_RETURN(auto units, load_units(s));
  HPC_ASSIGN_OR_RETURN(auto candidates, candidates_of(s));
  HPC_ASSIGN_OR_RETURN(const Hash32 beacon, latest_beacon_output(s.view));
  const uint64_t next_attempt = s.job.attempt() + 1;
  uint32_t replaced = 0, committed = 0;
  for (auto& unit : units) {
    uint32_t missed = 0;
    bool checker = false;  // a missed checker is replaced by a checker
    for (auto& r : *unit.mutable_replicas()) {
      if (r.state() == hpchain::v1::REPLICA_COMMITTED) ++committed;
      if (r.state() != hpchain::v1::REPLICA_ASSIGNED) continue;
      r.set_state(hpchain::v1::REPLICA_MISSED_COMMIT);
      HPC_TRY(change_load(s.view, r.worker(), -1));
      HPC_TRY(adjust_credibility(s.view, r.worker(), kCredibilityMissedPhase));
      unit_event(s, "unit_missed", unit.unit(), {{"worker", hex_encode(as_bytes(r.worker()))}, {"phase", "commit"}});
      ++missed;
      checker = checker || r.checker();
    }
    if (missed > 0) {
      HPC_ASSIGN_OR_RETURN(uint32_t n, draw_replicas(s, unit, candidates, beacon, next_attempt, missed, checker));
      replaced += n;
    }
  }
  store_units(s, units);
  if (replaced > 0) return start_attempt(s, next_attempt, replaced);
  s.job.set_pending(committed);
  set_state(s, hpchain::v1::JOB_REVEALING);
  if (committed == 0) return close_reveal_phase(s);  // nobody can reveal: decide now
  return schedule(s, s.params.job_reveal_blocks());
}

// The digest most replicas of the unit revealed, and how many did.
std::pair<std::string, uint32_t> leading_digest(const UnitRecord& unit) {
  std::map<std::string, uint32_t> votes;
  for (const auto& r : unit.replicas()) {
    if (r.state() == hpchain::v1::REPLICA_REVEALED) ++votes[r.digest()];
  }
  std::pair<std::string, uint32_t> best{"", 0};
  for (const auto& [digest, n] : votes) {  // ordered: ties go to the smaller digest
    if (n > best.second) best = {digest, n};
  }
  return best;
}

// Reveal phase over: committed replicas that did not reveal are missed; each
// open unit is verified when `quorum` revealed digests agree, or gets
// `quorum - leading` more replicas (up to job_replicas_max), or fails.
Status close_reveal_phase(Step& s) {
  if (mode_of(s.job.spec()).partitioned) return close_partitioned_reveal(s);
  set_state(s, hpchain::v1::JOB_VERIFYING);
  HPC_ASSIGN_OR_RETURN(auto units, load_units(s));
  HPC_ASSIGN_OR_RETURN(auto candidates, candidates_of(s));
  HPC_ASSIGN_OR_RETURN(const Hash32 beacon, latest_beacon_output(s.view));
  const uint32_t quorum = mode_of(s.job.spec()).quorum;
  const uint64_t next_attempt = s.job.attempt() + 1;
  uint32_t drawn = 0;
  for (auto& unit : units) {
    if (unit.state() != hpchain::v1::UNIT_OPEN) continue;
    HPC_TRY(miss_unrevealed(s, unit));
    const auto [digest, votes] = leading_digest(unit);
    if (votes >= quorum) {
      HPC_TRY(verify_unit(s, unit, digest));
      s.job.set_units_open(s.job.units_open() - 1);
      continue;
    }
    HPC_ASSIGN_OR_RETURN(uint32_t n, draw_replicas(s, unit, candidates, beacon, next_attempt, quorum - votes));
    if (n < quorum - votes) {
      unit.set_state(hpchain::v1::UNIT_FAILED);
      return fail(s, units, "unit " + std::to_string(unit.unit()) + ": no " + std::to_string(quorum) +
                                " matching results from " + std::to_string(unit.replicas_size()) + " replicas");
    }
    drawn += n;
  }
  if (s.block.height >= s.job.deadline_height() && s.job.units_open() > 0) {
    return fail(s, units, "the deadline passed with " + std::to_string(s.job.units_open()) + " units unverified");
  }
  if (drawn > 0) {
    store_units(s, units);
    return start_attempt(s, next_attempt, drawn);
  }
  return conclude(s, units);
}

// One job whose phase ends at this height.
Status close_phase(Step& s) {
  if (s.job.state() == hpchain::v1::JOB_PROVISIONAL) {
    HPC_ASSIGN_OR_RETURN(auto units, load_units(s));
    return settle(s, units, hpchain::v1::JOB_ACCEPTED, "");
  }
  // Disputes run to their end, deadline or not: they are bounded in rounds.
  if (s.job.state() == hpchain::v1::JOB_DISPUTING) return close_dispute_round(s);
  if (s.block.height >= s.job.deadline_height() && s.job.state() != hpchain::v1::JOB_REVEALING) {
    HPC_ASSIGN_OR_RETURN(auto units, load_units(s));
    return fail(s, units, "the deadline passed before every unit was committed");
  }
  if (s.job.state() == hpchain::v1::JOB_REVEALING) return close_reveal_phase(s);
  HPC_ASSERT(s.job.state() == hpchain::v1::JOB_ASSIGNED || s.job.state() == hpchain::v1::JOB_COMMITTING);
  return close_commit_phase(s);
}

Result<std::vector<Hash32>> take_id_list(StateView& view, const Bytes& key) {
  HPC_ASSIGN_OR_RETURN(auto list, view.get_record<hpchain::v1::JobIdList>(key));
  std::vector<Hash32> ids;
  if (!list) return ids;
  for (const auto& id : list->ids()) ids.push_back(hash_of(id));
  view.erase(key);
  return ids;
}

}  // namespace

Status end_block_jobs(StateView& view, const BlockContext& block, const hpchain::v1::Params& params,
                      const std::optional<std::pair<uint64_t, Hash32>>& finished_round, std::vector<Event>& events) {
  if (finished_round) {
    HPC_ASSIGN_OR_RETURN(auto ids, take_id_list(view, keys::assign_due(finished_round->first)));
    for (const Hash32& id : ids) {
      HPC_ASSIGN_OR_RETURN(auto job, load_job(view, id));
      HPC_ASSERT(job.has_value());
      Step s{view, block, params, events, *job, id};
      if (job->state() == hpchain::v1::JOB_CHECK_DRAW) {
        HPC_TRY(draw_spot_checks(s, finished_round->second));
      } else if (job->state() == hpchain::v1::JOB_SUBMITTED) {
        HPC_TRY(assign(s, finished_round->second));
      } else {
        continue;  // cancelled meanwhile
      }
      view.put_record(keys::job(id), *job);
    }
  }
  HPC_ASSIGN_OR_RETURN(auto due, take_id_list(view, keys::jobs_due(block.height)));
  for (const Hash32& id : due) {
    HPC_ASSIGN_OR_RETURN(auto job, load_job(view, id));
    HPC_ASSERT(job.has_value());
    const bool final = job->state() == hpchain::v1::JOB_ACCEPTED || job->state() == hpchain::v1::JOB_FAILED;
    if (final || job->phase_end() != block.height) continue;  // an earlier close moved its phase
    Step s{view, block, params, events, *job, id};
    HPC_TRY(close_phase(s));
    view.put_record(keys::job(id), *job);
  }
  return Status::ok();
}

}  // namespace hpchain::ledger
