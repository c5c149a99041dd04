#include "ledger/state_store.h"

#include <algorithm>

#include "chain/check.h"

namespace hpchain::ledger {
namespace {

std::vector<TreeUpdate> tree_updates(const std::vector<std::pair<Bytes, std::optional<Bytes>>>& writes) {
  std::vector<TreeUpdate> updates;
  updates.reserve(writes.size());
  for (const auto& [key, value] : writes) {
    updates.push_back({sha256(key), value ? std::optional<Hash32>(sha256(*value)) : std::nullopt});
  }
  std::sort(updates.begin(), updates.end(),
            [](const TreeUpdate& a, const TreeUpdate& b) { return a.key_hash < b.key_hash; });
  return updates;
}

// Moves the oldest retained version forward and lists what that frees.
Status add_pruning(const StateReader& reader, uint64_t oldest_before, uint64_t version,
                   uint64_t retention, ChangeSet& changes) {
  const uint64_t wanted = version >= retention ? version - retention : 0;
  const uint64_t oldest = std::max(oldest_before, std::min(wanted, oldest_before + kPruneVersionsPerChangeMax));
  for (uint64_t u = oldest_before; u < oldest; ++u) changes.pruned_roots.push_back(u);
  // Nodes made stale by version s belong only to roots older than s.
  for (uint64_t s = oldest_before + 1; s <= oldest; ++s) {
    HPC_ASSIGN_OR_RETURN(auto nodes, reader.get_stale(s));
    if (!nodes.empty()) changes.pruned_stale_lists.push_back(s);
    changes.pruned_nodes.insert(changes.pruned_nodes.end(), nodes.begin(), nodes.end());
  }
  changes.meta.oldest_version = oldest;
  return Status::ok();
}

}  // namespace

Status check_change_set_follows(const std::optional<StateMeta>& meta, const ChangeSet& changes) {
  if (meta && changes.version != meta->latest_version + 1) {
    return Status::failed_precondition("state change set for version " + std::to_string(changes.version) +
                                       " does not follow the stored version " +
                                       std::to_string(meta->latest_version));
  }
  return Status::ok();
}

Result<ChangeSet> build_change_set(const StateReader& reader, uint64_t version,
                                   std::vector<std::pair<Bytes, std::optional<Bytes>>> writes,
                                   uint64_t retention) {
  HPC_ASSERT(retention >= 1);
  std::sort(writes.begin(), writes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < writes.size(); ++i) HPC_ASSERT(writes[i - 1].first != writes[i].first);
  HPC_ASSIGN_OR_RETURN(std::optional<StateMeta> meta, reader.get_meta());
  Slot previous_root;
  if (meta) {
    HPC_ASSERT(version == meta->latest_version + 1);
    HPC_ASSIGN_OR_RETURN(previous_root, reader.get_root(meta->latest_version));
  }
  HPC_ASSIGN_OR_RETURN(TreeDelta delta, update_tree(reader, previous_root, version, tree_updates(writes)));
  ChangeSet changes;
  changes.version = version;
  changes.writes = std::move(writes);
  changes.new_nodes = std::move(delta.new_nodes);
  changes.stale_nodes = std::move(delta.stale_nodes);
  changes.root = delta.root;
  changes.meta.latest_version = version;
  HPC_TRY(add_pruning(reader, meta ? meta->oldest_version : version, version, retention, changes));
  return changes;
}

Result<Hash32> root_of_dump(const StateReader& reader) {
  std::vector<std::pair<Bytes, std::optional<Bytes>>> all;
  HPC_TRY(reader.for_each_value([&](ByteSpan key, ByteSpan value) {
    all.emplace_back(Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end()));
    return true;
  }));
  return root_of_leaves(tree_updates(all)).hash();
}

Bytes encode_root(const Slot& root) {
  Bytes out;
  root.encode_to(out);
  return out;
}

