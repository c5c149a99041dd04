// The consensus core's saved block tree (consensus::TreeStorage) on the
// node's RocksDB Store, column `consensus`: each block under "b" ‖ id, the
// highest QC under "q" and the highest TC under "t", all as their consensus
// protos. Every call is one write batch, fsynced when the Store syncs
// writes (the default), so it returns only once the write is durable, as
// the core requires before it votes. A value that does not decode is
// Corruption naming its key: the node stops rather than vote on a tree it
// cannot trust.
#pragma once

#include "consensus/tree_storage.h"
#include "node/storage/store.h"

namespace hpchain::storage {

class RocksTreeStorage final : public consensus::TreeStorage {
 public:
  // `store` must outlive this object.
  explicit RocksTreeStorage(Store& store) : store_(store) {}

  Result<consensus::SavedTree> load() override;
  Status save_block(const consensus::BlockPtr& block) override;
  Status save_high_qc(const consensus::QuorumCert& qc) override;
  Status save_high_tc(const consensus::TimeoutCert& tc) override;
  Status prune(const std::vector<Hash32>& block_ids) override;

  // The most blocks load() reads: far above any tree the core keeps
  // (it prunes once blocks are executed), so a larger count is Corruption.
  static constexpr size_t kMaxSavedBlocks = 100'000;

 private:
  Store& store_;
};

}  // namespace hpchain::storage
