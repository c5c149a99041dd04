// hpchain-loadgen's load: signed transfers from many development accounts
// over gRPC (TxService.BroadcastTx, SYNC, asynchronous calls, one in flight
// per account so that its nonces arrive in order), spread over the nodes, and a
// watcher that follows the committed blocks of node 0 (NodeService) to time
// each transaction from its send to the first poll that sees it committed.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "tools/loadgen/cluster.h"

namespace hpchain::loadgen {

struct PhaseOptions {
  double rate = 0;           // transactions/s offered; 0: as fast as the nodes accept them
  double seconds = 10;       // measured window
  double warmup_seconds = 2; // before the window: sent, not measured
};

struct PhaseResult {
  uint64_t sent = 0;          // in the window
  uint64_t committed = 0;     // commits seen in the window
  uint64_t refused = 0;       // BroadcastTx errors (retried)
  double committed_tps = 0;
  double p50_ms = 0, p99_ms = 0;  // of transactions sent in the window and committed
  uint64_t timed = 0;             // how many of those
};

class Driver {
 public:
  Driver(const Cluster& cluster, int threads);
  ~Driver();
  PhaseResult run(const PhaseOptions& options);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Single-core secp256k1 verifications per second, measured for `seconds`.
double verify_rate(double seconds);

}  // namespace hpchain::loadgen
