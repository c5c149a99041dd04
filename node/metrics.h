// Prometheus /metrics (prometheus-cpp; docs/node.md, "Observability").
//
//   hpchain_p2p_peers                      gauge    connected peers
//   hpchain_p2p_bytes_in_total             counter  frame bytes received
//   hpchain_p2p_bytes_out_total            counter  frame bytes sent
//   hpchain_p2p_disconnects_total{reason}  counter  connections ended, by Disconnect
//   hpchain_p2p_dropped_messages_total     counter  messages dropped for a full send queue
//   hpchain_mempool_size                   gauge    transactions held
//   hpchain_mempool_bytes                  gauge    their bytes
//   hpchain_mempool_rejections_total{reason} counter refusals, by mempool::Reject
//
// Thread-safety: the observer methods may be called from any thread.
#pragma once

#include <memory>
#include <optional>

#include "node/config/config.h"
#include "node/mempool/mempool.h"
#include "node/p2p/network.h"

namespace hpchain::node {

class NodeMetrics final : public p2p::NetworkObserver, public mempool::MempoolObserver {
 public:
  // Serves /metrics on `listen` ("host:port", port 0 for any free one), or
  // nowhere when it is empty (the counters still count). IoError when the
  // address cannot be bound.
  static Result<std::unique_ptr<NodeMetrics>> start(const std::string& listen);
  ~NodeMetrics() override;

  // The bound address, when serving.
  std::optional<Endpoint> endpoint() const;

  void on_peer_count(size_t peers) override;
  void on_bytes_in(size_t bytes) override;
  void on_bytes_out(size_t bytes) override;
  void on_disconnect(p2p::Disconnect why) override;
  void on_dropped_message() override;
  void on_size(size_t transactions, size_t bytes) override;
  void on_rejected(mempool::Reject why) override;

  // The chain (node/chain/chain_host.h): a block executed at `height`
  // carrying `txs` transactions, `interval_s` after the previous one.
  void on_block(uint64_t height, size_t txs, double interval_s);
  void on_round(uint64_t epoch, uint64_t round);
  void on_timeout_sent();
  void on_certified(uint64_t height);

  class Impl;

 private:
  explicit NodeMetrics(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hpchain::node
