// Shared test fixture: a validator set with real secp256k1 keys and helpers
// that build correctly (or deliberately wrongly) signed consensus objects.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consensus/codec.h"
#include "consensus/core.h"

namespace hpchain::consensus::testing {

inline const std::string kChain = "test-chain";

class MemoryStorage final : public SafetyStorage {
 public:
  Result<SafetyState> load() override { return state; }
  Status save(const SafetyState& s) override {
    if (fail) return Status::io_error("disk full");
    state = s;
    ++saves;
    return Status::ok();
  }
  SafetyState state;
  bool fail = false;
  int saves = 0;
};

// Counts the signature checks of the verifier it wraps.
class CountingVerifier final : public SignatureVerifier {
 public:
  explicit CountingVerifier(std::unique_ptr<SignatureVerifier> inner) : inner_(std::move(inner)) {}
  Status verify(ValidatorIndex signer, SignDomain domain, ByteSpan message,
                const Signature& sig) const override {
    ++calls;
    return inner_->verify(signer, domain, message, sig);
  }
  mutable uint64_t calls = 0;

 private:
  std::unique_ptr<SignatureVerifier> inner_;
};

class Network {
 public:
  explicit Network(size_t n, std::vector<uint64_t> powers = {}) {
    std::vector<ValidatorInfo> members;
    for (size_t i = 0; i < n; ++i) {
      keys.push_back(*PrivateKey::from_bytes(sha256("unit validator " + std::to_string(i)).span()));
      members.push_back({keys.back().public_key(), powers.empty() ? 1 : powers[i]});
    }
    validators = std::make_unique<ValidatorSet>(*ValidatorSet::create(std::move(members)));
    auto counting = std::make_unique<CountingVerifier>(make_secp256k1_verifier(*validators, kChain));
    verifier_calls = &counting->calls;
    verifier = std::move(counting);
    for (size_t i = 0; i < n; ++i) signers.push_back(make_secp256k1_signer(keys[i], kChain));
    storages.resize(n);
    genesis = std::make_shared<const Block>(genesis_block(kChain, validators->digest()));
  }

  std::unique_ptr<ConsensusCore> core(ValidatorIndex i, CoreConfig cfg = {}, TreeStorage* tree = nullptr,
                                      std::optional<Recovery> recovery = {}) {
    cfg.chain_id = kChain;
    cfg.self = i;
    auto created = ConsensusCore::create(
        cfg, CoreDeps{validators.get(), signers[i].get(), verifier.get(), &storages[i], nullptr, tree},
        std::move(recovery));
    return std::move(created).value();
  }

  Vote vote(ValidatorIndex i, const Hash32& id, uint64_t round, uint64_t height) {
    Vote v{id, round, height, i, {}};
    v.signature = signers[i]->sign(SignDomain::kVote, vote_signing_bytes(epoch, id, round, height));
    return v;
  }
  QuorumCert qc(const Block& b, std::vector<ValidatorIndex> signers_of) {
    QuorumCert q{b.id, b.round(), b.height(), {}};
    for (auto i : signers_of) q.votes.push_back({i, vote(i, b.id, b.round(), b.height()).signature});
    return q;
  }
  TimeoutShare share(ValidatorIndex i, uint64_t round, uint64_t hqc_round) {
    return {i, hqc_round, signers[i]->sign(SignDomain::kTimeout, timeout_signing_bytes(epoch, round, hqc_round))};
  }
  // A TC whose shares claim the given QC rounds; `high_qc` must certify the
  // highest claim (the genesis QC when omitted).
  TimeoutCert tc(uint64_t round, std::vector<std::pair<ValidatorIndex, uint64_t>> shares,
                 std::optional<QuorumCert> high_qc = {}) {
    TimeoutCert t{round, {}, high_qc ? *high_qc : genesis_qc_of()};
    for (auto [i, r] : shares) t.shares.push_back(share(i, round, r));
    return t;
  }
  BlockPtr block(const BlockPtr& parent, const QuorumCert& parent_qc, uint64_t round,
                 std::string payload = "p") {
    BlockFields f;
    f.epoch = epoch;
    f.height = parent->height() + 1;
    f.round = round;
    f.parent_id = parent->id;
    f.parent_qc = parent_qc;
    f.payload_hash = sha256(payload);
    f.proposer = validators->leader(round);
    return std::make_shared<const Block>(make_block(kChain, f, to_bytes(payload)));
  }
  Proposal proposal(const BlockPtr& b, std::optional<TimeoutCert> tc_of = {}) {
    Proposal p{b, std::move(tc_of), {}};
    p.signature = signers[b->fields.proposer]->sign(SignDomain::kProposal, proposal_signing_bytes(epoch, b->id, p.tc));
    return p;
  }
  QuorumCert genesis_qc_of() const { return genesis_qc(*genesis); }
  // genesis, b1, ..., b_rounds: block r in round r, each carrying its
  // parent's QC signed by `voters`.
  std::vector<BlockPtr> chain(uint64_t rounds, const std::vector<ValidatorIndex>& voters) {
    std::vector<BlockPtr> blocks{genesis};
    QuorumCert parent_qc = genesis_qc_of();
    for (uint64_t round = 1; round <= rounds; ++round) {
      blocks.push_back(block(blocks.back(), parent_qc, round));
      parent_qc = qc(*blocks.back(), voters);
    }
    return blocks;
  }

