// The ledger's storage seam (docs/ledger.md, "State storage").
//
// The ledger never writes: it reads state through StateReader and returns a
// ChangeSet that the host applies, all of it or nothing. Two
// implementations pass one test suite (tests/unit/ledger/state_store_suite):
// MemoryStateStore here, for tests and tools, and
// storage::RocksStateStore (node/storage/state_store.h), which stages a
// change set into the node's one WriteBatch per block.
//
// What is stored: the latest value of every state key; the tree's internal
// nodes (smt.h); the root of every retained version; per version, the nodes
// it made stale (so the version R later can delete them); and a meta
// record (latest and oldest retained version).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "chain/bytes.h"
#include "chain/status.h"
#include "ledger/smt.h"

namespace hpchain::ledger {

struct StateMeta {
  uint64_t latest_version = 0;
  uint64_t oldest_version = 0;  // roots oldest..latest can be proven against
  friend bool operator==(const StateMeta&, const StateMeta&) = default;
};

// What one version (height) changes. Built only by build_change_set.
struct ChangeSet {
  uint64_t version = 0;
  // Sorted by key, unique; nullopt deletes the key.
  std::vector<std::pair<Bytes, std::optional<Bytes>>> writes;
  std::vector<std::pair<NodeKey, InternalNode>> new_nodes;
  std::vector<NodeKey> stale_nodes;   // recorded under `version`
  Slot root;
  StateMeta meta;                     // after this version
  // Pruned now: the versions whose roots go, the versions whose stale lists
  // go, and the nodes on those lists.
  std::vector<uint64_t> pruned_roots;
  std::vector<uint64_t> pruned_stale_lists;
  std::vector<NodeKey> pruned_nodes;

  Hash32 root_hash() const { return root.hash(); }
};

class StateReader : public TreeReader {
 public:
  // The latest value of `key`, nullopt when absent.
  virtual Result<std::optional<Bytes>> get_value(ByteSpan key) const = 0;
  // nullopt before the first change set (an empty store).
  virtual Result<std::optional<StateMeta>> get_meta() const = 0;
  // The root of `version`; NotFound when it is not retained.
  virtual Result<Slot> get_root(uint64_t version) const = 0;
  // The nodes `version` made stale (empty when none).
  virtual Result<std::vector<NodeKey>> get_stale(uint64_t version) const = 0;
  // Every (key, value) in key order, until fn returns false: a full dump,
  // from which the root can be recomputed (root_of_dump).
  virtual Status for_each_value(const std::function<bool(ByteSpan, ByteSpan)>& fn) const = 0;
};

// Ok when `changes` may follow `meta` (the store's current meta): the first
// change set of an empty store, or the next version. FailedPrecondition
// otherwise (a host applying blocks out of order).
Status check_change_set_follows(const std::optional<StateMeta>& meta, const ChangeSet& changes);

// Builds the change set of `version` from the value writes of that version
// (any order; duplicates not allowed): updates the tree, records what went
// stale, and prunes what falls out of the last `retention` versions (at most
// kPruneVersionsPerChangeMax versions per call, so lowering the retention
// never makes one block slow). Errors come from the reader.
inline constexpr uint64_t kPruneVersionsPerChangeMax = 16;
Result<ChangeSet> build_change_set(const StateReader& reader, uint64_t version,
                                   std::vector<std::pair<Bytes, std::optional<Bytes>>> writes,
                                   uint64_t retention);

// The root of a state holding exactly the reader's values, recomputed
// from the values alone (no stored node is read).
Result<Hash32> root_of_dump(const StateReader& reader);

// Encodings shared by the stores (so both write the same bytes).
Bytes encode_root(const Slot& root);
Result<Slot> decode_root(ByteSpan bytes);
Bytes encode_stale(const std::vector<NodeKey>& keys);
Result<std::vector<NodeKey>> decode_stale(ByteSpan bytes);
Bytes encode_meta(const StateMeta& meta);
Result<StateMeta> decode_meta(ByteSpan bytes);

// In-memory state store for tests and tools. Not thread-safe.
class MemoryStateStore final : public StateReader {
 public:
  Result<InternalNode> get_node(const NodeKey& key) const override;
  Result<std::optional<Bytes>> get_value(ByteSpan key) const override;
  Result<std::optional<StateMeta>> get_meta() const override;
  Result<Slot> get_root(uint64_t version) const override;
  Result<std::vector<NodeKey>> get_stale(uint64_t version) const override;
  Status for_each_value(const std::function<bool(ByteSpan, ByteSpan)>& fn) const override;

  // Applies the change set whole (check_change_set_follows first).
  Status apply(const ChangeSet& changes);

  size_t node_count() const { return nodes_.size(); }

 private:
  std::map<Bytes, Bytes, std::less<>> values_;
  std::map<NodeKey, InternalNode> nodes_;
  std::map<uint64_t, Slot> roots_;
  std::map<uint64_t, std::vector<NodeKey>> stale_;
  std::optional<StateMeta> meta_;
};

}  // namespace hpchain::ledger
