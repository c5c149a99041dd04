// A testnet of validators running the chain as real hpchaind processes
// (chain_test.cpp, the soak test): start, kill -9, restart, observe through
// /metrics, and afterwards read every node's database and signed log.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chain/keys.h"
#include "hpchain/v1/store.pb.h"
#include "tests/common/temp_dir.h"
#include "tests/integration/harness.h"

namespace hpchain::integration {

class ChainNet {
 public:
  // `validators` homes from `hpchaind testnet`; consensus settings tuned
  // for tests (a short idle wait between empty blocks). `own_binary`
  // copies hpchaind into the test's directory first, so that a long run
  // survives a rebuild of the build tree.
  explicit ChainNet(int validators, uint64_t empty_block_interval_ms = 100, bool own_binary = false);
  ~ChainNet();

  std::filesystem::path home(int i) const { return dir_.path() / "net" / ("node" + std::to_string(i)); }
  node::Endpoint endpoint(int i, const char* what) const;
  node::PeerAddress peer(int i) const;
  std::string chain_id() const { return manifest_["chain_id"]; }
  Hash32 genesis() const { return genesis_identity_of(home(0)); }
  int size() const { return static_cast<int>(homes_); }
  PrivateKey dev_key(int k) const;
  const std::filesystem::path& dir() const { return dir_.path(); }

  // Adds a home for an observer: a fresh identity, the chain's genesis, no
  // consensus key, one persistent peer (node `peer_of`, which must allow it
  // before it starts). Returns its index.
  int add_observer(int peer_of);

  void start(int i);  // the log of each start goes to its own file
  void kill9(int i);
  bool running(int i) const { return procs_[i] && procs_[i]->running(); }
  int stop(int i) { return procs_[i] ? procs_[i]->stop() : 0; }
  std::string log(int i) const { return procs_[i] ? procs_[i]->log_text() : std::string(); }

  // Executed height by /metrics, -1 when the node does not answer.
  double height(int i) const;
  double value(int i, const std::string& name) const;
  // True once every running node in `nodes` is at `height` or above.
  bool all_at_least(const std::vector<int>& nodes, double height) const;

  // While node i runs: where transaction `id` was committed, asked over
  // gRPC (TxService.GetTx); nullopt while it is not (or the node is down).
  std::optional<hpchain::v1::TxRecord> committed_tx(int i, const Hash32& id) const;

  // After the nodes stopped: node i's committed blocks, by height.
  std::map<uint64_t, hpchain::v1::CommittedBlockRecord> blocks(int i) const;
  std::optional<hpchain::v1::TxRecord> tx(int i, const Hash32& id) const;
  // Every vote each validator signed, from the signed logs: "" when no
  // (epoch, round, signer) has two different votes, else what clashes.
  std::string double_votes() const;

 private:
  hpchain::testing::TempDir dir_;
  uint16_t base_ = 0;
  nlohmann::json manifest_;
  size_t homes_ = 0;
  std::vector<std::unique_ptr<Process>> procs_;
  std::vector<int> starts_;
  std::string binary_;
};

// A signed transfer of 1 credit from `from` (fee 10,000).
Bytes signed_transfer(const std::string& chain_id, const PrivateKey& from, uint64_t nonce);

}  // namespace hpchain::integration
