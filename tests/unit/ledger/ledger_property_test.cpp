// Random streams of every transaction kind, valid and not, checked against
// invariants: credits are conserved (summed over a full state dump), nonces
// never decrease, and a failed or skipped transaction changes exactly its
// fee and nonce (its block's writes are compared with those of the same
// block without it). Then the same stream on both stores gives identical
// roots after every block, across a reopen of the RocksDB store.
#include <gtest/gtest.h>

#include <random>

#include "chain/codec.h"
#include "tests/unit/ledger/ledger_fixture.h"

namespace hpchain::ledger {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

const std::vector<uint32_t> kUsers = {1, 2, 3, 10, 11, 12, 50, 51};

uint32_t pick(std::mt19937_64& rng, const std::vector<uint32_t>& from) { return from[rng() % from.size()]; }

void random_action(std::mt19937_64& rng, v1::GovernanceAction& a) {
  const std::string inst = "i" + std::to_string(rng() % 5);
  switch (rng() % 6) {
    case 0: add_institution(inst, pick(rng, kUsers))(a); break;
    case 1: a.mutable_remove_institution()->set_id(inst); break;
    case 2: {
      auto* v = a.mutable_add_validator();
      v->set_consensus_key(pub(static_cast<uint32_t>(100 + rng() % 4)));
      v->set_node_id(std::string(32, 'x'));
      v->set_institution(inst);
      v->set_power(rng() % 4);
      v->set_operator_(s(addr(pick(rng, kUsers))));
      break;
    }
    case 3: a.mutable_remove_validator()->set_consensus_key(pub(static_cast<uint32_t>(100 + rng() % 4))); break;
    case 4:
      a.mutable_set_power()->set_consensus_key(pub(static_cast<uint32_t>(100 + rng() % 4)));
      a.mutable_set_power()->set_power(rng() % 3);
      break;
    default: {
      genesis::ChainParams p;
      p.unbonding_blocks = 1 + rng() % 4;
      p.fee_base = rng() % 3 == 0 ? 0 : 10;
      p.max_block_bytes = rng() % 4 == 0 ? 1 : p.max_block_bytes;  // out of bounds: bad_params
      *a.mutable_set_params()->mutable_params() = to_params_record(p);
    }
  }
}

// One transaction of a random kind from a random user; many are meant to fail.
VerifiedTx random_tx(Chain& c, std::mt19937_64& rng) {
  const uint32_t from = pick(rng, kUsers);
  const uint32_t kind = static_cast<uint32_t>(rng() % 9);
  const auto worker_n = static_cast<uint32_t>(100 + rng() % 4);
  const std::string worker_key = pub(worker_n);
  const uint64_t amount = rng() % 60'000;
  return c.tx(from, [&](v1::TxBody& b) {
    switch (kind) {
      case 0: b.mutable_transfer()->set_to(s(addr(pick(rng, kUsers)))); b.mutable_transfer()->set_amount(amount); break;
      case 1:
        b.mutable_member_admit()->set_account(s(addr(pick(rng, kUsers))));
        b.mutable_member_admit()->set_roles(static_cast<uint32_t>(1 + rng() % 15));
        break;
      case 2: b.mutable_member_revoke()->set_account(s(addr(pick(rng, kUsers)))); break;
      case 3: fill_worker_register(b, from, worker_n, static_cast<uint32_t>(rng() % 64)); break;
      case 4: b.mutable_stake_bond()->set_consensus_key(worker_key); b.mutable_stake_bond()->set_amount(amount); break;
      case 5: b.mutable_stake_unbond()->set_consensus_key(worker_key); b.mutable_stake_unbond()->set_amount(amount); break;
      case 6:
        random_action(rng, *b.mutable_proposal()->mutable_action());
        b.mutable_proposal()->set_expiry_height(c.height + 1 + rng() % 4);
        break;
      default: b.mutable_vote()->set_proposal_id(1 + rng() % 12); b.mutable_vote()->set_approve(rng() % 4 != 0);
    }
  }, 500 + rng() % 1500);
}

// Balances, stakes and stake being unbonded, over every stored record.
uint64_t total_credits(const StateReader& store) {
  uint64_t total = 0;
  auto starts = [](ByteSpan key, std::string_view prefix) { return as_string_view(key).starts_with(prefix); };
  EXPECT_TRUE(store.for_each_value([&](ByteSpan key, ByteSpan value) {
    if (starts(key, "acct/")) {
      v1::Account a;
      EXPECT_TRUE(parse_proto(value, a, "account").is_ok());
      total += a.balance();
    } else if (starts(key, "val/")) {
      v1::Validator v;
      EXPECT_TRUE(parse_proto(value, v, "validator").is_ok());
      total += v.stake();
    } else if (starts(key, "unbond/")) {
      v1::UnbondingList list;
      EXPECT_TRUE(parse_proto(value, list, "unbonding").is_ok());
      for (const auto& e : list.entries()) total += e.amount();
    }
    return true;
  }).is_ok());
  return total;
}

using WriteMap = std::map<Bytes, std::optional<Bytes>>;
WriteMap write_map(const BlockResult& r) { return WriteMap(r.changes.writes.begin(), r.changes.writes.end()); }

std::optional<v1::Account> written_account(const WriteMap& w, const Address& a) {
  auto it = w.find(keys::account(a));
  if (it == w.end() || !it->second) return std::nullopt;
  v1::Account acct;
  EXPECT_TRUE(parse_proto(*it->second, acct, "account").is_ok());
  return acct;
}

// A skipped transaction's block writes exactly what the empty block writes.
// A failed one's writes that too, plus its fee moving from the sender to the
// proposer's operator (or the fee pool) and the sender's nonce.
void expect_only_the_fee(const Chain& c, const VerifiedTx& vtx, const TxOutcome& outcome, const BlockResult& with,
                         const BlockResult& without) {
  EXPECT_EQ(with.new_consensus_set.has_value(), without.new_consensus_set.has_value());
  EXPECT_EQ(with.events.size(), without.events.size());
  if (is_skipped(outcome.code)) {
    EXPECT_EQ(write_map(with), write_map(without)) << tx_code_name(outcome.code);
    return;
  }
  const StateView base(c.store());
  const auto proposer = base.get_record<v1::Validator>(keys::validator(pub_bytes(100))).value();
  Address operator_account = kFeePoolAddress;
  if (proposer) std::copy(proposer->operator_().begin(), proposer->operator_().end(), operator_account.bytes.begin());
  WriteMap a = write_map(with), b = write_map(without);
  for (const Address& who : {vtx.sender, operator_account}) {
    a.erase(keys::account(who));
    b.erase(keys::account(who));
  }
  EXPECT_EQ(a, b) << tx_code_name(outcome.code);
  const v1::Account sender_before = base.account(vtx.sender).value();
  const v1::Account operator_before = base.account(operator_account).value();
  const WriteMap w = write_map(with);
  const auto sender_after = written_account(w, vtx.sender);
  ASSERT_TRUE(sender_after);
  EXPECT_EQ(sender_after->nonce(), sender_before.nonce() + 1);
  EXPECT_EQ(sender_after->roles(), sender_before.roles());
  EXPECT_EQ(sender_after->institution(), sender_before.institution());
  if (vtx.sender == operator_account) {
    EXPECT_EQ(sender_after->balance(), sender_before.balance());
  } else {
    EXPECT_EQ(sender_after->balance() + vtx.body.fee(), sender_before.balance());
    EXPECT_EQ(written_account(w, operator_account)->balance(), operator_before.balance() + vtx.body.fee());
  }
}

class LedgerProperty : public ::testing::TestWithParam<StoreKind> {};

TEST_P(LedgerProperty, RandomStreamsConserveCreditsAndAFailedTransactionChangesOnlyItsFee) {
  Chain c(GetParam(), 4);
  std::mt19937_64 rng(1);
  const uint64_t credits = total_credits(c.store());
  std::map<TxCode, int> seen;
  for (int b = 0; b < 400; ++b) {
    const VerifiedTx vtx = random_tx(c, rng);
    auto with = apply_block(c.store(), c.next_context(), std::vector<VerifiedTx>{vtx});
    auto without = apply_block(c.store(), c.next_context(), std::vector<VerifiedTx>{});
    ASSERT_TRUE(with.is_ok() && without.is_ok());
    const TxOutcome outcome = with.value().outcomes[0];
    ++seen[outcome.code];
    if (outcome.code != TxCode::kOk) expect_only_the_fee(c, vtx, outcome, with.value(), without.value());
    const uint64_t nonce_before = StateView(c.store()).account(vtx.sender).value().nonce();
    c.commit(std::move(with).value());
    EXPECT_GE(StateView(c.store()).account(vtx.sender).value().nonce(), nonce_before);
    for (uint32_t u : kUsers) c.nonces[u] = c.account(u).nonce();
    ASSERT_EQ(total_credits(c.store()), credits) << "block " << b << ", " << tx_code_name(outcome.code);
  }
  // The stream reaches successes and a spread of failures, or it tests little.
  EXPECT_GE(seen[TxCode::kOk], 40);
  EXPECT_GE(seen.size(), 12u);
}

TEST_P(LedgerProperty, RandomTransferBlocksConserveCreditsAndKeepNoncesIncreasing) {
  Chain c(GetParam(), 3);
  std::mt19937_64 rng(1);
  const uint64_t credits = total_credits(c.store());
  for (int b = 0; b < 30; ++b) {
    std::vector<VerifiedTx> txs;
    std::map<uint32_t, uint64_t> nonce_before;
    for (uint32_t u : kUsers) nonce_before[u] = c.account(u).nonce();
    for (int t = 0; t < 10; ++t) {
      const uint32_t from = pick(rng, kUsers);
      if (rng() % 5 == 0) c.nonces[from] += rng() % 2;  // a gap: bad nonce
      txs.push_back(transfer(c, from, pick(rng, kUsers), rng() % 300'000, 500 + rng() % 1500));
    }
    c.block(txs);
    for (uint32_t u : kUsers) {
      c.nonces[u] = c.account(u).nonce();
      EXPECT_GE(c.account(u).nonce(), nonce_before[u]);
    }
    EXPECT_EQ(total_credits(c.store()), credits);
  }
}

INSTANTIATE_STORE_SUITE(LedgerProperty);

TEST(LedgerDeterminism, BothStoresGiveIdenticalRootsAfterEveryBlockAcrossAReopen) {
  Chain memory(StoreKind::kMemory, 4);
  Chain rocks(StoreKind::kRocksDb, 4);
  ASSERT_EQ(memory.root(), rocks.root());
  std::mt19937_64 rng_memory(2), rng_rocks(2);
  for (int b = 0; b < 120; ++b) {
    std::vector<VerifiedTx> txs_memory, txs_rocks;
    const int n = static_cast<int>(rng_memory() % 6);
    rng_rocks();
    for (int t = 0; t < n; ++t) {
      txs_memory.push_back(random_tx(memory, rng_memory));
      txs_rocks.push_back(random_tx(rocks, rng_rocks));
    }
    memory.block(txs_memory);
    rocks.block(txs_rocks);
    ASSERT_EQ(memory.root(), rocks.root()) << "block " << memory.height;
    if (b == 60) rocks.backing->reopen();
    for (uint32_t u : kUsers) memory.nonces[u] = memory.account(u).nonce(), rocks.nonces[u] = rocks.account(u).nonce();
  }
  EXPECT_EQ(root_of_dump(rocks.store()).value(), rocks.root());
}

}  // namespace
}  // namespace hpchain::ledger
