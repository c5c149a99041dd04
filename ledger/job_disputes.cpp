// Disputes by refereed bisection (docs/jobs.md, "Disputes"): when a
// checker disagrees with a unit's worker, both post the tallies of the two
// halves of the range in dispute each round, which must merge exactly into
// what they claimed for the whole; the chain follows a half where they
// disagree. At dispute_leaf_samples samples or fewer the validators
// recompute the range themselves, in block execution, with the compute
// engine's deterministic kernels, and whoever disagrees with that loses.
// So does a party that misses a round. O(log2(unit samples / leaf)) rounds,
// no third worker, no majority.
#include <algorithm>

#include "chain/check.h"
#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "compute/unit_result.h"
#include "ledger/job_step.h"

namespace hpchain::ledger {

using hpchain::v1::Dispute;
using hpchain::v1::Replica;
using hpchain::v1::UnitRecord;

namespace {

std::string bytes_of_hash(const Hash32& h) { return std::string(h.bytes.begin(), h.bytes.end()); }
uint64_t midpoint(const Dispute& d) { return d.begin() + (d.end() - d.begin()) / 2; }

Replica* replica_of(UnitRecord& unit, const std::string& worker, bool checker) {
  for (auto& r : *unit.mutable_replicas()) {
    if (r.worker() == worker && r.checker() == checker && r.state() == hpchain::v1::REPLICA_REVEALED) return &r;
  }
  return nullptr;
}

// Reopens each unit of `units` whose result rests on `worker` (its result
// as the unit's worker, its agreement as a checker, or its side of a
// dispute, which ends unresolved, or work it has not revealed yet): that
// replica is rejected, and the unit runs again and is checked for sure.
// Returns how many reopened.
Result<uint32_t> reopen_units_of(StateView& view, std::vector<UnitRecord>& units, const std::string& worker,
                                 hpchain::v1::JobRecord& job) {
  uint32_t reopened = 0;
  for (auto& unit : units) {
    if (unit.state() == hpchain::v1::UNIT_FAILED) continue;
    bool rests_on_worker = false;
    for (auto& r : *unit.mutable_replicas()) {
      if (r.worker() != worker) continue;
      if (is_live(r)) HPC_TRY(change_load(view, worker, -1));
      else if (r.state() != hpchain::v1::REPLICA_REVEALED) continue;
      r.set_state(hpchain::v1::REPLICA_REJECTED);
      rests_on_worker = true;
    }
    if (!rests_on_worker) continue;
    if (unit.state() == hpchain::v1::UNIT_VERIFIED) job.set_units_open(job.units_open() + 1);
    if (unit.state() == hpchain::v1::UNIT_DISPUTED) unit.clear_dispute();
    unit.set_state(hpchain::v1::UNIT_OPEN);
    unit.clear_accepted_digest();
    unit.set_checked(true);
    ++reopened;
  }
  return reopened;
}

// Sarmenta's backtracking: every unit the caught worker computed or
// checked in partitioned jobs not yet final runs again, so a result from
// a caught cheater never becomes final. `units` are the current job's
// (in memory, stored by the caller); other jobs are updated in the view,
// and a provisional one goes back to work, its deadline extended to leave
// room for the re-run.
Status backtrack(Step& s, std::vector<UnitRecord>& units, const std::string& worker) {
  HPC_ASSIGN_OR_RETURN(auto list, s.view.get_record<hpchain::v1::JobIdList>(keys::worker_jobs(as_bytes(worker))));
  if (!list) return Status::ok();
  for (const auto& raw : list->ids()) {
    const Hash32 id = hash_of(raw);
    if (id == s.id) {
      HPC_TRY(reopen_units_of(s.view, units, worker, s.job).status());
      continue;
    }
    HPC_ASSIGN_OR_RETURN(auto job, load_job(s.view, id));
    if (!job || job->state() == hpchain::v1::JOB_ACCEPTED || job->state() == hpchain::v1::JOB_FAILED) continue;
    Step other{s.view, s.block, s.params, s.events, *job, id};
    HPC_ASSIGN_OR_RETURN(auto other_units, load_units(other));
    HPC_ASSIGN_OR_RETURN(const uint32_t reopened, reopen_units_of(s.view, other_units, worker, *job));
    if (reopened == 0) continue;
    s.events.push_back({"units_backtracked", {{"job", id.hex()}, {"worker", hex_encode(as_bytes(worker))},
                                              {"units", std::to_string(reopened)}}});
    if (job->state() == hpchain::v1::JOB_PROVISIONAL) {
      const auto& p = s.params;
      const uint64_t rerun = 2 * (2 * p.beacon_round_blocks() + p.job_commit_blocks() + p.job_reveal_blocks());
      job->set_deadline_height(std::max(job->deadline_height(), s.block.height + rerun));
      HPC_TRY(resume_partitioned(other, other_units));
    } else {
      store_units(other, other_units);
    }
    s.view.put_record(keys::job(id), *job);
  }
  return Status::ok();
}

// A worker caught cheating: slashed, its credibility and clean checks
// reset, jailed from compute work for worker_jail_blocks, and its
// unfinished work re-run.
Status catch_worker(Step& s, std::vector<UnitRecord>& units, uint32_t unit, const std::string& worker,
                    const std::string& why) {
  HPC_ASSIGN_OR_RETURN(auto v, s.view.get_record<hpchain::v1::Validator>(keys::validator(as_bytes(worker))));
  if (!v) return Status::ok();
  HPC_TRY(slash_stake(s.view, s.params, *v));
  v->set_credibility(0);
  v->set_clean_checks(0);
  v->set_status(hpchain::v1::VALIDATOR_JAILED);
  v->set_jailed_until(s.block.height + s.params.worker_jail_blocks());
  s.view.put_record(keys::validator(as_bytes(worker)), *v);
  s.events.push_back({"worker_caught",
                      {{"worker", hex_encode(as_bytes(worker))}, {"job", s.id.hex()}, {"unit", std::to_string(unit)},
                       {"reason", why},
                       {"jailed_until", std::to_string(v->jailed_until())}}});
  return backtrack(s, units, worker);
}

// The dispute's end. The loser is caught. The winner matched the chain
// where the two differed, which proves the loser lied but not that the
// winner told the truth everywhere (two liars can differ in one place and
// both be wrong in another): its result becomes the unit's result under
// check, and a fresh checker re-runs the unit. With both lost, the unit
// runs again on a new worker and is checked for sure.
Status resolve(Step& s, std::vector<UnitRecord>& units, UnitRecord& unit, bool worker_lost, bool checker_lost,
               const std::string& why) {
  const Dispute d = unit.dispute();
  Replica* worker = replica_of(unit, d.worker(), false);
  Replica* checker = replica_of(unit, d.checker(), true);
  HPC_ASSERT(worker != nullptr && checker != nullptr);
  unit_event(s, "unit_dispute_resolved", unit.unit(),
             {{"worker_lost", worker_lost ? "true" : "false"}, {"checker_lost", checker_lost ? "true" : "false"},
              {"reason", why}});
  unit.set_state(hpchain::v1::UNIT_OPEN);
  unit.set_checked(true);
  if (worker_lost != checker_lost) {
    Replica* winner = worker_lost ? checker : worker;
    Replica* loser = worker_lost ? worker : checker;
    loser->set_state(hpchain::v1::REPLICA_REJECTED);
    winner->set_checker(false);  // a winning checker's result is now the one checked
    return catch_worker(s, units, unit.unit(), loser->worker(), why);
  }
  worker->set_state(hpchain::v1::REPLICA_REJECTED);
  checker->set_state(hpchain::v1::REPLICA_REJECTED);
  HPC_TRY(catch_worker(s, units, unit.unit(), d.worker(), why));
  return catch_worker(s, units, unit.unit(), d.checker(), why);
}

// The chain's own unit digest of the range in dispute.
Result<Hash32> referee_digest(const Step& s, const Dispute& d) {
  HPC_ASSIGN_OR_RETURN(auto job, compute_job_of(s.job.spec()));
  compute::CpuBackend cpu(1);
  HPC_ASSIGN_OR_RETURN(auto partial, cpu.run(job, compute::SampleRange{d.begin(), d.end()}, nullptr));
  return compute::unit_digest(compute::make_unit_result(job, s.id, std::move(partial)));
}

// Both posted: the dispute follows a half where they disagree (the left
// if their lefts differ; else the rights, which then must).
void bisect(Dispute& d) {
  const bool left = d.worker_split().substr(0, 32) != d.checker_split().substr(0, 32);
  const size_t at = left ? 0 : 32;
  if (left) d.set_end(midpoint(d));
  else d.set_begin(midpoint(d));
  d.set_worker_claim(d.worker_split().substr(at, 32));
  d.set_checker_claim(d.checker_split().substr(at, 32));
  d.clear_worker_split();
  d.clear_checker_split();
  d.set_round(d.round() + 1);
}

}  // namespace

Status open_dispute(Step& s, UnitRecord& unit, const Replica& worker, const Replica& checker) {
  const auto range = compute::unit_range(s.job.spec().compute().samples(), mode_of(s.job.spec()).units, unit.unit());
  Dispute* d = unit.mutable_dispute();
  d->set_worker(worker.worker());
  d->set_checker(checker.worker());
  d->set_begin(range.begin);
  d->set_end(range.end);
  d->set_worker_claim(worker.digest());
  d->set_checker_claim(checker.digest());
  d->set_round(1);
  unit.set_state(hpchain::v1::UNIT_DISPUTED);
  unit_event(s, "unit_disputed", unit.unit(), {{"checker", hex_encode(as_bytes(checker.worker()))}});
  return Status::ok();
}

Status start_disputes(Step& s, std::vector<UnitRecord>& units) {
  uint32_t open = 0;
  for (auto& unit : units) {
    if (unit.state() != hpchain::v1::UNIT_DISPUTED) continue;
    Dispute& d = *unit.mutable_dispute();
    if (d.end() - d.begin() <= s.params.dispute_leaf_samples()) {
      HPC_ASSIGN_OR_RETURN(const Hash32 truth, referee_digest(s, d));
      const std::string t = bytes_of_hash(truth);
      HPC_TRY(resolve(s, units, unit, d.worker_claim() != t, d.checker_claim() != t,
                      "the chain recomputed samples [" + std::to_string(d.begin()) + ", " + std::to_string(d.end()) + ")"));
      continue;
    }
    d.set_round_end(s.block.height + s.params.dispute_round_blocks());
    ++open;
  }
  if (open == 0) return resume_partitioned(s, units);
  store_units(s, units);
  s.job.set_pending(2 * open);
  set_state(s, hpchain::v1::JOB_DISPUTING);
  // Not capped by the deadline: a dispute is bounded in rounds, and
  // cutting it short would let the party that stalls win.
  s.job.set_phase_end(s.block.height + s.params.dispute_round_blocks());
  return add_to_id_list(s.view, keys::jobs_due(s.job.phase_end()), s.id);
}

Status close_dispute_round(Step& s) {
  HPC_ASSIGN_OR_RETURN(auto units, load_units(s));
  for (auto& unit : units) {
    if (unit.state() != hpchain::v1::UNIT_DISPUTED) continue;
    Dispute& d = *unit.mutable_dispute();
    const bool worker_silent = d.worker_split().empty(), checker_silent = d.checker_split().empty();
    if (worker_silent || checker_silent) {
      HPC_TRY(resolve(s, units, unit, worker_silent, checker_silent, "no split posted in round " + std::to_string(d.round())));
      continue;
    }
    bisect(d);
  }
  return resume_partitioned(s, units);
}

namespace {

// The posted halves: of this job, covering exactly the two halves of the
// range, and merging exactly into the party's claim for it.
Result<Verdict> check_split(const compute::JobSpec& job, const Hash32& id, const Dispute& d, const std::string& claim,
                            const hpchain::v1::DisputeSplit& split, std::string& digests) {
  const uint64_t mid = midpoint(d);
  const compute::SampleRange want[2] = {{d.begin(), mid}, {mid, d.end()}};
  std::vector<compute::UnitResult> halves;
  for (int i = 0; i < 2; ++i) {
    auto decoded = compute::unit_from_proto(i == 0 ? split.left() : split.right());
    if (!decoded.is_ok()) return Verdict{TxCode::kBadSplit, decoded.status().message()};
    if (auto st = compute::check_unit(job, id, decoded.value()); !st.is_ok()) return Verdict{TxCode::kBadSplit, st.message()};
    const auto& covered = decoded.value().partial.covered;
    if (covered.size() != 1 || !(covered[0] == want[i])) {
      return Verdict{TxCode::kBadSplit, std::string(i == 0 ? "left" : "right") + " must cover exactly samples [" +
                                            std::to_string(want[i].begin) + ", " + std::to_string(want[i].end) + ")"};
    }
    digests += bytes_of_hash(compute::unit_digest(decoded.value()));
    halves.push_back(std::move(decoded).value());
  }
  auto merged = compute::merge_units(job, id, halves);
  if (!merged.is_ok()) return Verdict{TxCode::kBadSplit, merged.status().message()};
  const Hash32 sum = compute::unit_digest(merged.value());
  if (bytes_of_hash(sum) != claim) {
    return Verdict{TxCode::kBadSplit, "the halves merge to " + sum.hex() + ", not to your claim " +
                                          hex_encode(as_bytes(claim)) + " for samples [" + std::to_string(d.begin()) +
                                          ", " + std::to_string(d.end()) + ")"};
  }
  return Verdict::ok();
}

}  // namespace

Result<Verdict> execute_dispute_split(TxContext& tx, const hpchain::v1::DisputeSplit& split) {
  HPC_ASSIGN_OR_RETURN(Verdict operator_ok, check_worker_operator(tx, split.worker()));
  if (operator_ok.code != TxCode::kOk) return operator_ok;
  const Hash32 id = hash_of(split.job_id());
  const std::string at = "job " + id.hex() + " unit " + std::to_string(split.unit());
  HPC_ASSIGN_OR_RETURN(auto job, load_job(tx.view, id));
  if (!job) return Verdict{TxCode::kUnknownJob, "no job " + id.hex()};
  if (job->state() != hpchain::v1::JOB_DISPUTING) {
    return Verdict{TxCode::kNotInDispute, at + ": the job is " + hpchain::v1::JobState_Name(job->state())};
  }
  if (split.unit() >= mode_of(job->spec()).units) return Verdict{TxCode::kNotInDispute, at + ": no such unit"};
  HPC_ASSIGN_OR_RETURN(UnitRecord unit, load_unit(tx.view, id, split.unit()));
  Dispute& d = *unit.mutable_dispute();
  const bool is_worker = unit.state() == hpchain::v1::UNIT_DISPUTED && split.worker() == d.worker();
  const bool is_checker = unit.state() == hpchain::v1::UNIT_DISPUTED && split.worker() == d.checker();
  if (!is_worker && !is_checker) return Verdict{TxCode::kNotInDispute, at + ": no dispute of this worker"};
  if (split.round() != d.round()) {
    return Verdict{TxCode::kWrongDisputeRound, at + ": round " + std::to_string(d.round()) + " is open, not " +
                                                   std::to_string(split.round())};
  }
  if (!(is_worker ? d.worker_split() : d.checker_split()).empty()) {
    return Verdict{TxCode::kSplitAlreadyPosted, at + ": this party posted round " + std::to_string(d.round())};
  }
  HPC_ASSIGN_OR_RETURN(auto compute_job, compute_job_of(job->spec()));  // checked at submission
  std::string digests;
  HPC_ASSIGN_OR_RETURN(Verdict ok, check_split(compute_job, id, d, is_worker ? d.worker_claim() : d.checker_claim(),
                                               split, digests));
  if (ok.code != TxCode::kOk) return ok;
  if (is_worker) d.set_worker_split(digests);
  else d.set_checker_split(digests);
  tx.view.put_record(keys::job_unit(id, split.unit()), unit);
  HPC_TRY(count_action(tx, *job, id));
  tx.view.put_record(keys::job(id), *job);
  return Verdict::ok();
}

}  // namespace hpchain::ledger
