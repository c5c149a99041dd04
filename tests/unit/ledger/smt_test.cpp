// The sparse Merkle tree and its proofs, on the in-memory state store.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "ledger/state_proof.h"
#include "ledger/state_store.h"

namespace hpchain::ledger {
namespace {

using Writes = std::vector<std::pair<Bytes, std::optional<Bytes>>>;

Bytes key_of(uint64_t i) { return to_bytes("key-" + std::to_string(i)); }
Bytes value_of(uint64_t i, uint64_t v) { return to_bytes("value-" + std::to_string(i) + "-" + std::to_string(v)); }

// Applies random writes for `versions` versions, mirroring them in a map.
struct Fixture {
  MemoryStateStore store;
  std::map<Bytes, Bytes> model;
  uint64_t next_version = 0;

  void commit(Writes writes, uint64_t retention = 1000) {
    auto cs = build_change_set(store, next_version, std::move(writes), retention);
    ASSERT_TRUE(cs.is_ok()) << cs.status().message();
    ASSERT_TRUE(store.apply(cs.value()).is_ok());
    ++next_version;
  }
  void random_version(std::mt19937_64& rng, uint64_t keys, size_t changes) {
    std::map<Bytes, std::optional<Bytes>> w;
    for (size_t c = 0; c < changes; ++c) {
      const uint64_t k = rng() % keys;
      if (rng() % 4 == 0) {
        w[key_of(k)] = std::nullopt;
      } else {
        w[key_of(k)] = value_of(k, rng());
      }
    }
    for (const auto& [k, v] : w) {
      if (v) {
        model[k] = *v;
      } else {
        model.erase(k);
      }
    }
    commit(Writes(w.begin(), w.end()));
  }
  Hash32 root() const { return store.get_root(next_version - 1).value().hash(); }
};

TEST(SparseMerkleTree, TheRootDependsOnlyOnTheKeysAndValuesNotOnHistory) {
  std::mt19937_64 rng(7);
  Fixture incremental;
  for (int v = 0; v < 30; ++v) incremental.random_version(rng, 200, 25);
  Fixture at_once;
  at_once.commit(Writes(incremental.model.begin(), incremental.model.end()));
  EXPECT_EQ(incremental.root(), at_once.root());
  auto dumped = root_of_dump(incremental.store);
  ASSERT_TRUE(dumped.is_ok());
  EXPECT_EQ(dumped.value(), incremental.root());
}

TEST(SparseMerkleTree, AnEmptyTreeHasTheZeroRootAndDeletingEverythingReturnsToIt) {
  Fixture f;
  f.commit({{key_of(1), value_of(1, 1)}, {key_of(2), value_of(2, 1)}});
  EXPECT_FALSE(f.root().is_zero());
  f.commit({{key_of(1), std::nullopt}, {key_of(2), std::nullopt}});
  EXPECT_TRUE(f.root().is_zero());
}

TEST(StateProof, RandomInclusionAndExclusionProofsVerifyAgainstCurrentAndRetainedRoots) {
  std::mt19937_64 rng(11);
  Fixture f;
  std::vector<std::pair<Hash32, std::map<Bytes, Bytes>>> history;
  for (int v = 0; v < 20; ++v) {
    f.random_version(rng, 300, 40);
    history.emplace_back(f.root(), f.model);
  }
  for (uint64_t version = 0; version < history.size(); ++version) {
    auto root = f.store.get_root(version);
    ASSERT_TRUE(root.is_ok());
    const auto& [root_hash, model] = history[version];
    for (uint64_t k = 0; k < 300; k += 7) {
      auto proof = prove(f.store, root.value(), sha256(key_of(k)));
      ASSERT_TRUE(proof.is_ok());
      auto decoded = StateProof::decode(proof.value().encode());
      ASSERT_TRUE(decoded.is_ok());
      auto it = model.find(key_of(k));
      if (it != model.end()) {
        EXPECT_TRUE(verify_inclusion(root_hash, key_of(k), it->second, decoded.value()).is_ok());
        EXPECT_FALSE(verify_exclusion(root_hash, key_of(k), decoded.value()).is_ok());
        EXPECT_FALSE(verify_inclusion(root_hash, key_of(k), to_bytes("other"), decoded.value()).is_ok());
      } else {
        EXPECT_TRUE(verify_exclusion(root_hash, key_of(k), decoded.value()).is_ok());
      }
    }
  }
}

TEST(StateProof, OneFlippedByteAnywhereInAProofFails) {
  std::mt19937_64 rng(3);
  Fixture f;
  for (int v = 0; v < 5; ++v) f.random_version(rng, 500, 100);
  auto root = f.store.get_root(f.next_version - 1).value();
  int checked = 0;
  for (const auto& [key, value] : f.model) {
    if (++checked > 20) break;
    const Bytes encoded = prove(f.store, root, sha256(key)).value().encode();
    for (size_t i = 0; i < encoded.size(); ++i) {
      for (uint8_t bit : {uint8_t{1}, uint8_t{0x80}}) {
        Bytes bad = encoded;
        bad[i] ^= bit;
        auto decoded = StateProof::decode(bad);
        if (decoded.is_ok()) {
          EXPECT_FALSE(verify_inclusion(root.hash(), key, value, decoded.value()).is_ok()) << "byte " << i;
        }
      }
    }
  }
}

TEST(StateStore, OldRootsArePrunedAfterTheRetentionWindowAndTheirNodesGo) {
  std::mt19937_64 rng(5);
  Fixture f;
  for (int v = 0; v < 3; ++v) f.random_version(rng, 100, 30);
  const size_t nodes_before = f.store.node_count();
  for (int v = 0; v < 10; ++v) {
    std::map<Bytes, std::optional<Bytes>> w;
    for (int c = 0; c < 30; ++c) w[key_of(rng() % 100)] = value_of(1, rng());
    auto cs = build_change_set(f.store, f.next_version, Writes(w.begin(), w.end()), /*retention=*/2);
    ASSERT_TRUE(cs.is_ok());
    ASSERT_TRUE(f.store.apply(cs.value()).is_ok());
    ++f.next_version;
  }
  const uint64_t latest = f.next_version - 1;
  EXPECT_TRUE(f.store.get_root(latest - 2).is_ok());
  EXPECT_EQ(f.store.get_root(latest - 3).status().code(), StatusCode::kNotFound);
  EXPECT_LT(f.store.node_count(), nodes_before * 4);
  // Every retained root still proves.
  for (uint64_t v = latest - 2; v <= latest; ++v) {
    EXPECT_TRUE(prove(f.store, f.store.get_root(v).value(), sha256(key_of(1))).is_ok());
  }
}

TEST(StateStore, AChangeSetOutOfOrderIsRefused) {
  Fixture f;
  f.commit({{key_of(1), value_of(1, 1)}});
  ChangeSet skipped;
  skipped.version = 5;
  EXPECT_EQ(f.store.apply(skipped).code(), StatusCode::kFailedPrecondition);
}

TEST(StateProof, MalformedProofBytesAreRefused) {
  EXPECT_FALSE(StateProof::decode(Bytes{}).is_ok());
  EXPECT_FALSE(StateProof::decode(Bytes{2, 0, 0, 0}).is_ok());
  EXPECT_FALSE(StateProof::decode(Bytes{1, 7, 0, 0}).is_ok());
  EXPECT_FALSE(StateProof::decode(Bytes{1, 0, 0, 1}).is_ok());
  EXPECT_TRUE(StateProof::decode(Bytes{1, 0, 0, 0}).is_ok());
}

}  // namespace
}  // namespace hpchain::ledger
