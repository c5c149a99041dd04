// Consensus value types: validator sets, blocks, votes, certificates and the
// canonical bytes their signatures cover (docs/consensus.md section 2).
//
// All types are plain values, safe to copy and to share read-only between
// threads. Nothing here verifies signatures: validation.h does.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/keys.h"

namespace hpchain::consensus {

using ValidatorIndex = uint32_t;

// The most validators one set may hold. It bounds every repeated field that
// arrives from the network (certificate signatures, timeout shares).
inline constexpr size_t kMaxValidators = 1024;

struct ValidatorInfo {
  PublicKey key;
  uint64_t voting_power = 0;
};

// An ordered set of validators with voting power. Quorum is more than 2/3 of
// the total power, decided in exact integer arithmetic (3 * power > 2 * total).
class ValidatorSet {
 public:
  // InvalidArgument for an empty set, more than kMaxValidators members, a
  // duplicated key, zero total power, or a total power above 2^62 (so that
  // 3 * total cannot overflow).
  static Result<ValidatorSet> create(std::vector<ValidatorInfo> members);

  size_t size() const { return members_.size(); }
  const ValidatorInfo& at(ValidatorIndex i) const;
  uint64_t total_power() const { return total_power_; }
  uint64_t power_of(ValidatorIndex i) const { return at(i).voting_power; }

  // True when `power` is more than 2/3 of the total.
  bool is_quorum(uint64_t power) const { return 3 * power > 2 * total_power_; }
  // True when `power` is more than 1/3 of the total: at least one honest
  // validator is among its holders if at most f are faulty.
  bool exceeds_one_third(uint64_t power) const { return 3 * power > total_power_; }

  // The leader of `round`. Each validator has slots in proportion to its
  // power (largest-remainder apportionment of at most 4,096 slots: within
  // one slot of its exact share; zero power, or a share under one slot,
  // leads no round). Rounds run through the slots in cycles, each cycle in
  // its own order: a keyed permutation of the slots (leader_slot) whose key
  // is the set's digest and the cycle number. So who follows whom changes
  // every cycle, and a byzantine third cannot sit at fixed offsets from
  // the honest leaders it wants to follow. Pure function of the set.
  ValidatorIndex leader(uint64_t round) const;
  size_t leader_slots() const { return schedule_.size(); }

  // SHA-256 over the members' keys and powers, in order: names the set.
  const Hash32& digest() const { return digest_; }

 private:
  std::vector<ValidatorInfo> members_;
  uint64_t total_power_ = 0;
  std::vector<ValidatorIndex> schedule_;  // one cycle's slots; at most kScheduleMax entries
  Hash32 digest_;
  uint64_t schedule_key_ = 0;  // from digest_
};

// The slot of cycle position `position` (< slots) in cycle `cycle`: a
// permutation of [0, slots) for each (key, cycle), computed in O(1) (a
// 4-round Feistel network with cycle walking over 64-bit integer mixing).
// Not a secret: anyone can compute the schedule, nobody can choose it.
uint64_t leader_slot(uint64_t position, uint64_t slots, uint64_t key, uint64_t cycle);

// A quorum certificate: signed votes for one block in one round.
struct Signed {
  ValidatorIndex signer = 0;
  Signature signature;
  friend bool operator==(const Signed&, const Signed&) = default;
};

struct QuorumCert {
  Hash32 block_id;
  uint64_t round = 0;
  uint64_t height = 0;
  std::vector<Signed> votes;
  friend bool operator==(const QuorumCert&, const QuorumCert&) = default;
};

struct TimeoutShare {
  ValidatorIndex signer = 0;
  uint64_t high_qc_round = 0;
  Signature signature;
  friend bool operator==(const TimeoutShare&, const TimeoutShare&) = default;
};

struct TimeoutCert {
  uint64_t round = 0;
  std::vector<TimeoutShare> shares;
  // The QC whose round is highest_high_qc_round(), carried so that the claim
  // can be checked (as in Jolteon and Aptos): a share's high_qc_round alone
  // is only a signed claim, and one byzantine share claiming a QC that does
  // not exist would lock every honest voter out of the next round.
  QuorumCert high_qc;
  // The highest QC round among the shares: a block proposed after this TC
  // must extend a QC at least this high (the Jolteon lock).
  uint64_t highest_high_qc_round() const;
  friend bool operator==(const TimeoutCert&, const TimeoutCert&) = default;
};

// The fields of a block header that consensus reads.
struct BlockFields {
  uint64_t epoch = 0;
  uint64_t height = 0;
  uint64_t round = 0;
  Hash32 parent_id;
  QuorumCert parent_qc;
  Hash32 payload_hash;
  uint64_t timestamp_ms = 0;
  ValidatorIndex proposer = 0;
  // The digest of the epoch's validator set, in an epoch's start block only
  // (round 0); zero in every other block.
  Hash32 validator_set_hash;
};

// A block: its header fields, the exact header bytes (whose SHA-256 is the
// id) and the opaque payload.
struct Block {
  Hash32 id;
  BlockFields fields;
  Bytes header_bytes;
  Bytes payload;

