// Durable storage of the uncommitted block tree and of the highest QC and
// TC (Aptos ConsensusDB; docs/consensus.md section 5).
//
// Why: the committed root and the safety state alone do not survive a
// restart of every validator. If f+1 honest validators voted for a block
// and all of them restart, the next leader must build on the highest
// certified block, which no voter holds any more, and the TC lock refuses
// anything lower: the chain halts for good. So the core saves each block
// before it votes for it (and each fetched block it links into the tree),
// and each QC or TC that raises its highest one, and restores them on
// create().
//
// The calls are synchronous, as SafetyStorage::save is: a call returns only
// once its write would survive a crash, so no vote can leave before the
// block it is for is durable. Blocks are pruned once the host reports that
// it executed (and so stored) a height at or above theirs, never before: a
// committed block lives in this storage until the host's own store has it.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "consensus/types.h"

namespace hpchain::consensus {

struct SavedTree {
  std::vector<BlockPtr> blocks;  // any order; the core keeps those that link to its root
  std::optional<QuorumCert> high_qc;
  std::optional<TimeoutCert> high_tc;
};

// Errors are returned as Status (IoError, Corruption). A failed save costs
// our vote for that block (counted as kStorageFailed); nothing else changes.
class TreeStorage {
 public:
  virtual ~TreeStorage() = default;
  virtual Result<SavedTree> load() = 0;
  virtual Status save_block(const BlockPtr& block) = 0;  // saving a saved block again is a no-op
  virtual Status save_high_qc(const QuorumCert& qc) = 0;  // replaces the saved one
  virtual Status save_high_tc(const TimeoutCert& tc) = 0;  // replaces the saved one
  virtual Status prune(const std::vector<Hash32>& block_ids) = 0;  // unknown ids are ignored
};

// A TreeStorage in memory: it survives a core's restart within one process
// (the simulator's crashes, tests), not a process crash.
class MemoryTreeStorage final : public TreeStorage {
 public:
  Result<SavedTree> load() override;
  Status save_block(const BlockPtr& block) override;
  Status save_high_qc(const QuorumCert& qc) override;
  Status save_high_tc(const TimeoutCert& tc) override;
  Status prune(const std::vector<Hash32>& block_ids) override;

  size_t block_count() const { return blocks_.size(); }
  bool has_block(const Hash32& id) const { return blocks_.count(id) != 0; }
  void lose() { *this = MemoryTreeStorage(); }  // a lost disk
  bool fail = false;  // tests: every save fails with IoError

 private:
  std::map<Hash32, BlockPtr> blocks_;
  std::optional<QuorumCert> high_qc_;
  std::optional<TimeoutCert> high_tc_;
};

}  // namespace hpchain::consensus
