// Shared test fixture: a validator set with real secp256k1 keys and helpers
// that build correctly (or deliberately wrongly) signed consensus objects.
#pragma once

#include <memory>
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

class Network {
 public:
  explicit Network(size_t n, std::vector<uint64_t> powers = {}) {
    std::vector<ValidatorInfo> members;
    for (size_t i = 0; i < n; ++i) {
      keys.push_back(*PrivateKey::from_bytes(sha256("unit validator " + std::to_string(i)).span()));
      members.push_back({keys.back().public_key(), powers.empty() ? 1 : powers[i]});
    }
    validators = std::make_unique<ValidatorSet>(*ValidatorSet::create(std::move(members)));
    verifier = make_secp256k1_verifier(*validators, kChain);
    for (size_t i = 0; i < n; ++i) signers.push_back(make_secp256k1_signer(keys[i], kChain));
    storages.resize(n);
    genesis = std::make_shared<const Block>(genesis_block(kChain));
  }

  std::unique_ptr<ConsensusCore> core(ValidatorIndex i, CoreConfig cfg = {}) {
    cfg.chain_id = kChain;
    cfg.self = i;
    auto created = ConsensusCore::create(
        cfg, CoreDeps{validators.get(), signers[i].get(), verifier.get(), &storages[i], nullptr});
    return std::move(created).value();
  }

  Vote vote(ValidatorIndex i, const Hash32& id, uint64_t round, uint64_t height) {
    Vote v{id, round, height, i, {}};
    v.signature = signers[i]->sign(SignDomain::kVote, vote_signing_bytes(id, round, height));
    return v;
  }
  QuorumCert qc(const Block& b, std::vector<ValidatorIndex> signers_of) {
    QuorumCert q{b.id, b.round(), b.height(), {}};
    for (auto i : signers_of) q.votes.push_back({i, vote(i, b.id, b.round(), b.height()).signature});
    return q;
  }
  TimeoutShare share(ValidatorIndex i, uint64_t round, uint64_t hqc_round) {
    return {i, hqc_round, signers[i]->sign(SignDomain::kTimeout, timeout_signing_bytes(round, hqc_round))};
  }
  TimeoutCert tc(uint64_t round, std::vector<std::pair<ValidatorIndex, uint64_t>> shares) {
    TimeoutCert t{round, {}};
    for (auto [i, r] : shares) t.shares.push_back(share(i, round, r));
    return t;
  }
  BlockPtr block(const BlockPtr& parent, const QuorumCert& parent_qc, uint64_t round,
                 std::string payload = "p") {
    BlockFields f;
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
    p.signature = signers[b->fields.proposer]->sign(SignDomain::kProposal, proposal_signing_bytes(b->id));
    return p;
  }
  QuorumCert genesis_qc_of() const { return genesis_qc(*genesis); }

  std::vector<PrivateKey> keys;
  std::unique_ptr<ValidatorSet> validators;
  std::unique_ptr<SignatureVerifier> verifier;
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

}  // namespace hpchain::consensus::testing