  uint64_t height() const { return fields.height; }
  uint64_t round() const { return fields.round; }
  bool epoch_matches(uint64_t epoch) const { return fields.epoch == epoch; }
  const Hash32& parent_id() const { return fields.parent_id; }
  const QuorumCert& parent_qc() const { return fields.parent_qc; }
};
using BlockPtr = std::shared_ptr<const Block>;

// Builds a block for `chain_id`: serialises the header once and hashes it.
Block make_block(const std::string& chain_id, const BlockFields& fields, Bytes payload);

// The block an epoch starts from (docs/consensus.md, "Epochs"): round 0,
// empty payload, no proposer, committing to the epoch's validator set
// (`set_digest`, ValidatorSet::digest). Epoch 0's is the chain's genesis
// (height 0, zero parent); epoch e > 0 starts at the height after the block
// `parent_id` that ended epoch e - 1. Every node derives the same block, so
// it needs no signature: genesis_qc certifies it.
Block epoch_start_block(const std::string& chain_id, uint64_t epoch, const Hash32& parent_id, uint64_t height,
                        const Hash32& set_digest);
// The genesis block of a chain whose first validator set has `set_digest`.
Block genesis_block(const std::string& chain_id, const Hash32& set_digest);
// The QC, without signatures, that certifies an epoch's start block.
QuorumCert genesis_qc(const Block& start);

struct Vote {
  Hash32 block_id;
  uint64_t round = 0;
  uint64_t height = 0;
  ValidatorIndex voter = 0;
  Signature signature;
  friend bool operator==(const Vote&, const Vote&) = default;
};

struct TimeoutMsg {
  uint64_t round = 0;
  QuorumCert high_qc;
  TimeoutShare share;
  std::optional<TimeoutCert> last_tc;
};

struct Proposal {
  BlockPtr block;
  std::optional<TimeoutCert> tc;
  Signature signature;  // the proposer's, over the block id
};

// Canonical fixed-layout bytes that signatures cover (big-endian integers),
// each starting with the epoch, so no signature counts in another epoch:
//   vote:     epoch(8) ‖ block_id(32) ‖ round(8) ‖ height(8)
//   timeout:  epoch(8) ‖ round(8) ‖ high_qc_round(8)
//   proposal: epoch(8) ‖ block_id(32) ‖ tc_digest(32), the digest of the
//             TC the proposal carries (certificate_digest), or 32 zero
//             bytes: a relay that swaps in another valid TC breaks it
Bytes vote_signing_bytes(uint64_t epoch, const Hash32& block_id, uint64_t round, uint64_t height);
Bytes timeout_signing_bytes(uint64_t epoch, uint64_t round, uint64_t high_qc_round);
Bytes proposal_signing_bytes(uint64_t epoch, const Hash32& block_id, const std::optional<TimeoutCert>& tc);

// SHA-256 of a domain tag and every field of a certificate, signers and
// signatures included (the key of the verified-certificate cache, and what
// a proposal's signature says of its TC).
Hash32 certificate_digest(const QuorumCert& qc);
Hash32 certificate_digest(const TimeoutCert& tc);

}  // namespace hpchain::consensus
