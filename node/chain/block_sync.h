// Block sync's two pure halves (block_sync.cpp has the protocol around
// them): what a node serves for a SyncRequest, and the checks a batch must
// pass before the receiving node executes any of it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "consensus/block_tree.h"
#include "consensus/state_cert.h"
#include "consensus/validation.h"
#include "hpchain/v1/store.pb.h"
#include "node/chain/chain_store.h"

namespace hpchain::node {

// Consecutive committed blocks from request.from_height (at most
// kSyncBatchBlocks, and about kSyncResponseBytes), ending with the last one
// that carries a commit proof, or at the last block of an epoch with its
// state certificate; empty when none is within reach. A batch never
// crosses into another epoch.
hpchain::v1::SyncResponse serve_sync_request(const ChainStore& chain, const hpchain::v1::SyncRequest& request,
                                             uint64_t tip_height);

struct SyncBatch {
  std::vector<consensus::CommittedBlock> blocks;
  // Set when the batch ends its epoch: the last block's state certificate.
  std::optional<consensus::StateCertificate> end_certificate;
};

// The blocks of `response`, checked to extend `tip_id` at `tip_height`
// hash by hash, each verified (chain id, payload hash, parent QC) by
// `validator` (the epoch's, whose set and verifier are `validators` and
// `verifier`); the last with a valid commit proof, or with a state
// certificate of this epoch's validators and a valid QC; each block's QC
// filled in from its child. InvalidArgument naming what fails.
Result<SyncBatch> check_sync_batch(const hpchain::v1::SyncResponse& response,
                                   const consensus::MessageValidator& validator,
                                   const consensus::ValidatorSet& validators,
                                   const consensus::SignatureVerifier& verifier, const std::string& chain_id,
                                   uint64_t tip_height, const Hash32& tip_id);

}  // namespace hpchain::node
