// The chain inside hpchaind (docs/node.md, "Consensus in the node"): one
// thread that drives the consensus core and the state certifier, executes
// committed blocks (executor.h), fills the blocks this validator proposes
// from the mempool, checks the payloads it votes for, sends the
// validator's beacon transactions, and syncs blocks from peers when it is
// behind (block_sync.cpp).
//
// Durability, before anything leaves: the safety state (FileSafetyStorage,
// fsynced file) inside every signature; each block this node votes for, and
// the highest QC and TC, in the `consensus` column (RocksTreeStorage); each
// executed block in one fsynced batch. A restart resumes from the stored
// tip, the saved tree above it and the safety state.
//
// Threading: every public method may be called from any thread; the work
// runs on the host's own thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "chain/keys.h"
#include "consensus/pacemaker.h"
#include "hpchain/v1/p2p.pb.h"
#include "node/chain/chain_store.h"
#include "node/mempool/mempool.h"
#include "node/metrics.h"
#include "node/p2p/network.h"
#include "node/storage/state_store.h"

namespace hpchain::node {

struct ChainHostOptions {
  std::string chain_id;
  Hash32 genesis_root;                       // the state root of height 0
  std::optional<PrivateKey> validator_key;  // none: an observer
  std::optional<PrivateKey> operator_key;   // signs the beacon transactions; none: sends none
  std::filesystem::path safety_path;        // the safety state file
  consensus::PacemakerConfig pacemaker;
  // With nothing to propose, a leader waits this long for transactions
  // before it proposes an empty block (blocks with transactions, or
  // uncommitted ancestors that carry some, are proposed at once).
  uint64_t empty_block_interval_ms = 500;
  // Test aid (env HPCHAIN_SIGNED_LOG): every consensus signature this node
  // makes is appended to this file, one line each, before it is used.
  std::filesystem::path signed_log;
};

struct ChainSnapshot {
  uint64_t epoch = 0;
  uint64_t height = 0;
  Hash32 block_id;
  Hash32 state_root;
  uint64_t certified_height = 0;
  uint64_t round = 0;
  bool syncing = false;
  bool validator = false;
};

class ChainHost {
 public:
  // Reads the stored epoch and tip and restores the core (tip, saved
  // tree, safety state); nothing runs until run(). Everything passed must
  // outlive the host.
  static Result<std::unique_ptr<ChainHost>> open(ChainHostOptions options, storage::Store& store,
                                                 storage::RocksStateStore& state, ChainStore& chain,
                                                 mempool::Mempool& pool, NodeMetrics* metrics);
  ~ChainHost();  // stop()
  ChainHost(const ChainHost&) = delete;
  ChainHost& operator=(const ChainHost&) = delete;

  // Starts the host thread, which sends through `network` (may be null in
  // tests; it must outlive the host). Messages that arrived since open()
  // wait for it.
  void run(p2p::Network* network);
  // Joins the host thread; nothing runs after it returns. Idempotent.
  void stop();

  // A CONSENSUS, STATE, STATUS or SYNC message from peer `from`.
  void on_peer_message(const Hash32& from, hpchain::v1::MessageType type, Bytes payload);

  ChainSnapshot snapshot() const;
  // Set when the host stopped itself: a divergence, a storage failure.
  std::optional<Status> fatal() const;
  // Blocks until the executed height passes `height` or `deadline`.
  void wait_executed_above(uint64_t height, std::chrono::steady_clock::time_point deadline) const;

  class Impl;

 private:
  explicit ChainHost(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hpchain::node
