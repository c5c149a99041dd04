// Jobs: workers' batched commitments and reveals (docs/jobs.md,
// "Commit–reveal"). A batch applies whole or not at all: the first bad
// entry's verdict fails the transaction, which rolls it back.
#include <algorithm>
#include <initializer_list>
#include <map>

#include "chain/check.h"
#include "compute/planner.h"
#include "compute/unit_result.h"
#include "ledger/jobs.h"

namespace hpchain::ledger {

using hpchain::v1::JobRecord;
using hpchain::v1::Replica;
using hpchain::v1::UnitRecord;

Result<Verdict> check_worker_operator(const TxContext& tx, const std::string& worker) {
  HPC_ASSIGN_OR_RETURN(auto v, tx.view.get_record<hpchain::v1::Validator>(keys::validator(as_bytes(worker))));
  if (!v) return Verdict{TxCode::kUnknownValidator, "no registry entry for the worker key"};
  if (v->operator_() != bytes_of(tx.sender)) return Verdict{TxCode::kNotOperator, "the signer is not the worker's operator"};
  return Verdict::ok();
}

Status count_action(TxContext& tx, JobRecord& job, const Hash32& id) {
  HPC_ASSERT(job.pending() > 0);
  job.set_pending(job.pending() - 1);
  if (job.pending() == 0 && job.phase_end() != tx.block.height) {
    job.set_phase_end(tx.block.height);
    HPC_TRY(add_to_id_list(tx.view, keys::jobs_due(tx.block.height), id));
  }
  return Status::ok();
}

namespace {

std::string where(const Hash32& id, uint32_t unit) { return "job " + id.hex() + " unit " + std::to_string(unit); }

// The worker's replica of the unit in the state `wanted`, else why not.
Result<Verdict> find_replica(const UnitRecord& unit, const std::string& worker, hpchain::v1::ReplicaState wanted,
                             const std::string& at, int& index) {
  for (int i = 0; i < unit.replicas_size(); ++i) {
    const Replica& r = unit.replicas(i);
    if (r.worker() != worker) continue;
    if (r.state() == wanted) {
      index = i;
      return Verdict::ok();
    }
    if (wanted == hpchain::v1::REPLICA_ASSIGNED && r.state() == hpchain::v1::REPLICA_COMMITTED) {
      return Verdict{TxCode::kAlreadyCommitted, at + ": already committed"};
    }
    if (wanted == hpchain::v1::REPLICA_COMMITTED && r.state() == hpchain::v1::REPLICA_REVEALED) {
      return Verdict{TxCode::kAlreadyRevealed, at + ": already revealed"};
    }
  }
  // Never drawn, or drawn and then replaced (a stale worker's late message).
  return Verdict{TxCode::kNotAssigned, at + ": not assigned to this worker"};
}

// Where a commit or reveal lands: the job, the unit and the worker's
// replica in state `wanted`, with the job in one of `phases`; otherwise
// the verdict why not (`closed` when the job is in another phase).
struct Target {
  Hash32 id;
  std::string at;  // "job … unit …", for messages
  JobRecord job;
  UnitRecord unit;
  int index = -1;
};
Result<Verdict> locate(const TxContext& tx, const std::string& job_id, uint32_t unit_index, const std::string& worker,
                       std::initializer_list<hpchain::v1::JobState> phases, TxCode closed,
                       hpchain::v1::ReplicaState wanted, Target& t) {
  t.id = hash_of(job_id);
  t.at = where(t.id, unit_index);
  HPC_ASSIGN_OR_RETURN(auto job, load_job(tx.view, t.id));
  if (!job) return Verdict{TxCode::kUnknownJob, "no job " + t.id.hex()};
  if (std::find(phases.begin(), phases.end(), job->state()) == phases.end()) {
    return Verdict{closed, t.at + ": the job is " + hpchain::v1::JobState_Name(job->state())};
  }
  if (unit_index >= mode_of(job->spec()).units) return Verdict{TxCode::kNotAssigned, t.at + ": no such unit"};
  t.job = std::move(*job);
  HPC_ASSIGN_OR_RETURN(t.unit, load_unit(tx.view, t.id, unit_index));
  return find_replica(t.unit, worker, wanted, t.at, t.index);
}

Result<Verdict> commit_one(TxContext& tx, const std::string& worker, const hpchain::v1::UnitCommitment& c) {
  Target t;
  HPC_ASSIGN_OR_RETURN(Verdict found, locate(tx, c.job_id(), c.unit(), worker,
                                             {hpchain::v1::JOB_ASSIGNED, hpchain::v1::JOB_COMMITTING},
                                             TxCode::kCommitClosed, hpchain::v1::REPLICA_ASSIGNED, t));
  if (found.code != TxCode::kOk) return found;
  Replica& r = *t.unit.mutable_replicas(t.index);
  r.set_state(hpchain::v1::REPLICA_COMMITTED);
  r.set_commitment(c.commitment());
  tx.view.put_record(keys::job_unit(t.id, c.unit()), t.unit);
  if (t.job.state() == hpchain::v1::JOB_ASSIGNED) {
    t.job.set_state(hpchain::v1::JOB_COMMITTING);
    job_event(tx.events, t.job, tx.block.height);
  }
  HPC_TRY(count_action(tx, t.job, t.id));
  tx.view.put_record(keys::job(t.id), t.job);
  return Verdict::ok();
}

// The reveal's unit result: well formed, of this job, covering exactly the unit.
Result<Verdict> check_revealed_unit(const compute::JobSpec& job, const JobRecord& record, uint32_t unit_index,
                                    const hpchain::v1::UnitResult& proto, compute::UnitResult& unit) {
  const Hash32 id = hash_of(record.id());
  auto decoded = compute::unit_from_proto(proto);
  if (!decoded.is_ok()) return Verdict{TxCode::kBadUnitResult, decoded.status().message()};
  unit = std::move(decoded).value();
  if (auto s = compute::check_unit(job, id, unit); !s.is_ok()) return Verdict{TxCode::kBadUnitResult, s.message()};
  const compute::SampleRange want = compute::unit_range(job.samples, mode_of(record.spec()).units, unit_index);
  if (unit.partial.covered.size() != 1 || !(unit.partial.covered[0] == want)) {
    return Verdict{TxCode::kBadUnitResult, "the result does not cover exactly samples [" + std::to_string(want.begin) + ", " +
                                               std::to_string(want.end) + ") of unit " + std::to_string(unit_index)};
  }
  return Verdict::ok();
}

Result<Verdict> reveal_one(TxContext& tx, const std::string& worker, const hpchain::v1::UnitReveal& r,
                           std::map<Hash32, compute::JobSpec>& jobs) {
  Target t;
  HPC_ASSIGN_OR_RETURN(Verdict found, locate(tx, r.job_id(), r.unit(), worker, {hpchain::v1::JOB_REVEALING},
                                             TxCode::kRevealClosed, hpchain::v1::REPLICA_COMMITTED, t));
  if (found.code != TxCode::kOk) return found;
  if (jobs.find(t.id) == jobs.end()) {
    HPC_ASSIGN_OR_RETURN(auto built, compute_job_of(t.job.spec()));  // checked at submission
    jobs.emplace(t.id, std::move(built));
  }
  compute::UnitResult result;
  HPC_ASSIGN_OR_RETURN(Verdict ok, check_revealed_unit(jobs.at(t.id), t.job, r.unit(), r.result(), result));
  if (ok.code != TxCode::kOk) return ok;
  const Hash32 digest = compute::unit_digest(result);
  Replica& replica = *t.unit.mutable_replicas(t.index);
  if (unit_commitment(digest, as_bytes(worker), as_bytes(r.salt())) != hash_of(replica.commitment())) {
    return Verdict{TxCode::kRevealMismatch, t.at + ": the result and salt do not match the commitment"};
  }
  replica.set_state(hpchain::v1::REPLICA_REVEALED);
  replica.set_digest(digest.bytes.data(), digest.bytes.size());
  tx.view.put_record(keys::job_unit(t.id, r.unit()), t.unit);
  const Bytes data_key = keys::unit_data(t.id, r.unit(), digest);
  HPC_ASSIGN_OR_RETURN(auto stored, tx.view.get(data_key));
  if (!stored) tx.view.put_record(data_key, r.result());
  HPC_TRY(change_load(tx.view, worker, -1));  // its work on the unit is done
  HPC_TRY(count_action(tx, t.job, t.id));
  tx.view.put_record(keys::job(t.id), t.job);
  return Verdict::ok();
}

}  // namespace

Result<Verdict> execute_result_commit(TxContext& tx, const hpchain::v1::ResultCommit& c) {
  HPC_ASSIGN_OR_RETURN(Verdict worker_ok, check_worker_operator(tx, c.worker()));
  if (worker_ok.code != TxCode::kOk) return worker_ok;
  for (const auto& entry : c.commitments()) {
    HPC_ASSIGN_OR_RETURN(Verdict v, commit_one(tx, c.worker(), entry));
    if (v.code != TxCode::kOk) return v;
  }
  return Verdict::ok();
}

Result<Verdict> execute_result_reveal(TxContext& tx, const hpchain::v1::ResultReveal& r) {
  HPC_ASSIGN_OR_RETURN(Verdict worker_ok, check_worker_operator(tx, r.worker()));
  if (worker_ok.code != TxCode::kOk) return worker_ok;
  std::map<Hash32, compute::JobSpec> jobs;  // each job built once per transaction
  for (const auto& entry : r.reveals()) {
    HPC_ASSIGN_OR_RETURN(Verdict v, reveal_one(tx, r.worker(), entry, jobs));
    if (v.code != TxCode::kOk) return v;
  }
  return Verdict::ok();
}

}  // namespace hpchain::ledger
