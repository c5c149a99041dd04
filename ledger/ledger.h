// The ledger: the chain's deterministic state machine (docs/ledger.md).
//
// Pure: no network, clocks, threads or writes. apply_block reads the state
// of the previous height through a StateReader and returns what the block
// changes, as a ChangeSet the host writes atomically with the block.
//
// Two kinds of failure (docs/ledger.md, "Failures and fees"):
//  - stateless (undecodable, bad signature, wrong chain id, a malformed
//    field): check_payload refuses the whole payload, so no honest
//    validator votes for the block;
//  - stateful: recorded per transaction with a TxCode. A *skipped*
//    transaction (bad nonce, fee too low or unpayable, block full) changes
//    nothing at all; a *failed* one pays its fee, bumps its nonce and
//    changes nothing else.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "chain/tx.h"
#include "genesis/genesis.h"
#include "hpchain/v1/ledger.pb.h"
#include "ledger/state_store.h"

namespace hpchain::ledger {

enum class TxCode : uint8_t {
  kOk = 0,
  // Skipped: nothing changes, not even the nonce.
  kBadNonce,
  kFeeTooLow,
  kFeeUnpaid,
  kBlockFull,
  kMalformed,  // fields check_payload refuses; reachable only by a host that skipped it
  // Failed: the fee is paid and the nonce bumped; nothing else changes.
  kInsufficientBalance,
  kWrongRole,
  kNotAdmin,
  kUnknownInstitution,
  kInstitutionExists,
  kInstitutionHasValidators,
  kLastInstitution,
  kMemberOfOther,
  kNotMember,
  kAlreadyMember,
  kLastAdmin,
  kUnknownValidator,
  kValidatorExists,
  kNotOperator,
  kInsufficientStake,
  kEmptyConsensusSet,
  kTooManyVoters,
  kBadExpiry,
  kUnknownProposal,
  kProposalClosed,
  kAlreadyVoted,
  kBadParams,
  // Jobs (docs/jobs.md).
  kKernelNotAccepted,
  kBadComputeSpec,
  kBadJobMode,
  kTallyTooLarge,
  kTooFewWorkers,
  kBudgetTooLow,
  kBadDeadline,
  kUnknownJob,
  kNotSubmitter,
  kJobStarted,
  kNotAssigned,
  kCommitClosed,
  kAlreadyCommitted,
  kRevealClosed,
  kAlreadyRevealed,
  kRevealMismatch,
  kBadUnitResult,
  // The beacon.
  kNotVoter,
  kBeaconWrongRound,
  kBeaconRepeat,
  kBeaconMismatch,
  // Jobs, added with the kernel VM (appended: codes keep their numbers).
  kGasOverLimit,
  // Disputes (partitioned mode).
  kNotInDispute,
  kWrongDisputeRound,
  kSplitAlreadyPosted,
  kBadSplit,
};
inline constexpr int kTxCodeCount = static_cast<int>(TxCode::kBadSplit) + 1;
std::string_view tx_code_name(TxCode code);
inline bool is_skipped(TxCode c) { return c >= TxCode::kBadNonce && c <= TxCode::kMalformed; }

struct TxOutcome {
  Hash32 tx_id;
  TxCode code = TxCode::kOk;
  std::string detail;  // for a failure: what exactly, for the submitter
  uint64_t fee_paid = 0;
};

// Something a block did that clients watch for (a proposal passing, stake
// released). Attributes keep their order.
struct Event {
  std::string type;
  std::vector<std::pair<std::string, std::string>> attributes;
};

struct BlockContext {
  uint64_t height = 0;         // the version the change set writes (>= 1)
  Bytes proposer_key;          // the proposer's consensus key: its operator gets the fees
};

struct BlockResult {
  ChangeSet changes;
  std::vector<TxOutcome> outcomes;  // one per transaction, in block order
  std::vector<Event> events;
  // Set only when the consensus set (entries with power > 0, or a power)
  // changed: this block ends the epoch.
  std::optional<hpchain::v1::ConsensusSet> new_consensus_set;
};

// The stateless check of a block payload (a BlockPayload of TxRaw bytes):
// decodes and verifies every transaction for `chain_id` and checks its
// fields. InvalidArgument "transaction i: ..." for the first bad one.
Result<std::vector<VerifiedTx>> check_payload(ByteSpan payload, std::string_view chain_id);
// The same, taking from `known` the transactions it returns (by tx id)
// instead of decoding and verifying them again: a node passes its
// mempool's, which holds only transactions that passed these very checks
// for this chain (same bytes, since the id hashes them).
Result<std::vector<VerifiedTx>> check_payload(ByteSpan payload, std::string_view chain_id,
                                              const std::function<std::optional<VerifiedTx>(const Hash32&)>& known);

// The stateless field checks of one verified transaction (sizes of keys,
// addresses and ids, known role bits, a governance action's shape, a
// WorkerRegister's proof of possession of its key).
Status check_tx_fields(const VerifiedTx& tx);

// The possession_signature a WorkerRegister from `operator_account` needs
// (tx.proto): for clients and tests.
Signature key_possession_signature(const PrivateKey& consensus_key, std::string_view chain_id,
                                   const Address& operator_account);

// Executes a block's transactions (already verified: see check_payload)
// on the state of height ctx.height - 1. Errors only from the reader
// (IoError, Corruption): then nothing may be written.
Result<BlockResult> apply_block(const StateReader& reader, const BlockContext& ctx,
                                std::span<const VerifiedTx> txs);

// The state of height 0 built from a genesis document. FailedPrecondition
// for a store that is not empty; InvalidArgument for a doc this build
// cannot serve: an accepted kernel it does not have (its native kernels
// and param_scan), or a compute_version other than its own.
Result<ChangeSet> genesis_change_set(const StateReader& reader, const genesis::GenesisDoc& doc);

// The chain's identity: SHA-256("hpchain genesis v1" ‖ u32be len ‖ chain id
// ‖ genesis state root). Two nodes with equal identities agree on genesis.
Hash32 chain_identity(std::string_view chain_id, const Hash32& genesis_root);

// Params record <-> the plain struct whose bounds genesis::validate holds.
hpchain::v1::Params to_params_record(const genesis::ChainParams& p);
genesis::ChainParams from_params_record(const hpchain::v1::Params& p);

// The fee a transaction of `tx_bytes` must offer at least.
uint64_t required_fee(const hpchain::v1::Params& params, size_t tx_bytes);
// The gas a ledger transaction costs against Params.max_block_gas.
inline constexpr uint64_t kTxBaseGas = 1'000;
inline uint64_t tx_gas(size_t tx_bytes) { return kTxBaseGas + tx_bytes; }

// Credibility of a new registry entry, in parts per million.
inline constexpr uint64_t kInitialCredibility = 500'000;
// Receives the fees of a block whose proposer has no registry entry (it
// was removed earlier in the epoch): the all-zero address, so credits are
// conserved.
inline constexpr Address kFeePoolAddress{};

}  // namespace hpchain::ledger
