#include "consensus/tree_storage.h"

namespace hpchain::consensus {

Result<SavedTree> MemoryTreeStorage::load() {
  SavedTree saved;
  for (const auto& [id, block] : blocks_) saved.blocks.push_back(block);
  saved.high_qc = high_qc_;
  saved.high_tc = high_tc_;
  return saved;
}

Status MemoryTreeStorage::save_block(const BlockPtr& block) {
  if (fail) return Status::io_error("tree storage: disk full");
  blocks_.emplace(block->id, block);
  return Status::ok();
}

Status MemoryTreeStorage::save_high_qc(const QuorumCert& qc) {
  if (fail) return Status::io_error("tree storage: disk full");
  high_qc_ = qc;
  return Status::ok();
}

Status MemoryTreeStorage::save_high_tc(const TimeoutCert& tc) {
  if (fail) return Status::io_error("tree storage: disk full");
  high_tc_ = tc;
  return Status::ok();
}

Status MemoryTreeStorage::prune(const std::vector<Hash32>& block_ids) {
  for (const Hash32& id : block_ids) blocks_.erase(id);
  return Status::ok();
}

}  // namespace hpchain::consensus
