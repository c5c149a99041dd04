// The node's gRPC server (docs/node.md, "RPC and CLI"): NodeService and
// TxService (proto/hpchain/v1/rpc.proto), grpc.health.v1.Health (SERVING
// while the server runs) and server reflection, over plaintext HTTP/2.
// Plaintext is why the default endpoint is 127.0.0.1: exposing it beyond
// the host is the operator's explicit choice (rpc.listen in config.toml).
//
// Bounds: at most kHandlerThreadsMax threads handle calls (a wait holds
// one; a call beyond them gets RESOURCE_EXHAUSTED from gRPC); a request is
// at most kRequestBytesMax; a wait lasts at most kWaitMax, and notices a
// cancelled call, a stopping server or a stopped node within kWaitSlice.
#pragma once

#include <chrono>
#include <memory>

#include "chain/status.h"
#include "node/config/config.h"
#include "rpc/node_api.h"

namespace hpchain::node {
class Daemon;
}

namespace hpchain::rpc {

inline constexpr int kHandlerThreadsMax = 64;
inline constexpr int kRequestBytesMax = 1024 * 1024;  // a TxRaw is at most 64 KiB
inline constexpr std::chrono::milliseconds kWaitDefault{10'000};
inline constexpr std::chrono::milliseconds kWaitMax{60'000};
inline constexpr std::chrono::milliseconds kWaitSlice{200};

class RpcServer {
 public:
  // Serves `node` on `listen` (port 0: any free port; endpoint() says
  // which). Unavailable when gRPC cannot listen there (the address is in
  // use or not local), naming the endpoint.
  static Result<std::unique_ptr<RpcServer>> start(std::unique_ptr<NodeApi> node, const node::Endpoint& listen);
  // The same over a running Daemon, which must outlive the server
  // (defined in daemon_api.cpp, so that only code serving a Daemon links it).
  static Result<std::unique_ptr<RpcServer>> start(node::Daemon& daemon, const node::Endpoint& listen);
  ~RpcServer();  // stop()
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // The bound endpoint: `listen` with the port actually chosen.
  const node::Endpoint& endpoint() const;
  // Health turns NOT_SERVING, waits end within kWaitSlice (UNAVAILABLE),
  // running calls finish, then the server closes. Idempotent; call it
  // before the node goes away.
  void stop();

  class Impl;

 private:
  explicit RpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hpchain::rpc
