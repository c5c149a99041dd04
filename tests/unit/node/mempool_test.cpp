// The mempool against a real genesis state: each refusal has its reason,
// nonces are ordered per sender, eviction follows the documented rule,
// reap takes ready runs by fee per byte, recheck drops what a block
// committed, gossiped copies are refused before a second signature check,
// next_nonce counts a sender's consecutive held nonces, and many
// submissions verify in parallel.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "ledger/ledger.h"
#include "node/mempool/ledger_accounts.h"
#include "node/mempool/mempool.h"

namespace hpchain::mempool {
namespace {

constexpr std::string_view kChain = "mempool-test";

PrivateKey key(uint32_t n) {
  Bytes b(32, 0);
  b[0] = 1;
  b[31] = static_cast<uint8_t>(n);
  b[30] = static_cast<uint8_t>(n >> 8);
  return PrivateKey::from_bytes(b).value();
}
Address addr(uint32_t n) { return key(n).public_key().address(); }

struct Fixture {
  ledger::MemoryStateStore store;
  LedgerAccounts accounts{store};
  explicit Fixture(uint64_t balance = 1'000'000) {
    genesis::GenesisDoc doc;
    doc.chain_id = std::string(kChain);
    doc.institutions.push_back({"i0", "I", {addr(100)}});
    const auto c = key(101).public_key().compressed();
    doc.validators.push_back({Bytes(c.begin(), c.end()), sha256("n"), "i0", 1, addr(102), {}, 0});
    for (uint32_t u = 1; u <= 40; ++u) doc.accounts.push_back({addr(u), balance, "", {}});
    EXPECT_TRUE(store.apply(ledger::genesis_change_set(store, doc).value()).is_ok());
  }
};

Bytes transfer(uint32_t from, uint64_t nonce, uint64_t fee = 1000, std::string_view chain = kChain) {
  v1::TxBody body;
  body.set_chain_id(std::string(chain));
  body.set_nonce(nonce);
  body.set_fee(fee);
  const Address to = addr(99);
  body.mutable_transfer()->set_to(to.bytes.data(), to.bytes.size());
  body.mutable_transfer()->set_amount(1);
  return sign_tx(body, key(from));
}

MempoolOptions options(uint32_t max_txs = 1000) {
  MempoolOptions o;
  o.chain_id = std::string(kChain);
  o.max_txs = max_txs;
  o.verify_threads = 2;
  return o;
}

std::string refusal(Mempool& m, Bytes raw) {
  const auto a = m.submit_here(std::move(raw));
  return a.rejected ? std::string(reject_name(*a.rejected)) : "ok";
}

TEST(Mempool, EachRefusalHasItsReason) {
  Fixture f(/*balance=*/2'500);
  Mempool m(options(), f.accounts);
  EXPECT_EQ(refusal(m, transfer(1, 0)), "ok");
  EXPECT_EQ(refusal(m, transfer(1, 0)), "duplicate");
  EXPECT_EQ(refusal(m, transfer(1, 0, 1001)), "nonce_taken");
  EXPECT_EQ(refusal(m, transfer(1, 64)), "nonce_gap");
  EXPECT_EQ(refusal(m, transfer(1, 1, 1)), "fee_too_low");
  EXPECT_EQ(refusal(m, transfer(1, 1, 1600)), "fee_unpaid");  // 1000 + 1600 > 2500
  EXPECT_EQ(refusal(m, transfer(2, 0, 1000, "other-chain")), "wrong_chain");
  Bytes tampered = transfer(2, 0);
  tampered[tampered.size() - 1] ^= 1;
  EXPECT_EQ(refusal(m, tampered), "bad_signature");
  EXPECT_EQ(refusal(m, to_bytes("garbage")), "malformed");
  EXPECT_EQ(refusal(m, Bytes(kTxBytesMax + 1, 0)), "too_large");
  EXPECT_EQ(m.size(), 1u);
}

TEST(Mempool, WhenFullTheCheapestSenderTailIsEvictedForABetterPayer) {
  Fixture f;
  Mempool m(options(/*max_txs=*/3), f.accounts);
  EXPECT_EQ(refusal(m, transfer(1, 0, 2000)), "ok");
  EXPECT_EQ(refusal(m, transfer(1, 1, 1500)), "ok");  // sender 1's tail
  EXPECT_EQ(refusal(m, transfer(2, 0, 3000)), "ok");
  EXPECT_EQ(refusal(m, transfer(3, 0, 1200)), "full");  // pays less than every tail
  EXPECT_EQ(refusal(m, transfer(3, 0, 1800)), "ok");    // evicts sender 1's nonce 1
  EXPECT_EQ(m.size(), 3u);
  EXPECT_FALSE(m.contains(tx_id(transfer(1, 1, 1500))));
  EXPECT_TRUE(m.contains(tx_id(transfer(1, 0, 2000))));  // no gap left behind
  // A sender's own tail is never evicted for its next nonce.
  EXPECT_EQ(refusal(m, transfer(2, 1, 100'000)), "ok");  // evicts sender 3's tail, not 2's
  EXPECT_TRUE(m.contains(tx_id(transfer(2, 0, 3000))));
}

TEST(Mempool, ReapTakesReadyRunsInNonceOrderByFeePerByte) {
  Fixture f;
  Mempool m(options(), f.accounts);
  for (auto raw : {transfer(1, 1, 5000), transfer(1, 0, 1000), transfer(2, 0, 3000), transfer(3, 5, 9000)}) {
    EXPECT_EQ(refusal(m, raw), "ok");
  }
  const auto txs = m.reap(1 << 20, 100);
  ASSERT_EQ(txs.size(), 3u);  // sender 3's nonce 5 is not ready
  EXPECT_EQ(txs[0].sender, addr(2));
  EXPECT_EQ(txs[1].sender, addr(1));
  EXPECT_EQ(txs[1].body.nonce(), 0u);
  EXPECT_EQ(txs[2].body.nonce(), 1u);
  EXPECT_EQ(m.reap(txs[0].raw_bytes.size(), 100).size(), 1u);
  EXPECT_EQ(m.reap(1 << 20, 2).size(), 2u);
}

TEST(Mempool, ReapAfterLeavesOutWhatUncommittedAncestorsCarryAndContinuesTheirNonces) {
  Fixture f;
  Mempool m(options(), f.accounts);
  for (uint64_t n = 0; n < 4; ++n) EXPECT_EQ(refusal(m, transfer(1, n)), "ok");
  EXPECT_EQ(refusal(m, transfer(2, 0, 3000)), "ok");
  // The parent (not committed) carries sender 1's nonces 0 and 1, one of
  // them a transaction this mempool never saw.
  const std::vector<VerifiedTx> pending = {decode_and_verify_tx(transfer(1, 0), kChain).value(),
                                           decode_and_verify_tx(transfer(1, 1, 1111), kChain).value()};
  const auto txs = m.reap_after(pending, 1 << 20, 100);
  ASSERT_EQ(txs.size(), 3u);
  std::vector<uint64_t> sender1;
  for (const auto& tx : txs) {
    EXPECT_NE(tx.id, pending[0].id);
    if (tx.sender == addr(1)) sender1.push_back(tx.body.nonce());
  }
  EXPECT_EQ(sender1, (std::vector<uint64_t>{2, 3}));
  // Without ancestors it is reap().
  EXPECT_EQ(m.reap_after({}, 1 << 20, 100).size(), m.reap(1 << 20, 100).size());
  // A gap after the pending nonces stops the run: nothing of sender 1.
  const std::vector<VerifiedTx> ahead = {decode_and_verify_tx(transfer(1, 5), kChain).value()};
  for (const auto& tx : m.reap_after(ahead, 1 << 20, 100)) EXPECT_NE(tx.sender, addr(1));
}

TEST(Mempool, RecheckDropsCommittedTransactionsAndNoncesTheChainPassed) {
  Fixture f;
  Mempool m(options(), f.accounts);
  for (uint64_t n = 0; n < 3; ++n) EXPECT_EQ(refusal(m, transfer(1, n)), "ok");
  // A block commits sender 1's nonces 0 and 1, one of them from elsewhere.
  auto committed = decode_and_verify_tx(transfer(1, 0), kChain).value();
  auto elsewhere = decode_and_verify_tx(transfer(1, 1, 1111), kChain).value();
  const std::vector<VerifiedTx> block = {committed, elsewhere};
  auto result = ledger::apply_block(f.store, {1, Bytes(33, 2)}, block).value();
  ASSERT_TRUE(f.store.apply(result.changes).is_ok());
  m.recheck(block);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_TRUE(m.contains(tx_id(transfer(1, 2))));
}

TEST(Mempool, GossipedCopiesAreRefusedBeforeTheirSignatureIsCheckedAgain) {
  Fixture f;
  Mempool m(options(), f.accounts);
  // Copies of one transaction submitted together: one is admitted, every
  // other is a duplicate (in the mempool already, or being checked).
  std::vector<std::future<Admission>> copies;
  for (int i = 0; i < 8; ++i) {
    copies.push_back(std::async(std::launch::async, [&] { return m.submit_here(transfer(1, 0)); }));
  }
  int admitted = 0;
  for (auto& c : copies) {
    const Admission a = c.get();
    if (!a.rejected) {
      ++admitted;
    } else {
      EXPECT_EQ(*a.rejected, Reject::kDuplicate) << a.detail;
    }
  }
  EXPECT_EQ(admitted, 1);
  // Once committed, a late copy is refused as such.
  const std::vector<VerifiedTx> block = {decode_and_verify_tx(transfer(1, 0), kChain).value()};
  auto result = ledger::apply_block(f.store, {1, Bytes(33, 2)}, block).value();
  ASSERT_TRUE(f.store.apply(result.changes).is_ok());
  m.recheck(block);
  const Admission late = m.submit_here(transfer(1, 0));
  ASSERT_TRUE(late.rejected.has_value());
  EXPECT_EQ(*late.rejected, Reject::kDuplicate);
  EXPECT_EQ(late.detail, "already committed");
}

TEST(Mempool, NextNonceRunsPastTheConsecutiveHeldNoncesFromTheCommittedOne) {
  Fixture f;
  Mempool m(options(), f.accounts);
  EXPECT_EQ(m.next_nonce(addr(1), 0), 0u);  // nothing held
  EXPECT_EQ(m.next_nonce(addr(1), 7), 7u);
  for (uint64_t n : {0, 1, 2, 4}) EXPECT_EQ(refusal(m, transfer(1, n)), "ok");
  EXPECT_EQ(m.next_nonce(addr(1), 0), 3u);  // 4 waits behind the gap at 3
  EXPECT_EQ(m.next_nonce(addr(2), 0), 0u);  // another sender's count is its own
  EXPECT_EQ(refusal(m, transfer(1, 3)), "ok");
  EXPECT_EQ(m.next_nonce(addr(1), 0), 5u);
  // Held nonces the chain has passed (a block committed, recheck not run
  // yet) do not count; the run starts at the committed nonce.
  EXPECT_EQ(m.next_nonce(addr(1), 2), 5u);
  EXPECT_EQ(m.next_nonce(addr(1), 9), 9u);
  // After a commit of nonces 0 and 1 and its recheck, the count follows.
  const std::vector<VerifiedTx> block = {decode_and_verify_tx(transfer(1, 0), kChain).value(),
                                         decode_and_verify_tx(transfer(1, 1), kChain).value()};
  auto result = ledger::apply_block(f.store, {1, Bytes(33, 2)}, block).value();
  ASSERT_TRUE(f.store.apply(result.changes).is_ok());
  m.recheck(block);
  EXPECT_EQ(m.next_nonce(addr(1), f.accounts.account(addr(1))->nonce), 5u);
}

TEST(Mempool, ManySubmissionsVerifyInParallelAndAllArrive) {
  Fixture f;
  Mempool m(options(), f.accounts);
  std::atomic<int> admitted{0}, answered{0};
  for (uint32_t u = 1; u <= 40; ++u) {
    for (uint64_t n = 0; n < 5; ++n) {
      m.submit(transfer(u, n), [&](const Admission& a) {
        admitted += a.rejected ? 0 : 1;
        ++answered;
      });
    }
  }
  for (int i = 0; i < 1000 && answered < 200; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(answered.load(), 200);
  EXPECT_EQ(admitted.load(), 200);
  EXPECT_EQ(m.size(), 200u);
}

TEST(WorkQueue, RefusesWorkBeyondItsBound) {
  std::atomic<bool> release{false};
  WorkQueue q(1, 2);
  EXPECT_TRUE(q.post([&] { while (!release) std::this_thread::yield(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the worker holds the first
  EXPECT_TRUE(q.post([] {}));
  EXPECT_TRUE(q.post([] {}));
  EXPECT_FALSE(q.post([] {}));
  release = true;
}

}  // namespace
}  // namespace hpchain::mempool
