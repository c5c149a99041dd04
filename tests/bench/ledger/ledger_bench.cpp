// Ledger figures (docs/performance.md): block execution of transfers
// (signatures verified beforehand, outside the timing) on the in-memory and
// the RocksDB store, writing a block's change set, tree update cost per
// changed key at 10^6 keys, proof size and verification. BM_VerifyTransfer
// is the baseline the execution target is a ratio of (>= 10x), measured in
// the same run.
#include <benchmark/benchmark.h>

#include <functional>

#include "chain/check.h"
#include "chain/tx.h"
#include "ledger/ledger.h"
#include "ledger/state_proof.h"
#include "node/storage/state_store.h"
#include "tests/common/temp_dir.h"

namespace {

using namespace hpchain;
using Writes = std::vector<std::pair<Bytes, std::optional<Bytes>>>;

PrivateKey key(uint32_t n) {
  Bytes b(32, 0);
  b[0] = 1;
  b[28] = static_cast<uint8_t>(n >> 24);
  b[29] = static_cast<uint8_t>(n >> 16);
  b[30] = static_cast<uint8_t>(n >> 8);
  b[31] = static_cast<uint8_t>(n);
  return PrivateKey::from_bytes(b).value();
}

// A genesis of n funded accounts and a block of n transfers, each account
// sending one credit to the next (signatures verified here, untimed).
struct TransferBlock {
  std::vector<VerifiedTx> txs;
  Bytes proposer;

  TransferBlock(ledger::StateReader& reader, const std::function<Status(const ledger::ChangeSet&)>& apply, int n) {
    genesis::GenesisDoc doc;
    doc.chain_id = "bench-1";
    doc.institutions.push_back({"i0", "I0", {key(1).public_key().address()}});
    const auto c = key(2).public_key().compressed();
    proposer.assign(c.begin(), c.end());
    doc.validators.push_back({proposer, sha256("n"), "i0", 1, key(3).public_key().address(), {}, 0});
    for (int i = 0; i < n; ++i) doc.accounts.push_back({key(100 + static_cast<uint32_t>(i)).public_key().address(), 1'000'000, "", {}});
    doc.params.max_block_bytes = 4 * 1024 * 1024;
    HPC_ASSERT(apply(ledger::genesis_change_set(reader, doc).value()).is_ok());
    for (int i = 0; i < n; ++i) {
      v1::TxBody body;
      body.set_chain_id("bench-1");
      body.set_fee(1000);
      const Address to = key(100 + static_cast<uint32_t>((i + 1) % n)).public_key().address();
      body.mutable_transfer()->set_to(to.bytes.data(), to.bytes.size());
      body.mutable_transfer()->set_amount(1);
      txs.push_back(decode_and_verify_tx(sign_tx(body, key(100 + static_cast<uint32_t>(i))), "bench-1").value());
    }
  }
};

void set_rate(benchmark::State& state, int n) {
  state.counters["transfers/s"] = benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                                                     benchmark::Counter::kIsRate);
}

// Execution only, on the in-memory store: the ledger's own cost.
void BM_ApplyTransfers(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  ledger::MemoryStateStore store;
  TransferBlock block(store, [&](const ledger::ChangeSet& cs) { return store.apply(cs); }, n);
  for (auto _ : state) {
    auto r = ledger::apply_block(store, ledger::BlockContext{1, block.proposer}, block.txs);
    HPC_ASSERT(r.is_ok() && r->outcomes.back().code == ledger::TxCode::kOk);
    benchmark::DoNotOptimize(r);
  }
  set_rate(state, n);
}
BENCHMARK(BM_ApplyTransfers)->Arg(5000)->Unit(benchmark::kMillisecond);

// The same block executed against RocksDB (reads through the node's
// RocksStateStore; the data is in RocksDB's block cache after a round).
struct RocksBench {
  testing::TempDir dir;
  std::unique_ptr<storage::Store> store =
      storage::Store::open(dir.path() / "db", {.create_if_missing = true, .sync_writes = false}).value();
  storage::RocksStateStore state{*store};
};

