// apply_block: fees, nonces and dispatch; the stateless checks of a payload.
#include "ledger/ledger.h"

#include "chain/check.h"
#include "chain/codec.h"
#include "ledger/jobs.h"

namespace hpchain::ledger {

using hpchain::v1::TxBody;

std::string_view tx_code_name(TxCode code) {
  static constexpr std::string_view kNames[kTxCodeCount] = {
      "ok", "bad_nonce", "fee_too_low", "fee_unpaid", "block_full", "malformed", "insufficient_balance", "wrong_role",
      "not_admin", "unknown_institution", "institution_exists", "institution_has_validators",
      "last_institution", "member_of_other", "not_member", "already_member", "last_admin",
      "unknown_validator", "validator_exists", "not_operator", "insufficient_stake", "empty_consensus_set",
      "too_many_voters", "bad_expiry", "unknown_proposal", "proposal_closed", "already_voted", "bad_params",
      "kernel_not_accepted", "bad_compute_spec", "bad_job_mode", "tally_too_large", "too_few_workers",
      "budget_too_low", "bad_deadline", "unknown_job", "not_submitter", "job_started", "not_assigned",
      "commit_closed", "already_committed", "reveal_closed", "already_revealed", "reveal_mismatch", "bad_unit_result",
      "not_voter", "beacon_wrong_round", "beacon_repeat", "beacon_mismatch",
      "gas_over_limit", "not_in_dispute", "wrong_dispute_round", "split_already_posted", "bad_split"};
  return kNames[static_cast<int>(code)];
}

uint64_t required_fee(const hpchain::v1::Params& params, size_t tx_bytes) {
  return params.fee_base() + params.fee_per_byte() * tx_bytes;  // both bounded: no overflow
}

namespace {

Result<Verdict> dispatch(TxContext& tx, const TxBody& body) {
  switch (body.kind_case()) {
    case TxBody::kTransfer: return execute_transfer(tx, body.transfer());
    case TxBody::kProposal: return execute_proposal(tx, body.proposal());
    case TxBody::kVote: return execute_vote(tx, body.vote());
    case TxBody::kMemberAdmit: return execute_member_admit(tx, body.member_admit());
    case TxBody::kMemberRevoke: return execute_member_revoke(tx, body.member_revoke());
    case TxBody::kWorkerRegister: return execute_worker_register(tx, body.worker_register());
    case TxBody::kStakeBond: return execute_stake_bond(tx, body.stake_bond());
    case TxBody::kStakeUnbond: return execute_stake_unbond(tx, body.stake_unbond());
    case TxBody::kJobSubmit: return execute_job_submit(tx, body.job_submit());
    case TxBody::kJobCancel: return execute_job_cancel(tx, body.job_cancel());
    case TxBody::kResultCommit: return execute_result_commit(tx, body.result_commit());
    case TxBody::kResultReveal: return execute_result_reveal(tx, body.result_reveal());
    case TxBody::kBeaconReveal: return execute_beacon_reveal(tx, body.beacon_reveal());
    case TxBody::kDisputeSplit: return execute_dispute_split(tx, body.dispute_split());
    case TxBody::KIND_NOT_SET: break;
  }
  HPC_ASSERT(false);  // decode_and_verify_tx refuses a body without a kind
  return Verdict::ok();
}

struct BlockBudget {
  uint64_t bytes = 0;
  uint64_t gas = 0;
  uint64_t fees = 0;
};

// Nonce, fee and block limits; then the handler. Returns the outcome. The
// fee is added to budget.fees, which the fee recipient receives after the
// block's last transaction.
Result<TxOutcome> execute_one(StateView& view, const BlockContext& ctx, const hpchain::v1::Params& params,
                              const VerifiedTx& vtx, BlockBudget& budget, std::vector<Event>& events) {
  TxOutcome out{vtx.id, TxCode::kOk, {}, 0};
  const TxBody& body = vtx.body;
  HPC_ASSIGN_OR_RETURN(auto sender, view.account(vtx.sender));
  const size_t size = vtx.raw_bytes.size();
  auto skip = [&](TxCode code, std::string detail) {
    out.code = code;
    out.detail = std::move(detail);
    return out;
  };
  if (auto fields = check_tx_fields(vtx); !fields.is_ok()) return skip(TxCode::kMalformed, fields.message());
  if (body.nonce() != sender.nonce()) {
    return skip(TxCode::kBadNonce, "nonce " + std::to_string(body.nonce()) + ", expected " + std::to_string(sender.nonce()));
  }
  if (body.fee() < required_fee(params, size)) {
    return skip(TxCode::kFeeTooLow, "fee below " + std::to_string(required_fee(params, size)));
  }
  if (sender.balance() < body.fee()) return skip(TxCode::kFeeUnpaid, "balance below the fee");
  if (budget.bytes + size > params.max_block_bytes() || budget.gas + tx_gas(size) > params.max_block_gas()) {
    return skip(TxCode::kBlockFull, "block byte or gas limit reached");
  }
  budget.bytes += size;
  budget.gas += tx_gas(size);
  sender.set_balance(sender.balance() - body.fee());
  sender.set_nonce(sender.nonce() + 1);
  view.put_record(keys::account(vtx.sender), sender);
  budget.fees += body.fee();  // below the credits cap, as every balance is
  out.fee_paid = body.fee();
  const size_t mark = view.mark();
  const size_t events_before = events.size();
  TxContext tx{view, ctx, params, vtx.sender, events, body.nonce()};
  HPC_ASSIGN_OR_RETURN(Verdict verdict, dispatch(tx, body));
  if (verdict.code != TxCode::kOk) {
    view.rollback(mark);
    events.resize(events_before);
    out.code = verdict.code;
    out.detail = std::move(verdict.detail);
  }
  return out;
}

Result<Address> fee_recipient(const StateView& view, const Bytes& proposer_key) {
  HPC_ASSIGN_OR_RETURN(auto v, view.get_record<hpchain::v1::Validator>(keys::validator(proposer_key)));
  if (!v) return kFeePoolAddress;
  return address_of(v->operator_());
}

}  // namespace

Result<BlockResult> apply_block(const StateReader& reader, const BlockContext& ctx, std::span<const VerifiedTx> txs) {
  HPC_ASSERT(ctx.height >= 1);
  StateView view(reader);
  BlockResult result;
  HPC_ASSIGN_OR_RETURN(const hpchain::v1::Params params, view.params());
  HPC_ASSIGN_OR_RETURN(const hpchain::v1::ConsensusSet set_before, consensus_set(view));
  HPC_ASSIGN_OR_RETURN(const Address recipient, fee_recipient(view, ctx.proposer_key));
  HPC_TRY(release_unbondings(view, ctx.height, result.events));
  BlockBudget budget;
  result.outcomes.reserve(txs.size());
  for (const VerifiedTx& vtx : txs) {
    HPC_ASSIGN_OR_RETURN(TxOutcome outcome, execute_one(view, ctx, params, vtx, budget, result.events));
    result.outcomes.push_back(std::move(outcome));
  }
  // One credit for the whole block: a read and a write per transaction less.
  if (budget.fees > 0) HPC_TRY(credit(view, recipient, budget.fees));
  HPC_TRY(expire_proposals(view, ctx.height, result.events));
  HPC_ASSIGN_OR_RETURN(auto finished_round, end_beacon_round(view, ctx.height, params, result.events));
  HPC_TRY(end_block_jobs(view, ctx, params, finished_round, result.events));
  HPC_ASSIGN_OR_RETURN(hpchain::v1::ConsensusSet set_after, consensus_set(view));
  if (serialize_proto(set_after) != serialize_proto(set_before)) result.new_consensus_set = std::move(set_after);
  HPC_ASSIGN_OR_RETURN(auto writes, view.writes());
  HPC_ASSIGN_OR_RETURN(result.changes, build_change_set(reader, ctx.height, std::move(writes),
                                                        params.state_retention_heights()));
  return result;
}

Result<std::vector<VerifiedTx>> check_payload(ByteSpan payload, std::string_view chain_id) {
  return check_payload(payload, chain_id, [](const Hash32&) { return std::optional<VerifiedTx>{}; });
}

Result<std::vector<VerifiedTx>> check_payload(ByteSpan payload, std::string_view chain_id,
                                              const std::function<std::optional<VerifiedTx>(const Hash32&)>& known) {
  hpchain::v1::BlockPayload decoded;
  HPC_TRY(parse_proto(payload, decoded, "block payload"));
  std::vector<VerifiedTx> txs;
  txs.reserve(static_cast<size_t>(decoded.txs_size()));
  for (int i = 0; i < decoded.txs_size(); ++i) {
    const std::string& raw = decoded.txs(i);
    if (auto have = known(sha256(as_bytes(raw)))) {
      txs.push_back(std::move(*have));
      continue;
    }
    auto vtx = decode_and_verify_tx(as_bytes(raw), chain_id);
    Status s = vtx.is_ok() ? check_tx_fields(vtx.value()) : vtx.status();
    if (!s.is_ok()) return Status::invalid_argument("transaction " + std::to_string(i) + ": " + s.message());
    txs.push_back(std::move(vtx).value());
  }
  return txs;
}

}  // namespace hpchain::ledger
