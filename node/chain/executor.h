// Execution of committed blocks (docs/node.md, "Blocks and state"): the
// ledger's apply_block on the stored state of the height before, then one
// atomic, fsynced write batch holding the state changes, the block record
// with its commit proof, the height index, a record per transaction and
// the new tip. A crash before the write leaves the block unexecuted (the
// consensus core commits it again on restart); after it, all of it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chain/tx.h"
#include "consensus/block_tree.h"
#include "consensus/types.h"
#include "hpchain/v1/ledger.pb.h"
#include "ledger/ledger.h"
#include "node/chain/chain_store.h"
#include "node/storage/state_store.h"

namespace hpchain::node {

struct ExecutedBlock {
  uint64_t height = 0;
  Hash32 block_id;
  Hash32 state_root;
  std::vector<VerifiedTx> txs;  // in block order
  std::vector<ledger::TxOutcome> outcomes;
  // The ledger reported a new consensus set: this block ends the epoch.
  std::optional<hpchain::v1::ConsensusSet> new_consensus_set;
};

struct ExecutionContext {
  storage::Store& store;
  storage::RocksStateStore& state;
  const ChainStore& chain;
  const consensus::ValidatorSet& validators;  // of the block's epoch: names its proposer
  std::string chain_id;
  // Written in the same batch: the epoch an epoch start block begins.
  const hpchain::v1::EpochRecord* starts_epoch = nullptr;
};

// The block after the tip: FailedPrecondition when `committed` does not
// follow the stored state (another height, or a parent that is not the
// tip). A payload that fails the stateless check (only a quorum that did
// not check it could commit one) is executed as empty, as every node
// would. `checked`, when given, is the payload's transactions as
// check_payload returned them before the vote (not checked again). Errors
// from storage: nothing was written.
Result<ExecutedBlock> execute_block(const ExecutionContext& ctx, const consensus::CommittedBlock& committed,
                                    const std::vector<VerifiedTx>* checked = nullptr);

// The consensus set as consensus sees it, in the record's order.
Result<consensus::ValidatorSet> validator_set_of(const hpchain::v1::ConsensusSet& set);

// Node ids the chain admits as peers: every registry entry's and every
// institution's (p2p allows them besides the configured ones).
Result<std::vector<Hash32>> chain_node_ids(const ledger::StateReader& state);

}  // namespace hpchain::node
