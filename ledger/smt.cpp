#include "ledger/smt.h"

#include <algorithm>
#include <span>

#include "chain/check.h"

namespace hpchain::ledger {
namespace {

Hash32 hash_from(ByteSpan in) {
  Hash32 h;
  std::copy(in.begin(), in.begin() + 32, h.bytes.begin());
  return h;
}

// The path of the child `bit` below a node at `depth` with path `path`.
Hash32 child_path(Hash32 path, int depth, int bit) {
  if (bit) path.bytes[static_cast<size_t>(depth / 8)] |= static_cast<uint8_t>(0x80 >> (depth % 8));
  return path;
}

// Builds the tree update: one recursive walk down the changed paths only.
class Updater {
 public:
  Updater(const TreeReader* reader, uint64_t version, TreeDelta* delta)
      : reader_(reader), version_(version), delta_(delta) {}

  Result<Slot> update(const Slot& slot, int depth, const Hash32& path,
                      std::span<const TreeUpdate> updates) {
    if (updates.empty()) return slot;
    switch (slot.kind) {
      case Slot::Kind::kEmpty:
        return build(depth, path, updates);
      case Slot::Kind::kLeaf:
        return merge_leaf(slot, depth, path, updates);
      case Slot::Kind::kInternal:
        break;
    }
    HPC_ASSERT(reader_ != nullptr);
    const NodeKey key{slot.version, static_cast<uint16_t>(depth), path};
    HPC_ASSIGN_OR_RETURN(InternalNode node, reader_->get_node(key));
    delta_->stale_nodes.push_back(key);
    auto split = split_at(updates, depth);
    HPC_ASSIGN_OR_RETURN(Slot left, update(node.left, depth + 1, child_path(path, depth, 0),
                                           updates.first(split)));
    HPC_ASSIGN_OR_RETURN(Slot right, update(node.right, depth + 1, child_path(path, depth, 1),
                                            updates.subspan(split)));
    return join(left, right, depth, path);
  }

  // A subtree that held nothing: only the insertions count.
  Slot build(int depth, const Hash32& path, std::span<const TreeUpdate> updates) {
    size_t inserts = 0;
    const TreeUpdate* only = nullptr;
    for (const auto& u : updates) {
      if (u.value_hash) {
        ++inserts;
        only = &u;
      }
    }
    if (inserts == 0) return Slot{};
    if (inserts == 1) return Slot::leaf(only->key_hash, *only->value_hash);
    HPC_ASSERT(depth < kTreeDepthMax);  // two distinct 256-bit keys differ somewhere
    auto split = split_at(updates, depth);
    Slot left = build(depth + 1, child_path(path, depth, 0), updates.first(split));
    Slot right = build(depth + 1, child_path(path, depth, 1), updates.subspan(split));
    return join(left, right, depth, path);
  }

 private:
  // The existing leaf joins the updates unless one of them names its key.
  Slot merge_leaf(const Slot& leaf, int depth, const Hash32& path,
                  std::span<const TreeUpdate> updates) {
    auto at = std::lower_bound(updates.begin(), updates.end(), leaf.key_hash,
                               [](const TreeUpdate& u, const Hash32& k) { return u.key_hash < k; });
    if (at != updates.end() && at->key_hash == leaf.key_hash) return build(depth, path, updates);
    std::vector<TreeUpdate> merged(updates.begin(), at);
    merged.push_back({leaf.key_hash, leaf.hash_value});
    merged.insert(merged.end(), at, updates.end());
    return build(depth, path, merged);
  }

  static size_t split_at(std::span<const TreeUpdate> updates, int depth) {
    auto it = std::partition_point(updates.begin(), updates.end(), [depth](const TreeUpdate& u) {
      return path_bit(u.key_hash, depth) == 0;
    });
    return static_cast<size_t>(it - updates.begin());
  }

  // The canonical parent of two children: nothing, a lone leaf moved up, or
  // a new internal node.
  Slot join(const Slot& left, const Slot& right, int depth, const Hash32& path) {
    using K = Slot::Kind;
    if (left.kind == K::kEmpty && right.kind == K::kEmpty) return Slot{};
    if (left.kind == K::kEmpty && right.kind == K::kLeaf) return right;
    if (right.kind == K::kEmpty && left.kind == K::kLeaf) return left;
    InternalNode node{left, right};
    Slot slot = Slot::internal(node.hash(), version_);
    if (delta_ != nullptr) {
      delta_->new_nodes.push_back({NodeKey{version_, static_cast<uint16_t>(depth), path}, node});
    }
    return slot;
  }

