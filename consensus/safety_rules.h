// SafetyRules: the only component that signs votes, timeouts and proposals,
// and the keeper of the persisted safety state (Jolteon / Aptos
// safety_rules_2chain; docs/consensus.md section 3).
//
// Persistence is synchronous: every sign_* call that changes the state saves
// it through SafetyStorage::save and returns the signature only after save
// returned ok. The "persist safety state" action is therefore a call,
// not an action: an action list can be reordered or half-executed by a host,
// a call cannot, so no vote or timeout can ever leave before its state is
// durable. A failed save is returned as an error and nothing is signed.
#pragma once

#include <optional>

#include "consensus/crypto.h"
#include "consensus/types.h"
#include "consensus/unsafe_variants.h"

namespace hpchain::consensus {

struct SafetyState {
  // The epoch the rounds below belong to. Rounds restart at every epoch, so
  // a state of an earlier epoch starts over (SafetyRules::open) and one of a
  // later epoch refuses to sign in this one.
  uint64_t epoch = 0;
  uint64_t last_voted_round = 0;       // highest round we voted or timed out in
  uint64_t one_chain_round = 0;        // highest QC round in a voted block or our timeout (the lock)
  uint64_t highest_timeout_round = 0;  // highest round we signed a timeout for
  std::optional<Vote> last_vote;       // replayed verbatim for a repeated request
  // The certificates behind the rounds above. A restarted validator resumes
  // from them: without one_chain_qc it could neither time out (its highest QC
  // would be below its lock) nor help others past that QC, and if every
  // holder of that QC restarted the network would stall. Every round we
  // voted or timed out in follows one_chain_qc or highest_tc, so a restart
  // resumes in a round >= last_voted_round where a timeout is allowed.
  std::optional<QuorumCert> one_chain_qc;  // the QC of round one_chain_round
  std::optional<TimeoutCert> highest_tc;   // highest TC we voted or timed out after
  // Highest round we signed a proposal for, saved before the signature is
  // returned: a leader that crashes and restarts in its round cannot sign
  // a second, different proposal for it.
  uint64_t last_proposed_round = 0;
  friend bool operator==(const SafetyState&, const SafetyState&) = default;
};

// Durable storage of one validator's safety state. save() must return only
// once the state would survive a crash (fsync); load() returns the last saved
// state, or the default state when nothing was ever saved. Errors are
// returned as Status (IoError, Corruption) and stop signing.
class SafetyStorage {
 public:
  virtual ~SafetyStorage() = default;
  virtual Result<SafetyState> load() = 0;
  virtual Status save(const SafetyState& state) = 0;
};

// Encodes a state as a SafetyStateRecord (for storages that write bytes) and
// back; decode errors are Corruption.
Bytes encode_safety_state(const SafetyState& state);
Result<SafetyState> decode_safety_state(ByteSpan bytes);

HPC_CONSENSUS_VARIANT_BEGIN

class SafetyRules {
 public:
  // Loads the state from `storage` for signing in `epoch`: a state of an
  // earlier epoch is replaced by a fresh one of `epoch` (saved with the next
  // signature). Both references must outlive the object. Errors: those of
  // storage.load(); FailedPrecondition for a state of a later epoch (this
  // validator already signed there; an older epoch's core must not sign).
#if defined(HPCHAIN_UNSAFE_VARIANTS)
  static Result<SafetyRules> open(SafetyStorage& storage, Signer& signer, ValidatorIndex self, uint64_t epoch,
                                  UnsafeVariants unsafe = {});
#else
  static Result<SafetyRules> open(SafetyStorage& storage, Signer& signer, ValidatorIndex self, uint64_t epoch);
#endif

  // Signs a vote for `block` (whose QC and optional TC the caller verified).
  // If we already voted in the block's round, returns that earlier vote
  // unchanged (even for another block): a repeated request must not produce
  // a second, different signature. Otherwise refuses (FailedPrecondition)
  //   "round not after last voted round": round <= last_voted_round;
  //   "not safe to vote": round is neither QC round + 1 nor TC round + 1
  //     with the QC at least the TC's highest QC round.
  // On success the new state (last vote, one_chain_round, and the TC when
  // the block follows it) is saved first.
  Result<Vote> sign_vote(const Block& block, const std::optional<TimeoutCert>& tc);

  // Signs our timeout share for `round` with highest QC `high_qc` and the TC
  // that brought us to `round`, if any. Refuses (FailedPrecondition)
  //   "round before last voted round": round < last_voted_round;
  //   "not safe to timeout": round is neither high_qc.round + 1 nor
  //     tc.round + 1, or high_qc.round < one_chain_round.
  // Signing the same round again is allowed and returns the same share.
  // Saves the round, `tc` if it is the highest, and `high_qc` as the lock
  // when higher (it is at least the lock, by the rule above).
  Result<TimeoutShare> sign_timeout(uint64_t round, const QuorumCert& high_qc,
                                    const std::optional<TimeoutCert>& tc);

  // Signs a proposal for a block we lead. Refuses (FailedPrecondition) a
  // round we already voted or timed out in, so a restarted leader cannot
  // propose a second block for its round. Does not change the state.
  Result<Signature> sign_proposal(const Block& block, const std::optional<TimeoutCert>& tc);

  const SafetyState& state() const { return state_; }

 private:
  SafetyRules(SafetyStorage& storage, Signer& signer, ValidatorIndex self, SafetyState state)
      : storage_(&storage), signer_(&signer), self_(self), state_(std::move(state)) {}
  Status commit(SafetyState next);
  // Whether the last-voted-round and TC-lock rules apply: always in the
  // production library; the unsafe test build can switch them off.
  bool checks_last_voted_round() const;
  bool checks_tc_lock() const;

  SafetyStorage* storage_;
  Signer* signer_;
  ValidatorIndex self_;
  SafetyState state_;
#if defined(HPCHAIN_UNSAFE_VARIANTS)
  UnsafeVariants unsafe_;
#endif
};

HPC_CONSENSUS_VARIANT_END

}  // namespace hpchain::consensus
