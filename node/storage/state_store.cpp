#include "node/storage/state_store.h"

#include <limits>

#include "chain/check.h"

namespace hpchain::storage {
namespace {

using ledger::NodeKey;

constexpr uint8_t kValueTag = 'v';
constexpr uint8_t kNodeTag = 'n';
constexpr uint8_t kRootTag = 'r';
constexpr uint8_t kStaleTag = 's';
constexpr uint8_t kMetaTag = 'm';

Bytes tagged(uint8_t tag, ByteSpan rest) {
  Bytes k;
  k.reserve(1 + rest.size());
  k.push_back(tag);
  k.insert(k.end(), rest.begin(), rest.end());
  return k;
}
Bytes value_key(ByteSpan key) { return tagged(kValueTag, key); }
Bytes node_key(const NodeKey& key) { return tagged(kNodeTag, key.encode()); }
Bytes version_key(uint8_t tag, uint64_t version) {
  Bytes k{tag};
  ledger::put_be64(k, version);
  return k;
}
Bytes meta_key() { return Bytes{kMetaTag}; }

// A Store read where absence is an answer, not an error.
Result<std::optional<Bytes>> get_optional(const Store& store, const Bytes& key) {
  auto r = store.get(Column::kState, key);
  if (r.is_ok()) return std::optional<Bytes>(std::move(r).value());
  if (r.status().code() == StatusCode::kNotFound) return std::optional<Bytes>{};
  return r.status();
}

}  // namespace

Result<ledger::InternalNode> RocksStateStore::get_node(const NodeKey& key) const {
  auto bytes = store_.get(Column::kState, node_key(key));
  if (bytes.status().code() == StatusCode::kNotFound) {
    return Status::not_found("state tree node is not stored (its version was pruned?)");
  }
  HPC_TRY(bytes);
  return ledger::InternalNode::decode(bytes.value());
}

Result<std::optional<Bytes>> RocksStateStore::get_value(ByteSpan key) const {
  return get_optional(store_, value_key(key));
}

Result<std::optional<ledger::StateMeta>> RocksStateStore::get_meta() const {
  HPC_ASSIGN_OR_RETURN(std::optional<Bytes> bytes, get_optional(store_, meta_key()));
  if (!bytes) return std::optional<ledger::StateMeta>{};
  HPC_ASSIGN_OR_RETURN(ledger::StateMeta meta, ledger::decode_meta(*bytes));
  return std::optional<ledger::StateMeta>(meta);
}

Result<ledger::Slot> RocksStateStore::get_root(uint64_t version) const {
  HPC_ASSIGN_OR_RETURN(std::optional<Bytes> bytes, get_optional(store_, version_key(kRootTag, version)));
  if (!bytes) return Status::not_found("state root of version " + std::to_string(version) + " is not retained");
  return ledger::decode_root(*bytes);
}

Result<std::vector<NodeKey>> RocksStateStore::get_stale(uint64_t version) const {
  HPC_ASSIGN_OR_RETURN(std::optional<Bytes> bytes, get_optional(store_, version_key(kStaleTag, version)));
  if (!bytes) return std::vector<NodeKey>{};
  return ledger::decode_stale(*bytes);
}

Status RocksStateStore::for_each_value(const std::function<bool(ByteSpan, ByteSpan)>& fn) const {
  // A dump visits every key; the caller's fn is what bounds it.
  const Bytes prefix{kValueTag};
  return store_.scan(Column::kState, prefix, std::numeric_limits<size_t>::max(),
                     [&](ByteSpan key, ByteSpan value) { return fn(key.subspan(1), value); });
}

Status RocksStateStore::stage(const ledger::ChangeSet& changes, WriteBatch& batch) const {
  HPC_ASSIGN_OR_RETURN(std::optional<ledger::StateMeta> meta, get_meta());
  HPC_TRY(ledger::check_change_set_follows(meta, changes));
  HPC_ASSERT(changes.meta.latest_version == changes.version);
  for (const auto& [key, value] : changes.writes) {
    if (value) {
      batch.put(Column::kState, value_key(key), *value);
    } else {
      batch.erase(Column::kState, value_key(key));
    }
  }
  for (const auto& [key, node] : changes.new_nodes) batch.put(Column::kState, node_key(key), node.encode());
  if (!changes.stale_nodes.empty()) {
    batch.put(Column::kState, version_key(kStaleTag, changes.version), ledger::encode_stale(changes.stale_nodes));
  }
  batch.put(Column::kState, version_key(kRootTag, changes.version), ledger::encode_root(changes.root));
  // Pruning comes after the new writes: a node pruned now was made stale by
  // an older version and is never one this version wrote.
  for (uint64_t v : changes.pruned_roots) batch.erase(Column::kState, version_key(kRootTag, v));
  for (uint64_t v : changes.pruned_stale_lists) batch.erase(Column::kState, version_key(kStaleTag, v));
  for (const auto& k : changes.pruned_nodes) batch.erase(Column::kState, node_key(k));
  batch.put(Column::kState, meta_key(), ledger::encode_meta(changes.meta));
  return Status::ok();
}

Status RocksStateStore::apply(const ledger::ChangeSet& changes) {
  WriteBatch batch;
  HPC_TRY(stage(changes, batch));
  return store_.write(batch);
}

}  // namespace hpchain::storage
