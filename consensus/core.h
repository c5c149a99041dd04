// ConsensusCore: the 2-chain HotStuff state machine of one validator
// (docs/consensus.md). Events in, actions out: every entry point takes one
// event and returns the actions the host must carry out, in order. There is
// no I/O, clock, thread or randomness inside; the host owns all of them.
//
// Thread-safety: none; one host thread drives one core. The references in
// CoreDeps must outlive the core.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "consensus/aggregators.h"
#include "consensus/block_tree.h"
#include "consensus/codec.h"
#include "consensus/crypto.h"
#include "consensus/pacemaker.h"
#include "consensus/safety_rules.h"
#include "consensus/tree_storage.h"
#include "consensus/validation.h"

namespace hpchain::consensus {

// Send `message` (an encoded ConsensusMessage) to validator `to`, or to
// the non-validator peer `to` (an id >= the validator count that the host
// passed to on_message) when answering its block request.
struct SendAction {
  ValidatorIndex to = 0;
  Bytes message;
};
// Send `message` to every validator except ourselves.
struct BroadcastAction {
  Bytes message;
};
// Ask validator `peer` for block `block_id` (`message` is the request).
struct FetchBlockAction {
  Hash32 block_id;
  ValidatorIndex peer = 0;
  Bytes message;
};
// `block` is final; commits arrive in height order without gaps.
struct CommitAction {
  CommittedBlock committed;
};
// Call on_timer(round) after `delay_ms` (earlier timers may be dropped).
struct TimerAction {
  uint64_t round = 0;
  uint64_t delay_ms = 0;
};
// We lead `round`: call on_payload_ready(round, ...) with a payload.
// The payload must fit in max_payload_bytes (on_payload_ready refuses a
// larger one) and should not repeat what the uncommitted ancestors carry.
struct PayloadRequestAction {
  uint64_t round = 0;
  uint64_t height = 0;
  Hash32 parent_id;  // the block the proposal will extend
  // The blocks between the committed root and the new block, parent first:
  // their payloads are ordered but not committed yet.
  std::vector<BlockPtr> uncommitted_ancestors;
  uint64_t max_payload_bytes = 0;
};
// We are too far behind to catch up block by block: a verified certificate
// names block `block_id` at `height`, more than max_waiting_blocks above our
// committed root. The host should state-sync from `peer` (or anyone) and
// call on_synced. Emitted once per higher target.
struct SyncRequestAction {
  ValidatorIndex peer = 0;
  Hash32 block_id;
  uint64_t height = 0;
};

// A validator sent a message of `epoch`, later than ours: we are behind.
// The host should fetch the epoch-change proofs (state certificates that
// carry each next set, epoch.h) from `peer` or anyone and start the core of
// the newer epoch. Emitted once per higher epoch.
struct EpochAheadAction {
  ValidatorIndex peer = 0;
  uint64_t epoch = 0;
};

// Validate the payload of `block`, a verified proposal of the current
// round (CoreConfig::validate_payloads), off the consensus thread if you
// like, and call on_payload_validated(block->id, verdict). We vote for it
// only on a valid verdict that arrives while its round lasts.
struct ValidatePayloadAction {
  BlockPtr block;
};

using Action = std::variant<SendAction, BroadcastAction, FetchBlockAction, CommitAction,
                            TimerAction, PayloadRequestAction, SyncRequestAction,
                            ValidatePayloadAction, EpochAheadAction>;
using Actions = std::vector<Action>;

// Blocks the host committed earlier, so that lagging peers can fetch them
// after the tree pruned them. Returns null when unknown.
class CommittedBlockReader {
 public:
  virtual ~CommittedBlockReader() = default;
  virtual BlockPtr find(const Hash32& id) const = 0;
};

// CoreConfig::self of an observer: a core that follows the chain (verifies
// proposals and timeouts, forms TCs, commits) and signs nothing. A sync
// target and a joining institution run one until a validator set that holds
// their key makes them a voter (the epoch change wires that step).
inline constexpr ValidatorIndex kObserver = 0xffffffffu;

// Where an epoch starts (docs/consensus.md, "Epochs"): its number, and for
// epoch e > 0 the block that ended epoch e - 1 and the height after it. The
// core derives the epoch's start block (epoch_start_block) from these and
// its validator set.
struct EpochStart {
  uint64_t epoch = 0;
  Hash32 parent_id;     // zero for epoch 0
  uint64_t height = 0;  // 0 for epoch 0
};

HPC_CONSENSUS_VARIANT_BEGIN

struct CoreConfig {
  std::string chain_id;
  EpochStart epoch;  // one core runs one epoch; the host starts a new core for the next
  ValidatorIndex self = 0;  // our index in the validator set, or kObserver
  PacemakerConfig pacemaker;
  // Rounds further ahead than this are rejected (kRoundTooFar): the bound
  // on every per-round container.
  uint64_t max_future_rounds = 64;
  size_t max_pending_proposals = 8;   // proposals waiting for a fetched parent
  size_t max_waiting_blocks = 1024;   // fetched blocks waiting for their parent
  size_t max_outstanding_fetches = 16;
  // Largest payload we propose; at most kMessageBytesMax -
  // kProposalOverheadMax, so that every proposal fits in one message.
  uint64_t max_payload_bytes = kMessageBytesMax - kProposalOverheadMax;
  // Ask the host to validate each proposal's payload before voting
  // (ValidatePayloadAction); off, every payload is voted for as it is.
  bool validate_payloads = false;
#if defined(HPCHAIN_UNSAFE_VARIANTS)
  UnsafeVariants unsafe_variants;  // test-only library: deliberately broken rules
#endif
};

HPC_CONSENSUS_VARIANT_END

struct CoreDeps {
  const ValidatorSet* validators = nullptr;
  Signer* signer = nullptr;  // null for an observer, as is safety_storage
  const SignatureVerifier* verifier = nullptr;
  SafetyStorage* safety_storage = nullptr;
  const CommittedBlockReader* committed_blocks = nullptr;  // may be null
  // The saved block tree (tree_storage.h). May be null: then a restart
  // keeps only the committed root, and a restart of every validator can
  // halt the chain.
  TreeStorage* tree_storage = nullptr;
};

// Where a (re)started core begins: the last block the host committed and
// its QC. The saved tree (CoreDeps::tree_storage) adds the uncommitted
// blocks above it and the highest QC and TC.
struct Recovery {
  BlockPtr root;
  QuorumCert root_qc;
};

struct CoreMetrics {
  std::array<uint64_t, kRejectReasonCount> rejected{};
  uint64_t proposals_sent = 0;
  uint64_t votes_sent = 0;
  uint64_t timeouts_sent = 0;
  uint64_t qcs_formed = 0;
  uint64_t tcs_formed = 0;
  uint64_t blocks_committed = 0;
  uint64_t rejected_total() const;
};

HPC_CONSENSUS_VARIANT_BEGIN

class ConsensusCore {
 public:
  // Loads the safety state and the saved tree. `recovery` defaults to the
  // epoch's start block. Errors: those of SafetyStorage::load (a safety
  // state of a later epoch is FailedPrecondition) and TreeStorage::load;
  // InvalidArgument if `recovery` is inconsistent or of another epoch, if
  // config.epoch is not a valid start, or if max_payload_bytes is too large
  // for a message.
  static Result<std::unique_ptr<ConsensusCore>> create(CoreConfig config, CoreDeps deps,
                                                       std::optional<Recovery> recovery = {});

