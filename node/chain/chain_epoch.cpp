// Epoch changes in the node (docs/consensus.md, "Epochs"): the block whose
// execution changed the consensus set ends its epoch; the node derives the
// next epoch's start block, executes it like every node does (an empty
// block: end-of-block rules such as the beacon and job deadlines run at its
// height), records the epoch in the same batch, and starts the next core.
// Blocks the old core committed above the last one are not executed.
#include "chain/log.h"
#include "consensus/epoch.h"
#include "node/chain/chain_host_impl.h"

namespace hpchain::node {

void ChainHost::Impl::end_epoch(hpchain::v1::ConsensusSet next) {
  HPC_LOG(kNode, info, "height {} ends epoch {}: waiting for its state certificate", tip_height, epoch_record.epoch());
  pending_epoch = PendingEpoch{std::move(next), tip_height, Clock::now()};
  pending_request.reset();
  end_vote = last_vote;
  end_vote_sent = Clock::now();
  maybe_switch();
}

void ChainHost::Impl::maybe_switch() {
  switch_now = false;
  if (!pending_epoch || stopped) return;
  auto cert = chain.certificate(pending_epoch->end_height);
  if (!cert.is_ok()) return halt(cert.status());
  if (!cert->has_value()) return;
  auto next = std::move(pending_epoch->next);
  pending_epoch.reset();
  switch_epoch(next);
}

void ChainHost::Impl::switch_epoch(const hpchain::v1::ConsensusSet& next) {
  hpchain::v1::EpochRecord record;
  record.set_epoch(epoch_record.epoch() + 1);
  record.set_start_parent_id(tip_id.bytes.data(), tip_id.bytes.size());
  record.set_start_height(tip_height + 1);
  *record.mutable_validators() = next;
  auto set = validator_set_of(next);
  if (!set.is_ok()) return halt(set.status().with_context("the validator set of epoch " + std::to_string(record.epoch())));
  auto start = std::make_shared<const consensus::Block>(
      consensus::epoch_start_block(options.chain_id, record.epoch(), tip_id, tip_height + 1, set->digest()));
  const ExecutionContext ctx{store, state, chain, *set, options.chain_id, &record};
  auto executed = execute_block(ctx, consensus::CommittedBlock{start, consensus::genesis_qc(*start), std::nullopt});
  if (!executed.is_ok()) return halt(executed.status().with_context("executing the start block of epoch " +
                                                                     std::to_string(record.epoch())));
  certifier.reset();
  core.reset();  // both refer to the old set and signer, which install_epoch replaces
  payloads.clear();
  end_vote.clear();
  tip_height = executed->height;
  tip_id = start->id;
  tip_root = executed->state_root;
  last_block_at = Clock::now();
  pending_request.reset();
  if (Status s = install_epoch(std::move(record), std::nullopt); !s.is_ok()) return halt(s);
  on_state(certifier->on_executed(tip_height, tip_id, tip_root, validators->digest()));
  refresh_peers();
  if (metrics != nullptr) metrics->on_block(tip_height, 0, 0);
  HPC_LOG(kNode, info, "epoch {} begins at height {} with {} validators", epoch_record.epoch(), tip_height,
          validators->size());
  apply(core->start());
  publish();
}

void ChainHost::Impl::refresh_peers() {
  if (auto nodes = member_nodes(state, *validators); nodes.is_ok()) validator_nodes = std::move(*nodes);
  if (network == nullptr) return;
  if (auto ids = chain_node_ids(state); ids.is_ok()) network->set_allowed(std::move(*ids));
}

}  // namespace hpchain::node
