#include "consensus/types.h"

#include <algorithm>
#include <set>

#include "chain/codec.h"
#include "consensus/codec.h"
#include "hpchain/v1/block.pb.h"

namespace hpchain::consensus {
namespace {

// Leader slots in one cycle: a longer schedule would cost memory for no
// fairness gain; heavier sets are apportioned to this many slots.
constexpr uint64_t kScheduleMax = 4096;

void put_u64(Bytes& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// Smooth weighted round-robin (as in nginx): each step every member gains its
// weight, the richest leads and pays the total. Over one cycle each member
// leads exactly `weight` times, spread out rather than in a run.
std::vector<ValidatorIndex> build_schedule(const std::vector<uint64_t>& weights) {
  uint64_t total = 0;
  for (uint64_t w : weights) total += w;
  HPC_ASSERT(total > 0 && total <= kScheduleMax);
  std::vector<int64_t> current(weights.size(), 0);
  std::vector<ValidatorIndex> schedule;
  schedule.reserve(total);
  for (uint64_t step = 0; step < total; ++step) {
    size_t best = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      current[i] += static_cast<int64_t>(weights[i]);
      if (current[i] > current[best]) best = i;  // ties go to the lowest index
    }
    current[best] -= static_cast<int64_t>(total);
    schedule.push_back(static_cast<ValidatorIndex>(best));
  }
  return schedule;
}

// Leader slots in proportion to power: the exact powers when they sum to
// at most kScheduleMax, otherwise kScheduleMax slots apportioned by largest
// remainder (Hamilton): member i gets floor(p_i S / P) and the S - sum left
// go to the largest remainders, ties to the lowest index. Every member is
// within one slot of its exact share, so a member holding 1% of the power
// leads about 1% of rounds (giving every member at least one slot, as this
// once did, let 1,020 members holding 1% lead a third of them). A member
// whose share is under one slot may lead no round at all.
__extension__ using Uint128 = unsigned __int128;  // GCC and clang; exact p * S

std::vector<uint64_t> schedule_weights(const std::vector<ValidatorInfo>& members, uint64_t total) {
  std::vector<uint64_t> weights;
  if (total <= kScheduleMax) {
    for (const auto& m : members) weights.push_back(m.voting_power);
    return weights;
  }
  std::vector<uint64_t> remainders;
  uint64_t given = 0;
  for (const auto& m : members) {
    // p * S < 2^62 * 2^12: exact in 128 bits.
    const Uint128 scaled = static_cast<Uint128>(m.voting_power) * kScheduleMax;
    weights.push_back(static_cast<uint64_t>(scaled / total));
    remainders.push_back(static_cast<uint64_t>(scaled % total));
    given += weights.back();
  }
  std::vector<size_t> order(members.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  HPC_ASSERT(kScheduleMax - given <= members.size());
  for (size_t k = 0; given < kScheduleMax; ++k, ++given) ++weights[order[k]];
  return weights;
}

}  // namespace

Result<ValidatorSet> ValidatorSet::create(std::vector<ValidatorInfo> members) {
  if (members.empty()) return Status::invalid_argument("validator set is empty");
  if (members.size() > kMaxValidators) {
    return Status::invalid_argument("validator set has more than " + std::to_string(kMaxValidators) +
                                    " members");
  }
  ValidatorSet set;
  std::set<std::array<uint8_t, PublicKey::kCompressedSize>> keys;
  constexpr uint64_t kPowerMax = uint64_t{1} << 62;
  for (const auto& m : members) {
    if (!keys.insert(m.key.compressed()).second) {
      return Status::invalid_argument("validator set holds a key twice");
    }
    if (m.voting_power > kPowerMax || set.total_power_ > kPowerMax - m.voting_power) {
      return Status::invalid_argument("total voting power exceeds 2^62");
    }
    set.total_power_ += m.voting_power;
  }
  if (set.total_power_ == 0) return Status::invalid_argument("total voting power is zero");
  set.schedule_ = build_schedule(schedule_weights(members, set.total_power_));
  Sha256 digest;
  digest.update(std::string_view("hpchain validator set v1"));
  for (const auto& m : members) {
    const auto key = m.key.compressed();
    digest.update(ByteSpan(key.data(), key.size())).update_u64_be(m.voting_power);
  }
  set.digest_ = digest.finish();
  for (int k = 0; k < 8; ++k) set.schedule_key_ = (set.schedule_key_ << 8) | set.digest_.bytes[k];
  set.members_ = std::move(members);
  return set;
}

const ValidatorInfo& ValidatorSet::at(ValidatorIndex i) const {
  HPC_ASSERT(i < members_.size());
  return members_[i];
}

namespace {

// SplitMix64's finalizer: a bijective 64-bit mix (portable integer
// arithmetic, the same on every machine).
uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t leader_slot(uint64_t position, uint64_t slots, uint64_t key, uint64_t cycle) {
  HPC_ASSERT(position < slots);
  if (slots == 1) return 0;
  // A balanced Feistel network is a permutation of [0, 2^bits) for any round
  // function; walking the cycle until the value falls below `slots` gives a
  // permutation of [0, slots). 2^bits < 4 * slots, so few steps are needed.
  unsigned bits = 2;
  while ((uint64_t{1} << bits) < slots) bits += 2;
  const unsigned half = bits / 2;
  const uint64_t mask = (uint64_t{1} << half) - 1;
  const uint64_t cycle_key = mix64(key ^ mix64(cycle + 0x9e3779b97f4a7c15ULL));
  uint64_t x = position;
  do {
    uint64_t left = x >> half;
    uint64_t right = x & mask;
    for (uint64_t round = 0; round < 4; ++round) {
      const uint64_t next = left ^ (mix64(cycle_key + round * 0x9e3779b97f4a7c15ULL + right) & mask);
      left = right;
      right = next;
    }
    x = (left << half) | right;
  } while (x >= slots);
  return x;
}

ValidatorIndex ValidatorSet::leader(uint64_t round) const {
  HPC_ASSERT(!schedule_.empty());
  const uint64_t slots = schedule_.size();
  return schedule_[leader_slot(round % slots, slots, schedule_key_, round / slots)];
}

uint64_t TimeoutCert::highest_high_qc_round() const {
  uint64_t highest = 0;
  for (const auto& s : shares) highest = std::max(highest, s.high_qc_round);
  return highest;
}

Block make_block(const std::string& chain_id, const BlockFields& fields, Bytes payload) {
  hpchain::v1::BlockHeader header;
  header.set_chain_id(chain_id);
  header.set_epoch(fields.epoch);
  header.set_height(fields.height);
  header.set_round(fields.round);
  header.set_parent_id(std::string(as_string_view(fields.parent_id.span())));
  *header.mutable_parent_qc() = qc_to_proto(fields.parent_qc);
  header.set_payload_hash(std::string(as_string_view(fields.payload_hash.span())));
  header.set_timestamp_ms(fields.timestamp_ms);
  header.set_proposer_index(fields.proposer);
  if (!fields.validator_set_hash.is_zero()) {
    header.set_validator_set_hash(std::string(as_string_view(fields.validator_set_hash.span())));
  }
  Block block;
  block.fields = fields;
  block.header_bytes = serialize_proto(header);
  block.id = sha256(block.header_bytes);
  block.payload = std::move(payload);
  HPC_ASSERT(sha256(block.payload) == fields.payload_hash);
  return block;
}

Block epoch_start_block(const std::string& chain_id, uint64_t epoch, const Hash32& parent_id, uint64_t height,
                        const Hash32& set_digest) {
  HPC_ASSERT(epoch > 0 || (height == 0 && parent_id.is_zero()));
  HPC_ASSERT(!set_digest.is_zero());
  BlockFields fields;
  fields.epoch = epoch;
  fields.height = height;
  fields.parent_id = parent_id;
  fields.payload_hash = sha256(ByteSpan{});
  fields.validator_set_hash = set_digest;
  return make_block(chain_id, fields, {});
}

Block genesis_block(const std::string& chain_id, const Hash32& set_digest) {
  return epoch_start_block(chain_id, 0, Hash32{}, 0, set_digest);
}

QuorumCert genesis_qc(const Block& start) {
  HPC_ASSERT(start.round() == 0 && !start.fields.validator_set_hash.is_zero());
  QuorumCert qc;
  qc.block_id = start.id;
  qc.height = start.height();
  return qc;
}

Bytes vote_signing_bytes(uint64_t epoch, const Hash32& block_id, uint64_t round, uint64_t height) {
  Bytes out;
  put_u64(out, epoch);
  out.insert(out.end(), block_id.bytes.begin(), block_id.bytes.end());
  put_u64(out, round);
  put_u64(out, height);
  return out;
}

Bytes timeout_signing_bytes(uint64_t epoch, uint64_t round, uint64_t high_qc_round) {
  Bytes out;
  put_u64(out, epoch);
  put_u64(out, round);
  put_u64(out, high_qc_round);
  return out;
}

Bytes proposal_signing_bytes(uint64_t epoch, const Hash32& block_id, const std::optional<TimeoutCert>& tc) {
  Bytes out;
  put_u64(out, epoch);
  out.insert(out.end(), block_id.bytes.begin(), block_id.bytes.end());
  const Hash32 tc_digest = tc ? certificate_digest(*tc) : Hash32{};
  out.insert(out.end(), tc_digest.bytes.begin(), tc_digest.bytes.end());
  return out;
}

Hash32 certificate_digest(const QuorumCert& qc) {
  Sha256 h;
  h.update("hpchain.consensus.qc.v1").update(qc.block_id.span()).update_u64_be(qc.round).update_u64_be(qc.height);
  h.update_u64_be(qc.votes.size());
  for (const auto& v : qc.votes) h.update_u64_be(v.signer).update(v.signature.span());
  return h.finish();
}

Hash32 certificate_digest(const TimeoutCert& tc) {
  Sha256 h;
  h.update("hpchain.consensus.tc.v1").update_u64_be(tc.round).update_u64_be(tc.shares.size());
  for (const auto& s : tc.shares) h.update_u64_be(s.signer).update_u64_be(s.high_qc_round).update(s.signature.span());
  h.update(certificate_digest(tc.high_qc).span());
  return h.finish();
}

}  // namespace hpchain::consensus
