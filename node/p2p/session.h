// Internal to node/p2p: one connection (docs/node.md, "P2P"). Lives on the
// network thread; every method but the constructor runs there.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>

#include "node/p2p/frame.h"
#include "node/p2p/network.h"

namespace hpchain::p2p {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A token bucket: `rate` tokens per second, holding at most `rate`.
class TokenBucket {
 public:
  explicit TokenBucket(double rate) : rate_(rate), tokens_(rate), last_(std::chrono::steady_clock::now()) {}
  // Takes `n` tokens if there are that many.
  bool take(double n);

 private:
  double rate_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

// What a session needs from the network that owns it.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual const NetworkOptions& options() const = 0;
  virtual bool is_allowed(const Hash32& node_id) const = 0;
  // TLS and HELLO done: the host registers the peer or closes it.
  virtual void on_ready(const std::shared_ptr<class Session>& session) = 0;
  virtual void on_message(const Hash32& from, hpchain::v1::MessageType type, Bytes payload) = 0;
  virtual void on_closed(const std::shared_ptr<class Session>& session, Disconnect why) = 0;
  virtual NetworkObserver& observer() = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `expected`: the node id an outbound dial is for (checked after TLS).
  Session(SessionHost& host, tcp::socket socket, asio::ssl::context& tls, bool outbound,
          std::optional<Hash32> expected);

  void start();
  // Queues a whole frame, or drops it when the queue is full (see network.h).
  void send_frame(std::shared_ptr<const Bytes> frame);
  void close(Disconnect why);

  bool outbound() const { return outbound_; }
  bool ready() const { return ready_; }
  bool closed() const { return closed_; }
  const Hash32& node_id() const { return node_id_; }  // valid after TLS
  // The node id an outbound dial was for (known before TLS), if any.
  const std::optional<Hash32>& dialed() const { return expected_; }
  std::string remote() const;

 private:
  void on_handshake(const boost::system::error_code& ec);
  void read_header();
  void read_body(uint32_t length);
  void on_frame();
  void on_hello(const hpchain::v1::Envelope& e);
  void write_next();
  void arm_keepalive();

  SessionHost& host_;
  asio::ssl::stream<tcp::socket> stream_;
  asio::steady_timer deadline_;  // handshake + HELLO, then keepalive
  bool outbound_;
  std::optional<Hash32> expected_;
  Hash32 node_id_;
  bool ready_ = false;
  bool closed_ = false;
  uint8_t header_[kFrameHeaderBytes] = {};
  Bytes body_;
  std::deque<std::shared_ptr<const Bytes>> queue_;
  uint64_t queued_bytes_ = 0;
  bool writing_ = false;
  std::optional<std::chrono::steady_clock::time_point> full_since_;
  std::chrono::steady_clock::time_point last_received_;
  TokenBucket messages_;
  TokenBucket bytes_;
};

}  // namespace hpchain::p2p
