// The simulator's event loop, network and invariant checks.
#include <cstdio>
#include <cstring>
#include <sstream>

#include "consensus/codec.h"
#include "tests/sim/world.h"

namespace hpchain::sim {
namespace {

constexpr uint64_t kMinDelayMs = 5;
constexpr uint64_t kMaxDelayMs = 60;
constexpr size_t kMaxViolationsKept = 5;

}  // namespace

// Keys are cached: generating secp256k1 public keys for every seed would
// dominate short runs.
const std::vector<PrivateKey>& sim_validator_keys(size_t members) {
  static std::vector<PrivateKey> keys;
  while (keys.size() < members) {
    const Hash32 secret = sha256("hpchain-sim validator " + std::to_string(keys.size()));
    keys.push_back(*PrivateKey::from_bytes(secret.span()));
  }
  return keys;
}

std::vector<uint32_t> sim_leaders(uint32_t n, uint64_t rounds) {
  const auto& keys = sim_validator_keys(n);
  std::vector<consensus::ValidatorInfo> members;
  for (uint32_t v = 0; v < n; ++v) members.push_back({keys[v].public_key(), 1});
  const auto set = *consensus::ValidatorSet::create(std::move(members));
  std::vector<uint32_t> leaders;
  for (uint64_t r = 0; r < rounds; ++r) leaders.push_back(set.leader(r));
  return leaders;
}

World::World(const SimConfig& config) : config_(config), rng_(config.seed) {
  schedule_ = draw_schedule(rng_, config_);
  const auto& keys = sim_validator_keys(schedule_.members);
  keyring_ = std::make_unique<SimKeyring>(schedule_.members, config_.seed, chain_id_);
  open_epoch_zero();
  validators_ = &*epochs_[0]->set;
  instances_.resize(schedule_.instance_of.size());
  for (uint32_t i = 0; i < instances_.size(); ++i) {
    Instance& inst = instances_[i];
    inst.validator = schedule_.instance_of[i];
      inst.index = index_in(0, inst.validator);
    if (is_observer(i)) {
      inst.up = false;  // joins at observer_join_ms, signs nothing
      continue;
    }
    inst.role = schedule_.roles[inst.validator];
    SignObserver observer = [this](ValidatorIndex v, SignDomain d, ByteSpan m) { on_sign(v, d, m); };
    inst.signer = config_.real_crypto
                      ? observe_signer(consensus::make_secp256k1_signer(keys[inst.validator], chain_id_),
                                       inst.validator, observer)
                      : keyring_->signer(inst.validator, observer);
  }
  result_.seed = config_.seed;
  result_.validators = schedule_.validators;
  result_.schedule = schedule_.describe();
}

void World::push(Event e) {
  e.seq = seq_++;
  queue_.push(std::move(e));
}

void World::violation(std::string what) {
  if (result_.violations.size() < kMaxViolationsKept) {
    result_.violations.push_back("t=" + std::to_string(now_ms_) + "ms " + what);
  }
}

void World::on_sign(ValidatorIndex signer, SignDomain domain, ByteSpan message) {
  if (!honest(signer)) return;
  if (domain == SignDomain::kStateCert) return check_state_signature(signer, message);
  if (domain != SignDomain::kVote) return;
  // vote_signing_bytes: epoch(8) ‖ block_id(32) ‖ round(8) ‖ height(8).
  HPC_ASSERT(message.size() == 56);
  Hash32 block_id;
  std::memcpy(block_id.bytes.data(), message.data() + 8, 32);
  uint64_t epoch = 0;
  uint64_t round = 0;
  for (size_t k = 0; k < 8; ++k) epoch = (epoch << 8) | message[k];
  for (size_t k = 40; k < 48; ++k) round = (round << 8) | message[k];
  auto [it, inserted] = votes_.emplace(std::make_tuple(signer, epoch, round), block_id);
  if (!inserted && it->second != block_id) {
    violation("honest double vote: validator " + std::to_string(signer) + " epoch " + std::to_string(epoch) +
              " round " + std::to_string(round) + " for " + it->second.hex().substr(0, 8) + " and " +
              block_id.hex().substr(0, 8));
  }
}

void World::record_commit(uint32_t i, const consensus::CommittedBlock& c) {
  Instance& inst = instances_[i];
  const consensus::Block& b = *c.block;
  // The reconfiguration suffix: blocks of this epoch above its
  // reconfiguration block are committed by the core but carry nothing for
  // the chain, so they are neither stored nor executed.
  if (b.height() > epoch_of(i).end_height) {
    return apply(i, inst.core->on_block_executed(b.id, b.height()));
  }
  append_commit(i, c);
  execute(i, b);
}

void World::append_commit(uint32_t i, const consensus::CommittedBlock& c) {
  Instance& inst = instances_[i];
  const consensus::Block& b = *c.block;
  inst.store.add(c.block);
  if (honest(inst.validator)) {
    const Hash32 prev = inst.chain.empty() ? instances_[i].core->start_id() : inst.chain.back().block->id;
    if (b.height() != inst.chain.size() + 1 || b.parent_id() != prev) {
      result_.forked = true;
      violation("prefix: instance " + std::to_string(i) + " committed height " +
                std::to_string(b.height()) + " not extending its chain of " +
                std::to_string(inst.chain.size()));
    }
    auto [it, inserted] = committed_at_height_.emplace(b.height(), b.id);
    if (!inserted && it->second != b.id) {
      result_.forked = true;
      violation("agreement: height " + std::to_string(b.height()) + " has " +
                it->second.hex().substr(0, 8) + " and " + b.id.hex().substr(0, 8) +
                " (instance " + std::to_string(i) + ")");
    }
    result_.max_committed_height = std::max(result_.max_committed_height, b.height());
  }
  inst.chain.push_back(c);
  if (config_.trace) {
    std::fprintf(stderr, "%8llu ms commit inst=%u height=%llu epoch=%llu round=%llu\n",
                 static_cast<unsigned long long>(now_ms_), i, static_cast<unsigned long long>(b.height()),
                 static_cast<unsigned long long>(b.fields.epoch), static_cast<unsigned long long>(b.round()));
  }
  Sha256 h;
  inst.state = h.update(inst.state.span()).update(b.payload).finish();
  if (schedule_.laggard && !laggard_back_ && i != schedule_.laggard->instance &&
      inst.chain.size() >= instances_[schedule_.laggard->instance].chain.size() + kLagBlocks) {
    laggard_back_ = true;
  }
}

bool World::lagging(uint32_t i) const {
  return schedule_.laggard && !laggard_back_ && i == schedule_.laggard->instance &&
         now_ms_ >= schedule_.laggard->from_ms;
}

bool World::cut(uint32_t a, uint32_t b) const {
  if (lagging(a) || lagging(b)) return true;
  for (const auto& p : schedule_.partitions) {
    if (now_ms_ >= p.from_ms && now_ms_ < p.to_ms && p.side[a] != p.side[b]) return true;
  }
  return false;
}

void World::send(uint32_t src, ValidatorIndex dst, std::shared_ptr<const Bytes> bytes,
                 uint64_t extra_delay_ms) {
  const auto member = member_of(instances_[src].epoch, dst);
  if (member) send_to_member(src, *member, std::move(bytes), extra_delay_ms);
}

void World::send_to_member(uint32_t src, uint32_t member, std::shared_ptr<const Bytes> bytes,
                           uint64_t extra_delay_ms, EventKind kind) {
  uint64_t slow_ms = 0;
  for (const auto& f : schedule_.slows) {
    if (f.validator == instances_[src].validator && now_ms_ >= f.from_ms && now_ms_ < f.to_ms) {
      slow_ms = f.extra_ms;
    }
  }
  for (uint32_t j = 0; j < instances_.size(); ++j) {
    if (schedule_.instance_of[j] != member || j == src || cut(src, j)) continue;
    if (now_ms_ < schedule_.heal_ms && rng_.chance(schedule_.drop_percent)) continue;
    const int copies = rng_.chance(schedule_.duplicate_percent) ? 2 : 1;
    for (int k = 0; k < copies; ++k) {
      Event e;
      e.time_ms = now_ms_ + rng_.between(kMinDelayMs, kMaxDelayMs) + slow_ms + extra_delay_ms;
      e.kind = kind;
      e.instance = j;
      e.from = instances_[src].validator;
      e.bytes = bytes;
      push(std::move(e));
    }
  }
}

void World::outgoing(uint32_t src, std::optional<ValidatorIndex> dst, const Bytes& bytes) {
  if (schedule_.withhold_plan == WithholdPlan::kHiddenSibling && !dst &&
      instances_[src].role != Role::kWithholder) {
    auto decoded = consensus::decode_message(bytes);
    if (auto* p = decoded.is_ok() ? std::get_if<consensus::Proposal>(&decoded->body) : nullptr) {
      watch_sibling_plan(*p, false);
    }
  }
  if (schedule_.withhold_plan == WithholdPlan::kSplitVotes && dst && split_.phase != 0) {
    auto decoded = consensus::decode_message(bytes);
    if (auto* v = decoded.is_ok() ? std::get_if<consensus::Vote>(&decoded->body) : nullptr) capture_vote(*v);
  }
  switch (instances_[src].role) {
    case Role::kEquivocator: return equivocate(src, dst, bytes);
    case Role::kDoubleVoter: return double_vote(src, dst, bytes);
    case Role::kWithholder: return withhold(src, dst, bytes);
    case Role::kGarbage: garbage(src, bytes); break;
    case Role::kHonest: case Role::kTwin: case Role::kTcForger: break;
  }
  auto shared = std::make_shared<const Bytes>(
      instances_[src].role == Role::kTcForger ? forge_tc(src, bytes) : bytes);
  if (dst) return send(src, *dst, shared);
  send_to_all(src, shared);
}

void World::send_to_all(uint32_t src, std::shared_ptr<const Bytes> bytes) {
  // Every member, in or out of the set: observers hear broadcasts too (the
  // node gossips them to every peer).
  for (uint32_t m = 0; m < schedule_.members; ++m) {
    if (m != instances_[src].validator) send_to_member(src, m, bytes);
  }
}

void World::apply(uint32_t i, consensus::Actions actions) {
  const uint32_t generation = instances_[i].generation;
  for (auto& action : actions) {
    // A commit ended the epoch (or a divergence halted us): the rest came
    // from the old core.
    if (instances_[i].generation != generation) return;
    if (auto* s = std::get_if<consensus::SendAction>(&action)) {
      outgoing(i, s->to, s->message);
    } else if (auto* b = std::get_if<consensus::BroadcastAction>(&action)) {
      outgoing(i, std::nullopt, b->message);
    } else if (auto* f = std::get_if<consensus::FetchBlockAction>(&action)) {
      send(i, f->peer, std::make_shared<const Bytes>(std::move(f->message)));
    } else if (auto* c = std::get_if<consensus::CommitAction>(&action)) {
      record_commit(i, c->committed);
    } else if (auto* t = std::get_if<consensus::TimerAction>(&action)) {
      push({now_ms_ + t->delay_ms, 0, EventKind::kTimer, i, 0, t->round, instances_[i].generation, false, {}});
    } else if (std::holds_alternative<consensus::SyncRequestAction>(action)) {
      push({now_ms_ + rng_.between(50, 300), 0, EventKind::kSync, i, 0, 0, instances_[i].generation, false, {}});
    } else if (std::holds_alternative<consensus::EpochAheadAction>(action)) {
      push({now_ms_ + rng_.between(20, 100), 0, EventKind::kEpochSync, i, 0, 0, instances_[i].generation, false, {}});
    } else if (auto* v = std::get_if<consensus::ValidatePayloadAction>(&action)) {
      // A payload is invalid when its proposer made it so (Role::kGarbage).
      static constexpr std::string_view kInvalid = "invalid";
      const Bytes& payload = v->block->payload;
      const bool valid = payload.size() < kInvalid.size() ||
                         std::string_view(reinterpret_cast<const char*>(payload.data()), kInvalid.size()) != kInvalid;
      push({now_ms_ + rng_.between(1, 3), 0, EventKind::kValidate, i, 0, valid ? 1u : 0u, instances_[i].generation,
            false, std::make_shared<const Bytes>(v->block->id.bytes.begin(), v->block->id.bytes.end())});
    } else {
      const auto& p = std::get<consensus::PayloadRequestAction>(action);
      push({now_ms_ + 1, 0, EventKind::kPayload, i, 0, p.round, instances_[i].generation, false, {}});
    }
  }
  if (instances_[i].role == Role::kTcForger) rush_forged_tc(i);
}

void World::start_instance(uint32_t i) {
  Instance& inst = instances_[i];
  const EpochInfo& epoch = epoch_of(i);
  const bool voter = inst.index != consensus::kObserver;
  consensus::CoreConfig cfg;
  cfg.chain_id = chain_id_;
  cfg.epoch = epoch.start;
  cfg.self = inst.index;
  cfg.pacemaker.base_timeout_ms = config_.base_timeout_ms;
  cfg.unsafe_variants = config_.broken;
  cfg.validate_payloads = true;
  consensus::CoreDeps deps{&*epoch.set, voter ? inst.signer.get() : nullptr, epoch.verifier.get(),
                           voter ? &inst.storage : nullptr, &inst.store,
                           config_.saved_tree ? &inst.tree : nullptr};
  std::optional<consensus::Recovery> recovery;
  if (!inst.chain.empty()) recovery = consensus::Recovery{inst.chain.back().block, inst.chain.back().qc};
  auto core = consensus::ConsensusCore::create(cfg, deps, recovery);
  HPC_ASSERT(core.is_ok());
  inst.core = std::move(*core);
  inst.up = true;
  apply(i, inst.core->start());
}

}  // namespace hpchain::sim
