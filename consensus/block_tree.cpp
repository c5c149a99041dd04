#include "consensus/block_tree.h"

#include <algorithm>

namespace hpchain::consensus {

BlockTree::BlockTree(BlockPtr root, QuorumCert root_qc) { reset(std::move(root), std::move(root_qc)); }

void BlockTree::reset(BlockPtr root, QuorumCert root_qc) {
  HPC_ASSERT(root != nullptr);
  HPC_ASSERT(root_qc.block_id == root->id && root_qc.height == root->height());
  root_ = std::move(root);
  root_qc_ = std::move(root_qc);
  blocks_.clear();
  blocks_.emplace(root_->id, root_);
}

BlockPtr BlockTree::find(const Hash32& id) const {
  auto it = blocks_.find(id);
  return it == blocks_.end() ? nullptr : it->second;
}

Verdict BlockTree::insert(BlockPtr block) {
  HPC_ASSERT(block != nullptr);
  if (blocks_.count(block->id) != 0) return Verdict::accept();
  BlockPtr parent = find(block->parent_id());
  if (parent == nullptr) return Verdict::reject(RejectReason::kUnknownParent, "parent not in the block tree");
  if (block->height() != parent->height() + 1 || block->round() <= parent->round()) {
    return Verdict::reject(RejectReason::kBadBlock, "height or round does not follow the parent");
  }
  blocks_.emplace(block->id, std::move(block));
  return Verdict::accept();
}

std::vector<CommittedBlock> BlockTree::commit_for(const QuorumCert& qc) {
  BlockPtr certified = find(qc.block_id);
  if (certified == nullptr) return {};
  HPC_ASSERT(certified->round() == qc.round && certified->height() == qc.height);
  BlockPtr parent = find(certified->parent_id());
  bool consecutive = parent != nullptr && parent->round() + 1 == certified->round();
#if defined(HPCHAIN_UNSAFE_VARIANTS)
  consecutive = consecutive || (parent != nullptr && commit_non_consecutive_);
#endif
  if (parent == nullptr || !consecutive || parent->height() <= root_->height()) return {};
  std::vector<CommittedBlock> chain;
  chain.push_back(CommittedBlock{parent, certified->parent_qc(), CommitProof{certified, qc}});
  for (BlockPtr cur = parent; cur->parent_id() != root_->id;) {
    BlockPtr up = find(cur->parent_id());
    // Insertion requires the parent, so every block links down to the root.
    HPC_ASSERT(up != nullptr && up->height() > root_->height());
    chain.push_back(CommittedBlock{up, cur->parent_qc(), std::nullopt});
    cur = up;
  }
  std::reverse(chain.begin(), chain.end());
  HPC_ASSERT(chain.front().block->height() == root_->height() + 1);
  root_ = parent;
  root_qc_ = certified->parent_qc();
  prune_to_root();
  return chain;
}

std::vector<BlockPtr> BlockTree::blocks_by_height() const {
  std::vector<BlockPtr> by_height;
  for (const auto& [id, b] : blocks_) by_height.push_back(b);
  // Stable over the map's id order: ties stay ordered by id.
  std::stable_sort(by_height.begin(), by_height.end(),
                   [](const BlockPtr& a, const BlockPtr& b) { return a->height() < b->height(); });
  return by_height;
}

void BlockTree::prune_to_root() {
  // A block survives if walking up its parents reaches the root. Blocks are
  // visited in height order so each parent's verdict is known first.
  std::map<Hash32, BlockPtr> kept;
  kept.emplace(root_->id, root_);
  for (const auto& b : blocks_by_height()) {
    if (b->height() <= root_->height()) continue;
    if (kept.count(b->parent_id()) != 0) kept.emplace(b->id, b);
  }
  blocks_ = std::move(kept);
}

}  // namespace hpchain::consensus
