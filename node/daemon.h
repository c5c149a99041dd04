// The running node (docs/node.md): storage, metrics, the mempool, the p2p
// network and the chain itself: consensus (a voter, or an observer when
// its key is not in the validator set), execution of committed blocks
// through the ledger, state certificates, block sync and the validator's
// beacon transactions (node/chain_host.h).
//
// The query methods below are what rpc/ serves; every one may be called
// from any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "chain/hash.h"
#include "chain/status.h"
#include "hpchain/v1/store.pb.h"
#include "node/config/config.h"
#include "node/mempool/mempool.h"

namespace hpchain::node {

struct NodeStatus {
  std::string chain_id;
  uint64_t epoch = 0;
  uint64_t height = 0;          // the last executed (committed) block
  Hash32 block_id;              // its id
  Hash32 state_root;            // the state root after it
  uint64_t certified_height = 0;  // the highest height with a state certificate
  bool syncing = false;         // catching up from peers: not taking part yet
  size_t peers = 0;
  bool validator = false;       // voting in this epoch (false: observer)
};

// An account as a client sees it (Daemon::account).
struct AccountInfo {
  uint64_t nonce = 0;       // committed: the nonce of its next transaction to execute
  uint64_t balance = 0;     // committed
  uint64_t next_nonce = 0;  // what a new transaction should carry: after those waiting in the mempool
};

class Daemon {
 public:
  // Loads the home (config, genesis, keys), opens data/ (writing the genesis
  // state on the first start; Corruption if it holds another chain),
  // restores the safety state and the saved block tree, and starts metrics,
  // mempool, network and consensus. Errors name the file or setting.
  static Result<std::unique_ptr<Daemon>> start(const std::filesystem::path& home);
  ~Daemon();  // stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Stops consensus, the network, the mempool's workers, then storage.
  void stop();
  // Set once the node stopped by itself (a state divergence, a storage
  // failure): the reason; the process should exit non-zero.
  std::optional<Status> fatal() const;

  const Hash32& node_id() const;
  const Hash32& chain_identity() const;
  const NodeConfig& config() const;

  NodeStatus status() const;
  // A committed block: NotFound when there is none at that height / id.
  Result<hpchain::v1::CommittedBlockRecord> block_at(uint64_t height) const;
  Result<hpchain::v1::CommittedBlockRecord> block_by_id(const Hash32& id) const;
  // Where a committed transaction landed: NotFound while it is not committed.
  Result<hpchain::v1::TxRecord> tx(const Hash32& id) const;
  // Waits until transaction `id` is committed or `timeout` passes
  // (DeadlineExceeded); returns at once when it is already committed.
  Result<hpchain::v1::TxRecord> wait_tx(const Hash32& id, std::chrono::milliseconds timeout) const;
  // Hands a TxRaw to the mempool and waits for its verdict (signature,
  // nonce, fee, room); admitted transactions are gossiped to peers.
  mempool::Admission submit_tx(Bytes raw);
  // An account at the last committed block (a fresh one, nonce and balance
  // 0, when the chain has never seen it), and the nonce its sender's next
  // transaction should carry: the committed nonce, advanced past the
  // consecutive run of its transactions waiting in the mempool.
  Result<AccountInfo> account(const Address& address) const;
  // Whether transaction `id` is waiting in the mempool (not yet committed).
  bool pending(const Hash32& id) const;

  class Impl;

 private:
  explicit Daemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hpchain::node
