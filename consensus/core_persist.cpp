// ConsensusCore: the saved block tree (tree_storage.h). What a restart
// restores, what is saved before a vote, and what is pruned after the host
// executed it.
#include <algorithm>

#include "chain/log.h"
#include "consensus/core.h"

namespace hpchain::consensus {

void ConsensusCore::restore(SavedTree saved) {
  // Everything we saved was verified before it was saved, so it is trusted
  // here as the safety state is. Blocks are inserted parent first; those
  // at or below the root, or not linking to it (forks the root left
  // behind), stay out of the tree and are pruned with the rest.
  std::stable_sort(saved.blocks.begin(), saved.blocks.end(),
                   [](const BlockPtr& a, const BlockPtr& b) { return a->height() < b->height(); });
  for (const BlockPtr& block : saved.blocks) {
    saved_blocks_.emplace(block->id, block->height());
    if (block->epoch_matches(epoch()) && block->height() > tree_.root().height() &&
        tree_.contains(block->parent_id())) {
      (void)tree_.insert(block);
    }
  }
  // Certificates whose block is not in the tree are of an earlier epoch
  // (QCs do not name their epoch: their signatures do), or of a fork the
  // root left behind; neither may lead this epoch's rounds.
  auto ours = [&](const QuorumCert& qc) { return tree_.contains(qc.block_id); };
  std::optional<QuorumCert> qc = saved.high_qc && ours(*saved.high_qc) ? saved.high_qc : std::nullopt;
  std::optional<TimeoutCert> tc = saved.high_tc && ours(saved.high_tc->high_qc) ? saved.high_tc : std::nullopt;
  resume_from(qc, tc);
}

bool ConsensusCore::persist_block(const BlockPtr& block) {
  if (tree_storage_ == nullptr || saved_blocks_.count(block->id) != 0) return true;
  if (Status s = tree_storage_->save_block(block); !s.is_ok()) {
    reject({false, RejectReason::kStorageFailed, s.to_string()});
    return false;
  }
  saved_blocks_.emplace(block->id, block->height());
  return true;
}

void ConsensusCore::persist_high_qc(const QuorumCert& qc) {
  if (tree_storage_ == nullptr) return;
  // Not a safety matter (the safety state keeps the lock): on failure the
  // QC still serves in memory.
  if (Status s = tree_storage_->save_high_qc(qc); !s.is_ok()) {
    reject({false, RejectReason::kStorageFailed, s.to_string()});
  }
}

void ConsensusCore::persist_high_tc(const TimeoutCert& tc) {
  if (tree_storage_ == nullptr) return;
  if (Status s = tree_storage_->save_high_tc(tc); !s.is_ok()) {
    reject({false, RejectReason::kStorageFailed, s.to_string()});
  }
}

void ConsensusCore::prune_saved(uint64_t executed_height) {
  if (tree_storage_ == nullptr) return;
  // The host stored and executed everything up to executed_height, so a
  // saved block at or below it that left the tree is committed (and in the
  // host's store) or on an abandoned fork.
  std::vector<Hash32> gone;
  for (auto it = saved_blocks_.begin(); it != saved_blocks_.end();) {
    if (it->second <= executed_height && !tree_.contains(it->first)) {
      gone.push_back(it->first);
      it = saved_blocks_.erase(it);
    } else {
      ++it;
    }
  }
  if (gone.empty()) return;
  if (Status s = tree_storage_->prune(gone); !s.is_ok()) {
    // Harmless: what stays is ignored on the next restore and pruned then.
    HPC_LOG_RATE_LIMITED(kConsensus, warn, "tree storage prune failed: {}", s.to_string());
  }
}

}  // namespace hpchain::consensus
