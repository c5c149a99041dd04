// The tree of uncommitted blocks above the committed root, and the 2-chain
// commit rule (Jolteon section 4; DiemBFT v4 section 4.2).
//
// Bounded memory: every block in the tree is either a proposal of the
// round's leader (at most one per round; a second is rejected as
// equivocation) or a fetched block named by a verified QC, and rounds are
// admitted only up to current_round + kMaxFutureRounds; everything that does
// not descend from the committed root is pruned on each commit.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "consensus/types.h"
#include "consensus/unsafe_variants.h"
#include "consensus/validation.h"

namespace hpchain::consensus {

// What shows that a block B is committed (the 2-chain rule): its child C,
// whose round is B's + 1 and whose parent QC certifies B, and a QC for C.
// A QC for B alone shows only that B is certified, not that it committed.
struct CommitProof {
  BlockPtr child;
  QuorumCert child_qc;
};

struct CommittedBlock {
  BlockPtr block;
  QuorumCert qc;  // certifies `block`
  // Set on the highest block of each commit (its ancestors are committed
  // through their hash links to it): what state sync must present to
  // ConsensusCore::on_synced.
  std::optional<CommitProof> proof;
};

HPC_CONSENSUS_VARIANT_BEGIN

class BlockTree {
 public:
  BlockTree(BlockPtr root, QuorumCert root_qc);
#if defined(HPCHAIN_UNSAFE_VARIANTS)
  // Test-only: the broken commit rule (UnsafeVariants::commit_non_consecutive).
  void set_commit_non_consecutive(bool on) { commit_non_consecutive_ = on; }
#endif

  const Block& root() const { return *root_; }
  const QuorumCert& root_qc() const { return root_qc_; }
  BlockPtr find(const Hash32& id) const;
  bool contains(const Hash32& id) const { return find(id) != nullptr; }
  size_t size() const { return blocks_.size(); }
  // Every block, the root included, in height order (ties by id).
  std::vector<BlockPtr> blocks_by_height() const;

  // Inserts a block whose parent is in the tree. kBadBlock when its height
  // is not the parent's + 1 or its round is not above the parent's;
  // kStaleRound when the parent is unknown (callers fetch it first).
  // Inserting a block already present is accepted and changes nothing.
  Verdict insert(BlockPtr block);

  // The 2-chain rule: if `qc` certifies block B in the tree whose parent P
  // has round B.round - 1 and lies above the root, P and its uncommitted
  // ancestors commit. Returns them in height order with their certifying
  // QCs, makes P the root and prunes everything not descending from it.
  // The highest committed block carries `qc`'s block as its CommitProof.
  // Returns nothing when the rule does not apply.
  std::vector<CommittedBlock> commit_for(const QuorumCert& qc);

  // Replaces the whole tree by `root` (state sync jumped past it).
  void reset(BlockPtr root, QuorumCert root_qc);

 private:
  void prune_to_root();

  BlockPtr root_;
  QuorumCert root_qc_;
  std::map<Hash32, BlockPtr> blocks_;  // includes the root
#if defined(HPCHAIN_UNSAFE_VARIANTS)
  bool commit_non_consecutive_ = false;
#endif
};

HPC_CONSENSUS_VARIANT_END

}  // namespace hpchain::consensus
