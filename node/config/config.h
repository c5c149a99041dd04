// config/config.toml: the node's settings, every one documented and
// defaulted (docs/node.md, "Configuration"). Read with toml++.
//
// load_config refuses what it does not know: an unknown table or key, a
// wrong type or a value out of bounds is InvalidArgument naming the setting
// ("config.toml: p2p.max_peers: must be 1 to 1024"), so a typo never falls
// back to a default silently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "chain/hash.h"
#include "chain/status.h"

namespace hpchain::node {

// "host:port" with a numeric port. Hosts are IP addresses or names.
struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};
// InvalidArgument for anything but host:port with a port 1..65535 (0 is
// allowed when `allow_zero`: "pick any free port").
Result<Endpoint> parse_endpoint(std::string_view text, bool allow_zero = false);

// "NODE_ID@host:port", NODE_ID being 64 hex digits (a node id).
struct PeerAddress {
  Hash32 node_id;
  Endpoint endpoint;
  std::string to_string() const { return node_id.hex() + "@" + endpoint.to_string(); }
  friend bool operator==(const PeerAddress&, const PeerAddress&) = default;
};
Result<PeerAddress> parse_peer_address(std::string_view text);

struct P2pConfig {
  Endpoint listen{"127.0.0.1", 26656};
  std::vector<PeerAddress> persistent_peers;
  std::vector<Hash32> allowed_node_ids;
  uint32_t max_peers = 64;
  uint32_t max_frame_bytes = 4 * 1024 * 1024 + 256 * 1024;
  uint64_t send_queue_bytes = 16 * 1024 * 1024;
  uint32_t rate_messages_per_second = 2'000;
  uint64_t rate_bytes_per_second = 32 * 1024 * 1024;
  uint32_t reconnect_min_ms = 500;
  uint32_t reconnect_max_ms = 30'000;
  uint32_t handshake_timeout_ms = 5'000;
  friend bool operator==(const P2pConfig&, const P2pConfig&) = default;
};

struct MempoolConfig {
  uint32_t max_txs = 50'000;
  uint64_t max_bytes = 64 * 1024 * 1024;
  uint32_t verify_threads = 0;  // 0: one per core
  friend bool operator==(const MempoolConfig&, const MempoolConfig&) = default;
};

struct ConsensusConfig {
  uint64_t round_timeout_ms = 1'000;        // a round's first timeout (then doubled, up to 8x)
  uint64_t empty_block_interval_ms = 250;   // an idle leader's wait before an empty block
  friend bool operator==(const ConsensusConfig&, const ConsensusConfig&) = default;
};

struct NodeConfig {
  std::string moniker = "node";
  P2pConfig p2p;
  MempoolConfig mempool;
  ConsensusConfig consensus;
  Endpoint rpc_listen{"127.0.0.1", 26657};
  std::string metrics_listen = "127.0.0.1:26660";  // empty: no metrics endpoint
  std::string log_level = "info";
  friend bool operator==(const NodeConfig&, const NodeConfig&) = default;
};

// Parses TOML text (`origin` names it in messages, e.g. the path).
Result<NodeConfig> parse_config(std::string_view toml_text, std::string_view origin = "config.toml");
// Reads and parses a file: NotFound / IoError for the file, else as parse_config.
Result<NodeConfig> load_config(const std::filesystem::path& path);
// The documented TOML for `config`: every setting with a comment, so the
// file a user edits explains itself. parse_config(render_config(c)) == c.
std::string render_config(const NodeConfig& config);

}  // namespace hpchain::node
