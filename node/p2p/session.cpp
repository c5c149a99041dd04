#include "node/p2p/session.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "chain/check.h"
#include "chain/codec.h"
#include "chain/log.h"

namespace hpchain::p2p {

using hpchain::v1::MessageType;

bool TokenBucket::take(double n) {
  const auto now = std::chrono::steady_clock::now();
  tokens_ = std::min(rate_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
  last_ = now;
  if (tokens_ < n) return false;
  tokens_ -= n;
  return true;
}

Session::Session(SessionHost& host, tcp::socket socket, asio::ssl::context& tls, bool outbound,
                 std::optional<Hash32> expected)
    : host_(host),
      stream_(std::move(socket), tls),
      deadline_(stream_.get_executor()),
      outbound_(outbound),
      expected_(expected),
      last_received_(std::chrono::steady_clock::now()),
      messages_(host.options().limits.rate_messages_per_second),
      bytes_(static_cast<double>(host.options().limits.rate_bytes_per_second)) {}

std::string Session::remote() const {
  boost::system::error_code ec;
  const auto ep = stream_.lowest_layer().remote_endpoint(ec);
  return ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

void Session::start() {
  deadline_.expires_after(std::chrono::milliseconds(host_.options().limits.handshake_timeout_ms));
  deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec && !self->ready_) self->close(Disconnect::kHandshake);
  });
  stream_.async_handshake(outbound_ ? asio::ssl::stream_base::client : asio::ssl::stream_base::server,
                          [self = shared_from_this()](const boost::system::error_code& ec) { self->on_handshake(ec); });
}

void Session::on_handshake(const boost::system::error_code& ec) {
  if (closed_) return;
  if (ec) {
    HPC_LOG_RATE_LIMITED(kP2p, info, "TLS handshake with {} failed: {}", remote(), ec.message());
    return close(Disconnect::kHandshake);
  }
  X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
  if (cert == nullptr) return close(Disconnect::kHandshake);
  unsigned char* der = nullptr;
  const int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  X509_free(cert);
  if (n <= 0) return close(Disconnect::kHandshake);
  node_id_ = sha256(ByteSpan(der, static_cast<size_t>(n)));
  OPENSSL_free(der);
  if ((expected_ && *expected_ != node_id_) || !host_.is_allowed(node_id_)) {
    HPC_LOG_RATE_LIMITED(kP2p, warn, "refusing {} with node id {}: not allowed", remote(), node_id_.hex());
    return close(Disconnect::kNotAllowed);
  }
  const auto& o = host_.options();
  hpchain::v1::Hello hello;
  hello.set_chain_id(o.chain_id);
  hello.set_genesis_identity(o.genesis_identity.bytes.data(), Hash32::kSize);
  hello.set_protocol_version(kProtocolVersion);
  hello.set_moniker(o.moniker);
  send_frame(std::make_shared<const Bytes>(encode_frame(hpchain::v1::MESSAGE_HELLO, serialize_proto(hello))));
  read_header();
}

void Session::read_header() {
  asio::async_read(stream_, asio::buffer(header_), [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
    if (self->closed_) return;
    if (ec) return self->close(Disconnect::kClosed);
    const uint32_t length = frame_length(self->header_);
    if (length == 0 || length > self->host_.options().limits.max_frame_bytes) {
      HPC_LOG_RATE_LIMITED(kP2p, warn, "peer {} sent a frame of {} bytes", self->node_id_.hex(), length);
      return self->close(Disconnect::kOversizedFrame);
    }
    self->read_body(length);
  });
}

void Session::read_body(uint32_t length) {
  body_.resize(length);
  asio::async_read(stream_, asio::buffer(body_), [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
    if (self->closed_) return;
    if (ec) return self->close(Disconnect::kClosed);
    self->host_.observer().on_bytes_in(n + kFrameHeaderBytes);
    self->last_received_ = std::chrono::steady_clock::now();
    if (!self->messages_.take(1) || !self->bytes_.take(static_cast<double>(n + kFrameHeaderBytes))) {
      HPC_LOG_RATE_LIMITED(kP2p, warn, "peer {} exceeds its rate limits", self->node_id_.hex());
      return self->close(Disconnect::kRateLimited);
    }
    self->on_frame();
  });
}

