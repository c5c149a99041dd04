// Block sync's two pure halves (block_sync.cpp has the protocol around
// them): what a node serves for a SyncRequest, and the checks a batch must
// pass before the receiving node executes any of it.
#pragma once

#include <string>
#include <vector>

#include "consensus/block_tree.h"
#include "consensus/validation.h"
#include "hpchain/v1/store.pb.h"
#include "node/chain/chain_store.h"

namespace hpchain::node {

// Consecutive committed blocks from request.from_height (at most
// kSyncBatchBlocks, and about kSyncResponseBytes), ending with the last one
// that carries a commit proof; empty when none is within reach.
hpchain::v1::SyncResponse serve_sync_request(const ChainStore& chain, const hpchain::v1::SyncRequest& request,
                                             uint64_t tip_height);

// The blocks of `response`, checked to extend `tip_id` at `tip_height`
// hash by hash, each verified (chain id, payload hash, parent QC) by
// `validator` (the epoch's), the last with a valid commit proof; each
// block's QC filled in from its child. InvalidArgument naming what fails.
Result<std::vector<consensus::CommittedBlock>> check_sync_batch(const hpchain::v1::SyncResponse& response,
                                                                const consensus::MessageValidator& validator,
                                                                const std::string& chain_id, uint64_t tip_height,
                                                                const Hash32& tip_id);

}  // namespace hpchain::node
