// Crypto primitives on one core: SHA-256 of 256 bytes, ECDSA sign and
// verify, and decode+verify of a signed transfer (the per-transaction cost
// a node pays before a transaction enters the mempool). Single-core verify
// rate is the yardstick for the node's throughput targets.
#include <benchmark/benchmark.h>

#include "chain/signing.h"
#include "chain/tx.h"

namespace hpchain {
namespace {

void BM_Sha256_256B(benchmark::State& state) {
  const Bytes data(256, 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(sha256(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 256);
}
BENCHMARK(BM_Sha256_256B);

void BM_EcdsaSign(benchmark::State& state) {
  const PrivateKey key = *PrivateKey::generate();
  Hash32 digest = sha256(std::string_view("digest"));
  for (auto _ : state) {
    benchmark::DoNotOptimize(key.sign(digest));
    digest.bytes[0]++;
  }
}
BENCHMARK(BM_EcdsaSign);

void BM_EcdsaVerify(benchmark::State& state) {
  const PrivateKey key = *PrivateKey::generate();
  const PublicKey pub = key.public_key();
  const Hash32 digest = sha256(std::string_view("digest"));
  const Signature sig = key.sign(digest);
  for (auto _ : state) benchmark::DoNotOptimize(pub.verify(digest, sig));
}
BENCHMARK(BM_EcdsaVerify);

void BM_DecodeVerifyTransfer(benchmark::State& state) {
  const PrivateKey key = *PrivateKey::generate();
  hpchain::v1::TxBody body;
  body.set_chain_id("hpchain-bench");
  body.set_nonce(1);
  body.set_fee(10);
  const Bytes to(20, 0x42);
  body.mutable_transfer()->set_to(to.data(), to.size());
  body.mutable_transfer()->set_amount(1000);
  const Bytes raw = sign_tx(body, key);
  for (auto _ : state) {
    auto tx = decode_and_verify_tx(raw, "hpchain-bench");
    if (!tx.is_ok()) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(tx);
  }
}
BENCHMARK(BM_DecodeVerifyTransfer);

}  // namespace
}  // namespace hpchain