  // Commits what the restored tree shows committed above the recovery root
  // (the host may have crashed before storing those commits), then enters
  // the first round: a timer, and a payload request if we lead it.
  Actions start();
  // A message from validator `from` (the transport's authenticated peer;
  // used only to choose whom to fetch from). Any bytes are accepted: a bad
  // message is counted under its RejectReason and yields no action.
  Actions on_message(ValidatorIndex from, ByteSpan bytes);
  // The timer of `round` fired; stale rounds are ignored.
  Actions on_timer(uint64_t round);
  // The payload for a round we lead; ignored if the round has passed.
  Actions on_payload_ready(uint64_t round, Bytes payload, uint64_t timestamp_ms);
  // The host's verdict on a ValidatePayloadAction. Unknown or stale ids are
  // ignored; an invalid payload is counted (kBadPayload) and gets no vote.
  Actions on_payload_validated(const Hash32& block_id, bool valid);
  // The host executed committed block `id` at `height`: saved blocks at or
  // below `height` that left the tree are pruned from the TreeStorage.
  // (State roots are certified apart from the core: state_cert.h.)
  Actions on_block_executed(const Hash32& id, uint64_t height);
  // State sync installed `block`, which `proof` shows committed (a
  // CommittedBlock::proof from a peer: block's child in the next round and a
  // QC for it; a QC for `block` alone would admit a certified block that may
  // never commit). Blocks at or below our root are ignored; an invalid proof
  // is counted (kBadBlock, or the QC's reason) and ignored. Blocks we hold
  // above `block` are kept, and the commits they now imply are emitted, in
  // order from block.height + 1: the "no gaps" contract resumes at the
  // synced height.
  Actions on_synced(BlockPtr block, const CommitProof& proof);

  // The typed message handlers behind on_message (also used by tests).
  void handle(ValidatorIndex from, const Message& message);

  uint64_t current_round() const { return pacemaker_.current_round(); }
  const QuorumCert& high_qc() const { return high_qc_; }
  const std::optional<TimeoutCert>& high_tc() const { return pacemaker_.high_tc(); }
  const Block& committed_root() const { return tree_.root(); }
  const QuorumCert& committed_root_qc() const { return tree_.root_qc(); }
  const CoreMetrics& metrics() const { return metrics_; }
  // An observer's is always the default (it signs nothing).
  const SafetyState& safety_state() const;
  bool is_observer() const { return config_.self == kObserver; }
  const ValidatorSet& validators() const { return validators_; }
  uint64_t epoch() const { return config_.epoch.epoch; }
  // The id of this epoch's start block (the chain's genesis in epoch 0).
  const Hash32& start_id() const { return start_id_; }