Result<Slot> decode_root(ByteSpan bytes) {
  // A root is a slot; decode it as the left half of a node with an empty right.
  Bytes node(bytes.begin(), bytes.end());
  node.push_back(static_cast<uint8_t>(Slot::Kind::kEmpty));
  HPC_ASSIGN_OR_RETURN(InternalNode n, InternalNode::decode(node));
  return n.left;
}

Bytes encode_stale(const std::vector<NodeKey>& keys) {
  Bytes out;
  out.reserve(keys.size() * NodeKey::kEncodedSize);
  for (const auto& k : keys) {
    Bytes e = k.encode();
    out.insert(out.end(), e.begin(), e.end());
  }
  return out;
}

Result<std::vector<NodeKey>> decode_stale(ByteSpan bytes) {
  if (bytes.size() % NodeKey::kEncodedSize != 0) return Status::corruption("stale node list of wrong length");
  std::vector<NodeKey> keys;
  keys.reserve(bytes.size() / NodeKey::kEncodedSize);
  for (size_t at = 0; at < bytes.size(); at += NodeKey::kEncodedSize) {
    HPC_ASSIGN_OR_RETURN(NodeKey k, NodeKey::decode(bytes.subspan(at, NodeKey::kEncodedSize)));
    keys.push_back(k);
  }
  return keys;
}

Bytes encode_meta(const StateMeta& meta) {
  Bytes out;
  put_be64(out, meta.latest_version);
  put_be64(out, meta.oldest_version);
  return out;
}

Result<StateMeta> decode_meta(ByteSpan bytes) {
  if (bytes.size() != 16) return Status::corruption("state meta record of wrong length");
  return StateMeta{get_be64(bytes), get_be64(bytes.subspan(8))};
}

Result<InternalNode> MemoryStateStore::get_node(const NodeKey& key) const {
  auto it = nodes_.find(key);
  if (it == nodes_.end()) return Status::not_found("state tree node is not stored (its version was pruned?)");
  return it->second;
}

Result<std::optional<Bytes>> MemoryStateStore::get_value(ByteSpan key) const {
  auto it = values_.find(Bytes(key.begin(), key.end()));
  if (it == values_.end()) return std::optional<Bytes>{};
  return std::optional<Bytes>(it->second);
}

Result<std::optional<StateMeta>> MemoryStateStore::get_meta() const { return meta_; }

Result<Slot> MemoryStateStore::get_root(uint64_t version) const {
  auto it = roots_.find(version);
  if (it == roots_.end()) return Status::not_found("state root of version " + std::to_string(version) + " is not retained");
  return it->second;
}

Result<std::vector<NodeKey>> MemoryStateStore::get_stale(uint64_t version) const {
  auto it = stale_.find(version);
  if (it == stale_.end()) return std::vector<NodeKey>{};
  return it->second;
}

Status MemoryStateStore::for_each_value(const std::function<bool(ByteSpan, ByteSpan)>& fn) const {
  for (const auto& [k, v] : values_) {
    if (!fn(k, v)) break;
  }
  return Status::ok();
}

Status MemoryStateStore::apply(const ChangeSet& changes) {
  HPC_TRY(check_change_set_follows(meta_, changes));
  for (const auto& [key, value] : changes.writes) {
    if (value) {
      values_[key] = *value;
    } else {
      values_.erase(key);
    }
  }
  for (const auto& [key, node] : changes.new_nodes) nodes_[key] = node;
  if (!changes.stale_nodes.empty()) stale_[changes.version] = changes.stale_nodes;
  roots_[changes.version] = changes.root;
  for (uint64_t v : changes.pruned_roots) roots_.erase(v);
  for (uint64_t v : changes.pruned_stale_lists) stale_.erase(v);
  for (const auto& k : changes.pruned_nodes) nodes_.erase(k);
  meta_ = changes.meta;
  return Status::ok();
}

}  // namespace hpchain::ledger
