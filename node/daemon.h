// The running node of issue 12 (docs/node.md): storage with the genesis
// state, Prometheus metrics, the mempool and the p2p network, wired so that
// transactions from peers are checked and gossiped on. Consensus and block
// execution join in issue 17.
#pragma once

#include <filesystem>
#include <memory>

#include "chain/hash.h"
#include "chain/status.h"
#include "node/config/config.h"

namespace hpchain::node {

class Daemon {
 public:
  // Loads the home (config, genesis, keys), opens data/ (writing the genesis
  // state on the first start; Corruption if it holds another chain), and
  // starts metrics, mempool and network. Errors name the file or setting.
  static Result<std::unique_ptr<Daemon>> start(const std::filesystem::path& home);
  ~Daemon();  // stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Stops the network, then the mempool's workers, then closes storage.
  void stop();

  const Hash32& node_id() const;
  const Hash32& chain_identity() const;

  class Impl;

 private:
  explicit Daemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hpchain::node