void BM_ApplyTransfersRocksDb(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  RocksBench db;
  TransferBlock block(db.state, [&](const ledger::ChangeSet& cs) { return db.state.apply(cs); }, n);
  for (auto _ : state) {
    auto r = ledger::apply_block(db.state, ledger::BlockContext{1, block.proposer}, block.txs);
    HPC_ASSERT(r.is_ok() && r->outcomes.back().code == ledger::TxCode::kOk);
    benchmark::DoNotOptimize(r);
  }
  set_rate(state, n);
}
BENCHMARK(BM_ApplyTransfersRocksDb)->Arg(5000)->Unit(benchmark::kMillisecond);

// Writing the block's change set in one batch, without fsync (a node adds
// one fsync per block on top, whatever the block holds).
void BM_WriteTransferChangeSetRocksDb(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  RocksBench db;
  TransferBlock block(db.state, [&](const ledger::ChangeSet& cs) { return db.state.apply(cs); }, n);
  auto r = ledger::apply_block(db.state, ledger::BlockContext{1, block.proposer}, block.txs).value();
  storage::WriteBatch batch;
  HPC_ASSERT(db.state.stage(r.changes, batch).is_ok());
  for (auto _ : state) HPC_ASSERT(db.store->write(batch).is_ok());  // the same puts again: same cost
  set_rate(state, n);
}
BENCHMARK(BM_WriteTransferChangeSetRocksDb)->Arg(5000)->Unit(benchmark::kMillisecond);

// The baseline of the 10x target, in the same run: decoding and verifying
// one signed transfer on one core.
void BM_VerifyTransfer(benchmark::State& state) {
  v1::TxBody body;
  body.set_chain_id("bench-1");
  body.set_fee(1000);
  const Address to = key(5).public_key().address();
  body.mutable_transfer()->set_to(to.bytes.data(), to.bytes.size());
  body.mutable_transfer()->set_amount(1);
  const Bytes raw = sign_tx(body, key(4));
  for (auto _ : state) benchmark::DoNotOptimize(decode_and_verify_tx(raw, "bench-1"));
  state.counters["verifies/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_VerifyTransfer)->Unit(benchmark::kMicrosecond);

Bytes k(uint64_t i) { return to_bytes("key-" + std::to_string(i)); }

const ledger::MemoryStateStore& million_key_store() {
  static ledger::MemoryStateStore store;
  static bool built = false;
  if (!built) {
    Writes w;
    for (uint64_t i = 0; i < 1'000'000; ++i) w.emplace_back(k(i), to_bytes("v"));
    (void)store.apply(ledger::build_change_set(store, 0, std::move(w), 1000).value());
    built = true;
  }
  return store;
}

// Builds (does not apply) the change set of `changes` random keys at 10^6.
void BM_TreeUpdateAtMillionKeys(benchmark::State& state) {
  const auto& store = million_key_store();
  const uint64_t changes = static_cast<uint64_t>(state.range(0));
  uint64_t round = 0;
  for (auto _ : state) {
    Writes w;
    for (uint64_t i = 0; i < changes; ++i) w.emplace_back(k((i * 7919 + round * 104729) % 1'000'000), to_bytes("w" + std::to_string(round)));
    auto cs = ledger::build_change_set(store, 1, std::move(w), 1000);
    benchmark::DoNotOptimize(cs);
    ++round;
  }
  state.counters["keys/s"] = benchmark::Counter(static_cast<double>(changes) * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TreeUpdateAtMillionKeys)->Arg(1)->Arg(10'000)->Unit(benchmark::kMicrosecond);

void BM_ProofVerifyAtMillionKeys(benchmark::State& state) {
  const auto& store = million_key_store();
  const auto root = store.get_root(0).value();
  const auto proof = ledger::prove(store, root, sha256(k(4242))).value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ledger::verify_inclusion(root.hash(), k(4242), to_bytes("v"), proof));
  }
  state.counters["proof_bytes"] = static_cast<double>(proof.encode().size());
}
BENCHMARK(BM_ProofVerifyAtMillionKeys)->Unit(benchmark::kMicrosecond);

}  // namespace
