// Jobs: submission, cancellation, identity, the stateless checks of the job
// transactions, and the record helpers the other job files share.
#include <algorithm>
#include <set>

#include "chain/check.h"
#include "chain/uint128.h"
#include "compute/registry.h"
#include "compute/spec.h"
#include "compute/unit_result.h"
#include "ledger/assignment.h"
#include "ledger/jobs.h"
#include "vm/kernel.h"

namespace hpchain::ledger {

using hpchain::v1::JobRecord;

Hash32 hash_of(const std::string& bytes) {
  HPC_ASSERT(bytes.size() == Hash32::kSize);
  Hash32 h;
  std::copy(bytes.begin(), bytes.end(), h.bytes.begin());
  return h;
}

Hash32 job_id(const Address& submitter, uint64_t nonce, const Hash32& spec_id) {
  Sha256 h;
  return h.update("hpchain job v1").update(submitter.span()).update_u64_be(nonce).update(spec_id.span()).finish();
}

Hash32 unit_commitment(const Hash32& unit_digest, ByteSpan worker_key, ByteSpan salt) {
  Sha256 h;
  return h.update(unit_digest.span()).update(worker_key).update(salt).finish();
}

Result<std::shared_ptr<const vm::VerifiedProgram>> program_of(const hpchain::v1::JobSpec& spec) {
  if (spec.program().empty()) return std::shared_ptr<const vm::VerifiedProgram>();
  auto program = vm::load_program(as_bytes(spec.program()));
  if (!program.is_ok()) return program.status().with_context("spec.program");
  return std::make_shared<const vm::VerifiedProgram>(std::move(program).value());
}

namespace {

Result<compute::JobSpec> build_compute_job(const hpchain::v1::JobSpec& spec,
                                           const std::shared_ptr<const vm::VerifiedProgram>& program) {
  const std::string& kernel = spec.compute().kernel();
  if (!program) {
    if (vm::is_program_kernel_name(kernel)) {
      return Status::invalid_argument("kernel " + kernel +
                                      " is a VM program: the job must carry its bytecode in spec.program "
                                      "(hpchain-compute compile FILE.hk -o FILE.hkb)");
    }
    return compute::spec_from_proto(compute::native_kernels(), spec.compute());
  }
  compute::KernelRegistry registry = compute::native_kernels();
  HPC_TRY(vm::register_program(registry, program));
  HPC_ASSIGN_OR_RETURN(compute::JobSpec job, compute::spec_from_proto(registry, spec.compute()));
  if (job.descriptor->info.name != vm::kernel_name(program->id)) {
    return Status::invalid_argument("spec.program is program " + vm::kernel_name(program->id) +
                                    ", but the job runs kernel " + job.descriptor->info.name);
  }
  return job;
}

}  // namespace

Result<compute::JobSpec> compute_job_of(const hpchain::v1::JobSpec& spec) {
  HPC_ASSIGN_OR_RETURN(auto program, program_of(spec));
  return build_compute_job(spec, program);
}

ModeShape mode_of(const hpchain::v1::JobSpec& spec) {
  if (spec.has_partitioned()) return {spec.partitioned().units(), 1, 1, true};
  return {spec.replicated().units(), spec.replicated().replicas(), spec.replicated().quorum(), false};
}

std::string capability_of(const std::string& kernel) {
  return vm::is_program_kernel_name(kernel) ? std::string(kVmCapability) : kernel;
}

Result<std::optional<JobRecord>> load_job(const StateView& view, const Hash32& id) {
  return view.get_record<JobRecord>(keys::job(id));
}

Result<hpchain::v1::UnitRecord> load_unit(const StateView& view, const Hash32& id, uint32_t unit) {
  HPC_ASSIGN_OR_RETURN(auto u, view.get_record<hpchain::v1::UnitRecord>(keys::job_unit(id, unit)));
  if (!u) return Status::corruption("job " + id.hex() + " has no record of unit " + std::to_string(unit));
  return *u;
}

Status add_to_id_list(StateView& view, const Bytes& key, const Hash32& id) {
  HPC_ASSIGN_OR_RETURN(auto list, view.get_record<hpchain::v1::JobIdList>(key));
  hpchain::v1::JobIdList updated = list.value_or(hpchain::v1::JobIdList{});
  const std::string entry(id.bytes.begin(), id.bytes.end());
  if (std::find(updated.ids().begin(), updated.ids().end(), entry) == updated.ids().end()) updated.add_ids(entry);
  view.put_record(key, updated);
  return Status::ok();
}

Status remove_from_id_list(StateView& view, const Bytes& key, const Hash32& id) {
  HPC_ASSIGN_OR_RETURN(auto list, view.get_record<hpchain::v1::JobIdList>(key));
  if (!list) return Status::ok();
  const std::string entry(id.bytes.begin(), id.bytes.end());
  hpchain::v1::JobIdList kept;
  for (const auto& e : list->ids()) {
    if (e != entry) kept.add_ids(e);
  }
  if (kept.ids_size() == 0) view.erase(key);
  else view.put_record(key, kept);
  return Status::ok();
}

void job_event(std::vector<Event>& events, const JobRecord& job, uint64_t height) {
  std::vector<std::pair<std::string, std::string>> attributes = {
      {"job", hex_encode(as_bytes(job.id()))},
      {"state", hpchain::v1::JobState_Name(job.state())},
      {"height", std::to_string(height)}};
  if (!job.reason().empty()) attributes.emplace_back("reason", job.reason());
  events.push_back({"job_state", std::move(attributes)});
}

Result<std::vector<WorkerCandidate>> eligible_workers(const StateView& view, const std::string& kernel,
                                                      uint64_t height) {
  HPC_ASSIGN_OR_RETURN(auto index, view.get_record<hpchain::v1::KeyList>(to_bytes_key(keys::kValidatorIndex)));
  const std::string capability = capability_of(kernel);
  std::vector<WorkerCandidate> out;
  if (!index) return out;
  for (const auto& key : index->keys()) {  // sorted: the candidates come out sorted
    HPC_ASSIGN_OR_RETURN(auto v, view.get_record<hpchain::v1::Validator>(keys::validator(as_bytes(key))));
    HPC_ASSERT(v.has_value());
    if (v->status() == hpchain::v1::VALIDATOR_JAILED && v->jailed_until() > height) continue;
    for (const auto& rate : v->capability().rates()) {
      if (rate.kernel() == capability && rate.samples_per_second() > 0) {
        out.push_back({key, v->institution(), rate.samples_per_second(), v->credibility(), v->assigned_units()});
      }
    }
  }
  return out;
}

namespace {

// The largest reveal entry a unit of `job` can need: its UnitResult with
// every counter at its widest varint, plus the job id, unit and salt.
size_t reveal_bytes_bound(const compute::JobSpec& job) {
  compute::Partial partial = compute::empty_partial(job);
  partial.covered = {{UINT64_MAX - 1, UINT64_MAX}};
  for (auto& p : partial.points) {
    std::fill(p.counts.begin(), p.counts.end(), UINT64_MAX);
    p.vanished = UINT64_MAX;
    p.flags = UINT32_MAX;
  }
  const auto unit = compute::make_unit_result(job, Hash32{}, std::move(partial));
  return compute::unit_to_proto(unit).ByteSizeLong() + 3 * 8 + 34 + 6 + 34;
}

Result<Verdict> check_mode(const hpchain::v1::JobSpec& spec, const hpchain::v1::Params& params) {
  if (spec.mode_case() == hpchain::v1::JobSpec::MODE_NOT_SET) {
    return Verdict{TxCode::kBadJobMode, "the job names no mode (replicated or partitioned)"};
  }
  const ModeShape shape = mode_of(spec);
  const uint64_t units_max = std::min<uint64_t>(params.job_units_max(), spec.compute().samples());
  if (shape.units < 1 || shape.units > units_max) {
    return Verdict{TxCode::kBadJobMode, "units must be 1 to " + std::to_string(units_max)};
  }
  if (shape.partitioned) return Verdict::ok();
  const auto& m = spec.replicated();
  if (m.replicas() < 1 || m.replicas() > params.job_replicas_max()) {
    return Verdict{TxCode::kBadJobMode, "replicas must be 1 to " + std::to_string(params.job_replicas_max())};
  }
  if (m.quorum() * 2 <= m.replicas() || m.quorum() > m.replicas()) {
    return Verdict{TxCode::kBadJobMode, "quorum must be more than half the replicas and at most all of them"};
  }
  return Verdict::ok();
}

Result<Verdict> check_economics(const TxContext& tx, const hpchain::v1::JobSpec& spec) {
  const auto& p = tx.params;
  const uint64_t deadline_min = 2 * p.beacon_round_blocks() + p.job_commit_blocks() + p.job_reveal_blocks();
  if (spec.deadline_blocks() < deadline_min || spec.deadline_blocks() > p.job_deadline_blocks_max()) {
    return Verdict{TxCode::kBadDeadline, "deadline_blocks must be " + std::to_string(deadline_min) + " to " +
                                             std::to_string(p.job_deadline_blocks_max())};
  }
  // Every replica the job may ever need (escalation up to the cap) is paid
  // for at least the minimum price.
  const auto slots = static_cast<Uint128>(mode_of(spec).units) * p.job_replicas_max();
  if (static_cast<Uint128>(spec.budget()) < slots * p.job_unit_price_min()) {
    return Verdict{TxCode::kBudgetTooLow, "budget " + std::to_string(spec.budget()) + " is below units × job_replicas_max × " +
                                              "job_unit_price_min = " +
                                              std::to_string(static_cast<uint64_t>(slots * p.job_unit_price_min()))};
  }
  HPC_ASSIGN_OR_RETURN(auto account, tx.view.account(tx.sender));
  if (account.balance() < spec.budget()) return Verdict{TxCode::kInsufficientBalance, "balance is below the budget"};
  return Verdict::ok();
}

// A VM job's gas: the program's static gas per sample times the job's
// samples, within both the job's own gas_limit and the chain's max_job_gas.
Verdict check_gas(const TxContext& tx, const hpchain::v1::JobSpec& spec, const vm::VerifiedProgram& program,
                  uint64_t samples) {
  const uint64_t gas = vm::job_gas(program, samples);
  const std::string need = "the program needs " + std::to_string(gas) + " gas (" +
                           std::to_string(program.sample_gas) + " per sample × " + std::to_string(samples) +
                           " samples)";
  if (gas > spec.gas_limit()) {
    return Verdict{TxCode::kGasOverLimit, need + "; the job's gas_limit is " + std::to_string(spec.gas_limit())};
  }
  if (gas > tx.params.max_job_gas()) {
    return Verdict{TxCode::kGasOverLimit, need + "; the chain's max_job_gas is " + std::to_string(tx.params.max_job_gas())};
  }
  return Verdict::ok();
}

// Every check of a submission that needs the compute engine (and the VM).
Result<Verdict> check_compute(const TxContext& tx, const hpchain::v1::JobSpec& spec, compute::JobSpec& job) {
  const auto& kernels = tx.params.accepted_kernels();
  const std::string accepted_as = capability_of(spec.compute().kernel());
  if (!std::binary_search(kernels.begin(), kernels.end(), accepted_as)) {
    return Verdict{TxCode::kKernelNotAccepted, "kernel \"" + accepted_as + "\" is not accepted by this chain"};
  }
  if (spec.compute().compute_version() != tx.params.compute_version()) {
    return Verdict{TxCode::kBadComputeSpec, "compute_version " + std::to_string(spec.compute().compute_version()) +
                                                ", the chain computes version " + std::to_string(tx.params.compute_version())};
  }
  auto program = program_of(spec);
  if (!program.is_ok()) return Verdict{TxCode::kBadComputeSpec, program.status().message()};
  if (program.value() && !std::binary_search(kernels.begin(), kernels.end(), std::string(kVmCapability))) {
    return Verdict{TxCode::kKernelNotAccepted, "kernel \"vm\" (programs) is not accepted by this chain"};
  }
  auto built = build_compute_job(spec, program.value());
  if (!built.is_ok()) return Verdict{TxCode::kBadComputeSpec, built.status().message()};
  job = std::move(built).value();
  if (program.value()) {
    const Verdict gas_ok = check_gas(tx, spec, *program.value(), job.samples);
    if (gas_ok.code != TxCode::kOk) return gas_ok;
  }
  const size_t bound = reveal_bytes_bound(job);
  if (bound > tx.params.max_tally_bytes_per_unit()) {
    return Verdict{TxCode::kTallyTooLarge, "a unit's result needs up to " + std::to_string(bound) +
                                               " bytes; max_tally_bytes_per_unit is " +
                                               std::to_string(tx.params.max_tally_bytes_per_unit())};
  }
  return Verdict::ok();
}

}  // namespace

Result<Verdict> execute_job_submit(TxContext& tx, const hpchain::v1::JobSubmit& s) {
  const auto& spec = s.spec();
  HPC_ASSIGN_OR_RETURN(auto submitter, tx.view.account(tx.sender));
  if ((submitter.roles() & hpchain::v1::ROLE_SUBMITTER) == 0) {
    return Verdict{TxCode::kWrongRole, "JobSubmit needs the submitter role (given by an institution admin)"};
  }
  compute::JobSpec job;
  HPC_ASSIGN_OR_RETURN(Verdict compute_ok, check_compute(tx, spec, job));
  if (compute_ok.code != TxCode::kOk) return compute_ok;
  HPC_ASSIGN_OR_RETURN(Verdict mode_ok, check_mode(spec, tx.params));
  if (mode_ok.code != TxCode::kOk) return mode_ok;
  HPC_ASSIGN_OR_RETURN(Verdict money_ok, check_economics(tx, spec));
  if (money_ok.code != TxCode::kOk) return money_ok;
  HPC_ASSIGN_OR_RETURN(auto workers, eligible_workers(tx.view, job.descriptor->info.name, tx.block.height));
  // Partitioned mode needs two: a unit's worker and a checker.
  const ModeShape shape = mode_of(spec);
  const uint32_t needed = shape.partitioned ? 2 : shape.replicas;
  if (workers.size() < needed) {
    return Verdict{TxCode::kTooFewWorkers, std::to_string(workers.size()) + " eligible workers for kernel \"" +
                                               job.descriptor->info.name + "\", " + std::to_string(needed) +
                                               (shape.partitioned ? " needed (a worker and a checker)" : " replicas asked")};
  }
  submitter.set_balance(submitter.balance() - spec.budget());
  tx.view.put_record(keys::account(tx.sender), submitter);
  HPC_ASSIGN_OR_RETURN(auto beacon, beacon_state(tx.view));
  JobRecord record;
  const Hash32 id = job_id(tx.sender, tx.nonce, job.spec_id);
  record.set_id(id.bytes.data(), id.bytes.size());
  record.set_submitter(bytes_of(tx.sender));
  record.set_nonce(tx.nonce);
  *record.mutable_spec() = spec;
  record.set_spec_id(job.spec_id.bytes.data(), job.spec_id.bytes.size());
  record.set_state(hpchain::v1::JOB_SUBMITTED);
  record.set_submit_height(tx.block.height);
  record.set_deadline_height(tx.block.height + spec.deadline_blocks());
  // Drawn from the output of the round after this one: it does not exist yet.
  record.set_assign_round(beacon.round() + 1);
  record.set_escrow(spec.budget());
  record.set_replica_price(spec.budget() / (uint64_t{shape.units} * tx.params.job_replicas_max()));
  record.set_units_open(shape.units);
  HPC_ASSIGN_OR_RETURN(auto existing, load_job(tx.view, id));
  HPC_ASSERT(!existing.has_value());  // the nonce makes the id new
  tx.view.put_record(keys::job(id), record);
  HPC_TRY(add_to_id_list(tx.view, keys::assign_due(record.assign_round()), id));
  job_event(tx.events, record, tx.block.height);
  return Verdict::ok();
}

Result<Verdict> execute_job_cancel(TxContext& tx, const hpchain::v1::JobCancel& c) {
  const Hash32 id = hash_of(c.job_id());
  HPC_ASSIGN_OR_RETURN(auto job, load_job(tx.view, id));
  if (!job) return Verdict{TxCode::kUnknownJob, "no job " + id.hex()};
  if (job->submitter() != bytes_of(tx.sender)) return Verdict{TxCode::kNotSubmitter, "only the submitter may cancel"};
  if (job->state() != hpchain::v1::JOB_SUBMITTED) {
    return Verdict{TxCode::kJobStarted, "the job is " + hpchain::v1::JobState_Name(job->state()) +
                                            ": a cancel works only before assignment"};
  }
  HPC_TRY(credit(tx.view, tx.sender, job->escrow()));
  job->set_escrow(0);
  job->set_state(hpchain::v1::JOB_FAILED);
  job->set_reason("cancelled by the submitter");
  job->set_final_height(tx.block.height);
  tx.view.put_record(keys::job(id), *job);
  job_event(tx.events, *job, tx.block.height);
  return Verdict::ok();
}

namespace {

Status check_key_field(const std::string& key, std::string_view what) {
  if (!PublicKey::parse(as_bytes(key)).is_ok()) {
    return Status::invalid_argument(std::string(what) + " is not a compressed secp256k1 key");
  }
  return Status::ok();
}
Status check_32(const std::string& bytes, std::string_view what) {
  if (bytes.size() != 32) return Status::invalid_argument(std::string(what) + " must be 32 bytes");
  return Status::ok();
}
// Each (job, unit) at most once in a batch.
template <typename Entries>
Status check_batch(const Entries& entries, size_t max, std::string_view what) {
  if (entries.empty() || static_cast<size_t>(entries.size()) > max) {
    return Status::invalid_argument(std::string(what) + ": 1 to " + std::to_string(max) + " entries");
  }
  std::set<std::pair<std::string, uint32_t>> seen;
  for (const auto& e : entries) {
    HPC_TRY(check_32(e.job_id(), "job_id"));
    if (!seen.insert({e.job_id(), e.unit()}).second) {
      return Status::invalid_argument(std::string(what) + " names a unit twice");
    }
  }
  return Status::ok();
}

}  // namespace

Status check_job_tx_fields(const hpchain::v1::TxBody& b) {
  using hpchain::v1::TxBody;
  switch (b.kind_case()) {
    case TxBody::kJobSubmit: {
      const auto& spec = b.job_submit().spec();
      if (!spec.has_compute() || spec.compute().kernel().empty()) return Status::invalid_argument("the job names no kernel");
      if (spec.compute().params_size() > 64) return Status::invalid_argument("at most 64 parameters");
      if (spec.program().size() > vm::kMaxProgramBytes) {
        return Status::invalid_argument("spec.program: at most " + std::to_string(vm::kMaxProgramBytes) + " bytes");
      }
      if (spec.input_blobs_size() > 16) return Status::invalid_argument("at most 16 input blobs");
      for (const auto& blob : spec.input_blobs()) HPC_TRY(check_32(blob, "input blob hash"));
      return Status::ok();
    }
    case TxBody::kJobCancel: return check_32(b.job_cancel().job_id(), "job_id");
    case TxBody::kResultCommit: {
      HPC_TRY(check_key_field(b.result_commit().worker(), "worker"));
      HPC_TRY(check_batch(b.result_commit().commitments(), 256, "commitments"));
      for (const auto& c : b.result_commit().commitments()) HPC_TRY(check_32(c.commitment(), "commitment"));
      return Status::ok();
    }
    case TxBody::kResultReveal: {
      HPC_TRY(check_key_field(b.result_reveal().worker(), "worker"));
      HPC_TRY(check_batch(b.result_reveal().reveals(), 64, "reveals"));
      for (const auto& r : b.result_reveal().reveals()) {
        HPC_TRY(check_32(r.salt(), "salt"));
        if (!r.has_result()) return Status::invalid_argument("a reveal carries its unit result");
      }
      return Status::ok();
    }
    case TxBody::kDisputeSplit: {
      const auto& d = b.dispute_split();
      HPC_TRY(check_key_field(d.worker(), "worker"));
      HPC_TRY(check_32(d.job_id(), "job_id"));
      if (!d.has_left() || !d.has_right()) return Status::invalid_argument("a split carries both halves");
      return Status::ok();
    }
    case TxBody::kBeaconReveal: {
      const auto& r = b.beacon_reveal();
      HPC_TRY(check_key_field(r.validator(), "validator"));
      if (!r.secret().empty()) HPC_TRY(check_32(r.secret(), "secret"));
      if (!r.next_commitment().empty()) HPC_TRY(check_32(r.next_commitment(), "next_commitment"));
      return Status::ok();
    }
    default: break;
  }
  HPC_ASSERT(false);  // called for the job kinds only
  return Status::ok();
}

}  // namespace hpchain::ledger
