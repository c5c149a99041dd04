// The sparse Merkle tree, its proofs and the state-store contract, each
// test run on both stores (in memory and RocksDB) against a std::map model
// of the same writes.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "ledger/state_proof.h"
#include "ledger/state_store.h"
#include "tests/unit/ledger/test_stores.h"

namespace hpchain::ledger {
namespace {

using testing::StoreKind;
using testing::TestStore;

using Writes = std::vector<std::pair<Bytes, std::optional<Bytes>>>;

Bytes key_of(uint64_t i) { return to_bytes("key-" + std::to_string(i)); }
Bytes value_of(uint64_t i, uint64_t v) { return to_bytes("value-" + std::to_string(i) + "-" + std::to_string(v)); }

// Applies random writes for `versions` versions, mirroring them in a map.
struct Fixture {
  explicit Fixture(StoreKind kind) : backing(TestStore::create(kind)) {}

  std::unique_ptr<TestStore> backing;
  std::map<Bytes, Bytes> model;
  uint64_t next_version = 0;
  ChangeSet last;

  void commit(Writes writes, uint64_t retention = 1000) {
    auto cs = build_change_set(store(), next_version, std::move(writes), retention);
    ASSERT_TRUE(cs.is_ok()) << cs.status().message();
    ASSERT_TRUE(backing->apply(cs.value()).is_ok());
    last = std::move(cs).value();
    ++next_version;
  }
  void random_version(std::mt19937_64& rng, uint64_t keys, size_t changes, uint64_t retention = 1000) {
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
    commit(Writes(w.begin(), w.end()), retention);
  }
  const StateReader& store() const { return backing->reader(); }
  Hash32 root() const { return store().get_root(next_version - 1).value().hash(); }
};

class SparseMerkleTree : public ::testing::TestWithParam<StoreKind> {};
class StateProofs : public ::testing::TestWithParam<StoreKind> {};
class StateStore : public ::testing::TestWithParam<StoreKind> {};

TEST_P(SparseMerkleTree, TheRootDependsOnlyOnTheKeysAndValuesNotOnHistory) {
  std::mt19937_64 rng(7);
  Fixture incremental(GetParam());
  for (int v = 0; v < 30; ++v) incremental.random_version(rng, 200, 25);
  Fixture at_once(GetParam());
  at_once.commit(Writes(incremental.model.begin(), incremental.model.end()));
  EXPECT_EQ(incremental.root(), at_once.root());
  auto dumped = root_of_dump(incremental.store());
  ASSERT_TRUE(dumped.is_ok());
  EXPECT_EQ(dumped.value(), incremental.root());
}

TEST_P(SparseMerkleTree, AnEmptyTreeHasTheZeroRootAndDeletingEverythingReturnsToIt) {
  Fixture f(GetParam());
  f.commit({{key_of(1), value_of(1, 1)}, {key_of(2), value_of(2, 1)}});
  EXPECT_FALSE(f.root().is_zero());
  f.commit({{key_of(1), std::nullopt}, {key_of(2), std::nullopt}});
  EXPECT_TRUE(f.root().is_zero());
}

TEST_P(StateProofs, RandomInclusionAndExclusionProofsVerifyAgainstCurrentAndRetainedRoots) {
  std::mt19937_64 rng(11);
  Fixture f(GetParam());
  std::vector<std::pair<Hash32, std::map<Bytes, Bytes>>> history;
  for (int v = 0; v < 20; ++v) {
    f.random_version(rng, 300, 40);
    history.emplace_back(f.root(), f.model);
  }
  for (uint64_t version = 0; version < history.size(); ++version) {
    auto root = f.store().get_root(version);
    ASSERT_TRUE(root.is_ok());
    const auto& [root_hash, model] = history[version];
    for (uint64_t k = 0; k < 300; k += 7) {
      auto proof = prove(f.store(), root.value(), sha256(key_of(k)));
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

TEST_P(StateProofs, OneFlippedByteAnywhereInAProofFails) {
  std::mt19937_64 rng(3);
  Fixture f(GetParam());
  for (int v = 0; v < 5; ++v) f.random_version(rng, 500, 100);
  auto root = f.store().get_root(f.next_version - 1).value();
  int checked = 0;
  for (const auto& [key, value] : f.model) {
    if (++checked > 20) break;
    const Bytes encoded = prove(f.store(), root, sha256(key)).value().encode();
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

TEST_P(StateStore, OldRootsArePrunedAfterTheRetentionWindowAndTheirNodesGo) {
  std::mt19937_64 rng(5);
  Fixture f(GetParam());
  std::vector<NodeKey> pruned;
  for (int v = 0; v < 13; ++v) {
    f.random_version(rng, 100, 30, /*retention=*/2);
    pruned.insert(pruned.end(), f.last.pruned_nodes.begin(), f.last.pruned_nodes.end());
  }
  const uint64_t latest = f.next_version - 1;
  EXPECT_EQ(f.store().get_meta().value()->oldest_version, latest - 2);
  EXPECT_TRUE(f.store().get_root(latest - 2).is_ok());
  EXPECT_EQ(f.store().get_root(latest - 3).status().code(), StatusCode::kNotFound);
  ASSERT_FALSE(pruned.empty());
  for (const NodeKey& k : pruned) EXPECT_EQ(f.store().get_node(k).status().code(), StatusCode::kNotFound);
  // Every retained root still proves every key; the pruned ones cannot.
  for (uint64_t v = latest - 2; v <= latest; ++v) {
    for (uint64_t k = 0; k < 100; ++k) {
      ASSERT_TRUE(prove(f.store(), f.store().get_root(v).value(), sha256(key_of(k))).is_ok()) << v << " " << k;
    }
  }
  EXPECT_EQ(root_of_dump(f.store()).value(), f.root());
}

TEST_P(StateStore, AChangeSetOutOfOrderIsRefused) {
  Fixture f(GetParam());
  f.commit({{key_of(1), value_of(1, 1)}});
  const Hash32 root = f.root();
  auto later = build_change_set(f.store(), 1, {{key_of(2), value_of(2, 1)}}, 1000).value();
  later.version = 5;
  EXPECT_EQ(f.backing->apply(later).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(f.store().get_meta().value()->latest_version, 0u);
  EXPECT_EQ(f.store().get_value(key_of(2)).value(), std::nullopt);
  EXPECT_EQ(f.root(), root);
}

TEST_P(StateStore, AnEmptyStoreHasNoMetaNoRootAndNoValues) {
  Fixture f(GetParam());
  EXPECT_EQ(f.store().get_meta().value(), std::nullopt);
  EXPECT_EQ(f.store().get_root(0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(f.store().get_value(key_of(1)).value(), std::nullopt);
  EXPECT_TRUE(f.store().get_stale(0).value().empty());
  EXPECT_TRUE(root_of_dump(f.store()).value().is_zero());
}

TEST_P(StateStore, ValuesRootsAndProofsSurviveAReopen) {
  std::mt19937_64 rng(9);
  Fixture f(GetParam());
  for (int v = 0; v < 8; ++v) f.random_version(rng, 150, 40, /*retention=*/4);
  const Hash32 root = f.root();
  const StateMeta meta = *f.store().get_meta().value();
  f.backing->reopen();
  const StateReader& store = f.store();
  EXPECT_EQ(*store.get_meta().value(), meta);
  EXPECT_EQ(store.get_root(meta.latest_version).value().hash(), root);
  size_t visited = 0;
  ASSERT_TRUE(store.for_each_value([&](ByteSpan k, ByteSpan v) {
    auto it = f.model.find(Bytes(k.begin(), k.end()));
    EXPECT_TRUE(it != f.model.end() && it->second == Bytes(v.begin(), v.end()));
    ++visited;
    return true;
  }).is_ok());
  EXPECT_EQ(visited, f.model.size());
  const auto& [key, value] = *f.model.begin();
  auto proof = prove(store, store.get_root(meta.oldest_version + 1).value(), sha256(key));
  ASSERT_TRUE(proof.is_ok());
}

TEST_P(StateStore, ADumpVisitsKeysInOrderAndStopsWhenAsked) {
  Fixture f(GetParam());
  f.commit({{key_of(3), value_of(3, 0)}, {key_of(1), value_of(1, 0)}, {key_of(2), value_of(2, 0)}});
  std::vector<Bytes> seen;
  ASSERT_TRUE(f.store().for_each_value([&](ByteSpan k, ByteSpan) {
    seen.emplace_back(k.begin(), k.end());
    return seen.size() < 2;
  }).is_ok());
  EXPECT_EQ(seen, (std::vector<Bytes>{key_of(1), key_of(2)}));
}

TEST(StateProof, MalformedProofBytesAreRefused) {
  EXPECT_FALSE(StateProof::decode(Bytes{}).is_ok());
  EXPECT_FALSE(StateProof::decode(Bytes{2, 0, 0, 0}).is_ok());
  EXPECT_FALSE(StateProof::decode(Bytes{1, 7, 0, 0}).is_ok());
  EXPECT_FALSE(StateProof::decode(Bytes{1, 0, 0, 1}).is_ok());
  EXPECT_TRUE(StateProof::decode(Bytes{1, 0, 0, 0}).is_ok());
}

INSTANTIATE_STORE_SUITE(SparseMerkleTree);
INSTANTIATE_STORE_SUITE(StateProofs);
INSTANTIATE_STORE_SUITE(StateStore);

}  // namespace
}  // namespace hpchain::ledger
