// State sync in the simulator: what a node's snapshot transfer would do,
// reduced to handing over committed blocks and their state.
#include <algorithm>

#include "tests/sim/world.h"

namespace hpchain::sim {

void World::state_sync(uint32_t i) {
  Instance& inst = instances_[i];
  // The source: the most advanced honest instance that is up. A node would
  // ask a peer and check the snapshot against the commit proof; here the
  // proof is checked by on_synced, and agreement by append_commit.
  const Instance* source = nullptr;
  for (uint32_t j = 0; j < instances_.size(); ++j) {
    const Instance& other = instances_[j];
    if (j == i || !other.up || !honest(other.validator) || cut(i, j)) continue;
    if (source == nullptr || other.chain.size() > source->chain.size()) source = &other;
  }
  if (source == nullptr) return;
  // Up to the highest commit that carries its proof, in our epoch: a later
  // epoch is reached through its proof (epoch_sync).
  size_t top = std::min<uint64_t>(source->chain.size(), epoch_of(i).end_height);
  while (top > 0 && !source->chain[top - 1].proof) --top;
  if (top <= inst.chain.size()) return;
  const std::vector<consensus::CommittedBlock> handed(source->chain.begin() + inst.chain.size(),
                                                      source->chain.begin() + top);
  const consensus::CommittedBlock& last = handed.back();
  consensus::Actions actions = inst.core->on_synced(last.block, *last.proof);
  // The core checks the proof; a refused one (a broken variant's commit
  // is no 2-chain) hands nothing over.
  // (Accepted, the root is the synced block or a block the commits it
  // implies reached.)
  if (inst.core->committed_root().height() < last.block->height()) return apply(i, std::move(actions));
  for (const auto& c : handed) append_commit(i, c);
  ++result_.state_syncs;
  result_.max_sync_jump = std::max<uint64_t>(result_.max_sync_jump, handed.size());
  const uint32_t generation = inst.generation;
  execute(i, *last.block);
  // The commits the synced block implies, above it (unless executing it
  // ended the epoch or halted us).
  if (inst.generation == generation) apply(i, std::move(actions));
}

}  // namespace hpchain::sim
