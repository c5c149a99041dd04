// State certificates (docs/consensus.md, "State certificates"): the state
// root of every committed height, certified by more than 2/3 of the voting
// power, apart from the HotStuff core (as Aptos decouples execution).
//
// After executing committed block `block_id` at `height`, each validator
// signs the claim (epoch, height, block id, state root, next set hash);
// a quorum of votes for one claim is the height's certificate. The next
// set hash names the validator set that governs the height after: equal to
// the current set's digest, except after the block that changed the set,
// so a certificate of that block proves the epoch change to a node that
// syncs. A validator never signs a claim that differs from a certified one
// for its height, and when its own root differs from a certified root it
// halts (DivergenceAction): it must not go on from a state the quorum
// disagrees with.
//
// Pure and event driven like the core: events in, actions out. Bounded:
// votes are kept for at most kStateWindow heights above the lowest height
// not yet certified, certificates for the last kStateWindow heights.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "consensus/crypto.h"
#include "consensus/types.h"
#include "consensus/validation.h"
#include "hpchain/v1/consensus.pb.h"

namespace hpchain::consensus {

inline constexpr uint64_t kStateWindow = 64;

struct StateClaim {
  uint64_t epoch = 0;
  uint64_t height = 0;
  Hash32 block_id;
  Hash32 state_root;
  Hash32 next_set_hash;
  friend bool operator==(const StateClaim&, const StateClaim&) = default;
  friend auto operator<=>(const StateClaim&, const StateClaim&) = default;
};

// The signed bytes, fixed layout, 112 bytes (big-endian integers):
//   epoch(8) ‖ height(8) ‖ block_id(32) ‖ state_root(32) ‖ next_set_hash(32)
// signed in the kStateCert domain ("hpchain/v1/state") with the chain id
// (chain/signing.h).
Bytes state_signing_bytes(const StateClaim& claim);

struct StateVote {
  StateClaim claim;
  ValidatorIndex signer = 0;
  Signature signature;
};

struct StateCertificate {
  StateClaim claim;
  std::vector<Signed> signatures;  // distinct members holding > 2/3 of the power
};

// Ok when the certificate's signers are distinct members of `validators`
// holding a quorum and every signature verifies; otherwise the reason
// (kUnknownSigner, kDuplicateSigner, kQcNoQuorum, kBadSignature).
Verdict verify_state_certificate(const StateCertificate& cert, const ValidatorSet& validators,
                                 const SignatureVerifier& verifier);

// StateMessage (consensus.proto) codecs. Decoding checks structure only
// (32-byte fields, 64-byte signatures, at most kMaxValidators signatures):
// InvalidArgument otherwise, ResourceExhausted above kMessageBytesMax.
using StateMessageBody = std::variant<StateVote, StateCertificate>;
Bytes encode_state_message(const std::string& chain_id, const StateMessageBody& body);
struct StateMessage {
  std::string chain_id;
  StateMessageBody body;
};
Result<StateMessage> decode_state_message(ByteSpan bytes);

// Broadcast our vote (an encoded StateMessage).
struct StateVoteAction {
  Bytes message;
};
// A certificate formed or arrived: store it with its block, and gossip it.
struct CertifiedAction {
  StateCertificate certificate;
};
// Our state differs from a certified one: stop the node.
struct DivergenceAction {
  uint64_t height = 0;
  Hash32 our_block, our_root, our_next_set;
  Hash32 certified_block, certified_root, certified_next_set;
  std::string message() const;  // names the height and both roots (and blocks, when they differ)
};
using StateAction = std::variant<StateVoteAction, CertifiedAction, DivergenceAction>;
using StateActions = std::vector<StateAction>;

class StateCertifier {
 public:
  // Certifies heights of `epoch`, whose validators are `validators`. `signer`
  // null (or `self` kObserver-like, >= validators.size()) makes an observer
  // that verifies and aggregates but signs nothing. `start_height`, the
  // height of the epoch's start block, anchors the vote window until we
  // execute a height. References must outlive the object.
  StateCertifier(std::string chain_id, uint64_t epoch, const ValidatorSet& validators,
                 const SignatureVerifier& verifier, Signer* signer, ValidatorIndex self,
                 uint64_t start_height = 0);

  // We executed committed block `block_id` at `height`: compare with a
  // certificate we hold, else sign and broadcast our vote.
  StateActions on_executed(uint64_t height, const Hash32& block_id, const Hash32& state_root,
                           const Hash32& next_set_hash);
  // A vote from the network; invalid ones are counted and dropped.
  StateActions on_vote(const StateVote& vote);
  // A certificate from the network (a peer's, or for sync).
  StateActions on_certificate(const StateCertificate& cert);
  // Dispatches an encoded StateMessage.
  StateActions on_message(ByteSpan bytes);

  std::optional<StateCertificate> certificate(uint64_t height) const;
  uint64_t highest_certified() const { return highest_certified_; }
  bool halted() const { return halted_; }
  uint64_t rejected() const { return rejected_; }

 private:
  StateActions adopt(const StateCertificate& cert);
  StateActions add_vote(const StateVote& vote);
  StateActions compare(uint64_t height);
  void prune();
  // The height the vote window is anchored at: the highest we executed or
  // saw certified, at least the epoch's start.
  uint64_t top() const;

  std::string chain_id_;
  uint64_t epoch_;
  const ValidatorSet& validators_;
  const SignatureVerifier& verifier_;
  Signer* signer_;
  ValidatorIndex self_;
  uint64_t start_height_;
  std::map<uint64_t, StateClaim> executed_;  // our own claims, last kStateWindow
  // Votes per height, per claim: signer -> signature. Heights within the window only.
  std::map<uint64_t, std::map<StateClaim, std::map<ValidatorIndex, Signature>>> votes_;
  std::map<uint64_t, StateCertificate> certified_;  // last kStateWindow
  uint64_t highest_certified_ = 0;
  uint64_t rejected_ = 0;
  bool halted_ = false;
};

}  // namespace hpchain::consensus
