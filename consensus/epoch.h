// Epoch changes (docs/consensus.md, "Epochs"): how every node derives where
// an epoch ends and the next begins, and the proof a node that was away
// checks before it follows the new validator set.
//
// The rule: the ledger reports a new consensus set when it executes a
// committed block R (the reconfiguration block) of epoch e. Epoch e ends at
// R. Blocks of epoch e above R, certified and even committed by the core
// before R was executed, are the reconfiguration suffix: they carry no
// transactions for the chain (the host does not execute them; their
// transactions stay in mempools for the next epoch). Epoch e + 1 begins
// with epoch_start_block(chain, e + 1, R.id, R.height + 1, next set digest),
// which the host starts a new core from. Every honest node commits the same
// R, so every node derives the same start.
//
// The proof: R's state certificate, signed by more than 2/3 of epoch e's
// power, whose next_set_hash is the new set's digest. A node that knows
// epoch e's set and receives the new set and this certificate can start
// epoch e + 1 without trusting whoever sent them.
#pragma once

#include "consensus/core.h"
#include "consensus/state_cert.h"

namespace hpchain::consensus {

// Where epoch `ended_epoch + 1` starts, after reconfiguration block
// `end_block_id` at `end_height`.
inline EpochStart next_epoch_start(uint64_t ended_epoch, const Hash32& end_block_id, uint64_t end_height) {
  return EpochStart{ended_epoch + 1, end_block_id, end_height + 1};
}

// Our index in an epoch's set, or kObserver when `key` is not a member: an
// observer whose key enters the set votes from that epoch on, a voter that
// leaves follows as an observer.
ValidatorIndex self_index(const ValidatorSet& set, const PublicKey& key);

// Checks an epoch-change proof: `cert` certifies a block of epoch
// `current_epoch` under `current` and names `next.digest()` as the next
// set, which differs from `current`'s. Returns where the next epoch starts.
// InvalidArgument naming what fails (another epoch, no quorum or a bad
// signature, another next set, no change of set).
Result<EpochStart> verify_epoch_change(const StateCertificate& cert, uint64_t current_epoch,
                                       const ValidatorSet& current, const SignatureVerifier& verifier,
                                       const ValidatorSet& next);

}  // namespace hpchain::consensus
