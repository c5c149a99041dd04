// Internal to ledger/: the job lifecycle and the randomness beacon
// (docs/jobs.md). Handlers follow execute.h's rules (a Verdict other than
// kOk rolls the transaction back to just after its fee); the end-of-block
// steps run after the block's last transaction.
#pragma once

#include <optional>

#include "compute/job.h"
#include "hpchain/v1/jobs.pb.h"
#include "ledger/assignment.h"
#include "ledger/execute.h"
#include "vm/verifier.h"

namespace hpchain::ledger {

// --- The beacon (beacon.cpp) ---

// The output a chain's beacon starts from: SHA-256("hpchain beacon genesis
// v1" ‖ chain id).
Hash32 genesis_beacon_output(std::string_view chain_id);
// The state of round 0 (heights 1..round_blocks).
hpchain::v1::BeaconState initial_beacon_state(std::string_view chain_id, uint64_t round_blocks);
Result<hpchain::v1::BeaconState> beacon_state(const StateView& view);

Result<Verdict> execute_beacon_reveal(TxContext& tx, const hpchain::v1::BeaconReveal& r);

// Output of a finished round: SHA-256("hpchain beacon v1" ‖ previous output ‖
// be64 round ‖ mix ‖ be32 reveals).
Hash32 beacon_round_output(const Hash32& previous, uint64_t round, const Hash32& mix, uint32_t reveals);

// End of block: when `height` ends the current round, stores its output,
// penalises validators that committed for it and did not reveal, starts
// the next round and returns the finished round's number and output.
Result<std::optional<std::pair<uint64_t, Hash32>>> end_beacon_round(StateView& view, uint64_t height,
                                                                    const hpchain::v1::Params& params,
                                                                    std::vector<Event>& events);

// --- Credibility (records.cpp) ---

// Credibility moves in parts per million, clamped to [0, 1,000,000].
inline constexpr int64_t kCredibilityMissedBeacon = -20'000;
inline constexpr int64_t kCredibilityMissedPhase = -50'000;   // no commit or no reveal in time
inline constexpr int64_t kCredibilityMinority = -250'000;     // revealed a result that lost
inline constexpr int64_t kCredibilityAccepted = 10'000;       // revealed the accepted result
Status adjust_credibility(StateView& view, const std::string& consensus_key, int64_t delta);
// Takes worker_slash_ppm of `worker`'s stake to the fee pool (the caller
// stores the record).
Status slash_stake(StateView& view, const hpchain::v1::Params& params, hpchain::v1::Validator& worker);
// A worker's load (Validator.assigned_units) up or down by one.
Status change_load(StateView& view, const std::string& consensus_key, int delta);

// --- Jobs (job_submit.cpp, job_results.cpp, job_phases.cpp) ---

Result<Verdict> execute_job_submit(TxContext& tx, const hpchain::v1::JobSubmit& s);
Result<Verdict> execute_job_cancel(TxContext& tx, const hpchain::v1::JobCancel& c);
Result<Verdict> execute_result_commit(TxContext& tx, const hpchain::v1::ResultCommit& c);
Result<Verdict> execute_result_reveal(TxContext& tx, const hpchain::v1::ResultReveal& r);
// A party's halves in a dispute (job_disputes.cpp).
Result<Verdict> execute_dispute_split(TxContext& tx, const hpchain::v1::DisputeSplit& d);

// The stateless checks of the job transactions (sizes, counts, ids).
Status check_job_tx_fields(const hpchain::v1::TxBody& body);

// End of block, after the beacon: assigns the jobs waiting for `round`'s
// output (when a round ended) and closes every job phase ending at `height`.
Status end_block_jobs(StateView& view, const BlockContext& block, const hpchain::v1::Params& params,
                      const std::optional<std::pair<uint64_t, Hash32>>& finished_round,
                      std::vector<Event>& events);

// Registry entries that may be drawn for `kernel` at `height`: not jailed,
// with a declared rate for the kernel. Sorted by key.
Result<std::vector<WorkerCandidate>> eligible_workers(const StateView& view, const std::string& kernel,
                                                      uint64_t height);

// Job id = SHA-256("hpchain job v1" ‖ submitter ‖ be64 nonce ‖ spec id).
Hash32 job_id(const Address& submitter, uint64_t nonce, const Hash32& spec_id);
// A commitment: SHA-256(unit digest ‖ worker consensus key ‖ salt).
Hash32 unit_commitment(const Hash32& unit_digest, ByteSpan worker_key, ByteSpan salt);

// The shape of a job's mode: its units, the replicas each unit gets at
// assignment and the quorum that verifies one. Partitioned mode is one
// worker a unit (its checkers come later, from the spot-check draw).
struct ModeShape {
  uint32_t units = 0;
  uint32_t replicas = 0;
  uint32_t quorum = 0;
  bool partitioned = false;
};
ModeShape mode_of(const hpchain::v1::JobSpec& spec);

// The registry entry of `worker`, operated by the sender; else why not.
Result<Verdict> check_worker_operator(const TxContext& tx, const std::string& worker);
// One of the replicas a phase waits for has acted (job.pending): when it
// was the last, the phase closes at the end of this block.
Status count_action(TxContext& tx, hpchain::v1::JobRecord& job, const Hash32& id);

// Partitioned mode's check rate of a worker with `clean_checks` passed
// spot-checks, in ppm: max(floor, new × h / (h + clean_checks)), h being
// spot_check_halving_units (docs/jobs.md, "Check rate").
uint64_t check_rate_ppm(const hpchain::v1::Params& params, uint64_t clean_checks);
// Whether unit `unit` of the job is in the spot-check set drawn from
// `beacon` at rate `rate_ppm`: the first 8 bytes of SHA-256("hpchain
// spot-check v1" ‖ beacon ‖ job id ‖ be32 unit), big-endian, mod 10^6.
bool in_check_set(const Hash32& beacon, const Hash32& job_id, uint32_t unit, uint64_t rate_ppm);

// The capability a worker declares for VM programs: accepted_kernels
// holds it to accept every verified program, and a worker's rate for it
// makes the worker eligible for program jobs.
inline constexpr std::string_view kVmCapability = "vm";
// The capability that runs `kernel`: kVmCapability for a program's kernel
// (vm_<id>), the kernel itself otherwise.
std::string capability_of(const std::string& kernel);

// The job's VM program, decoded and verified; nullptr when it has none.
Result<std::shared_ptr<const vm::VerifiedProgram>> program_of(const hpchain::v1::JobSpec& spec);
// The compute job a record's spec describes: the native kernels of this
// build, plus the job's own program when it carries one.
Result<compute::JobSpec> compute_job_of(const hpchain::v1::JobSpec& spec);

// Typed access to job records; absent ones are nullopt.
Result<std::optional<hpchain::v1::JobRecord>> load_job(const StateView& view, const Hash32& id);
Result<hpchain::v1::UnitRecord> load_unit(const StateView& view, const Hash32& id, uint32_t unit);
Hash32 hash_of(const std::string& bytes);  // 32 bytes (checked before)
Status add_to_id_list(StateView& view, const Bytes& key, const Hash32& id);
// Removes `id` from the list (the key goes when the list empties).
Status remove_from_id_list(StateView& view, const Bytes& key, const Hash32& id);
// An event for a job's transition: job_state{job, state, height}.
void job_event(std::vector<Event>& events, const hpchain::v1::JobRecord& job, uint64_t height);

}  // namespace hpchain::ledger
