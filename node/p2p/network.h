// The p2p network (docs/node.md, "P2P"): mutually authenticated TLS 1.3
// connections over Boost.Asio, admitted by node id, carrying length-framed
// envelopes of opaque typed messages.
//
// Bounds, so no peer can make this node do unbounded work or hold unbounded
// memory: max_peers connections; frames up to max_frame_bytes, checked
// before the body is read; per-peer token buckets on messages and bytes
// (a peer over them is disconnected); per-peer send queues of at most
// send_queue_bytes (beyond it messages to that peer are dropped, and a peer
// whose queue stays full for kStalledPeerMs is disconnected); a handshake
// and HELLO deadline. Log lines a peer can trigger are rate-limited.
//
// Threading: the network runs one Asio thread of its own. Handler and
// observer calls come from that thread and must not block; every public
// method may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/status.h"
#include "hpchain/v1/p2p.pb.h"
#include "node/config/config.h"
#include "node/p2p/identity.h"

namespace hpchain::p2p {

inline constexpr uint32_t kStalledPeerMs = 10'000;
// Keepalive: a PING every kPingIntervalMs; a peer silent for kIdleTimeoutMs
// (a dead host, or a partitioned link that TCP does not notice) is dropped.
inline constexpr uint32_t kPingIntervalMs = 2'000;
inline constexpr uint32_t kIdleTimeoutMs = 8'000;

struct NetworkOptions {
  std::string chain_id;
  Hash32 genesis_identity;  // ledger::chain_identity; peers must present the same
  std::string moniker;
  NodeIdentity identity;
  std::optional<node::Endpoint> listen;  // none: this node only dials
  std::vector<node::PeerAddress> persistent_peers;
  std::vector<Hash32> allowed;  // node ids allowed besides the persistent peers
  node::P2pConfig limits;       // sizes, rates and timeouts (listen and peers there are ignored)
};

// Why a connection ended, for metrics and logs.
enum class Disconnect : uint8_t {
  kNotAllowed,      // its node id is not allowed
  kHandshake,       // TLS failed or timed out
  kBadHello,        // no HELLO first, another chain, or another protocol version
  kDuplicate,       // already connected to that node id
  kTooManyPeers,
  kOversizedFrame,
  kMalformed,       // a frame that is not an envelope
  kRateLimited,
  kStalled,         // its send queue stayed full
  kIdle,            // nothing received within kIdleTimeoutMs
  kClosed,          // the peer closed, or the stream failed
  kShutdown,
};
inline constexpr int kDisconnectCount = static_cast<int>(Disconnect::kShutdown) + 1;
std::string_view disconnect_name(Disconnect d);

// Callbacks for metrics (node/metrics); every method defaults to nothing.
class NetworkObserver {
 public:
  virtual ~NetworkObserver() = default;
  virtual void on_peer_count(size_t /*peers*/) {}
  virtual void on_bytes_in(size_t /*bytes*/) {}
  virtual void on_bytes_out(size_t /*bytes*/) {}
  virtual void on_disconnect(Disconnect /*why*/) {}
  virtual void on_dropped_message() {}
};

class Network {
 public:
  // Called on the network thread for every TX or CONSENSUS message.
  using Handler = std::function<void(const Hash32& from, hpchain::v1::MessageType type, Bytes payload)>;

  // Binds the listener (when set) and starts dialling the persistent peers.
  // IoError when the listen address cannot be bound; InvalidArgument for
  // an identity OpenSSL refuses. `observer` may be null; it must outlive
  // the network.
  static Result<std::unique_ptr<Network>> start(NetworkOptions options, Handler handler,
                                                NetworkObserver* observer = nullptr);
  ~Network();  // stop()
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Closes every connection and joins the network thread. Idempotent.
  void stop();

  // The bound listen address (its real port when 0 was asked), if listening.
  std::optional<node::Endpoint> listen_endpoint() const;

  // Queues a message to every connected peer but `except`.
  void broadcast(hpchain::v1::MessageType type, Bytes payload, std::optional<Hash32> except = std::nullopt);
  // Queues a message to one peer; dropped when it is not connected.
  void send(const Hash32& peer, hpchain::v1::MessageType type, Bytes payload);

  // Replaces the node ids the host allows (chain state), besides the
  // persistent peers and configured ids; connected peers no longer allowed
  // are disconnected.
  void set_allowed(std::vector<Hash32> node_ids);

  // The node ids connected now (after TLS and HELLO), sorted.
  std::vector<Hash32> peers() const;
  const Hash32& node_id() const;

  class Impl;

 private:
  explicit Network(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hpchain::p2p
