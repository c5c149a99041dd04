#include "node/p2p/network.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "chain/check.h"
#include "chain/log.h"
#include "node/p2p/session.h"

namespace hpchain::p2p {

std::string_view disconnect_name(Disconnect d) {
  static constexpr std::string_view kNames[kDisconnectCount] = {
      "not_allowed", "handshake", "bad_hello", "duplicate", "too_many_peers", "oversized_frame",
      "malformed", "rate_limited", "stalled", "idle", "closed", "shutdown"};
  return kNames[static_cast<int>(d)];
}

namespace {
NetworkObserver& null_observer() {
  static NetworkObserver none;
  return none;
}
}  // namespace

class Network::Impl final : public SessionHost {
 public:
  Impl(NetworkOptions options, Handler handler, NetworkObserver* observer)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        observer_(observer ? *observer : null_observer()),
        tls_(asio::ssl::context::tls),
        acceptor_(io_) {}

  Status init();
  void run() { thread_ = std::thread([this] { io_.run(); }); }
  void stop();

  const NetworkOptions& options() const override { return options_; }
  bool is_allowed(const Hash32& id) const override { return allowed_.count(id) > 0 || host_allowed_.count(id) > 0; }
  void on_ready(const std::shared_ptr<Session>& session) override;
  void on_message(const Hash32& from, hpchain::v1::MessageType type, Bytes payload) override {
    if (handler_) handler_(from, type, std::move(payload));
  }
  void on_closed(const std::shared_ptr<Session>& session, Disconnect why) override;
  NetworkObserver& observer() override { return observer_; }

  void broadcast(std::shared_ptr<const Bytes> frame, std::optional<Hash32> except);
  void send(const Hash32& peer, std::shared_ptr<const Bytes> frame);
  void set_allowed(std::vector<Hash32> ids);
  std::vector<Hash32> peers() const;
  std::optional<node::Endpoint> listen_endpoint() const { return bound_; }
  const Hash32& node_id() const { return options_.identity.node_id; }
  asio::io_context& io() { return io_; }

 private:
  void accept();
  void dial(size_t peer_index);
  void redial_later(size_t peer_index);
  void publish_peer_count();

  NetworkOptions options_;
  Handler handler_;
  NetworkObserver& observer_;
  asio::io_context io_;
  // Keeps io_.run() going while there is nothing to do (a node with no
  // listener and no peers yet); released by stop().
  asio::executor_work_guard<asio::io_context::executor_type> work_{asio::make_work_guard(io_)};
  asio::ssl::context tls_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::optional<node::Endpoint> bound_;
  std::set<Hash32> allowed_;       // persistent peers and configured ids
  std::set<Hash32> host_allowed_;  // set_allowed
  std::set<std::shared_ptr<Session>> sessions_;  // every open connection
  std::map<Hash32, std::shared_ptr<Session>> ready_;
  struct Dialer {
    node::PeerAddress address;
    uint32_t backoff_ms = 0;
    bool connecting = false;
    std::unique_ptr<asio::steady_timer> timer;
  };
  std::vector<Dialer> dialers_;
  std::mt19937_64 jitter_{std::random_device{}()};
  mutable std::mutex peers_mu_;  // guards peer_ids_, read from other threads
  std::vector<Hash32> peer_ids_;
  bool stopping_ = false;
};

Status Network::Impl::init() {
  SSL_CTX* ctx = tls_.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  boost::system::error_code ec;
  tls_.use_certificate_chain(asio::buffer(options_.identity.cert_pem), ec);
  if (!ec) tls_.use_private_key(asio::buffer(options_.identity.key_pem), asio::ssl::context::pem, ec);
  if (ec) return Status::invalid_argument("TLS identity refused: " + ec.message());
  // Peers present self-signed certificates: the chain is not checked, the
  // key is (TLS proves possession), and the key's hash must be allowed.
  tls_.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  tls_.set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
  for (const auto& p : options_.persistent_peers) allowed_.insert(p.node_id);
  allowed_.insert(options_.allowed.begin(), options_.allowed.end());
  if (options_.listen) {
    const auto& l = *options_.listen;
    tcp::endpoint ep(asio::ip::make_address(l.host, ec), l.port);
    if (ec) return Status::invalid_argument("p2p.listen: " + l.host + " is not an IP address");
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::io_error("cannot listen on " + l.to_string() + ": " + ec.message());
    bound_ = node::Endpoint{l.host, acceptor_.local_endpoint().port()};
    accept();
  }
  for (const auto& p : options_.persistent_peers) {
    dialers_.push_back({p, options_.limits.reconnect_min_ms, false, std::make_unique<asio::steady_timer>(io_)});
  }
  for (size_t i = 0; i < dialers_.size(); ++i) dial(i);
  return Status::ok();
}

void Network::Impl::accept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (stopping_) return;
    if (!ec) {
      if (sessions_.size() >= options_.limits.max_peers) {
        observer_.on_disconnect(Disconnect::kTooManyPeers);
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        auto s = std::make_shared<Session>(*this, std::move(socket), tls_, /*outbound=*/false, std::nullopt);
        sessions_.insert(s);
        s->start();
      }
    }
    accept();
  });
}

