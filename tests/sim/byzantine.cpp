// Byzantine behaviours. A byzantine instance runs the honest core and the
// simulator rewrites what it sends, using only that validator's own signer:
// it can lie, but it cannot forge an honest validator's signature.
#include "consensus/codec.h"
#include "tests/sim/world.h"

namespace hpchain::sim {
namespace {

using consensus::BlockPtr;
using consensus::Message;

std::shared_ptr<const Bytes> share(Bytes b) { return std::make_shared<const Bytes>(std::move(b)); }

}  // namespace

void World::equivocate(uint32_t src, std::optional<ValidatorIndex> dst, const Bytes& bytes) {
  auto decoded = consensus::decode_message(bytes);
  const auto* proposal = decoded.is_ok() ? std::get_if<consensus::Proposal>(&decoded->body) : nullptr;
  const ValidatorIndex self = instances_[src].index;
  const uint64_t epoch = instances_[src].epoch;
  const size_t n = set_of(src).size();
  if (proposal == nullptr || dst) {
    auto shared = share(bytes);
    if (dst) return send(src, *dst, shared);
    for (ValidatorIndex v = 0; v < n; ++v) {
      if (v != self) send(src, v, shared);
    }
    return;
  }
  // A second block for the same round: same parent and QC, other payload.
  const consensus::Block& a = *proposal->block;
  Bytes other_payload = a.payload;
  other_payload.push_back('\'');
  consensus::Proposal other;
  if (proposal->tc && rng_.chance(50)) {
    // After a TC, the second block extends the committed root instead of
    // the highest QC: honest validators must refuse it when its QC is below
    // the TC's highest QC round (the Jolteon lock).
    other = below_lock(src, *proposal, std::move(other_payload), instances_[src].core->committed_root_qc());
  } else {
    consensus::BlockFields fields = a.fields;
    fields.payload_hash = sha256(other_payload);
    other = *proposal;
    other.block = std::make_shared<const consensus::Block>(
        consensus::make_block(chain_id_, fields, std::move(other_payload)));
    other.signature = instances_[src].signer->sign(
        SignDomain::kProposal, consensus::proposal_signing_bytes(epoch, other.block->id, other.tc));
  }
  equivocated_[a.round()] = {a.id, other.block->id};
  auto first = share(bytes);
  auto second = share(consensus::encode_message(chain_id_, epoch, other));
  for (ValidatorIndex v = 0; v < n; ++v) {
    if (v == self) continue;
    const bool flip = rng_.chance(50);
    send(src, v, flip ? second : first);
    // Some validators later see the other version as well.
    if (rng_.chance(50)) send(src, v, flip ? first : second, rng_.between(50, 800));
  }
}

void World::double_vote(uint32_t src, std::optional<ValidatorIndex> dst, const Bytes& bytes) {
  auto decoded = consensus::decode_message(bytes);
  const auto* vote = decoded.is_ok() ? std::get_if<consensus::Vote>(&decoded->body) : nullptr;
  const ValidatorIndex self = instances_[src].index;
  const uint64_t epoch = instances_[src].epoch;
  auto original = share(bytes);
  if (dst) {
    send(src, *dst, original);
  } else {
    for (ValidatorIndex v = 0; v < set_of(src).size(); ++v) {
      if (v != self) send(src, v, original);
    }
  }
  if (vote == nullptr || !dst) return;
  consensus::Vote second = *vote;
  auto eq = equivocated_.find(vote->round);
  if (eq != equivocated_.end()) {
    second.block_id = eq->second[0] == vote->block_id ? eq->second[1] : eq->second[0];
  } else {
    second.block_id = sha256("double vote " + std::to_string(rng_.next()));
  }
  second.signature = instances_[src].signer->sign(
      SignDomain::kVote, consensus::vote_signing_bytes(epoch, second.block_id, second.round, second.height));
  send(src, *dst, share(consensus::encode_message(chain_id_, epoch, second)));
}

void World::garbage(uint32_t src, const Bytes& bytes) {
  if (!rng_.chance(50)) return;
  const ValidatorIndex self = instances_[src].index;
  const uint64_t epoch = instances_[src].epoch;
  const consensus::ValidatorSet& set = set_of(src);
  ValidatorIndex target = static_cast<ValidatorIndex>(rng_.below(set.size()));
  if (target == self) target = static_cast<ValidatorIndex>((target + 1) % set.size());
  Bytes junk = bytes;
  auto decoded = consensus::decode_message(bytes);
  auto* timeout = decoded.is_ok() ? std::get_if<consensus::TimeoutMsg>(&decoded->body) : nullptr;
  switch (rng_.below(7)) {
    case 0:  // random bytes
      junk.assign(rng_.below(200), 0);
      for (auto& b : junk) b = static_cast<uint8_t>(rng_.next());
      break;
    case 1:  // a flipped bit
      if (!junk.empty()) junk[rng_.below(junk.size())] ^= static_cast<uint8_t>(1u << rng_.below(8));
      break;
    case 2:  // truncated
      junk.resize(rng_.below(junk.size() + 1));
      break;
    case 3:  // another chain
      if (decoded.is_ok()) junk = consensus::encode_message("other-chain", epoch, decoded->body);
      break;
    case 4: {  // a validly signed vote for a round far in the future
      consensus::Vote v;
      v.block_id = sha256("far");
      v.round = 1'000'000 + rng_.below(1000);
      v.voter = self;
      v.signature = instances_[src].signer->sign(SignDomain::kVote,
                                                 consensus::vote_signing_bytes(epoch, v.block_id, v.round, 0));
      target = set.leader(v.round + 1);
      junk = consensus::encode_message(chain_id_, epoch, v);
      break;
    }
    case 5: {  // a vote claiming to be another validator's
      consensus::Vote v;
      v.block_id = sha256("forged");
      v.round = timeout ? timeout->round : 1;
      v.voter = target;
      v.signature = instances_[src].signer->sign(SignDomain::kVote,
                                                 consensus::vote_signing_bytes(epoch, v.block_id, v.round, 0));
      target = set.leader(v.round + 1);
      if (target == self) return;
      junk = consensus::encode_message(chain_id_, epoch, v);
      break;
    }
    default:  // a certificate with one signer counted twice
      if (timeout == nullptr || timeout->high_qc.votes.empty()) return;
      timeout->high_qc.votes.push_back(timeout->high_qc.votes.front());
      junk = consensus::encode_message(chain_id_, epoch, *timeout);
      break;
  }
  if (target == self) return;
  send(src, target, share(std::move(junk)));
}

void World::rush_forged_tc(uint32_t src) {
  // As soon as our core holds a new TC, send it (forged by forge_tc) in a
  // timeout of the next round, to reach the next leader before the honest
  // shares do: a validator keeps the first TC of a round it sees.
  Instance& inst = instances_[src];
  const auto& tc = inst.core->high_tc();
  if (!tc || tc->round <= inst.forged_tc_round || inst.core->current_round() != tc->round + 1) return;
  inst.forged_tc_round = tc->round;
  consensus::TimeoutMsg t;
  t.round = tc->round + 1;
  t.high_qc = inst.core->high_qc();
  t.share = {inst.validator, t.high_qc.round,
             inst.signer->sign(SignDomain::kTimeout, consensus::timeout_signing_bytes(epoch_, t.round, t.high_qc.round))};
  t.last_tc = *tc;
  outgoing(src, std::nullopt, consensus::encode_message(chain_id_, epoch_, t));
}

Bytes World::forge_tc(uint32_t src, const Bytes& bytes) {
  // The TC in our timeout or proposal gets our own share claiming a QC one
  // round below the TC's, which does not exist (or that we do not hold).
  // Were the claim believed, it would be the lock of the next round and no
  // honest validator could vote there (review finding: TCs must carry the
  // QC behind their highest claim).
  auto decoded = consensus::decode_message(bytes);
  if (!decoded.is_ok()) return bytes;
  std::optional<consensus::TimeoutCert>* tc = nullptr;
  if (auto* t = std::get_if<consensus::TimeoutMsg>(&decoded->body)) tc = &t->last_tc;
  if (auto* p = std::get_if<consensus::Proposal>(&decoded->body)) tc = &p->tc;
  if (tc == nullptr || !tc->has_value() || (*tc)->round < 2) return bytes;
  consensus::TimeoutCert& cert = **tc;
  const ValidatorIndex self = instances_[src].validator;
  const uint64_t claim = cert.round - 1;
  if (cert.high_qc.round == claim) return bytes;  // the claim is true
  std::erase_if(cert.shares, [&](const consensus::TimeoutShare& s) { return s.signer == self; });
  cert.shares.push_back({self, claim,
                         instances_[src].signer->sign(SignDomain::kTimeout,
                                                      consensus::timeout_signing_bytes(epoch_, cert.round, claim))});
  return consensus::encode_message(chain_id_, epoch_, decoded->body);
}

}  // namespace hpchain::sim
