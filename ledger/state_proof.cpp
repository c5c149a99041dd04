#include "ledger/state_proof.h"

#include <algorithm>

#include "chain/check.h"

namespace hpchain::ledger {
namespace {

constexpr uint8_t kProofFormat = 1;

Hash32 read_hash(ByteSpan in) {
  Hash32 h;
  std::copy(in.begin(), in.begin() + 32, h.bytes.begin());
  return h;
}

// The root implied by `proof` for a walk along `key_hash`.
Hash32 implied_root(const Hash32& key_hash, const StateProof& proof) {
  Hash32 h = proof.leaf ? proof.leaf->hash() : Hash32{};
  for (size_t i = proof.siblings.size(); i-- > 0;) {
    const Hash32& sibling = proof.siblings[i];
    h = path_bit(key_hash, static_cast<int>(i)) ? internal_hash(sibling, h) : internal_hash(h, sibling);
  }
  return h;
}

bool shares_prefix(const Hash32& a, const Hash32& b, size_t bits) {
  for (size_t i = 0; i < bits; ++i) {
    if (path_bit(a, static_cast<int>(i)) != path_bit(b, static_cast<int>(i))) return false;
  }
  return true;
}

}  // namespace

Bytes StateProof::encode() const {
  HPC_ASSERT(siblings.size() <= kSiblingsMax);
  Bytes out;
  out.reserve(4 + 64 + siblings.size() * 32);
  out.push_back(kProofFormat);
  out.push_back(leaf ? 1 : 0);
  if (leaf) {
    out.insert(out.end(), leaf->key_hash.bytes.begin(), leaf->key_hash.bytes.end());
    out.insert(out.end(), leaf->hash_value.bytes.begin(), leaf->hash_value.bytes.end());
  }
  out.push_back(static_cast<uint8_t>(siblings.size() >> 8));
  out.push_back(static_cast<uint8_t>(siblings.size()));
  for (const auto& s : siblings) out.insert(out.end(), s.bytes.begin(), s.bytes.end());
  return out;
}

Result<StateProof> StateProof::decode(ByteSpan in) {
  if (in.size() < 4 || in.size() > kEncodedMax) return Status::invalid_argument("state proof of impossible length");
  if (in[0] != kProofFormat) return Status::invalid_argument("state proof of unknown format");
  StateProof proof;
  size_t at = 2;
  if (in[1] == 1) {
    if (in.size() < 2 + 64 + 2) return Status::invalid_argument("truncated state proof");
    proof.leaf = Slot::leaf(read_hash(in.subspan(2)), read_hash(in.subspan(34)));
    at += 64;
  } else if (in[1] != 0) {
    return Status::invalid_argument("state proof with an unknown terminal");
  }
  const size_t count = (size_t{in[at]} << 8) | in[at + 1];
  at += 2;
  if (count > kSiblingsMax) return Status::invalid_argument("state proof deeper than 256");
  if (in.size() - at != count * 32) return Status::invalid_argument("state proof length disagrees with its sibling count");
  proof.siblings.reserve(count);
  for (size_t i = 0; i < count; ++i) proof.siblings.push_back(read_hash(in.subspan(at + 32 * i)));
  return proof;
}

Status verify_inclusion(const Hash32& root, ByteSpan key, ByteSpan value, const StateProof& proof) {
  const Hash32 key_hash = sha256(key);
  if (!proof.leaf || proof.leaf->key_hash != key_hash) {
    return Status::invalid_argument("proof does not end at the key's leaf");
  }
  if (proof.leaf->hash_value != sha256(value)) return Status::invalid_argument("proof is for another value");
  if (implied_root(key_hash, proof) != root) return Status::invalid_argument("proof does not match the root");
  return Status::ok();
}

Status verify_exclusion(const Hash32& root, ByteSpan key, const StateProof& proof) {
  const Hash32 key_hash = sha256(key);
  if (proof.leaf) {
    if (proof.leaf->key_hash == key_hash) return Status::invalid_argument("proof shows the key present");
    // The other leaf must sit where the key's walk ends, else any leaf
    // anywhere would "prove" absence.
    if (!shares_prefix(proof.leaf->key_hash, key_hash, proof.siblings.size())) {
      return Status::invalid_argument("proof's leaf is not on the key's path");
    }
  }
  if (implied_root(key_hash, proof) != root) return Status::invalid_argument("proof does not match the root");
  return Status::ok();
}

Result<StateProof> prove(const TreeReader& reader, const Slot& root, const Hash32& key_hash) {
  StateProof proof;
  Slot slot = root;
  Hash32 path;
  for (int depth = 0; slot.kind == Slot::Kind::kInternal; ++depth) {
    HPC_ASSERT(depth < kTreeDepthMax);
    HPC_ASSIGN_OR_RETURN(InternalNode node, reader.get_node(NodeKey{slot.version, static_cast<uint16_t>(depth), path}));
    const int bit = path_bit(key_hash, depth);
    proof.siblings.push_back(bit ? node.left.hash() : node.right.hash());
    slot = bit ? node.right : node.left;
    if (bit) path.bytes[static_cast<size_t>(depth / 8)] |= static_cast<uint8_t>(0x80 >> (depth % 8));
  }
  if (slot.kind == Slot::Kind::kLeaf) proof.leaf = slot;
  return proof;
}

}  // namespace hpchain::ledger
