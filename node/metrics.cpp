#include "node/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>

namespace hpchain::node {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

class NodeMetrics::Impl {
 public:
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<prometheus::Exposer> exposer;
  std::optional<Endpoint> endpoint;
  prometheus::Gauge& peers = BuildGauge().Name("hpchain_p2p_peers").Help("Connected peers").Register(*registry).Add({});
  prometheus::Counter& bytes_in =
      BuildCounter().Name("hpchain_p2p_bytes_in_total").Help("Frame bytes received").Register(*registry).Add({});
  prometheus::Counter& bytes_out =
      BuildCounter().Name("hpchain_p2p_bytes_out_total").Help("Frame bytes sent").Register(*registry).Add({});
  prometheus::Counter& dropped = BuildCounter()
                                     .Name("hpchain_p2p_dropped_messages_total")
                                     .Help("Messages dropped for a full send queue")
                                     .Register(*registry)
                                     .Add({});
  prometheus::Gauge& mempool_size =
      BuildGauge().Name("hpchain_mempool_size").Help("Transactions in the mempool").Register(*registry).Add({});
  prometheus::Gauge& mempool_bytes =
      BuildGauge().Name("hpchain_mempool_bytes").Help("Bytes of transactions in the mempool").Register(*registry).Add({});
  prometheus::Gauge& height =
      BuildGauge().Name("hpchain_consensus_height").Help("Height of the last executed block").Register(*registry).Add({});
  prometheus::Gauge& epoch =
      BuildGauge().Name("hpchain_consensus_epoch").Help("The epoch this node is in").Register(*registry).Add({});
  prometheus::Gauge& round =
      BuildGauge().Name("hpchain_consensus_round").Help("The consensus round this node is in").Register(*registry).Add({});
  prometheus::Gauge& certified = BuildGauge()
                                     .Name("hpchain_consensus_certified_height")
                                     .Help("Highest height with a state certificate")
                                     .Register(*registry)
                                     .Add({});
  prometheus::Counter& timeouts = BuildCounter()
                                      .Name("hpchain_consensus_timeouts_total")
                                      .Help("Round timeouts this node signed")
                                      .Register(*registry)
                                      .Add({});
  prometheus::Counter& committed_txs = BuildCounter()
                                           .Name("hpchain_committed_transactions_total")
                                           .Help("Transactions in executed blocks")
                                           .Register(*registry)
                                           .Add({});
  prometheus::Histogram& interval = prometheus::BuildHistogram()
                                        .Name("hpchain_block_interval_seconds")
                                        .Help("Time between two executed blocks")
                                        .Register(*registry)
                                        .Add({}, prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1,
                                                                                         0.25, 0.5, 1, 2.5, 5, 10});
  std::array<prometheus::Counter*, p2p::kDisconnectCount> disconnects{};
  std::array<prometheus::Counter*, mempool::kRejectCount> rejections{};

  Impl() {
    auto& d = BuildCounter().Name("hpchain_p2p_disconnects_total").Help("Connections ended, by reason").Register(*registry);
    for (int i = 0; i < p2p::kDisconnectCount; ++i) {
      disconnects[i] = &d.Add({{"reason", std::string(p2p::disconnect_name(static_cast<p2p::Disconnect>(i)))}});
    }
    auto& r = BuildCounter().Name("hpchain_mempool_rejections_total").Help("Refused transactions, by reason").Register(*registry);
    for (int i = 0; i < mempool::kRejectCount; ++i) {
      rejections[i] = &r.Add({{"reason", std::string(mempool::reject_name(static_cast<mempool::Reject>(i)))}});
    }
  }
};

Result<std::unique_ptr<NodeMetrics>> NodeMetrics::start(const std::string& listen) {
  auto impl = std::make_unique<Impl>();
  if (!listen.empty()) {
    HPC_ASSIGN_OR_RETURN(Endpoint e, parse_endpoint(listen, /*allow_zero=*/true));
    try {
      impl->exposer = std::make_unique<prometheus::Exposer>(e.to_string(), /*num_threads=*/1);
    } catch (const std::exception& ex) {
      return Status::io_error("cannot serve metrics on " + listen + ": " + ex.what());
    }
    impl->exposer->RegisterCollectable(impl->registry);
    const auto ports = impl->exposer->GetListeningPorts();
    if (!ports.empty()) impl->endpoint = Endpoint{e.host, static_cast<uint16_t>(ports[0])};
  }
  return std::unique_ptr<NodeMetrics>(new NodeMetrics(std::move(impl)));
}

NodeMetrics::NodeMetrics(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NodeMetrics::~NodeMetrics() = default;
std::optional<Endpoint> NodeMetrics::endpoint() const { return impl_->endpoint; }
void NodeMetrics::on_peer_count(size_t peers) { impl_->peers.Set(static_cast<double>(peers)); }
void NodeMetrics::on_bytes_in(size_t bytes) { impl_->bytes_in.Increment(static_cast<double>(bytes)); }
void NodeMetrics::on_bytes_out(size_t bytes) { impl_->bytes_out.Increment(static_cast<double>(bytes)); }
void NodeMetrics::on_disconnect(p2p::Disconnect why) { impl_->disconnects[static_cast<int>(why)]->Increment(); }
void NodeMetrics::on_dropped_message() { impl_->dropped.Increment(); }
void NodeMetrics::on_size(size_t transactions, size_t bytes) {
  impl_->mempool_size.Set(static_cast<double>(transactions));
  impl_->mempool_bytes.Set(static_cast<double>(bytes));
}
void NodeMetrics::on_rejected(mempool::Reject why) { impl_->rejections[static_cast<int>(why)]->Increment(); }
void NodeMetrics::on_block(uint64_t height, size_t txs, double interval_s) {
  impl_->height.Set(static_cast<double>(height));
  impl_->committed_txs.Increment(static_cast<double>(txs));
  impl_->interval.Observe(interval_s);
}
void NodeMetrics::on_round(uint64_t epoch, uint64_t round) {
  impl_->epoch.Set(static_cast<double>(epoch));
  impl_->round.Set(static_cast<double>(round));
}
void NodeMetrics::on_timeout_sent() { impl_->timeouts.Increment(); }
void NodeMetrics::on_certified(uint64_t height) { impl_->certified.Set(static_cast<double>(height)); }

}  // namespace hpchain::node
