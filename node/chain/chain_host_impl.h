// Internal to node/chain: the state of ChainHost, shared by chain_host.cpp
// (events and actions), chain_commit.cpp (execution, certificates, the
// beacon) and block_sync.cpp (status and block sync). Everything but the
// published snapshot is touched on the host thread only.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "consensus/core.h"
#include "consensus/state_cert.h"
#include "node/chain/chain_host.h"
#include "node/chain/executor.h"
#include "node/storage/safety_storage.h"
#include "node/storage/tree_storage.h"

namespace hpchain::node {

using Clock = std::chrono::steady_clock;

// Sync tuning (block_sync.cpp).
inline constexpr uint64_t kSyncLagBlocks = 8;      // further behind the best peer than this: sync in batches
inline constexpr uint32_t kSyncBatchBlocks = 64;   // blocks per request
inline constexpr uint64_t kSyncResponseBytes = 2 * 1024 * 1024;  // a response stops growing here
inline constexpr uint64_t kSyncResponseBytesMax = 4 * 1024 * 1024;  // and never passes this (the p2p frame is 4.25 MiB)
inline constexpr auto kSyncServeInterval = std::chrono::milliseconds(50);  // per peer
inline constexpr auto kStateResendInterval = std::chrono::seconds(2);
inline constexpr auto kSyncRequestTimeout = std::chrono::seconds(3);
inline constexpr auto kStatusInterval = std::chrono::seconds(1);
inline constexpr auto kTickInterval = std::chrono::milliseconds(10);
inline constexpr auto kProgressLogInterval = std::chrono::seconds(10);  // one info line: where the chain stands

// The node id of every member of `set`, from their registry entries (zero when unknown).
Result<std::vector<Hash32>> member_nodes(const storage::RocksStateStore& state, const consensus::ValidatorSet& set);

class ChainHost::Impl {
 public:
  Impl(ChainHostOptions o, storage::Store& st, storage::RocksStateStore& sta, ChainStore& ch, mempool::Mempool& p,
       p2p::Network* n, NodeMetrics* m)
      : options(std::move(o)), store(st), state(sta), chain(ch), pool(p), network(n), metrics(m),
        safety(options.safety_path), tree(st) {}

  // --- chain_host.cpp ---
  Status open();  // the stored epoch and tip
  // The epoch's validator set, signer, core (resuming from `recovery`, or
  // its start block) and certifier.
  Status install_epoch(hpchain::v1::EpochRecord record, std::optional<consensus::Recovery> recovery);
  void run();     // starts the thread: the core's first actions, the tick
  void stop();
  void post(std::function<void()> fn);
  void dispatch(const Hash32& from, hpchain::v1::MessageType type, const Bytes& payload);
  void apply(consensus::Actions actions);
  void send_to(consensus::ValidatorIndex to, hpchain::v1::MessageType type, Bytes message);
  consensus::ValidatorIndex peer_index(const Hash32& node);
  void set_timer(uint64_t round, uint64_t delay_ms);
  void tick();
  void try_propose();
  bool validate_payload(const consensus::Block& block);
  void halt(Status why);
  void publish();

  // --- chain_commit.cpp ---
  void on_commit(const consensus::CommittedBlock& committed);
  // Executes the block after the tip; false (halted) on failure.
  bool execute(const consensus::CommittedBlock& committed);
  void on_state(consensus::StateActions actions);
  void maybe_send_beacon();
  // The validators' node ids and the p2p allow list, from the state.
  void refresh_peers();

  // --- chain_epoch.cpp ---
  // The tip ended the epoch with `next` as the new set and its state
  // certificate is held: executes the next epoch's start block (with the
  // epoch record, in one batch) and installs the epoch.
  void switch_epoch(const hpchain::v1::ConsensusSet& next);
  // The tip ended the epoch: wait for its certificate (switch at once if held).
  void end_epoch(hpchain::v1::ConsensusSet next);
  void maybe_switch();

