// Fuzz target for StateProof::decode and the verifiers: any bytes give a
// proof or a clean error; a decoded proof re-encodes to the same bytes;
// verifying it against a real root never crashes, and it proves nothing
// the tree does not hold.
#include "ledger/state_proof.h"
#include "ledger/state_store.h"
#include "tests/fuzz/fuzz.h"

namespace {

struct Tree {
  hpchain::ledger::MemoryStateStore store;
  hpchain::ledger::Slot root;
  Tree() {
    std::vector<std::pair<hpchain::Bytes, std::optional<hpchain::Bytes>>> writes;
    for (int i = 0; i < 64; ++i) writes.emplace_back(hpchain::to_bytes("k" + std::to_string(i)), hpchain::to_bytes("v"));
    auto cs = hpchain::ledger::build_change_set(store, 0, writes, 10);
    HPC_ASSERT(store.apply(cs.value()).is_ok());
    root = cs.value().root;
  }
};

const Tree& tree() {
  static const Tree t;
  return t;
}

}  // namespace

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  std::vector<std::vector<uint8_t>> seeds;
  for (const char* key : {"k1", "k7", "absent", "k63"}) {
    auto proof = hpchain::ledger::prove(tree().store, tree().root, hpchain::sha256(std::string_view(key)));
    seeds.push_back(proof.value().encode());
  }
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const hpchain::ByteSpan bytes(data, size);
  auto proof = hpchain::ledger::StateProof::decode(bytes);
  if (!proof.is_ok()) return 0;
  HPC_ASSERT(proof->encode() == hpchain::Bytes(bytes.begin(), bytes.end()));
  const hpchain::Hash32 root = tree().root.hash();
  // "absent" is not in the tree: no proof may show it present.
  HPC_ASSERT(!hpchain::ledger::verify_inclusion(root, hpchain::to_bytes("absent"), hpchain::to_bytes("v"), *proof).is_ok());
  // "k1" is in the tree: no proof may show it absent.
  HPC_ASSERT(!hpchain::ledger::verify_exclusion(root, hpchain::to_bytes("k1"), *proof).is_ok());
  return 0;
}
