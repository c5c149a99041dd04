// Validation of everything that arrives from the network. Each rejection has
// one reason (RejectReason) so that the core can count it; nothing here
// aborts on bad input. Rules that need the core's state (rounds, the block
// tree) are checked in core.cpp with the same reasons.
#pragma once

#include <deque>
#include <set>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/crypto.h"
#include "consensus/types.h"

namespace hpchain::consensus {

enum class RejectReason : uint8_t {
  kMalformed,          // not a decodable message
  kWrongChainId,       // envelope or header names another chain
  kUnknownSigner,      // a signer index outside the validator set
  kBadSignature,       // a signature that does not verify
  kDuplicateSigner,    // one signer twice in a certificate
  kQcNoQuorum,         // QC signers hold at most 2/3 of the power
  kTcNoQuorum,         // TC signers hold at most 2/3 of the power
  kNotLeader,          // proposal from a validator that does not lead the round
  kRoundTooFar,        // round beyond current + kMaxFutureRounds (bounded memory)
  kStaleRound,         // round that can no longer matter
  kBadBlock,           // header inconsistent with its QC, parent or payload
  kUnjustifiedRound,   // proposal round follows neither its QC nor its TC
  kEquivocation,       // a second, different proposal or vote for one round
  kDuplicate,          // the same vote or timeout again
  kNotForUs,           // a vote sent to a validator that does not lead round + 1
  kUnsolicitedBlock,   // a block response nobody asked for
  kWrongEpoch,         // a message or block of another epoch than ours
  kSafetyRefused,      // our own safety rules refused to sign
  kUnknownParent,      // a block whose parent is not in the block tree
  kBufferFull,         // a bounded waiting buffer is full (not the sender's round)
  kBadCertificate,     // a TC or timeout whose parts disagree with each other
  kAlreadyCounted,     // another vote, timeout or proposal of a signer already
                       // counted in that round: dropped before any signature check
  kPayloadTooLarge,    // the host's payload for our proposal exceeds max_payload_bytes
  kStorageFailed,      // TreeStorage could not save a block or certificate (no vote)
  kBadPayload,         // the host found a proposal's payload invalid (no vote)
  kCount,
};
inline constexpr size_t kRejectReasonCount = static_cast<size_t>(RejectReason::kCount);

// "malformed", "wrong_chain_id", ...: stable names for metrics and logs.
std::string_view reject_reason_name(RejectReason reason);

// The outcome of one check: accepted, or a reason with a detail for logs.
struct [[nodiscard]] Verdict {
  bool accepted = true;
  RejectReason reason = RejectReason::kMalformed;
  std::string detail;

  static Verdict accept() { return {}; }
  static Verdict reject(RejectReason r, std::string d) { return {false, r, std::move(d)}; }
  bool ok() const { return accepted; }
};

// A set of digests that holds at most `capacity`: once full, the oldest
// goes first. Not thread-safe.
class BoundedDigestSet {
 public:
  explicit BoundedDigestSet(size_t capacity) : capacity_(capacity) {}
  bool contains(const Hash32& digest) const { return digests_.count(digest) != 0; }
  void insert(const Hash32& digest);
  size_t size() const { return digests_.size(); }

 private:
  size_t capacity_;
  std::set<Hash32> digests_;
  std::deque<Hash32> order_;  // insertion order, for eviction
};

// Remembers the digests of the last kCapacity certificates that verified, so
// a QC or TC that arrives again (in every proposal, timeout and sync
// response that carries it) is checked once per node. A digest covers every
// byte the verdict depends on, so a certificate that differs in any
// signature or signer is checked afresh.
class VerifiedCertificates : public BoundedDigestSet {
 public:
  static constexpr size_t kCapacity = 256;
  VerifiedCertificates() : BoundedDigestSet(kCapacity) {}
};

// Checks against one validator set. Holds references: `validators` and
// `verifier` must outlive it. Its only state is the cache of verified
// certificates. Not thread-safe (the cache, and the verifier need not be).
class MessageValidator {
 public:
  // Checks messages of the epoch that `start` (its start block,
  // epoch_start_block) begins, whose validators are `validators`.
  MessageValidator(const ValidatorSet& validators, const SignatureVerifier& verifier, const Block& start)
      : validators_(validators),
        verifier_(verifier),
        epoch_(start.fields.epoch),
        start_id_(start.id),
        start_height_(start.height()) {}

  uint64_t epoch() const { return epoch_; }

  // A QC is valid when it is the epoch start block's QC exactly (genesis_qc),
  // or when its signers are distinct members holding a quorum and every
  // signature (of this epoch) verifies.
  Verdict verify_qc(const QuorumCert& qc) const;
  // A TC is valid when its signers are distinct members holding a quorum,
  // every share's signature over (round, high_qc_round) verifies, and its
  // high_qc is a valid QC whose round is the shares' highest high_qc_round.
  Verdict verify_tc(const TimeoutCert& tc) const;
  // The voter is a member and its signature verifies.
  Verdict verify_vote(const Vote& vote) const;
  // The sender's share signs (round, high_qc.round), its QC is valid, and a
  // last_tc, if any, is valid.
  Verdict verify_timeout(const TimeoutMsg& msg) const;
  // Self-consistency of a block, without its parent: chain id, epoch,
  // payload hash, parent QC names the parent, the QC is below the block's
  // round, no validator-set hash (only start blocks carry one), and the QC
  // is valid.
  Verdict verify_block(const Block& block, std::string_view chain_id) const;
  // A proposal: proposer leads the round, signature, block, justification
  // (round = QC round + 1, or a valid TC for round - 1) and the TC itself.
  // Whether the block's QC reaches the TC's highest QC round is not checked
  // here: it is a safety rule, SafetyRules::sign_vote's, and checking it here
  // too would hide a broken safety rule from the simulator.
  Verdict verify_proposal(const Proposal& p, std::string_view chain_id) const;

 private:
  Verdict check_signers(const std::vector<ValidatorIndex>& signers, RejectReason no_quorum) const;
  // check() unless `digest` verified before; a success is remembered.
  template <class Check>
  Verdict check_once(const Hash32& digest, Check check) const;
  Verdict verify_qc_signatures(const QuorumCert& qc) const;
  Verdict verify_tc_signatures(const TimeoutCert& tc) const;

  const ValidatorSet& validators_;
  const SignatureVerifier& verifier_;
  uint64_t epoch_;
  Hash32 start_id_;
  uint64_t start_height_;
  mutable VerifiedCertificates verified_;
};

}  // namespace hpchain::consensus
