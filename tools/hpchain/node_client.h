// The CLI's connection to a node's gRPC API: every call with a deadline,
// every failure a Status whose message a person can act on.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/keys.h"
#include "chain/status.h"
#include "hpchain/v1/rpc.grpc.pb.h"
#include "node/config/config.h"

namespace hpchain::cli {

// Calls that are not waits get this long.
inline constexpr std::chrono::seconds kCallDeadline{10};

class NodeClient {
 public:
  explicit NodeClient(const node::Endpoint& node);

  // Waits up to 5 s for a connection to the node (a refused one fails at
  // once): Unavailable "cannot reach the node at HOST:PORT: ..." otherwise.
  // Every call below does this first.
  Status connect();

  Result<hpchain::v1::GetStatusResponse> status();
  Result<hpchain::v1::GetAccountResponse> account(const Address& address);
  // BroadcastTx; with `commit`, waits up to `timeout_ms` for the commit.
  Result<hpchain::v1::BroadcastTxResponse> broadcast(const Bytes& tx, bool commit, uint32_t timeout_ms);
  Result<hpchain::v1::TxRecord> get_tx(const Hash32& id);

  // The gRPC error `s` of the call `what`: a Status whose message is
  // "<what>: <CODE>: <message>" (NotFound for NOT_FOUND, Unavailable for
  // anything else), so a script can tell "not there" from "failed".
  static Status from_grpc(const grpc::Status& s, const std::string& what);

 private:
  std::unique_ptr<grpc::ClientContext> context(std::chrono::milliseconds deadline) const;

  node::Endpoint node_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<hpchain::v1::NodeService::Stub> nodes_;
  std::unique_ptr<hpchain::v1::TxService::Stub> txs_;
  bool connected_ = false;
};

}  // namespace hpchain::cli