void Network::Impl::dial(size_t i) {
  Dialer& d = dialers_[i];
  if (stopping_ || d.connecting || ready_.count(d.address.node_id)) return;
  d.connecting = true;
  auto resolver = std::make_shared<tcp::resolver>(io_);
  resolver->async_resolve(
      d.address.endpoint.host, std::to_string(d.address.endpoint.port),
      [this, i, resolver](const boost::system::error_code& ec, tcp::resolver::results_type results) {
        if (stopping_) return;
        if (ec) return redial_later(i);
        auto socket = std::make_shared<tcp::socket>(io_);
        asio::async_connect(*socket, results, [this, i, socket](const boost::system::error_code& cec, const tcp::endpoint&) {
          if (stopping_) return;
          if (cec) return redial_later(i);
          auto s = std::make_shared<Session>(*this, std::move(*socket), tls_, /*outbound=*/true,
                                             dialers_[i].address.node_id);
          sessions_.insert(s);
          s->start();
        });
      });
}

// Exponential back-off with jitter, from reconnect_min_ms up to reconnect_max_ms.
void Network::Impl::redial_later(size_t i) {
  Dialer& d = dialers_[i];
  d.connecting = false;
  if (stopping_) return;
  const uint32_t wait = d.backoff_ms / 2 + static_cast<uint32_t>(jitter_() % (d.backoff_ms / 2 + 1));
  d.backoff_ms = std::min(d.backoff_ms * 2, options_.limits.reconnect_max_ms);
  d.timer->expires_after(std::chrono::milliseconds(wait));
  d.timer->async_wait([this, i](const boost::system::error_code& ec) {
    if (!ec) dial(i);
  });
}

// Simultaneous dials give two connections to one peer; both ends keep the
// one opened by the smaller node id, so they agree without talking.
void Network::Impl::on_ready(const std::shared_ptr<Session>& session) {
  const Hash32& id = session->node_id();
  auto it = ready_.find(id);
  if (it != ready_.end()) {
    auto opener = [this](const Session& s) { return s.outbound() ? node_id() : s.node_id(); };
    const bool keep_new = opener(*session) < opener(*it->second);
    (keep_new ? it->second : session)->close(Disconnect::kDuplicate);
    if (!keep_new) return;
  }
  ready_[id] = session;
  for (auto& d : dialers_) {
    if (d.address.node_id == id) d.backoff_ms = options_.limits.reconnect_min_ms;
  }
  publish_peer_count();
}

