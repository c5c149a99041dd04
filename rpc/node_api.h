// What the RPC services read from and hand to the node: one interface
// between rpc/ and node/ (STYLE.md, "Subsystems meet at interfaces"), so
// the services are tested against a fake node and served from the real
// Daemon through daemon_api().
//
// Thread-safety: the server calls every method from its handler threads,
// concurrently; implementations must allow that (the Daemon does).
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/status.h"
#include "hpchain/v1/store.pb.h"
#include "node/daemon.h"
#include "node/mempool/mempool.h"

namespace hpchain::rpc {

class NodeApi {
 public:
  virtual ~NodeApi() = default;

  // Set once the node stopped itself (a divergence, a storage failure):
  // every call is then refused with UNAVAILABLE and this reason.
  virtual std::optional<Status> fatal() const = 0;
  // Where the chain stands now.
  virtual node::NodeStatus status() const = 0;
  // A committed block; NotFound when there is none at that height / id.
  virtual Result<hpchain::v1::CommittedBlockRecord> block_at(uint64_t height) const = 0;
  virtual Result<hpchain::v1::CommittedBlockRecord> block_by_id(const Hash32& id) const = 0;
  // Where a committed transaction landed; NotFound while it is not.
  virtual Result<hpchain::v1::TxRecord> tx(const Hash32& id) const = 0;
  // Waits at most `timeout` for transaction `id` to commit; returns at once
  // when it is committed. DeadlineExceeded, or any error once `timeout` has
  // passed, counts as "not yet" (the server asks again, in slices, until
  // its own deadline); another error before that reaches the client.
  virtual Result<hpchain::v1::TxRecord> wait_tx(const Hash32& id, std::chrono::milliseconds timeout) const = 0;
  // Hands a TxRaw to the mempool and returns its verdict.
  virtual mempool::Admission submit_tx(Bytes raw) = 0;
  // An account's committed nonce and balance (zero for one the chain has
  // never seen) and the nonce its next transaction should carry, after
  // those waiting in the mempool.
  virtual Result<node::AccountInfo> account(const Address& address) const = 0;
  // Whether transaction `id` is waiting in the mempool.
  virtual bool pending(const Hash32& id) const = 0;
};

// The interface over a running Daemon, which must outlive it.
std::unique_ptr<NodeApi> daemon_api(node::Daemon& daemon);

}  // namespace hpchain::rpc