void Session::on_frame() {
  auto envelope = decode_envelope(body_);
  if (!envelope.is_ok()) {
    HPC_LOG_RATE_LIMITED(kP2p, warn, "peer {} sent garbage: {}", node_id_.hex(), envelope.status().message());
    return close(Disconnect::kMalformed);
  }
  const auto& e = envelope.value();
  if (!ready_) {
    if (e.type() != hpchain::v1::MESSAGE_HELLO) return close(Disconnect::kBadHello);
    on_hello(e);
  } else if (e.type() == hpchain::v1::MESSAGE_HELLO) {
    return close(Disconnect::kBadHello);
  } else if (e.type() == hpchain::v1::MESSAGE_PING) {
    send_frame(std::make_shared<const Bytes>(encode_frame(hpchain::v1::MESSAGE_PONG, as_bytes(e.payload()))));
  } else if (e.type() != hpchain::v1::MESSAGE_PONG) {
    host_.on_message(node_id_, e.type(), Bytes(e.payload().begin(), e.payload().end()));
  }
  if (!closed_) read_header();
}

void Session::on_hello(const hpchain::v1::Envelope& e) {
  hpchain::v1::Hello hello;
  const auto& o = host_.options();
  const bool parsed = parse_proto(as_bytes(e.payload()), hello, "hello").is_ok();
  if (!parsed || hello.chain_id() != o.chain_id || hello.protocol_version() != kProtocolVersion ||
      hello.genesis_identity() != std::string(o.genesis_identity.bytes.begin(), o.genesis_identity.bytes.end())) {
    HPC_LOG_RATE_LIMITED(kP2p, warn, "peer {} ({}) is on chain \"{}\", protocol {}: not ours", node_id_.hex(),
                         remote(), hello.chain_id(), hello.protocol_version());
    return close(Disconnect::kBadHello);
  }
  ready_ = true;
  HPC_LOG(kP2p, info, "connected to {} \"{}\" at {} ({})", node_id_.hex().substr(0, 12), hello.moniker(), remote(),
          outbound_ ? "out" : "in");
  arm_keepalive();
  host_.on_ready(shared_from_this());
}

void Session::arm_keepalive() {
  deadline_.expires_after(std::chrono::milliseconds(kPingIntervalMs));
  deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->closed_) return;
    if (std::chrono::steady_clock::now() - self->last_received_ > std::chrono::milliseconds(kIdleTimeoutMs)) {
      HPC_LOG_RATE_LIMITED(kP2p, info, "peer {} went silent", self->node_id_.hex());
      return self->close(Disconnect::kIdle);
    }
    self->send_frame(std::make_shared<const Bytes>(encode_frame(hpchain::v1::MESSAGE_PING, Bytes(8, 0))));
    self->arm_keepalive();
  });
}

void Session::send_frame(std::shared_ptr<const Bytes> frame) {
  if (closed_) return;
  const auto now = std::chrono::steady_clock::now();
  if (queued_bytes_ + frame->size() > host_.options().limits.send_queue_bytes) {
    host_.observer().on_dropped_message();
    if (!full_since_) full_since_ = now;
    if (now - *full_since_ > std::chrono::milliseconds(kStalledPeerMs)) {
      HPC_LOG_RATE_LIMITED(kP2p, warn, "peer {} does not read; disconnecting", node_id_.hex());
      close(Disconnect::kStalled);
    }
    return;
  }
  full_since_.reset();
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
  if (!writing_) write_next();
}

void Session::write_next() {
  if (queue_.empty() || closed_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  auto frame = queue_.front();
  asio::async_write(stream_, asio::buffer(*frame),
                    [self = shared_from_this(), frame](const boost::system::error_code& ec, size_t n) {
                      if (self->closed_) return;
                      if (ec) return self->close(Disconnect::kClosed);
                      self->host_.observer().on_bytes_out(n);
                      self->queued_bytes_ -= frame->size();
                      self->queue_.pop_front();
                      self->write_next();
                    });
}

void Session::close(Disconnect why) {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  deadline_.cancel();
  // No TLS close_notify exchange: a peer that stopped reading would hold it.
  stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.lowest_layer().close(ignored);
  queue_.clear();
  queued_bytes_ = 0;
  host_.on_closed(shared_from_this(), why);
}

}  // namespace hpchain::p2p
