#include "consensus/validation.h"

#include <algorithm>

#include "chain/codec.h"
#include "hpchain/v1/block.pb.h"

namespace hpchain::consensus {

std::string_view reject_reason_name(RejectReason reason) {
  static constexpr std::array<std::string_view, kRejectReasonCount> kNames = {
      "malformed",      "wrong_chain_id",    "unknown_signer", "bad_signature",
      "duplicate_signer", "qc_no_quorum",    "tc_no_quorum",   "not_leader",
      "round_too_far",  "stale_round",       "bad_block",      "unjustified_round",
      "equivocation",   "duplicate",         "not_for_us",     "unsolicited_block",
      "wrong_epoch", "safety_refused",  "unknown_parent", "buffer_full",
      "bad_certificate", "already_counted", "payload_too_large",
      "storage_failed", "bad_payload"};
  const auto i = static_cast<size_t>(reason);
  HPC_ASSERT(i < kNames.size());
  return kNames[i];
}

Verdict MessageValidator::check_signers(const std::vector<ValidatorIndex>& signers,
                                        RejectReason no_quorum) const {
  std::vector<ValidatorIndex> sorted = signers;
  std::sort(sorted.begin(), sorted.end());
  uint64_t power = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] >= validators_.size()) {
      return Verdict::reject(RejectReason::kUnknownSigner,
                             "signer " + std::to_string(sorted[i]) + " is not a validator");
    }
    if (i > 0 && sorted[i] == sorted[i - 1]) {
      return Verdict::reject(RejectReason::kDuplicateSigner,
                             "signer " + std::to_string(sorted[i]) + " appears twice");
    }
    power += validators_.power_of(sorted[i]);
  }
  if (!validators_.is_quorum(power)) {
    return Verdict::reject(no_quorum, "signers hold " + std::to_string(power) + " of " +
                                          std::to_string(validators_.total_power()) + " power");
  }
  return Verdict::accept();
}

void BoundedDigestSet::insert(const Hash32& digest) {
  if (!digests_.insert(digest).second) return;
  order_.push_back(digest);
  if (order_.size() > capacity_) {
    digests_.erase(order_.front());
    order_.pop_front();
  }
}

Verdict MessageValidator::verify_qc(const QuorumCert& qc) const {
  if (qc.round == 0) {
    if (qc.block_id == start_id_ && qc.height == start_height_ && qc.votes.empty()) return Verdict::accept();
    return Verdict::reject(RejectReason::kQcNoQuorum, "round-0 QC is not the epoch start's QC");
  }
  return check_once(certificate_digest(qc), [&] { return verify_qc_signatures(qc); });
}

template <class Check>
Verdict MessageValidator::check_once(const Hash32& digest, Check check) const {
  if (verified_.contains(digest)) return Verdict::accept();
  Verdict verdict = check();
  if (verdict.ok()) verified_.insert(digest);
  return verdict;
}

Verdict MessageValidator::verify_qc_signatures(const QuorumCert& qc) const {
  std::vector<ValidatorIndex> signers;
  for (const auto& v : qc.votes) signers.push_back(v.signer);
  if (auto v = check_signers(signers, RejectReason::kQcNoQuorum); !v.ok()) return v;
  const Bytes msg = vote_signing_bytes(epoch_, qc.block_id, qc.round, qc.height);
  for (const auto& v : qc.votes) {
    if (!verifier_.verify(v.signer, SignDomain::kVote, msg, v.signature).is_ok()) {
      return Verdict::reject(RejectReason::kBadSignature,
                             "QC vote of " + std::to_string(v.signer) + " does not verify");
    }
  }
  return Verdict::accept();
}

Verdict MessageValidator::verify_tc(const TimeoutCert& tc) const {
  return check_once(certificate_digest(tc), [&] { return verify_tc_signatures(tc); });
}

Verdict MessageValidator::verify_tc_signatures(const TimeoutCert& tc) const {
  std::vector<ValidatorIndex> signers;
  for (const auto& s : tc.shares) signers.push_back(s.signer);
  if (auto v = check_signers(signers, RejectReason::kTcNoQuorum); !v.ok()) return v;
  for (const auto& s : tc.shares) {
    if (s.high_qc_round >= tc.round) {
      return Verdict::reject(RejectReason::kMalformed, "TC share's QC round is not below the TC round");
    }
    const Bytes msg = timeout_signing_bytes(epoch_, tc.round, s.high_qc_round);
    if (!verifier_.verify(s.signer, SignDomain::kTimeout, msg, s.signature).is_ok()) {
      return Verdict::reject(RejectReason::kBadSignature,
                             "TC share of " + std::to_string(s.signer) + " does not verify");
    }
  }
  // The shares' highest QC round is the next round's lock: it must be
  // backed by the QC itself, or one byzantine share could claim any round.
  if (tc.high_qc.round != tc.highest_high_qc_round()) {
    return Verdict::reject(RejectReason::kBadCertificate, "TC's QC is not its shares' highest QC");
  }
  return verify_qc(tc.high_qc);
}

