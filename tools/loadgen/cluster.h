// hpchain-loadgen's local cluster: N validators from `hpchaind testnet`
// in a temporary directory, started as processes and stopped with SIGTERM.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "chain/keys.h"
#include "chain/status.h"

namespace hpchain::loadgen {

class Cluster {
 public:
  // Writes the homes (with `accounts` funded development keys) in a new
  // directory under `parent` and starts every node; logs go to DIR/nodeI.log.
  static Result<std::unique_ptr<Cluster>> start(const std::string& hpchaind, int validators, int accounts, bool keep,
                                                const std::string& parent);
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  ~Cluster();  // SIGTERM to every node, then removes the directory unless kept

  const std::vector<std::string>& grpc() const { return grpc_; }
  const std::vector<PrivateKey>& keys() const { return keys_; }
  const std::string& chain_id() const { return chain_id_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  Cluster() = default;
  std::filesystem::path dir_;
  bool keep_ = false;
  std::vector<pid_t> pids_;
  std::vector<std::string> grpc_;
  std::vector<PrivateKey> keys_;
  std::string chain_id_;
};

}  // namespace hpchain::loadgen