void Network::Impl::on_closed(const std::shared_ptr<Session>& session, Disconnect why) {
  sessions_.erase(session);
  observer_.on_disconnect(why);
  auto it = ready_.find(session->node_id());
  if (it != ready_.end() && it->second == session) {
    ready_.erase(it);
    HPC_LOG(kP2p, info, "disconnected from {}: {}", session->node_id().hex().substr(0, 12), disconnect_name(why));
    publish_peer_count();
  }
  if (stopping_) return;
  // A persistent peer is redialled when our dial of it ended (before or
  // after TLS), or when its inbound connection ended and we are not dialling.
  for (size_t i = 0; i < dialers_.size(); ++i) {
    const Hash32& target = dialers_[i].address.node_id;
    const bool ours = session->dialed() == target;
    const bool theirs = !session->outbound() && session->node_id() == target && !ready_.count(target);
    if (ours || (theirs && !dialers_[i].connecting)) redial_later(i);
  }
}

void Network::Impl::publish_peer_count() {
  std::vector<Hash32> ids;
  for (const auto& [id, s] : ready_) ids.push_back(id);
  {
    std::lock_guard<std::mutex> lock(peers_mu_);
    peer_ids_ = ids;
  }
  observer_.on_peer_count(ids.size());
}

void Network::Impl::broadcast(std::shared_ptr<const Bytes> frame, std::optional<Hash32> except) {
  // A copy: send_frame may close a stalled peer, which erases it from ready_.
  const auto peers = ready_;
  for (auto& [id, s] : peers) {
    if (!except || *except != id) s->send_frame(frame);
  }
}

void Network::Impl::send(const Hash32& peer, std::shared_ptr<const Bytes> frame) {
  auto it = ready_.find(peer);
  if (it != ready_.end()) it->second->send_frame(std::move(frame));
}

void Network::Impl::set_allowed(std::vector<Hash32> ids) {
  host_allowed_ = std::set<Hash32>(ids.begin(), ids.end());
  std::vector<std::shared_ptr<Session>> gone;
  for (const auto& s : sessions_) {
    if (s->ready() && !is_allowed(s->node_id())) gone.push_back(s);
  }
  for (auto& s : gone) s->close(Disconnect::kNotAllowed);
}

std::vector<Hash32> Network::Impl::peers() const {
  std::lock_guard<std::mutex> lock(peers_mu_);
  return peer_ids_;
}

void Network::Impl::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& d : dialers_) d.timer->cancel();
    auto all = sessions_;
    for (auto& s : all) s->close(Disconnect::kShutdown);
    work_.reset();
    io_.stop();
  });
  thread_.join();
}

Result<std::unique_ptr<Network>> Network::start(NetworkOptions options, Handler handler, NetworkObserver* observer) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler), observer);
  HPC_TRY(impl->init());
  impl->run();
  return std::unique_ptr<Network>(new Network(std::move(impl)));
}

Network::Network(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Network::~Network() { stop(); }
void Network::stop() { impl_->stop(); }
std::optional<node::Endpoint> Network::listen_endpoint() const { return impl_->listen_endpoint(); }
const Hash32& Network::node_id() const { return impl_->node_id(); }
std::vector<Hash32> Network::peers() const { return impl_->peers(); }

void Network::broadcast(hpchain::v1::MessageType type, Bytes payload, std::optional<Hash32> except) {
  auto frame = std::make_shared<const Bytes>(encode_frame(type, payload));
  asio::post(impl_->io(), [impl = impl_.get(), frame, except] { impl->broadcast(frame, except); });
}

void Network::send(const Hash32& peer, hpchain::v1::MessageType type, Bytes payload) {
  auto frame = std::make_shared<const Bytes>(encode_frame(type, payload));
  asio::post(impl_->io(), [impl = impl_.get(), frame, peer] { impl->send(peer, frame); });
}

void Network::set_allowed(std::vector<Hash32> node_ids) {
  asio::post(impl_->io(), [impl = impl_.get(), ids = std::move(node_ids)]() mutable { impl->set_allowed(std::move(ids)); });
}

}  // namespace hpchain::p2p
