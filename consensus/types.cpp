#include "consensus/types.h"

#include <algorithm>
#include <set>

#include "chain/codec.h"
#include "consensus/codec.h"
#include "hpchain/v1/block.pb.h"

namespace hpchain::consensus {
namespace {

// A schedule longer than this would cost memory for no fairness gain; heavier
// sets are scaled down proportionally (each nonzero member keeps >= 1 slot).
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

// Leader weights in proportion to power, scaled down until their sum fits
// kScheduleMax. Every nonzero member keeps at least one slot, so a first
// divisor of total / kScheduleMax + 1 is not enough when many small members
// round up (one of power 10000 and 1023 of power 1: 3333 + 1023 > 4096);
// the divisor doubles until the sum fits, which it does at the latest when
// every weight is 1 (at most kMaxValidators <= kScheduleMax members).
std::vector<uint64_t> schedule_weights(const std::vector<ValidatorInfo>& members, uint64_t total) {
  static_assert(kMaxValidators <= kScheduleMax);
  uint64_t divisor = total > kScheduleMax ? total / kScheduleMax + 1 : 1;
  for (;;) {
    std::vector<uint64_t> weights;
    uint64_t sum = 0;
    for (const auto& m : members) {
      // Divide, never multiply: w * kScheduleMax could overflow.
      const uint64_t w = m.voting_power == 0 ? 0 : std::max<uint64_t>(1, m.voting_power / divisor);
      weights.push_back(w);
      sum += w;
    }
    if (sum <= kScheduleMax) return weights;
    divisor *= 2;
  }
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
  set.members_ = std::move(members);
  return set;
}

const ValidatorInfo& ValidatorSet::at(ValidatorIndex i) const {
  HPC_ASSERT(i < members_.size());
  return members_[i];
}

ValidatorIndex ValidatorSet::leader(uint64_t round) const {
  HPC_ASSERT(!schedule_.empty());
  return schedule_[round % schedule_.size()];
}

uint64_t TimeoutCert::highest_high_qc_round() const {
  uint64_t highest = 0;
  for (const auto& s : shares) highest = std::max(highest, s.high_qc_round);
  return highest;
}

Block make_block(const std::string& chain_id, const BlockFields& fields, Bytes payload) {
  hpchain::v1::BlockHeader header;
  header.set_chain_id(chain_id);
  header.set_height(fields.height);
  header.set_round(fields.round);
  header.set_parent_id(std::string(as_string_view(fields.parent_id.span())));
  *header.mutable_parent_qc() = qc_to_proto(fields.parent_qc);
  header.set_payload_hash(std::string(as_string_view(fields.payload_hash.span())));
  header.set_state_hash(std::string(as_string_view(fields.state_hash.span())));
  header.set_timestamp_ms(fields.timestamp_ms);
  header.set_proposer_index(fields.proposer);
  header.set_state_height(fields.state_height);
  Block block;
  block.fields = fields;
  block.header_bytes = serialize_proto(header);
  block.id = sha256(block.header_bytes);
  block.payload = std::move(payload);
  HPC_ASSERT(sha256(block.payload) == fields.payload_hash);
  return block;
}

Block genesis_block(const std::string& chain_id) {
  BlockFields fields;
  fields.payload_hash = sha256(ByteSpan{});
  return make_block(chain_id, fields, {});
}

QuorumCert genesis_qc(const Block& genesis) {
  HPC_ASSERT(genesis.height() == 0 && genesis.round() == 0);
  QuorumCert qc;
  qc.block_id = genesis.id;
  return qc;
}

Bytes vote_signing_bytes(const Hash32& block_id, uint64_t round, uint64_t height) {
  Bytes out(block_id.bytes.begin(), block_id.bytes.end());
  put_u64(out, round);
  put_u64(out, height);
  return out;
}

Bytes timeout_signing_bytes(uint64_t round, uint64_t high_qc_round) {
  Bytes out;
  put_u64(out, round);
  put_u64(out, high_qc_round);
  return out;
}

Bytes proposal_signing_bytes(const Hash32& block_id) {
  return Bytes(block_id.bytes.begin(), block_id.bytes.end());
}

}  // namespace hpchain::consensus
