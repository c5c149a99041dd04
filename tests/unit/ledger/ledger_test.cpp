// The ledger's transactions, fees, governance and invariants, on the
// in-memory state store.
#include <gtest/gtest.h>

#include <random>

#include "chain/tx.h"
#include "ledger/ledger.h"
#include "ledger/state_view.h"

namespace hpchain::ledger {
namespace {

constexpr std::string_view kChain = "test-1";

PrivateKey key(uint8_t n) {
  Bytes b(32, 0);
  b[31] = n;
  b[0] = 1;
  return PrivateKey::from_bytes(b).value();
}
Address addr(uint8_t n) { return key(n).public_key().address(); }
std::string s(const Address& a) { return std::string(a.bytes.begin(), a.bytes.end()); }
std::string pub(uint8_t n) {
  const auto c = key(n).public_key().compressed();
  return std::string(c.begin(), c.end());
}

// Institutions i0..i{n-1}, admin key 10+i; validator key 100 (operator 50,
// in i0); user 1 with credits.
struct Chain {
  MemoryStateStore store;
  uint64_t height = 0;
  std::map<uint8_t, uint64_t> nonces;
  BlockResult last;

  explicit Chain(int institutions) {
    genesis::GenesisDoc doc;
    doc.chain_id = std::string(kChain);
    for (int i = 0; i < institutions; ++i) {
      doc.institutions.push_back({"i" + std::to_string(i), "Inst " + std::to_string(i), {addr(static_cast<uint8_t>(10 + i))}});
      doc.accounts.push_back({addr(static_cast<uint8_t>(10 + i)), 10'000, "", {}});
    }
    const auto c = key(100).public_key().compressed();
    doc.validators.push_back({Bytes(c.begin(), c.end()), sha256("node"), "i0", 10, addr(50), {}, 0});
    doc.accounts.push_back({addr(1), 1'000'000, "", {}});
    doc.accounts.push_back({addr(50), 100'000, "i0", {}});
    doc.params.unbonding_blocks = 3;
    auto cs = genesis_change_set(store, doc);
    EXPECT_TRUE(cs.is_ok()) << cs.status().message();
    EXPECT_TRUE(store.apply(cs.value()).is_ok());
  }

  VerifiedTx tx(uint8_t signer, const std::function<void(v1::TxBody&)>& fill, uint64_t fee = 1000) {
    v1::TxBody body;
    body.set_chain_id(std::string(kChain));
    body.set_nonce(nonces[signer]++);
    body.set_fee(fee);
    fill(body);
    return decode_and_verify_tx(sign_tx(body, key(signer)), kChain).value();
  }

  std::vector<TxOutcome> block(std::vector<VerifiedTx> txs) {
    const std::string proposer = pub(100);
    auto r = apply_block(store, BlockContext{++height, Bytes(proposer.begin(), proposer.end())}, txs);
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    EXPECT_TRUE(store.apply(r.value().changes).is_ok());
    last = std::move(r).value();
    return last.outcomes;
  }

  v1::Account account(uint8_t n) { return StateView(store).account(addr(n)).value(); }
  template <typename M>
  std::optional<M> record(const Bytes& k) { return StateView(store).get_record<M>(k).value(); }
};

VerifiedTx transfer(Chain& c, uint8_t from, uint8_t to, uint64_t amount, uint64_t fee = 1000) {
  return c.tx(from, [&](v1::TxBody& b) {
    b.mutable_transfer()->set_to(s(addr(to)));
    b.mutable_transfer()->set_amount(amount);
  }, fee);
}

TEST(Ledger, ATransferMovesCreditsAndPaysTheFeeToTheProposersOperator) {
  Chain c(1);
  auto out = c.block({transfer(c, 1, 2, 500)});
  ASSERT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(c.account(1).balance(), 1'000'000 - 500 - 1000);
  EXPECT_EQ(c.account(1).nonce(), 1u);
  EXPECT_EQ(c.account(2).balance(), 500u);
  EXPECT_EQ(c.account(50).balance(), 100'000 + 1000u);
}

TEST(Ledger, SkippedTransactionsChangeNothingNotEvenTheNonce) {
  Chain c(1);
  auto replay = transfer(c, 1, 2, 5);
  c.block({replay});
  const Hash32 root = c.store.get_root(1).value().hash();
  auto out = c.block({replay, transfer(c, 1, 2, 5, /*fee=*/1), transfer(c, 3, 2, 5)});
  EXPECT_EQ(out[0].code, TxCode::kBadNonce);
  EXPECT_EQ(out[1].code, TxCode::kFeeTooLow);
  EXPECT_EQ(out[2].code, TxCode::kFeeUnpaid);
  EXPECT_EQ(c.store.get_root(2).value().hash(), root);
}

TEST(Ledger, AFailedTransactionPaysItsFeeBumpsItsNonceAndChangesNothingElse) {
  Chain c(1);
  auto out = c.block({transfer(c, 1, 2, 5'000'000)});
  EXPECT_EQ(out[0].code, TxCode::kInsufficientBalance);
  EXPECT_EQ(out[0].fee_paid, 1000u);
  EXPECT_EQ(c.account(1).balance(), 1'000'000 - 1000u);
  EXPECT_EQ(c.account(1).nonce(), 1u);
  EXPECT_EQ(c.account(2).balance(), 0u);
}

VerifiedTx propose(Chain& c, uint8_t admin, const std::function<void(v1::GovernanceAction&)>& fill,
                   uint64_t expiry_ahead = 5) {
  return c.tx(admin, [&](v1::TxBody& b) {
    fill(*b.mutable_proposal()->mutable_action());
    b.mutable_proposal()->set_expiry_height(c.height + 1 + expiry_ahead);
  });
}
VerifiedTx vote(Chain& c, uint8_t admin, uint64_t id, bool yes = true) {
  return c.tx(admin, [&](v1::TxBody& b) {
    b.mutable_vote()->set_proposal_id(id);
    b.mutable_vote()->set_approve(yes);
  });
}
auto add_institution(std::string id) {
  return [id](v1::GovernanceAction& a) {
    a.mutable_add_institution()->set_id(id);
    a.mutable_add_institution()->set_name("New");
    a.mutable_add_institution()->add_admins(s(addr(99)));
  };
}

TEST(Governance, AProposalPassesAtMoreThanTwoThirdsAndNotAtExactlyTwoThirds) {
  Chain c(6);
  c.block({propose(c, 10, add_institution("new"))});
  std::vector<VerifiedTx> votes;
  for (uint8_t i = 0; i < 4; ++i) votes.push_back(vote(c, static_cast<uint8_t>(10 + i), 1));
  c.block(votes);  // 4 of 6 = exactly 2/3
  EXPECT_EQ(c.record<v1::ProposalRecord>(keys::proposal(1))->status(), v1::PROPOSAL_OPEN);
  EXPECT_FALSE(c.record<v1::Institution>(keys::institution("new")));
  c.block({vote(c, 14, 1)});  // 5 of 6
  EXPECT_EQ(c.record<v1::ProposalRecord>(keys::proposal(1))->status(), v1::PROPOSAL_PASSED);
  EXPECT_TRUE(c.record<v1::Institution>(keys::institution("new")));
  EXPECT_EQ(c.account(99).institution(), "new");
  auto out = c.block({vote(c, 15, 1)});
  EXPECT_EQ(out[0].code, TxCode::kProposalClosed);
}

TEST(Governance, AProposalExpiresAtItsExpiryHeight) {
  Chain c(3);
  c.block({propose(c, 10, add_institution("late"), /*expiry_ahead=*/1)});
  c.block({vote(c, 10, 1)});
  EXPECT_EQ(c.record<v1::ProposalRecord>(keys::proposal(1))->status(), v1::PROPOSAL_EXPIRED);
  auto out = c.block({vote(c, 11, 1)});
  EXPECT_EQ(out[0].code, TxCode::kProposalClosed);
}

TEST(Governance, ARevokedAdminsVoteIsRefused) {
  Chain c(3);
  // i0 gains a second admin (20), which proposes; then i0 revokes it.
  c.block({transfer(c, 1, 20, 50'000), c.tx(10, [](v1::TxBody& b) {
    b.mutable_member_admit()->set_account(s(addr(20)));
    b.mutable_member_admit()->set_roles(v1::ROLE_INSTITUTION_ADMIN);
  })});
  ASSERT_EQ(c.block({propose(c, 20, add_institution("x"))})[0].code, TxCode::kOk);
  c.block({c.tx(10, [](v1::TxBody& b) { b.mutable_member_revoke()->set_account(s(addr(20))); })});
  auto out = c.block({vote(c, 20, 1)});
  EXPECT_EQ(out[0].code, TxCode::kNotAdmin);
  EXPECT_EQ(c.account(20).roles(), 0u);
}

TEST(Governance, SettingPowerReportsANewConsensusSetAndStakeUnbondsAfterTheDelay) {
  Chain c(1);
  c.block({propose(c, 10, [](v1::GovernanceAction& a) {
    a.mutable_set_power()->set_consensus_key(pub(100));
    a.mutable_set_power()->set_power(7);
  })});
  EXPECT_FALSE(c.last.new_consensus_set);
  c.block({vote(c, 10, 1)});
  ASSERT_TRUE(c.last.new_consensus_set);
  EXPECT_EQ(c.last.new_consensus_set->members(0).power(), 7u);
  auto bond = c.tx(50, [](v1::TxBody& b) {
    b.mutable_stake_bond()->set_consensus_key(pub(100));
    b.mutable_stake_bond()->set_amount(4000);
  });
  auto unbond = c.tx(50, [](v1::TxBody& b) {
    b.mutable_stake_unbond()->set_consensus_key(pub(100));
    b.mutable_stake_unbond()->set_amount(4000);
  });
  auto out = c.block({bond, unbond});
  EXPECT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(out[1].code, TxCode::kOk);
  EXPECT_FALSE(c.last.new_consensus_set);  // stake never ends an epoch
  const uint64_t before = c.account(50).balance();
  for (int i = 0; i < 3; ++i) c.block({});
  EXPECT_EQ(c.account(50).balance(), before + 4000);
  auto stranger = c.tx(1, [](v1::TxBody& b) {
    b.mutable_stake_bond()->set_consensus_key(pub(100));
    b.mutable_stake_bond()->set_amount(1);
  });
  EXPECT_EQ(c.block({stranger})[0].code, TxCode::kNotOperator);
}

TEST(Ledger, RandomTransactionStreamsConserveCreditsAndKeepNoncesIncreasing) {
  Chain c(3);
  std::mt19937_64 rng(1);
  const std::vector<uint8_t> users = {1, 2, 3, 10, 11, 12, 50};
  auto total = [&] {
    uint64_t t = 0;
    for (uint8_t u : users) t += c.account(u).balance();
    auto v = c.record<v1::Validator>(keys::validator(as_bytes(pub(100))));
    return t + (v ? v->stake() : 0);
  };
  const uint64_t credits = total();
  for (int b = 0; b < 30; ++b) {
    std::vector<VerifiedTx> txs;
    std::map<uint8_t, uint64_t> nonce_before;
    for (uint8_t u : users) nonce_before[u] = c.account(u).nonce();
    for (int t = 0; t < 10; ++t) {
      const uint8_t from = users[rng() % users.size()];
      if (rng() % 5 == 0) c.nonces[from] += rng() % 2 ? 1 : 0;  // a gap: bad nonce
      txs.push_back(transfer(c, from, users[rng() % users.size()], rng() % 300'000, 500 + rng() % 1500));
    }
    c.block(txs);
    for (uint8_t u : users) {
      c.nonces[u] = c.account(u).nonce();
      EXPECT_GE(c.account(u).nonce(), nonce_before[u]);
    }
    EXPECT_EQ(total(), credits);
  }
}

}  // namespace
}  // namespace hpchain::ledger

namespace hpchain::ledger {
namespace {

TEST(Governance, APassedActionWhosePreconditionFailsIsRecordedAsFailedAndChangesNothing) {
  Chain c(1);
  c.block({propose(c, 10, [](v1::GovernanceAction& a) { a.mutable_remove_institution()->set_id("i0"); })});
  const Hash32 before = c.store.get_root(c.height).value().hash();
  c.block({vote(c, 10, 1)});
  auto p = c.record<v1::ProposalRecord>(keys::proposal(1));
  EXPECT_EQ(p->status(), v1::PROPOSAL_FAILED);
  EXPECT_EQ(p->outcome(), "last_institution: the last institution cannot be removed");
  EXPECT_TRUE(c.record<v1::Institution>(keys::institution("i0")));
  EXPECT_NE(c.store.get_root(c.height).value().hash(), before);  // the fee, nonce and record did change
}

TEST(Governance, NoVotesRejectAProposalAsSoonAsItCanNoLongerPass) {
  Chain c(3);
  c.block({propose(c, 10, add_institution("nope"))});
  c.block({vote(c, 10, 1, /*yes=*/false)});  // 2 of 3 left: 2/3 cannot pass
  EXPECT_EQ(c.record<v1::ProposalRecord>(keys::proposal(1))->status(), v1::PROPOSAL_REJECTED);
}

TEST(Governance, OneVotePerInstitutionAndOnlyExistingProposals) {
  Chain c(4);
  c.block({propose(c, 10, add_institution("x"))});
  auto out = c.block({vote(c, 10, 1), vote(c, 10, 1), vote(c, 11, 9)});
  EXPECT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(out[1].code, TxCode::kAlreadyVoted);
  EXPECT_EQ(out[2].code, TxCode::kUnknownProposal);
  auto bad_expiry = c.tx(10, [&](v1::TxBody& b) {
    add_institution("y")(*b.mutable_proposal()->mutable_action());
    b.mutable_proposal()->set_expiry_height(c.height);  // not after the block's height
  });
  EXPECT_EQ(c.block({bad_expiry})[0].code, TxCode::kBadExpiry);
  EXPECT_EQ(c.block({propose(c, 1, add_institution("z"))})[0].code, TxCode::kNotAdmin);
}

TEST(Members, AdmitAndRevokeFollowTheVoModel) {
  Chain c(2);
  auto admit = [&](uint8_t admin, uint8_t who, uint32_t roles) {
    return c.tx(admin, [=](v1::TxBody& b) {
      b.mutable_member_admit()->set_account(s(addr(who)));
      b.mutable_member_admit()->set_roles(roles);
    });
  };
  auto out = c.block({admit(10, 2, v1::ROLE_SUBMITTER), admit(11, 2, v1::ROLE_SUBMITTER),
                      c.tx(10, [](v1::TxBody& b) { b.mutable_member_revoke()->set_account(s(addr(10))); }),
                      c.tx(10, [](v1::TxBody& b) { b.mutable_member_revoke()->set_account(s(addr(3))); })});
  EXPECT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(out[1].code, TxCode::kMemberOfOther);
  EXPECT_EQ(out[2].code, TxCode::kLastAdmin);
  EXPECT_EQ(out[3].code, TxCode::kNotMember);
  EXPECT_EQ(c.account(2).institution(), "i0");
  EXPECT_EQ(c.account(2).roles(), uint32_t{v1::ROLE_SUBMITTER});
  const std::string node(32, 'n');
  auto node_admit = [&] { return c.tx(10, [&](v1::TxBody& b) { b.mutable_member_admit()->set_node_id(node); }); };
  out = c.block({node_admit(), node_admit()});
  EXPECT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(out[1].code, TxCode::kAlreadyMember);
}

TEST(Workers, AnOperatorRegistersAComputeOnlyEntryThatNeverEndsAnEpoch) {
  Chain c(1);
  auto reg = [&](uint8_t signer, uint8_t worker_key, uint32_t threads) {
    return c.tx(signer, [=](v1::TxBody& b) {
      b.mutable_worker_register()->set_consensus_key(pub(worker_key));
      b.mutable_worker_register()->set_node_id(std::string(32, 'w'));
      b.mutable_worker_register()->mutable_capability()->set_cpu_threads(threads);
    });
  };
  auto out = c.block({reg(50, 101, 8), reg(1, 102, 8), reg(50, 101, 16)});
  EXPECT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(out[1].code, TxCode::kWrongRole);
  EXPECT_EQ(out[2].code, TxCode::kOk);
  EXPECT_FALSE(c.last.new_consensus_set);
  auto v = c.record<v1::Validator>(keys::validator(as_bytes(pub(101))));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->power(), 0u);
  EXPECT_EQ(v->capability().cpu_threads(), 16u);
  EXPECT_EQ(v->institution(), "i0");
  auto unbond_too_much = c.tx(50, [](v1::TxBody& b) {
    b.mutable_stake_unbond()->set_consensus_key(pub(101));
    b.mutable_stake_unbond()->set_amount(1);
  });
  auto bond_too_much = c.tx(50, [](v1::TxBody& b) {
    b.mutable_stake_bond()->set_consensus_key(pub(101));
    b.mutable_stake_bond()->set_amount(1'000'000'000);
  });
  auto unknown = c.tx(50, [](v1::TxBody& b) {
    b.mutable_stake_bond()->set_consensus_key(pub(103));
    b.mutable_stake_bond()->set_amount(1);
  });
  out = c.block({unbond_too_much, bond_too_much, unknown});
  EXPECT_EQ(out[0].code, TxCode::kInsufficientStake);
  EXPECT_EQ(out[1].code, TxCode::kInsufficientBalance);
  EXPECT_EQ(out[2].code, TxCode::kUnknownValidator);
}

TEST(Ledger, APayloadWithOneBadTransactionIsInvalidAsAWhole) {
  Chain c(1);
  v1::BlockPayload payload;
  const Bytes good = transfer(c, 1, 2, 5).raw_bytes;
  payload.add_txs(good.data(), good.size());
  std::string encoded;
  ASSERT_TRUE(payload.SerializeToString(&encoded));
  EXPECT_TRUE(check_payload(as_bytes(encoded), kChain).is_ok());
  EXPECT_FALSE(check_payload(as_bytes(encoded), "other-chain").is_ok());
  payload.add_txs("garbage");
  ASSERT_TRUE(payload.SerializeToString(&encoded));
  auto bad = check_payload(as_bytes(encoded), kChain);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message().rfind("transaction 1: ", 0), 0u);
  auto short_to = c.tx(1, [](v1::TxBody& b) {
    b.mutable_transfer()->set_to("short");
    b.mutable_transfer()->set_amount(1);
  });
  v1::BlockPayload with_short;
  with_short.add_txs(std::string(short_to.raw_bytes.begin(), short_to.raw_bytes.end()));
  ASSERT_TRUE(with_short.SerializeToString(&encoded));
  EXPECT_EQ(check_payload(as_bytes(encoded), kChain).status().message(), "transaction 0: to must be 20 bytes");
}

}  // namespace
}  // namespace hpchain::ledger

namespace hpchain::ledger {
namespace {

TEST(Ledger, EveryTxCodeHasAName) {
  for (int i = 0; i < kTxCodeCount; ++i) EXPECT_FALSE(tx_code_name(static_cast<TxCode>(i)).empty()) << i;
}

TEST(Ledger, AMalformedTransactionAHostFailedToRefuseIsSkipped) {
  Chain c(1);
  auto short_to = c.tx(1, [](v1::TxBody& b) {
    b.mutable_transfer()->set_to("short");
    b.mutable_transfer()->set_amount(1);
  });
  const Hash32 before = c.store.get_root(0).value().hash();
  auto out = c.block({short_to});
  EXPECT_EQ(out[0].code, TxCode::kMalformed);
  EXPECT_TRUE(is_skipped(out[0].code));
  EXPECT_EQ(c.store.get_root(1).value().hash(), before);
}

}  // namespace
}  // namespace hpchain::ledger
