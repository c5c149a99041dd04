// Epochs and state certificates in the simulator: the host side of
// consensus/epoch.h and consensus/state_cert.h, as a node runs it
// (docs/consensus.md, "Epochs" and "State certificates").
//
// Each instance executes a committed block (its state is a hash chain of
// payloads), signs the state claim and gossips the vote. The schedule's
// reconfigurations stand in for the ledger's registry: the block at a
// planned height of epoch e is its reconfiguration block R. An instance
// that executed R keeps running epoch e's core (its suffix blocks are not
// executed) until it holds R's certificate, then starts epoch e + 1 from
// the derived start block. An instance that sees a later epoch fetches the
// epoch-change proof (R's certificate and the blocks up to R) from a peer.
#include <algorithm>

#include "consensus/epoch.h"
#include "tests/sim/world.h"

namespace hpchain::sim {
namespace {

std::shared_ptr<const Bytes> share(Bytes b) { return std::make_shared<const Bytes>(std::move(b)); }

}  // namespace

std::unique_ptr<EpochInfo> World::make_epoch(uint64_t number, const std::vector<uint32_t>& members,
                                             const std::vector<uint64_t>& powers, consensus::EpochStart start) {
  auto info = std::make_unique<EpochInfo>();
  info->number = number;
  info->members = members;
  for (uint32_t m = 0; m < schedule_.members; ++m) {
    if (std::find(members.begin(), members.end(), m) == members.end()) info->others.push_back(m);
  }
  const auto& keys = sim_validator_keys(schedule_.members);
  std::vector<consensus::ValidatorInfo> entries;
  for (size_t k = 0; k < members.size(); ++k) entries.push_back({keys[members[k]].public_key(), powers[k]});
  info->set = *consensus::ValidatorSet::create(std::move(entries));
  info->verifier = config_.real_crypto ? consensus::make_secp256k1_verifier(*info->set, chain_id_)
                                       : keyring_->verifier_for(members);
  info->start = start;
  info->start_block = std::make_shared<const consensus::Block>(
      consensus::epoch_start_block(chain_id_, number, start.parent_id, start.height, info->set->digest()));
  if (number < schedule_.reconfigs.size()) info->end_height = start.height + schedule_.reconfigs[number].gap;
  return info;
}

void World::open_epoch_zero() {
  std::vector<uint32_t> members;
  for (uint32_t v = 0; v < schedule_.validators; ++v) members.push_back(v);
  epochs_.push_back(make_epoch(0, members, schedule_.powers, consensus::EpochStart{}));
}

const EpochInfo& World::open_epoch(uint64_t epoch, const consensus::Block& end) {
  HPC_ASSERT(epoch >= 1 && epoch <= schedule_.reconfigs.size() && epoch <= epochs_.size());
  if (epoch == epochs_.size()) {
    const Reconfig& r = schedule_.reconfigs[epoch - 1];
    epochs_.push_back(make_epoch(epoch, r.members, r.powers, consensus::next_epoch_start(epoch - 1, end.id, end.height())));
  } else if (epochs_[epoch]->start.parent_id != end.id) {
    result_.forked = true;
    violation("epoch " + std::to_string(epoch) + " starts after " + epochs_[epoch]->start.parent_id.hex().substr(0, 8) +
              " and " + end.id.hex().substr(0, 8));
  }
  return *epochs_[epoch];
}

ValidatorIndex World::peer_id(uint64_t epoch, uint32_t member) const {
  const EpochInfo& info = *epochs_[epoch];
  auto in = std::find(info.members.begin(), info.members.end(), member);
  if (in != info.members.end()) return static_cast<ValidatorIndex>(in - info.members.begin());
  auto out = std::find(info.others.begin(), info.others.end(), member);
  HPC_ASSERT(out != info.others.end());
  return static_cast<ValidatorIndex>(info.members.size() + (out - info.others.begin()));
}

std::optional<uint32_t> World::member_of(uint64_t epoch, ValidatorIndex peer) const {
  const EpochInfo& info = *epochs_[epoch];
  if (peer < info.members.size()) return info.members[peer];
  if (peer - info.members.size() < info.others.size()) return info.others[peer - info.members.size()];
  return std::nullopt;
}

ValidatorIndex World::index_in(uint64_t epoch, uint32_t member) const {
  const ValidatorIndex peer = peer_id(epoch, member);
  return peer < epochs_[epoch]->members.size() ? peer : consensus::kObserver;
}

consensus::StateCertifier* World::certifier(uint32_t i, uint64_t epoch) {
  Instance& inst = instances_[i];
  auto it = inst.certifiers.find(epoch);
  if (it != inst.certifiers.end()) return it->second.get();
  if (epoch != inst.epoch) return nullptr;  // an epoch we have not reached
  const EpochInfo& info = *epochs_[epoch];
  auto made = std::make_unique<consensus::StateCertifier>(chain_id_, epoch, *info.set, *info.verifier,
                                                          inst.signer.get(), inst.index, info.start.height);
  return inst.certifiers.emplace(epoch, std::move(made)).first->second.get();
}

Hash32 World::claimed_root(uint32_t i, uint64_t height) {
  const Instance& inst = instances_[i];
  Hash32 root = inst.state;
  if (config_.diverge_height != 0 && height >= config_.diverge_height && inst.validator == config_.diverge_validator) {
    root = Sha256().update(root.span()).update("diverged").finish();
  }
  return root;
}

void World::certify(uint32_t i, const consensus::Block& b) {
  Instance& inst = instances_[i];
  const uint64_t h = b.height();
  const uint64_t epoch = inst.epoch;
  const bool ends = h == epoch_of(i).end_height;
  const Hash32 next_set = ends ? open_epoch(epoch + 1, b).set->digest() : epoch_of(i).set->digest();
  consensus::StateCertifier* c = certifier(i, epoch);
  if (c->certificate(h)) {
    note_latency(i, 0);
  } else {
    inst.executed_ms[h] = now_ms_;
    while (inst.executed_ms.size() > 2 * consensus::kStateWindow) inst.executed_ms.erase(inst.executed_ms.begin());
  }
  consensus::StateActions actions = c->on_executed(h, b.id, claimed_root(i, h), next_set);
  if (ends) {
    for (const auto& a : actions) {
      if (const auto* v = std::get_if<consensus::StateVoteAction>(&a)) inst.end_vote = share(v->message);
    }
    if (inst.end_vote) push({now_ms_ + 500, 0, EventKind::kStateResend, i, 0, 0, inst.generation, false, {}});
  }
  on_state(i, epoch, std::move(actions));
}

void World::execute(uint32_t i, const consensus::Block& b) {
  Instance& inst = instances_[i];
  if (!certifying()) return apply(i, inst.core->on_block_executed(b.id, b.height()));
  const uint64_t epoch = inst.epoch;
  certify(i, b);
  if (inst.halted || inst.epoch != epoch) return;
  apply(i, inst.core->on_block_executed(b.id, b.height()));
  if (inst.epoch == epoch && b.height() == epoch_of(i).end_height) maybe_end_epoch(i);
}

void World::note_latency(uint32_t i, uint64_t ms) {
  if (!honest(instances_[i].validator)) return;
  ++result_.cert_latency_samples;
  result_.cert_latency_sum_ms += ms;
  result_.cert_latency_max_ms = std::max(result_.cert_latency_max_ms, ms);
}

void World::record_certificate(uint32_t i, uint64_t epoch, const consensus::StateCertificate& cert) {
  Instance& inst = instances_[i];
  const consensus::StateClaim& claim = cert.claim;
  auto [it, inserted] = certified_.emplace(std::make_pair(claim.epoch, claim.height), claim);
  if (!inserted && it->second != claim) {
    result_.forked = true;
    violation("two state certificates for epoch " + std::to_string(claim.epoch) + " height " +
              std::to_string(claim.height) + ": roots " + it->second.state_root.hex().substr(0, 8) + " and " +
              claim.state_root.hex().substr(0, 8));
  }
  if (epoch == inst.epoch) {
    auto executed = inst.executed_ms.find(claim.height);
    if (executed != inst.executed_ms.end()) {
      note_latency(i, now_ms_ - executed->second);
      inst.executed_ms.erase(executed);
    }
  }
  if (claim.height != epochs_[epoch]->end_height) return;
  // The epoch-change proof: gossip it, so every node of the epoch can move on.
  broadcast_state(i, share(consensus::encode_state_message(chain_id_, cert)));
  if (epoch != inst.epoch || maybe_end_epoch(i) || inst.chain.size() >= claim.height) return;
  // The proof came before the blocks up to R (the quorum may have moved
  // on without us): fetch them with it.
  push({now_ms_ + rng_.between(20, 100), 0, EventKind::kEpochSync, i, 0, 0, inst.generation, false, {}});
}

void World::on_state(uint32_t i, uint64_t epoch, consensus::StateActions actions) {
  Instance& inst = instances_[i];
  for (auto& action : actions) {
    if (auto* v = std::get_if<consensus::StateVoteAction>(&action)) {
      broadcast_state(i, inst.role == Role::kGarbage ? lying_state_vote(i, v->message) : share(std::move(v->message)));
    } else if (auto* c = std::get_if<consensus::CertifiedAction>(&action)) {
      record_certificate(i, epoch, c->certificate);
    } else {
      const auto& d = std::get<consensus::DivergenceAction>(action);
      if (!honest(inst.validator)) continue;  // a liar's own certifier sees through its lies
      if (config_.diverge_height == 0 || inst.validator != config_.diverge_validator) {
        violation("honest instance " + std::to_string(i) + " diverged: " + d.message());
        continue;
      }
      // The node stops: it must not go on from a state the quorum disagrees with.
      result_.halts.push_back("instance " + std::to_string(i) + ": " + d.message());
      inst.halted = true;
      inst.up = false;
      ++inst.generation;
      inst.core.reset();
      return;
    }
  }
}

std::shared_ptr<const Bytes> World::lying_state_vote(uint32_t i, const Bytes& honest_vote) {
  // A garbage validator signs a wrong root now and then (its own certifier
  // keeps the true one): its vote must count towards no certificate.
  auto decoded = consensus::decode_state_message(honest_vote);
  if (!rng_.chance(30) || !decoded.is_ok()) return share(honest_vote);
  consensus::StateVote lie = std::get<consensus::StateVote>(decoded->body);
  lie.claim.state_root = sha256("garbage root " + std::to_string(rng_.next()));
  lie.signature = instances_[i].signer->sign(SignDomain::kStateCert, consensus::state_signing_bytes(lie.claim));
  return share(consensus::encode_state_message(chain_id_, lie));
}

void World::broadcast_state(uint32_t src, std::shared_ptr<const Bytes> bytes) {
  for (uint32_t m = 0; m < schedule_.members; ++m) {
    if (m != instances_[src].validator) send_to_member(src, m, bytes, 0, EventKind::kStateDeliver);
  }
}

void World::deliver_state(const Event& e) {
  Instance& inst = instances_[e.instance];
  if (!inst.up) return;
  ++result_.messages_delivered;
  auto decoded = consensus::decode_state_message(*e.bytes);
  const uint64_t epoch =
      decoded.is_ok() ? std::visit([](const auto& body) { return body.claim.epoch; }, decoded->body) : inst.epoch;
  consensus::StateCertifier* c = certifier(e.instance, epoch);
  if (c != nullptr) on_state(e.instance, epoch, c->on_message(*e.bytes));
}

void World::resend_end_vote(uint32_t i, uint32_t generation) {
  Instance& inst = instances_[i];
  if (!inst.up || inst.generation != generation || !inst.end_vote) return;
  broadcast_state(i, inst.end_vote);
  push({now_ms_ + 500, 0, EventKind::kStateResend, i, 0, 0, inst.generation, false, {}});
}

bool World::maybe_end_epoch(uint32_t i) {
  Instance& inst = instances_[i];
  const EpochInfo& epoch = epoch_of(i);
  if (inst.halted || inst.chain.size() != epoch.end_height) return false;
  const auto cert = certifier(i, inst.epoch)->certificate(epoch.end_height);
  if (!cert || cert->claim.block_id != inst.chain.back().block->id) return false;
  switch_epoch(i);
  return true;
}

void World::switch_epoch(uint32_t i) {
  Instance& inst = instances_[i];
  const EpochInfo& next = open_epoch(inst.epoch + 1, *inst.chain.back().block);
  inst.epoch = next.number;
  inst.index = index_in(next.number, inst.validator);
  ++inst.generation;  // the old core's timers and pending work are void
  inst.core.reset();
  inst.tree.lose();   // the saved tree is the old epoch's
  inst.end_vote.reset();
  inst.executed_ms.clear();
  append_commit(i, consensus::CommittedBlock{next.start_block, consensus::genesis_qc(*next.start_block), std::nullopt});
  certifier(i, next.number);
  start_instance(i);
}

void World::epoch_sync(uint32_t i, uint32_t generation) {
  Instance& inst = instances_[i];
  while (inst.up && inst.generation == generation && inst.epoch + 1 < epochs_.size()) {
    const uint64_t e = inst.epoch;
    const uint64_t end = epochs_[e]->end_height;
    // A peer in a later epoch holds the proof: R's certificate, and the
    // blocks up to R (what a node would fetch with it).
    const Instance* source = nullptr;
    std::optional<consensus::StateCertificate> proof;
    for (uint32_t j = 0; j < instances_.size() && !proof; ++j) {
      const Instance& other = instances_[j];
      if (j == i || !other.up || !honest(other.validator) || other.epoch <= e || cut(i, j)) continue;
      auto c = other.certifiers.find(e);
      if (c != other.certifiers.end() && (proof = c->second->certificate(end))) source = &other;
    }
    if (!proof) {
      push({now_ms_ + rng_.between(300, 800), 0, EventKind::kEpochSync, i, 0, 0, generation, false, {}});
      return;
    }
    auto start = consensus::verify_epoch_change(*proof, e, *epochs_[e]->set, *epochs_[e]->verifier,
                                                *epochs_[e + 1]->set);
    if (!start.is_ok() || start->parent_id != source->chain[end - 1].block->id) {
      violation("instance " + std::to_string(i) + " refused an honest epoch-change proof: " +
                (start.is_ok() ? std::string("another block") : start.status().message()));
      return;
    }
    for (uint64_t h = inst.chain.size() + 1; h <= end; ++h) append_commit(i, source->chain[h - 1]);
    ++result_.epoch_syncs;
    certify(i, *inst.chain.back().block);  // our own claim: a divergence halts us here
    if (!inst.halted && inst.epoch == e) on_state(i, e, certifier(i, e)->on_certificate(*proof));
    if (!inst.halted && inst.epoch == e && !maybe_end_epoch(i)) return;
    generation = inst.generation;
  }
}

void World::status(uint32_t i) {
  // The sync layer's status exchange, reduced: a node that committed
  // nothing for a while asks its peers for their epoch, and one in a later
  // epoch hands it the proof. Without it, a node that missed the proof's
  // gossip hears nothing when the new set's members are all behind too.
  Instance& inst = instances_[i];
  if (inst.up && inst.chain.size() == inst.status_height) epoch_sync(i, inst.generation);
  inst.status_height = inst.chain.size();
  push({now_ms_ + kStatusMs, 0, EventKind::kStatus, i, 0, 0, 0, false, {}});
}

void World::check_state_signature(uint32_t member, ByteSpan message) {
  // state_signing_bytes: epoch(8) ‖ height(8) ‖ block_id(32) ‖ state_root(32) ‖ next_set_hash(32).
  HPC_ASSERT(message.size() == 112);
  uint64_t epoch = 0;
  uint64_t height = 0;
  for (size_t k = 0; k < 8; ++k) epoch = (epoch << 8) | message[k];
  for (size_t k = 8; k < 16; ++k) height = (height << 8) | message[k];
  const Hash32 claim = sha256(message);
  auto [it, inserted] = state_votes_.emplace(std::make_tuple(member, epoch, height), claim);
  // A diverging validator signs what it computed, once: a second, different
  // claim for one height would be a double state vote.
  if (!inserted && it->second != claim) {
    violation("honest double state vote: member " + std::to_string(member) + " epoch " + std::to_string(epoch) +
              " height " + std::to_string(height));
  }
}

}  // namespace hpchain::sim
