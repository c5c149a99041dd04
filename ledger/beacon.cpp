// The randomness beacon: commit–reveal among the validators with voting
// power, one transaction per validator per round, mixed in an order-free
// way (docs/jobs.md, "Randomness").
//
// Why no proposer can steer it: a round's output depends only on the set
// of secrets revealed during the round (XOR of their hashes), each fixed by
// a commitment made in an earlier round. Which block carries a reveal, in
// what order, and who proposed or signed that block change nothing. To
// drop a reveal, one proposer would have to propose every block left in
// the round. The bias that remains: a validator that sees the others'
// reveals before its own can withhold its own (one bit per withholder, at
// the cost of a credibility penalty).
#include <algorithm>

#include "chain/check.h"
#include "ledger/jobs.h"

namespace hpchain::ledger {

using hpchain::v1::BeaconCommitment;
using hpchain::v1::BeaconState;

namespace {

Hash32 hash_or_zero(const std::string& bytes) { return bytes.size() == 32 ? hash_of(bytes) : Hash32{}; }

// The commitment `validator` made for `round`, if any.
BeaconCommitment* find_commitment(BeaconState& state, const std::string& validator, uint64_t round) {
  for (auto& c : *state.mutable_commitments()) {
    if (c.validator() == validator && c.round() == round) return &c;
  }
  return nullptr;
}

void insert_commitment(BeaconState& state, BeaconCommitment c) {
  auto* list = state.mutable_commitments();
  auto at = std::find_if(list->begin(), list->end(), [&](const BeaconCommitment& x) {
    return std::make_pair(x.validator(), x.round()) > std::make_pair(c.validator(), c.round());
  });
  const auto index = at - list->begin();
  *list->Add() = std::move(c);
  std::rotate(list->begin() + index, list->end() - 1, list->end());
}

}  // namespace

Hash32 genesis_beacon_output(std::string_view chain_id) {
  Sha256 h;
  return h.update("hpchain beacon genesis v1").update(chain_id).finish();
}

BeaconState initial_beacon_state(std::string_view chain_id, uint64_t round_blocks) {
  BeaconState s;
  s.set_round(0);
  s.set_end_height(round_blocks);
  const Hash32 out = genesis_beacon_output(chain_id);
  s.set_output(out.bytes.data(), out.bytes.size());
  s.set_mix(std::string(32, '\0'));
  return s;
}

Result<BeaconState> beacon_state(const StateView& view) {
  HPC_ASSIGN_OR_RETURN(auto s, view.get_record<BeaconState>(to_bytes_key(keys::kBeacon)));
  if (!s) return Status::corruption("state holds no beacon record (not built from a genesis?)");
  return *s;
}

Hash32 beacon_round_output(const Hash32& previous, uint64_t round, const Hash32& mix, uint32_t reveals) {
  Sha256 h;
  h.update("hpchain beacon v1").update(previous.span()).update_u64_be(round).update(mix.span());
  h.update_u32_be(reveals);
  return h.finish();
}

Result<Verdict> execute_beacon_reveal(TxContext& tx, const hpchain::v1::BeaconReveal& r) {
  HPC_ASSIGN_OR_RETURN(auto v, tx.view.get_record<hpchain::v1::Validator>(keys::validator(as_bytes(r.validator()))));
  if (!v) return Verdict{TxCode::kUnknownValidator, "no registry entry for the validator key"};
  if (v->operator_() != bytes_of(tx.sender)) return Verdict{TxCode::kNotOperator, "the signer is not the validator's operator"};
  if (v->power() == 0) return Verdict{TxCode::kNotVoter, "only validators with voting power take part in the beacon"};
  HPC_ASSIGN_OR_RETURN(BeaconState state, beacon_state(tx.view));
  if (r.round() != state.round()) {
    return Verdict{TxCode::kBeaconWrongRound, "the beacon is in round " + std::to_string(state.round())};
  }
  if (find_commitment(state, r.validator(), state.round() + 1) != nullptr) {
    return Verdict{TxCode::kBeaconRepeat, "one beacon reveal per validator per round"};
  }
  BeaconCommitment* mine = find_commitment(state, r.validator(), state.round());
  if (mine != nullptr && mine->revealed()) return Verdict{TxCode::kBeaconRepeat, "one beacon reveal per validator per round"};
  if (mine == nullptr && !r.secret().empty()) {
    return Verdict{TxCode::kBeaconMismatch, "no commitment for this round: the secret must be empty"};
  }
  if (mine != nullptr) {
    if (sha256(as_bytes(r.secret())) != hash_of(mine->commitment())) {
      return Verdict{TxCode::kBeaconMismatch, "the secret does not hash to the commitment"};
    }
    mine->set_revealed(true);
    Sha256 h;
    const Hash32 contribution = h.update(r.validator()).update(r.secret()).finish();
    Hash32 mix = hash_of(state.mix());
    for (size_t i = 0; i < Hash32::kSize; ++i) mix.bytes[i] ^= contribution.bytes[i];
    state.set_mix(mix.bytes.data(), mix.bytes.size());
    state.set_reveals(state.reveals() + 1);
  }
  if (!r.next_commitment().empty()) {
    BeaconCommitment next;
    next.set_validator(r.validator());
    next.set_round(state.round() + 1);
    next.set_commitment(r.next_commitment());
    insert_commitment(state, std::move(next));
  } else if (mine == nullptr) {
    return Verdict{TxCode::kBeaconMismatch, "a reveal needs a secret, a next commitment, or both"};
  }
  tx.view.put_record(to_bytes_key(keys::kBeacon), state);
  return Verdict::ok();
}

Result<std::optional<std::pair<uint64_t, Hash32>>> end_beacon_round(StateView& view, uint64_t height,
                                                                    const hpchain::v1::Params& params,
                                                                    std::vector<Event>& events) {
  HPC_ASSIGN_OR_RETURN(BeaconState state, beacon_state(view));
  HPC_ASSERT(height <= state.end_height());
  if (height != state.end_height()) return std::optional<std::pair<uint64_t, Hash32>>{};
  const uint64_t round = state.round();
  const Hash32 output = beacon_round_output(hash_of(state.output()), round, hash_or_zero(state.mix()), state.reveals());
  Bytes out_bytes(output.bytes.begin(), output.bytes.end());
  view.put(keys::beacon_output(round), std::move(out_bytes));
  // Commitments for this round that were not revealed cost credibility.
  BeaconState next;
  next.set_round(round + 1);
  next.set_end_height(height + params.beacon_round_blocks());
  next.set_output(output.bytes.data(), output.bytes.size());
  next.set_mix(std::string(32, '\0'));
  for (const auto& c : state.commitments()) {
    if (c.round() > round) {
      *next.add_commitments() = c;
    } else if (!c.revealed()) {
      HPC_TRY(adjust_credibility(view, c.validator(), kCredibilityMissedBeacon));
      events.push_back({"beacon_missed", {{"validator", hex_encode(as_bytes(c.validator()))},
                                          {"round", std::to_string(round)}}});
    }
  }
  view.put_record(to_bytes_key(keys::kBeacon), next);
  events.push_back({"beacon_output", {{"round", std::to_string(round)}, {"output", output.hex()},
                                      {"reveals", std::to_string(state.reveals())}}});
  return std::optional<std::pair<uint64_t, Hash32>>(std::pair{round, output});
}

}  // namespace hpchain::ledger