  const TreeReader* reader_;
  uint64_t version_;
  TreeDelta* delta_;  // null: compute the root only
};

}  // namespace

Bytes NodeKey::encode() const {
  Bytes out;
  out.reserve(kEncodedSize);
  put_be64(out, version);
  out.push_back(static_cast<uint8_t>(depth));
  out.insert(out.end(), path.bytes.begin(), path.bytes.end());
  return out;
}

Result<NodeKey> NodeKey::decode(ByteSpan bytes) {
  if (bytes.size() != kEncodedSize) return Status::corruption("tree node key of wrong length");
  return NodeKey{get_be64(bytes), bytes[8], hash_from(bytes.subspan(9))};
}

// One hasher per thread: creating an OpenSSL context per hash cost more
// than the hash itself.
Sha256& tree_hasher() {
  thread_local Sha256 h;
  return h;
}

Hash32 leaf_hash(const Hash32& key_hash, const Hash32& value_hash) {
  Sha256& h = tree_hasher();
  const uint8_t tag = 0x00;
  return h.update(ByteSpan(&tag, 1)).update(key_hash.span()).update(value_hash.span()).finish();
}

Hash32 internal_hash(const Hash32& left, const Hash32& right) {
  Sha256& h = tree_hasher();
  const uint8_t tag = 0x01;
  return h.update(ByteSpan(&tag, 1)).update(left.span()).update(right.span()).finish();
}

Hash32 Slot::hash() const {
  switch (kind) {
    case Kind::kEmpty: return Hash32{};
    case Kind::kLeaf: return leaf_hash(key_hash, hash_value);
    case Kind::kInternal: return hash_value;
  }
  HPC_ASSERT(false);
  return {};
}

void Slot::encode_to(Bytes& out) const {
  out.push_back(static_cast<uint8_t>(kind));
  if (kind == Kind::kLeaf) {
    out.insert(out.end(), key_hash.bytes.begin(), key_hash.bytes.end());
    out.insert(out.end(), hash_value.bytes.begin(), hash_value.bytes.end());
  } else if (kind == Kind::kInternal) {
    out.insert(out.end(), hash_value.bytes.begin(), hash_value.bytes.end());
    put_be64(out, version);
  }
}

Bytes InternalNode::encode() const {
  Bytes out;
  out.reserve(2 * 65);
  left.encode_to(out);
  right.encode_to(out);
  return out;
}

namespace {
Result<Slot> decode_slot(ByteSpan& in) {
  if (in.empty()) return Status::corruption("truncated tree node");
  const uint8_t kind = in[0];
  in = in.subspan(1);
  if (kind == static_cast<uint8_t>(Slot::Kind::kEmpty)) return Slot{};
  if (kind == static_cast<uint8_t>(Slot::Kind::kLeaf)) {
    if (in.size() < 64) return Status::corruption("truncated tree node");
    Slot s = Slot::leaf(hash_from(in), hash_from(in.subspan(32)));
    in = in.subspan(64);
    return s;
  }
  if (kind == static_cast<uint8_t>(Slot::Kind::kInternal)) {
    if (in.size() < 40) return Status::corruption("truncated tree node");
    Slot s = Slot::internal(hash_from(in), get_be64(in.subspan(32)));
    in = in.subspan(40);
    return s;
  }
  return Status::corruption("tree node with an unknown slot kind");
}
}  // namespace

Result<InternalNode> InternalNode::decode(ByteSpan bytes) {
  HPC_ASSIGN_OR_RETURN(Slot left, decode_slot(bytes));
  HPC_ASSIGN_OR_RETURN(Slot right, decode_slot(bytes));
  if (!bytes.empty()) return Status::corruption("tree node with trailing bytes");
  return InternalNode{left, right};
}

Result<TreeDelta> update_tree(const TreeReader& reader, const Slot& root, uint64_t version,
                              const std::vector<TreeUpdate>& updates) {
  for (size_t i = 1; i < updates.size(); ++i) HPC_ASSERT(updates[i - 1].key_hash < updates[i].key_hash);
  TreeDelta delta;
  Updater updater(&reader, version, &delta);
  HPC_ASSIGN_OR_RETURN(delta.root, updater.update(root, 0, Hash32{}, updates));
  return delta;
}

Slot root_of_leaves(const std::vector<TreeUpdate>& leaves) {
  for (size_t i = 1; i < leaves.size(); ++i) HPC_ASSERT(leaves[i - 1].key_hash < leaves[i].key_hash);
  Updater updater(nullptr, 0, nullptr);
  return updater.build(0, Hash32{}, leaves);
}

}  // namespace hpchain::ledger
