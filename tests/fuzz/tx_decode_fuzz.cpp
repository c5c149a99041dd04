// Fuzz target for decode_and_verify_tx: any bytes must give either a
// verified transaction or a clean error, never a crash, and a success must be
// self-consistent (id = SHA-256 of the bytes, sender = address of the key).
#include "chain/tx.h"
#include "tests/fuzz/fuzz.h"

namespace {
constexpr const char* kChain = "hpchain-fuzz";
}

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  // A fixed key so seeds (and thus runs) are reproducible.
  const auto key = *hpchain::PrivateKey::from_bytes(hpchain::Bytes(32, 0x11));
  std::vector<std::vector<uint8_t>> seeds;
  for (uint64_t nonce = 0; nonce < 4; ++nonce) {
    hpchain::v1::TxBody body;
    body.set_chain_id(kChain);
    body.set_nonce(nonce);
    body.set_fee(nonce * 7);
    const hpchain::Bytes to(20, static_cast<uint8_t>(nonce));
    body.mutable_transfer()->set_to(to.data(), to.size());
    body.mutable_transfer()->set_amount(1000 + nonce);
    seeds.push_back(hpchain::sign_tx(body, key));
  }
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const hpchain::ByteSpan bytes(data, size);
  const auto tx = hpchain::decode_and_verify_tx(bytes, kChain);
  if (tx.is_ok()) {
    HPC_ASSERT(tx->id == hpchain::tx_id(bytes));
    HPC_ASSERT(tx->sender == tx->sender_key.address());
    HPC_ASSERT(tx->body.chain_id() == kChain);
  } else {
    HPC_ASSERT(!tx.status().message().empty());
  }
  return 0;
}