  // --- block_sync.cpp ---
  void broadcast_status();
  void on_status(const Hash32& from, const Bytes& payload);
  void on_sync_request(const Hash32& from, const Bytes& payload);
  void on_sync_response(const Hash32& from, const Bytes& payload);
  void maybe_sync();
  bool behind() const;
  // A peer's claims (height, a later epoch) brought nothing: drop them.
  void forget_claims(const Hash32& peer);

  ChainHostOptions options;
  storage::Store& store;
  storage::RocksStateStore& state;
  ChainStore& chain;
  mempool::Mempool& pool;
  p2p::Network* network;
  NodeMetrics* metrics;

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::thread thread;
  boost::asio::steady_timer round_timer{io};
  boost::asio::steady_timer tick_timer{io};
  bool stopped = false;  // host thread only
  std::atomic<bool> stop_requested{false};

  // The epoch.
  hpchain::v1::EpochRecord epoch_record;
  std::unique_ptr<consensus::ValidatorSet> validators;  // stable: the core and certifier refer to it
  std::vector<Hash32> validator_nodes;  // node id per validator index (zero when unknown)
  std::unique_ptr<consensus::SignatureVerifier> verifier;
  std::unique_ptr<consensus::Signer> signer;
  consensus::ValidatorIndex self = consensus::kObserver;
  storage::FileSafetyStorage safety;
  storage::RocksTreeStorage tree;
  std::unique_ptr<consensus::ConsensusCore> core;
  std::unique_ptr<consensus::StateCertifier> certifier;
  std::unique_ptr<consensus::MessageValidator> sync_validator;
  consensus::BlockPtr start_block;
  // The tip ended the epoch (its execution changed the consensus set): the
  // old core keeps running, its commits (the suffix) unexecuted and its
  // proposals empty, until the tip's state certificate is held, which every
  // node needs to see before it moves on (docs/consensus.md, "Epochs").
  struct PendingEpoch {
    hpchain::v1::ConsensusSet next;
    uint64_t end_height = 0;
    Clock::time_point since;
  };
  std::optional<PendingEpoch> pending_epoch;
  Bytes last_vote;  // our latest state vote
  Bytes end_vote;   // our state vote for the epoch's last block, re-sent until the certificate forms
  Clock::time_point end_vote_sent;
  bool switch_now = false;
  uint64_t epoch_ahead = 0;  // the highest later epoch a validator's message named  // set by on_state when the certificate arrives, acted on after it
  // Bumped by install_epoch: actions and timers of an older core are dropped.
  uint64_t core_generation = 0;

  // Peers that are not validators get ids from the validator count up.
  std::map<Hash32, consensus::ValidatorIndex> peer_ids;
  std::map<consensus::ValidatorIndex, Hash32> peer_nodes;

  // The tip.
  uint64_t tip_height = 0;
  Hash32 tip_id;
  Hash32 tip_root;
  Clock::time_point last_block_at = Clock::now();

  // Proposing.
  std::optional<consensus::PayloadRequestAction> pending_request;
  Clock::time_point propose_by;
  std::map<Hash32, std::pair<uint64_t, std::vector<VerifiedTx>>> payloads;  // checked payloads: id -> (height, txs)

  // The beacon: the round we last sent a reveal for, and when.
  uint64_t beacon_round_sent = UINT64_MAX;
  uint64_t beacon_sent_height = 0;

  // Sync.
  struct PeerHeight {
    uint64_t epoch = 0;
    uint64_t height = 0;
  };
  std::map<Hash32, PeerHeight> peer_heights;
  struct SyncRequest {
    Hash32 peer;
    uint64_t from = 0;
    Clock::time_point sent;
  };
  std::optional<SyncRequest> sync_request;
  std::map<Hash32, Clock::time_point> last_served;  // connected peers only
  uint64_t sync_rotation = 0;
  Clock::time_point last_status = Clock::time_point{};
  Clock::time_point last_progress_log = Clock::now();

  // Published for other threads.
  mutable std::mutex mu;
  mutable std::condition_variable executed_cv;
  ChainSnapshot snap;
  std::optional<Status> fatal;
};

}  // namespace hpchain::node