 private:
  ConsensusCore(CoreConfig config, CoreDeps deps, std::optional<SafetyRules> safety, Recovery recovery,
                const Block& start, SavedTree saved);
  // Raises the high QC to `qc` and to `tc`'s QC, and enters `tc` (saved
  // certificates we verified before saving them), at construction.
  void resume_from(const std::optional<QuorumCert>& qc, const std::optional<TimeoutCert>& tc);
  // The saved tree and certificates (core_persist.cpp).
  void restore(SavedTree saved);
  // Saves `block` unless saved already; false (counted) if the save failed.
  bool persist_block(const BlockPtr& block);
  void persist_high_qc(const QuorumCert& qc);
  void persist_high_tc(const TimeoutCert& tc);
  void prune_saved(uint64_t executed_height);
  Actions take();
  void reject(const Verdict& v);
  void on_proposal(ValidatorIndex from, const Proposal& p);
  void on_vote(const Vote& v);
  void on_timeout(ValidatorIndex from, const TimeoutMsg& t);
  void on_block_request(ValidatorIndex from, const BlockRequest& r);
  BlockPtr find_block(const Hash32& id) const;  // in the tree or the host's committed blocks
  void on_block_response(ValidatorIndex from, const BlockResponse& r);
  void insert_and_vote(ValidatorIndex from, const Proposal& p);
  void insert_chain(BlockPtr block);
  void retry_pending();
  void vote_for(const Block& block, const std::optional<TimeoutCert>& tc);
  void process_qc(const QuorumCert& qc);
  void process_tc(const TimeoutCert& tc);
  void try_commit(const QuorumCert& qc);
  void advance_round();
  void request_payload(uint64_t round);  // the PayloadRequestAction of a round we lead
  void local_timeout();
  // Asks for block `id` at `height` (named by a verified QC or a child's
  // parent link), first from `hint`; a no-op when max_outstanding_fetches
  // other ids are outstanding.
  void request_fetch(const Hash32& id, ValidatorIndex hint, uint64_t height);
  // Retries every outstanding fetch from its next peer, dropping those that
  // every peer failed to serve twice.
  void retry_fetches();
  void send(ValidatorIndex to, const MessageBody& body);

  CoreConfig config_;
  const ValidatorSet& validators_;
  const CommittedBlockReader* committed_blocks_;
  TreeStorage* tree_storage_;
  // Ids (and heights) of the blocks in tree_storage_: what prune_saved
  // may remove.
  std::map<Hash32, uint64_t> saved_blocks_;
  Hash32 start_id_;
  MessageValidator validator_;
  std::optional<SafetyRules> safety_;  // empty for an observer
  Pacemaker pacemaker_;
  VoteAggregator votes_;
  BlockTree tree_;
  QuorumCert high_qc_;
  uint64_t proposed_round_ = 0;
  uint64_t epoch_ahead_reported_ = 0;  // highest epoch an EpochAheadAction named
  // Proposal id seen per round, to reject equivocation; pruned below the
  // current round, admitted up to current + max_future_rounds.
  std::map<uint64_t, Hash32> proposals_seen_;
  struct Pending {
    ValidatorIndex from;
    Proposal proposal;
  };
  std::vector<Pending> pending_;                  // <= max_pending_proposals
  // Proposals of the current round whose payload the host is validating:
  // id -> the TC they carry. At most one per round; pruned as rounds pass.
  struct Validating {
    uint64_t round = 0;
    std::optional<TimeoutCert> tc;
  };
  std::map<Hash32, Validating> validating_;
  std::map<Hash32, BlockPtr> waiting_children_;   // parent id -> child; <= max_waiting_blocks
  // Outstanding fetches, <= max_outstanding_fetches. An entry ends with its
  // answer, when the committed root reaches its height (the block can no
  // longer matter), or after 2 * validators attempts, so ids nobody can
  // serve never block fetching for good.
  struct Fetch {
    uint64_t height = 0;
    ValidatorIndex hint = 0;
    uint32_t attempts = 0;
  };
  std::map<Hash32, Fetch> fetches_;
  CoreMetrics metrics_;
  uint64_t sync_requested_height_ = 0;  // highest SyncRequestAction target so far
  Actions out_;
};

// Ok when `proof` shows `block` committed in the epoch `validator` checks:
// the proof's child extends `block` in the next round with a QC for it, a
// QC for the child completes the 2-chain, and both blocks verify (chain
// id, payload hash, parent QC). What on_synced checks, and what block sync
// checks before it executes anything.
Verdict verify_commit_proof(const MessageValidator& validator, const Block& block, const CommitProof& proof,
                            std::string_view chain_id);

HPC_CONSENSUS_VARIANT_END

}  // namespace hpchain::consensus
