// A small chain for ledger tests: a genesis of N institutions, blocks applied
// through apply_block and written to either state store (test_stores.h).
//
// Keys by number: key(n) is a fixed test key. In the default genesis,
// institution i{k} has admin key 10+k (10,000 credits), validator key 100
// (power 10) is operated by account 50 in i0, and account 1 holds
// 1,000,000 credits.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>

#include "chain/tx.h"
#include "ledger/ledger.h"
#include "ledger/state_view.h"
#include "tests/unit/ledger/test_stores.h"

namespace hpchain::ledger::testing {

inline constexpr std::string_view kChain = "test-1";

inline PrivateKey key(uint32_t n) {
  Bytes b(32, 0);
  b[0] = 1;
  for (int i = 0; i < 4; ++i) b[31 - static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
  return PrivateKey::from_bytes(b).value();
}
inline Address addr(uint32_t n) { return key(n).public_key().address(); }
inline std::string s(const Address& a) { return std::string(a.bytes.begin(), a.bytes.end()); }
inline std::string pub(uint32_t n) {
  const auto c = key(n).public_key().compressed();
  return std::string(c.begin(), c.end());
}
inline Bytes pub_bytes(uint32_t n) { return to_bytes(pub(n)); }

// The default genesis described above.
inline genesis::GenesisDoc default_genesis(int institutions) {
  genesis::GenesisDoc doc;
  doc.chain_id = std::string(kChain);
  for (int i = 0; i < institutions; ++i) {
    const auto admin = static_cast<uint32_t>(10 + i);
    doc.institutions.push_back({"i" + std::to_string(i), "Inst " + std::to_string(i), {addr(admin)}});
    doc.accounts.push_back({addr(admin), 10'000, "", {}});
  }
  doc.validators.push_back({pub_bytes(100), sha256("node"), "i0", 10, addr(50), {}, 0});
  doc.accounts.push_back({addr(1), 1'000'000, "", {}});
  doc.accounts.push_back({addr(50), 100'000, "i0", {}});
  doc.params.unbonding_blocks = 3;
  return doc;
}

struct Chain {
  std::unique_ptr<TestStore> backing;
  uint64_t height = 0;
  std::map<uint32_t, uint64_t> nonces;
  BlockResult last;
  uint32_t proposer = 100;  // key of the next block's proposer

  Chain(StoreKind kind, int institutions, const std::function<void(genesis::GenesisDoc&)>& tweak = {})
      : backing(TestStore::create(kind)) {
    genesis::GenesisDoc doc = default_genesis(institutions);
    if (tweak) tweak(doc);
    auto cs = genesis_change_set(store(), doc);
    EXPECT_TRUE(cs.is_ok()) << cs.status().message();
    EXPECT_TRUE(backing->apply(cs.value()).is_ok());
  }

  const StateReader& store() const { return backing->reader(); }
  Hash32 root() const { return store().get_root(height).value().hash(); }
  BlockContext next_context() const { return BlockContext{height + 1, pub_bytes(proposer)}; }

  VerifiedTx tx(uint32_t signer, const std::function<void(v1::TxBody&)>& fill, uint64_t fee = 1000) {
    v1::TxBody body;
    body.set_chain_id(std::string(kChain));
    body.set_nonce(nonces[signer]++);
    body.set_fee(fee);
    fill(body);
    return decode_and_verify_tx(sign_tx(body, key(signer)), kChain).value();
  }

  std::vector<TxOutcome> block(std::vector<VerifiedTx> txs) {
    auto r = apply_block(store(), next_context(), txs);
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    commit(std::move(r).value());
    return last.outcomes;
  }
  void commit(BlockResult result) {
    EXPECT_TRUE(backing->apply(result.changes).is_ok());
    ++height;
    last = std::move(result);
  }

  v1::Account account(uint32_t n) const { return StateView(store()).account(addr(n)).value(); }
  template <typename M>
  std::optional<M> record(const Bytes& k) const { return StateView(store()).get_record<M>(k).value(); }
  std::optional<v1::ProposalRecord> proposal(uint64_t id) const { return record<v1::ProposalRecord>(keys::proposal(id)); }
};

inline VerifiedTx transfer(Chain& c, uint32_t from, uint32_t to, uint64_t amount, uint64_t fee = 1000) {
  return c.tx(from, [&](v1::TxBody& b) {
    b.mutable_transfer()->set_to(s(addr(to)));
    b.mutable_transfer()->set_amount(amount);
  }, fee);
}

inline VerifiedTx propose(Chain& c, uint32_t admin, const std::function<void(v1::GovernanceAction&)>& fill,
                          uint64_t expiry_ahead = 5) {
  return c.tx(admin, [&](v1::TxBody& b) {
    fill(*b.mutable_proposal()->mutable_action());
    b.mutable_proposal()->set_expiry_height(c.height + 1 + expiry_ahead);
  });
}

inline VerifiedTx vote(Chain& c, uint32_t admin, uint64_t id, bool yes = true) {
  return c.tx(admin, [&](v1::TxBody& b) {
    b.mutable_vote()->set_proposal_id(id);
    b.mutable_vote()->set_approve(yes);
  });
}

inline std::function<void(v1::GovernanceAction&)> add_institution(std::string id, uint32_t admin = 99) {
  return [id, admin](v1::GovernanceAction& a) {
    a.mutable_add_institution()->set_id(id);
    a.mutable_add_institution()->set_name("New");
    a.mutable_add_institution()->add_admins(s(addr(admin)));
  };
}

// A WorkerRegister of key(worker_key) by operator account `signer`, with
// its proof of possession.
inline void fill_worker_register(v1::TxBody& b, uint32_t signer, uint32_t worker_key, uint32_t threads) {
  auto* w = b.mutable_worker_register();
  w->set_consensus_key(pub(worker_key));
  w->set_node_id(std::string(32, 'w'));
  w->mutable_capability()->set_cpu_threads(threads);
  const Signature sig = key_possession_signature(key(worker_key), kChain, addr(signer));
  w->set_possession_signature(std::string(sig.bytes.begin(), sig.bytes.end()));
}

inline VerifiedTx admit(Chain& c, uint32_t admin, uint32_t who, uint32_t roles) {
  return c.tx(admin, [=](v1::TxBody& b) {
    b.mutable_member_admit()->set_account(s(addr(who)));
    b.mutable_member_admit()->set_roles(roles);
  });
}

// Proposes `action` by admin 10 and has admins 10..10+voters-1 vote yes in
// the next block; returns the proposal's record after the votes.
inline v1::ProposalRecord pass(Chain& c, const std::function<void(v1::GovernanceAction&)>& action, int voters) {
  c.block({propose(c, 10, action)});
  EXPECT_EQ(c.last.outcomes[0].code, TxCode::kOk) << c.last.outcomes[0].detail;
  uint64_t id = 0;
  for (const Event& e : c.last.events) {
    if (e.type == "proposal_submitted") id = std::stoull(e.attributes[0].second);
  }
  std::vector<VerifiedTx> votes;
  for (int i = 0; i < voters; ++i) votes.push_back(vote(c, static_cast<uint32_t>(10 + i), id));
  c.block(votes);
  return c.proposal(id).value_or(v1::ProposalRecord{});
}

}  // namespace hpchain::ledger::testing