Verdict MessageValidator::verify_vote(const Vote& vote) const {
  if (vote.voter >= validators_.size()) {
    return Verdict::reject(RejectReason::kUnknownSigner, "voter is not a validator");
  }
  if (vote.round == 0) return Verdict::reject(RejectReason::kStaleRound, "vote for round 0");
  const Bytes msg = vote_signing_bytes(epoch_, vote.block_id, vote.round, vote.height);
  if (!verifier_.verify(vote.voter, SignDomain::kVote, msg, vote.signature).is_ok()) {
    return Verdict::reject(RejectReason::kBadSignature, "vote signature does not verify");
  }
  return Verdict::accept();
}

Verdict MessageValidator::verify_timeout(const TimeoutMsg& msg) const {
  if (msg.share.signer >= validators_.size()) {
    return Verdict::reject(RejectReason::kUnknownSigner, "timeout sender is not a validator");
  }
  if (msg.share.high_qc_round != msg.high_qc.round || msg.high_qc.round >= msg.round) {
    return Verdict::reject(RejectReason::kBadCertificate, "timeout share does not match its QC");
  }
  if (msg.last_tc && msg.last_tc->round >= msg.round) {
    return Verdict::reject(RejectReason::kBadCertificate, "timeout carries a TC that is not older");
  }
  const Bytes signed_bytes = timeout_signing_bytes(epoch_, msg.round, msg.share.high_qc_round);
  if (!verifier_.verify(msg.share.signer, SignDomain::kTimeout, signed_bytes, msg.share.signature)
           .is_ok()) {
    return Verdict::reject(RejectReason::kBadSignature, "timeout signature does not verify");
  }
  if (auto v = verify_qc(msg.high_qc); !v.ok()) return v;
  if (msg.last_tc) return verify_tc(*msg.last_tc);
  return Verdict::accept();
}

Verdict MessageValidator::verify_block(const Block& block, std::string_view chain_id) const {
  hpchain::v1::BlockHeader header;
  if (!parse_proto(block.header_bytes, header, "block header").is_ok()) {
    return Verdict::reject(RejectReason::kMalformed, "block header does not parse");
  }
  if (header.chain_id() != chain_id) {
    return Verdict::reject(RejectReason::kWrongChainId, "block header names another chain");
  }
  const BlockFields& f = block.fields;
  if (f.epoch != epoch_) {
    return Verdict::reject(RejectReason::kWrongEpoch, "block of epoch " + std::to_string(f.epoch) + ", ours is " +
                                                          std::to_string(epoch_));
  }
  if (!f.validator_set_hash.is_zero()) {
    return Verdict::reject(RejectReason::kBadBlock, "only an epoch's start block names a validator set");
  }
  if (sha256(block.payload) != f.payload_hash) {
    return Verdict::reject(RejectReason::kBadBlock, "payload does not match its hash");
  }
  if (f.parent_qc.block_id != f.parent_id || f.parent_qc.height + 1 != f.height ||
      f.parent_qc.round >= f.round) {
    return Verdict::reject(RejectReason::kBadBlock, "parent QC does not certify the parent");
  }
  if (f.proposer >= validators_.size()) {
    return Verdict::reject(RejectReason::kUnknownSigner, "proposer is not a validator");
  }
  return verify_qc(f.parent_qc);
}

Verdict MessageValidator::verify_proposal(const Proposal& p, std::string_view chain_id) const {
  const Block& b = *p.block;
  if (b.fields.proposer >= validators_.size()) {
    return Verdict::reject(RejectReason::kUnknownSigner, "proposer is not a validator");
  }
  if (validators_.leader(b.round()) != b.fields.proposer) {
    return Verdict::reject(RejectReason::kNotLeader,
                           "validator " + std::to_string(b.fields.proposer) +
                               " does not lead round " + std::to_string(b.round()));
  }
  if (!verifier_.verify(b.fields.proposer, SignDomain::kProposal, proposal_signing_bytes(epoch_, b.id, p.tc),
                        p.signature).is_ok()) {
    return Verdict::reject(RejectReason::kBadSignature, "proposal signature does not verify");
  }
  const uint64_t qc_round = b.parent_qc().round;
  const bool follows_qc = b.round() == qc_round + 1;
  // Whether the QC reaches the TC's highest QC round is a safety rule
  // (SafetyRules::sign_vote), not a validity rule: checking it here too
  // would hide a broken safety rule from the simulator.
  const bool follows_tc = p.tc && p.tc->round + 1 == b.round();
  if (!follows_qc && !follows_tc) {
    return Verdict::reject(RejectReason::kUnjustifiedRound,
                           "round " + std::to_string(b.round()) + " follows neither QC nor TC");
  }
  if (auto v = verify_block(b, chain_id); !v.ok()) return v;
  if (p.tc) return verify_tc(*p.tc);
  return Verdict::accept();
}

}  // namespace hpchain::consensus