  uint64_t epoch = 0;  // the epoch the helpers sign in
  std::vector<PrivateKey> keys;
  std::unique_ptr<ValidatorSet> validators;
  std::unique_ptr<SignatureVerifier> verifier;
  uint64_t* verifier_calls = nullptr;  // signature checks made through `verifier`
  std::vector<std::unique_ptr<Signer>> signers;
  std::vector<MemoryStorage> storages;
  BlockPtr genesis;
};

// Actions of one kind from an action list.
template <class T>
std::vector<T> actions_of(const Actions& actions) {
  std::vector<T> out;
  for (const auto& a : actions) {
    if (const auto* t = std::get_if<T>(&a)) out.push_back(*t);
  }
  return out;
}

inline Message decode(const Bytes& bytes) { return *decode_message(bytes); }

// The cores of every validator of `net`, connected by a lossless queue that
// tests drain explicitly; timers fire only when a test fires them. Payload
// requests are answered at once; commits are recorded per core.
class Cluster {
 public:
  // `trees` (one per validator, or empty) and `recoveries` (likewise) are
  // handed to the cores: a restarted cluster passes the previous one's.
  explicit Cluster(Network& net, std::vector<TreeStorage*> trees = {},
                   std::vector<std::optional<Recovery>> recoveries = {}) {
    for (ValidatorIndex i = 0; i < net.validators->size(); ++i) {
      cores.push_back(net.core(i, {}, trees.empty() ? nullptr : trees[i],
                               recoveries.empty() ? std::nullopt : recoveries[i]));
    }
    committed.resize(cores.size());
  }
  // Where each core would restart: its last commit (genesis when none).
  std::vector<std::optional<Recovery>> recoveries() const {
    std::vector<std::optional<Recovery>> out;
    for (const auto& chain : committed) {
      if (chain.empty()) out.emplace_back();
      else out.push_back(Recovery{chain.back().block, chain.back().qc});
    }
    return out;
  }
  uint64_t max_committed_height() const {
    uint64_t h = 0;
    for (const auto& chain : committed) h = std::max<uint64_t>(h, chain.size() ? chain.back().block->height() : 0);
    return h;
  }
  void start() {
    for (ValidatorIndex i = 0; i < cores.size(); ++i) route(i, cores[i]->start());
  }
  void fire_timers() {
    for (ValidatorIndex i = 0; i < cores.size(); ++i) route(i, cores[i]->on_timer(cores[i]->current_round()));
  }
  // Delivers queued messages, and those they cause, until none are left.
  void deliver_all(size_t max_messages = 10000) {
    for (size_t k = 0; k < max_messages && !queue_.empty(); ++k) {
      Queued q = std::move(queue_.front());
      queue_.erase(queue_.begin());
      route(q.to, cores[q.to]->on_message(q.from, q.bytes));
    }
  }
  std::vector<std::unique_ptr<ConsensusCore>> cores;
  std::vector<std::vector<CommittedBlock>> committed;

 private:
  struct Queued {
    ValidatorIndex from, to;
    Bytes bytes;
  };
  void route(ValidatorIndex from, const Actions& actions) {
    for (const auto& a : actions) {
      if (const auto* s = std::get_if<SendAction>(&a)) queue_.push_back({from, s->to, s->message});
      if (const auto* f = std::get_if<FetchBlockAction>(&a)) queue_.push_back({from, f->peer, f->message});
      if (const auto* b = std::get_if<BroadcastAction>(&a)) {
        for (ValidatorIndex to = 0; to < cores.size(); ++to) {
          if (to != from) queue_.push_back({from, to, b->message});
        }
      }
      if (const auto* c = std::get_if<CommitAction>(&a)) committed[from].push_back(c->committed);
      if (const auto* p = std::get_if<PayloadRequestAction>(&a)) {
        route(from, cores[from]->on_payload_ready(p->round, to_bytes("cluster payload"), 0));
      }
    }
  }
  std::vector<Queued> queue_;
};

}  // namespace hpchain::consensus::testing
