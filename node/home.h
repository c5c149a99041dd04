// The node's home directory (DESIGN.md section 7; docs/node.md, "Home"):
//
//   config/config.toml          settings (node/config/config.h)
//   config/genesis.json         the chain's genesis
//   config/node_key.pem         TLS key, mode 0600; its SPKI hash is the node id
//   config/node_cert.pem        self-signed TLS certificate
//   config/validator_key.json   consensus key, mode 0600
//   config/operator_key.json    the operator account's key, mode 0600 (init only)
//   data/                       RocksDB (blocks, state, ...)
//   data/safety.db              consensus safety state (issue 17)
//
// `hpchaind init` and `hpchaind testnet` write homes; `hpchaind start` reads one.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "chain/hash.h"
#include "chain/status.h"
#include "genesis/genesis.h"
#include "node/config/config.h"

namespace hpchain::node {

struct HomePaths {
  std::filesystem::path home;
  std::filesystem::path config_dir() const { return home / "config"; }
  std::filesystem::path config() const { return home / "config" / "config.toml"; }
  std::filesystem::path genesis() const { return home / "config" / "genesis.json"; }
  std::filesystem::path node_key() const { return home / "config" / "node_key.pem"; }
  std::filesystem::path node_cert() const { return home / "config" / "node_cert.pem"; }
  std::filesystem::path validator_key() const { return home / "config" / "validator_key.json"; }
  std::filesystem::path operator_key() const { return home / "config" / "operator_key.json"; }
  std::filesystem::path data() const { return home / "data"; }
};

struct InitOptions {
  std::filesystem::path home;
  std::string chain_id;
  std::string moniker = "node";
};

// A home for a one-validator chain: fresh keys, a TLS identity, the
// documented config, and a genesis in which this node is the only
// validator, of institution "local", whose operator account (its key in
// config/operator_key.json) is its admin and holds credits. AlreadyExists
// when the home already has a config directory (nothing is overwritten);
// InvalidArgument for a bad chain id; IoError.
Result<Hash32> init_home(const InitOptions& options);

struct TestnetOptions {
  std::filesystem::path out;
  uint32_t validators = 4;
  uint16_t base_port = 26600;
  std::string chain_id = "testnet-1";
  uint32_t dev_accounts = 4;
};

struct TestnetNode {
  std::string name;
  std::filesystem::path home;
  Hash32 node_id;
  Endpoint p2p, grpc, metrics;
};

// N homes out/node0.. on one host: node i listens on base_port + 3i (p2p),
// + 3i + 1 (gRPC) and + 3i + 2 (metrics), every node lists the others as
// persistent peers, and all share one genesis: one institution per node
// (inst0..), each node a validator of power 1 whose operator administers
// its institution, and `dev_accounts` funded submitter keys in
// out/dev/dev0.json.. (development only: the keys sit unencrypted on disk).
// Writes out/testnet.json describing it all. InvalidArgument for 0 or more
// than 64 validators or ports beyond 65535; AlreadyExists when `out` holds
// a testnet.json.
Result<std::vector<TestnetNode>> create_testnet(const TestnetOptions& options);

}  // namespace hpchain::node
