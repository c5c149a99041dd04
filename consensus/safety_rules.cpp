#include "consensus/safety_rules.h"

#include <algorithm>

#include "chain/codec.h"
#include "consensus/codec.h"

namespace hpchain::consensus {

Bytes encode_safety_state(const SafetyState& state) {
  hpchain::v1::SafetyStateRecord r;
  r.set_epoch(state.epoch);
  r.set_last_voted_round(state.last_voted_round);
  r.set_one_chain_round(state.one_chain_round);
  r.set_highest_timeout_round(state.highest_timeout_round);
  if (state.last_vote) *r.mutable_last_vote() = vote_to_proto(*state.last_vote);
  if (state.one_chain_qc) *r.mutable_one_chain_qc() = qc_to_proto(*state.one_chain_qc);
  if (state.highest_tc) *r.mutable_highest_tc() = tc_to_proto(*state.highest_tc);
  r.set_last_proposed_round(state.last_proposed_round);
  return serialize_proto(r);
}

Result<SafetyState> decode_safety_state(ByteSpan bytes) {
  hpchain::v1::SafetyStateRecord r;
  if (!parse_proto(bytes, r, "safety state").is_ok()) {
    return Status::corruption("safety state record does not parse");
  }
  SafetyState s;
  s.epoch = r.epoch();
  s.last_voted_round = r.last_voted_round();
  s.one_chain_round = r.one_chain_round();
  s.highest_timeout_round = r.highest_timeout_round();
  s.last_proposed_round = r.last_proposed_round();
  if (r.has_last_vote()) {
    auto vote = vote_from_proto(r.last_vote());
    if (!vote.is_ok()) return Status::corruption("safety state vote: " + vote.status().message());
    s.last_vote = *vote;
  }
  if (r.has_one_chain_qc()) {
    auto qc = qc_from_proto(r.one_chain_qc());
    if (!qc.is_ok()) return Status::corruption("safety state QC: " + qc.status().message());
    s.one_chain_qc = *qc;
  }
  if (r.has_highest_tc()) {
    auto tc = tc_from_proto(r.highest_tc());
    if (!tc.is_ok()) return Status::corruption("safety state TC: " + tc.status().message());
    s.highest_tc = *tc;
  }
  return s;
}

namespace {
// The state to sign with in `epoch`, from the one storage held.
Result<SafetyState> state_for_epoch(SafetyState stored, uint64_t epoch) {
  if (stored.epoch > epoch) {
    return Status::failed_precondition("the safety state belongs to epoch " + std::to_string(stored.epoch) +
                                       ", later than " + std::to_string(epoch) + ": refusing to sign");
  }
  if (stored.epoch < epoch) {
    SafetyState fresh;
    fresh.epoch = epoch;
    return fresh;
  }
  return stored;
}
}  // namespace

#if defined(HPCHAIN_UNSAFE_VARIANTS)
Result<SafetyRules> SafetyRules::open(SafetyStorage& storage, Signer& signer, ValidatorIndex self, uint64_t epoch,
                                      UnsafeVariants unsafe) {
  HPC_ASSIGN_OR_RETURN(auto stored, storage.load());
  HPC_ASSIGN_OR_RETURN(auto state, state_for_epoch(std::move(stored), epoch));
  SafetyRules rules(storage, signer, self, std::move(state));
  rules.unsafe_ = unsafe;
  return rules;
}
bool SafetyRules::checks_last_voted_round() const { return !unsafe_.skip_last_voted_round_check; }
bool SafetyRules::checks_tc_lock() const { return !unsafe_.skip_tc_lock_check; }
#else
Result<SafetyRules> SafetyRules::open(SafetyStorage& storage, Signer& signer, ValidatorIndex self, uint64_t epoch) {
  HPC_ASSIGN_OR_RETURN(auto stored, storage.load());
  HPC_ASSIGN_OR_RETURN(auto state, state_for_epoch(std::move(stored), epoch));
  return SafetyRules(storage, signer, self, std::move(state));
}
bool SafetyRules::checks_last_voted_round() const { return true; }
bool SafetyRules::checks_tc_lock() const { return true; }
#endif

Status SafetyRules::commit(SafetyState next) {
  // Rounds in the safety state only ever grow within its epoch; a shrinking
  // one is a bug here.
  HPC_ASSERT(next.epoch == state_.epoch);
  HPC_ASSERT(next.last_voted_round >= state_.last_voted_round);
  HPC_ASSERT(next.one_chain_round >= state_.one_chain_round);
  HPC_ASSERT(next.highest_timeout_round >= state_.highest_timeout_round);
  HPC_ASSERT(next.last_proposed_round >= state_.last_proposed_round);
  HPC_TRY(storage_->save(next).with_context("saving safety state"));
  state_ = std::move(next);
  return Status::ok();
}

Result<Vote> SafetyRules::sign_vote(const Block& block, const std::optional<TimeoutCert>& tc) {
  HPC_ASSERT(block.fields.epoch == state_.epoch);  // the core checked the block
  const uint64_t round = block.round();
  const uint64_t qc_round = block.parent_qc().round;
  HPC_ASSERT(qc_round < round);
  if (state_.last_vote && state_.last_vote->round == round && checks_last_voted_round()) {
    return *state_.last_vote;
  }
  if (round <= state_.last_voted_round && checks_last_voted_round()) {
    return Status::failed_precondition("round not after last voted round: round " +
                                       std::to_string(round) + ", last voted " +
                                       std::to_string(state_.last_voted_round));
  }
  const bool follows_qc = round == qc_round + 1;
  const bool follows_tc = tc && round == tc->round + 1 &&
                          (qc_round >= tc->highest_high_qc_round() || !checks_tc_lock());
  if (!follows_qc && !follows_tc) {
    return Status::failed_precondition("not safe to vote in round " + std::to_string(round));
  }
  Vote vote;
  vote.block_id = block.id;
  vote.round = round;
  vote.height = block.height();
  vote.voter = self_;
  vote.signature = signer_->sign(SignDomain::kVote, vote_signing_bytes(state_.epoch, block.id, round, block.height()));
  SafetyState next = state_;
  next.last_voted_round = std::max(next.last_voted_round, round);
  if (qc_round > next.one_chain_round || !next.one_chain_qc) {
    next.one_chain_round = std::max(next.one_chain_round, qc_round);
    next.one_chain_qc = block.parent_qc();
  }
  // Keep the certificate that justified this round: after a restart it
  // brings us back to `round`, where we may still time out (a restarted
  // validator below its last voted round can neither vote, propose nor
  // time out, and if every validator restarted so, none would ever send).
  if (follows_tc && !follows_qc && (!next.highest_tc || tc->round > next.highest_tc->round)) {
    next.highest_tc = tc;
  }
  next.last_vote = vote;
  HPC_TRY(commit(std::move(next)));
  return vote;
}

Result<TimeoutShare> SafetyRules::sign_timeout(uint64_t round, const QuorumCert& high_qc,
                                               const std::optional<TimeoutCert>& tc) {
  if (round < state_.last_voted_round) {
    return Status::failed_precondition("round before last voted round: round " +
                                       std::to_string(round) + ", last voted " +
                                       std::to_string(state_.last_voted_round));
  }
  const bool justified = round == high_qc.round + 1 || (tc && round == tc->round + 1);
  if (!justified || high_qc.round < state_.one_chain_round) {
    return Status::failed_precondition("not safe to timeout in round " + std::to_string(round));
  }
  TimeoutShare share;
  share.signer = self_;
  share.high_qc_round = high_qc.round;
  share.signature = signer_->sign(SignDomain::kTimeout, timeout_signing_bytes(state_.epoch, round, high_qc.round));
  SafetyState next = state_;
  next.last_voted_round = round;  // no vote may follow our timeout in this round
  next.highest_timeout_round = std::max(next.highest_timeout_round, round);
  if (tc && (!next.highest_tc || tc->round > next.highest_tc->round)) next.highest_tc = tc;
  // Our highest QC joins the lock, as Aptos' observe_qc does: it justified
  // this round, and a restart must not lose it (see sign_vote).
  if (high_qc.round > next.one_chain_round || !next.one_chain_qc) {
    next.one_chain_round = high_qc.round;
    next.one_chain_qc = high_qc;
  }
  HPC_TRY(commit(std::move(next)));
  return share;
}

Result<Signature> SafetyRules::sign_proposal(const Block& block, const std::optional<TimeoutCert>& tc) {
  HPC_ASSERT(block.fields.proposer == self_ && block.fields.epoch == state_.epoch);
  if (block.round() <= state_.last_voted_round && checks_last_voted_round()) {
    return Status::failed_precondition("already voted or timed out in round " +
                                       std::to_string(block.round()));
  }
  // The unsafe variant that forgets voted rounds forgets proposed ones too.
  if (block.round() <= state_.last_proposed_round && checks_last_voted_round()) {
    return Status::failed_precondition("already proposed in round " + std::to_string(state_.last_proposed_round));
  }
  SafetyState next = state_;
  next.last_proposed_round = block.round();
  HPC_TRY(commit(std::move(next)));
  return signer_->sign(SignDomain::kProposal, proposal_signing_bytes(state_.epoch, block.id, tc));
}

}  // namespace hpchain::consensus
