// Proofs of inclusion and exclusion against a state root (docs/ledger.md,
// "Proof format", which gives the bytes for clients in other languages).
//
// The verifier needs only the root, the key, the value (for inclusion) and
// the proof; it trusts nothing else. It is small on purpose: the Python
// client implements it again from docs/ledger.md.
#pragma once

#include <optional>
#include <vector>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/status.h"
#include "ledger/smt.h"

namespace hpchain::ledger {

struct StateProof {
  // The siblings of the path from the root down to where the walk for the
  // key ended, top first: siblings[i] is the hash of the other child at
  // depth i + 1's parent (depth i).
  std::vector<Hash32> siblings;
  // Where the walk ended: an empty slot, or a leaf (the key's own, for
  // inclusion; another key's sharing the walked path, for exclusion).
  std::optional<Slot> leaf;  // kind kLeaf when set

  static constexpr size_t kSiblingsMax = kTreeDepthMax;
  // Encoded: u8 1 (format) ‖ u8 terminal (0 empty, 1 leaf) ‖ [32 key hash ‖
  // 32 value hash] ‖ u16be sibling count ‖ count × 32 bytes. At most
  // 4 + 64 + 256 × 32 bytes.
  static constexpr size_t kEncodedMax = 4 + 64 + kSiblingsMax * 32;
  Bytes encode() const;
  // InvalidArgument for anything but an exact encoding (wrong format byte,
  // unknown terminal, more than 256 siblings, a length that disagrees).
  static Result<StateProof> decode(ByteSpan bytes);
};

// Ok when the proof shows `key` holding `value` under `root`. InvalidArgument
// "proof does not match the root" (or a more precise reason) otherwise.
Status verify_inclusion(const Hash32& root, ByteSpan key, ByteSpan value, const StateProof& proof);

// Ok when the proof shows that `key` holds no value under `root`.
Status verify_exclusion(const Hash32& root, ByteSpan key, const StateProof& proof);

// The proof for `key_hash` in the tree whose root is `root`. NotFound when a
// node on the path is no longer stored (its version was pruned).
Result<StateProof> prove(const TreeReader& reader, const Slot& root, const Hash32& key_hash);

}  // namespace hpchain::ledger
