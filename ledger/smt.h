// The authenticated state: a versioned binary sparse Merkle tree keyed by
// SHA-256 of the state key, with compressed paths (docs/ledger.md, "State
// root and proofs"; Diem's Jellyfish Merkle tree with arity 2).
//
// Shape, a pure function of the set of keys: a subtree holding no key is
// Empty, one key is a Leaf (placed as high as it is unique), two or more an
// Internal node with a left (bit 0) and a right (bit 1) child. Hashes:
//   Empty    32 zero bytes
//   Leaf     SHA-256(0x00 ‖ key_hash ‖ value_hash)
//   Internal SHA-256(0x01 ‖ hash(left) ‖ hash(right))
// Leaves live inline in their parent's slot; only internal nodes are stored,
// each under a NodeKey (version, depth, path) that never changes once
// written. A new version writes new nodes along the changed paths and marks
// the nodes it replaced stale; old roots stay readable until their stale
// nodes are pruned. Work per update: O(changes × depth), depth ≈ log2(n).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/status.h"

namespace hpchain::ledger {

inline constexpr int kTreeDepthMax = 256;

// Big-endian u64, the byte order of every integer in stored keys (so keys
// sort by number).
inline void put_be64(Bytes& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline uint64_t get_be64(ByteSpan in) {  // in.size() >= 8
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | in[i];
  return v;
}

// Bit `depth` (0 = most significant bit of byte 0) of a key hash.
inline int path_bit(const Hash32& h, int depth) {
  return (h.bytes[static_cast<size_t>(depth / 8)] >> (7 - depth % 8)) & 1;
}

// Where an internal node is stored: the version that wrote it, its depth and
// its path (the first `depth` bits of any key below it, the rest zero).
struct NodeKey {
  uint64_t version = 0;
  uint16_t depth = 0;  // 0..255
  Hash32 path;

  static constexpr size_t kEncodedSize = 8 + 1 + 32;
  // be64(version) ‖ u8(depth) ‖ path: ordered by version first, so the
  // nodes a version wrote are one key range.
  Bytes encode() const;
  static Result<NodeKey> decode(ByteSpan bytes);
  friend auto operator<=>(const NodeKey&, const NodeKey&) = default;
};

// A child position: empty, a leaf (inline), or a reference to a stored
// internal node.
struct Slot {
  enum class Kind : uint8_t { kEmpty = 0, kLeaf = 1, kInternal = 2 };
  Kind kind = Kind::kEmpty;
  Hash32 key_hash;    // leaf: SHA-256 of the state key
  Hash32 hash_value;  // leaf: SHA-256 of the value; internal: the node's hash
  uint64_t version = 0;  // internal: the version that wrote the node

  static Slot leaf(const Hash32& key_hash, const Hash32& value_hash) {
    return {Kind::kLeaf, key_hash, value_hash, 0};
  }
  static Slot internal(const Hash32& node_hash, uint64_t version) {
    return {Kind::kInternal, {}, node_hash, version};
  }
  // The hash this slot contributes to its parent (see the file comment).
  Hash32 hash() const;
  // kind ‖ (leaf: key_hash ‖ value_hash | internal: hash ‖ be64 version).
  void encode_to(Bytes& out) const;
  friend bool operator==(const Slot&, const Slot&) = default;
};

Hash32 leaf_hash(const Hash32& key_hash, const Hash32& value_hash);
Hash32 internal_hash(const Hash32& left, const Hash32& right);

struct InternalNode {
  Slot left;
  Slot right;
  Hash32 hash() const { return internal_hash(left.hash(), right.hash()); }
  Bytes encode() const;
  // Corruption for bytes that are not an encoded node (stored nodes are
  // ours, so a bad one means damaged storage).
  static Result<InternalNode> decode(ByteSpan bytes);
};

// Read access to stored nodes. NotFound for a node that is not stored (a
// pruned version, or a damaged store); other errors are the store's.
class TreeReader {
 public:
  virtual ~TreeReader() = default;
  virtual Result<InternalNode> get_node(const NodeKey& key) const = 0;
};

// One change: set key_hash to value_hash, or delete it (nullopt).
struct TreeUpdate {
  Hash32 key_hash;
  std::optional<Hash32> value_hash;
};

struct TreeDelta {
  Slot root;
  std::vector<std::pair<NodeKey, InternalNode>> new_nodes;  // all of `version`
  std::vector<NodeKey> stale_nodes;  // replaced by this version
};

// Applies `updates` (sorted by key_hash, no duplicates: asserted) to the tree
// whose root is `root`, writing new nodes as `version` (greater than every
// version in the tree). Deleting an absent key changes nothing. Errors come
// only from the reader.
Result<TreeDelta> update_tree(const TreeReader& reader, const Slot& root, uint64_t version,
                              const std::vector<TreeUpdate>& updates);

// The root of a tree holding exactly `leaves` (sorted, unique, all with a
// value), computed without storage: what a full state dump must give.
Slot root_of_leaves(const std::vector<TreeUpdate>& leaves);

}  // namespace hpchain::ledger
