// The p2p network on real TLS sockets on 127.0.0.1, ephemeral ports: peers
// connect by node id and exchange messages; unknown identities, other
// chains, garbage and oversized frames are refused and the listener keeps
// serving; a peer that stops reading does not grow the sender's queue.
// Every wait is a bounded poll.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "node/p2p/frame.h"
#include "node/p2p/network.h"

namespace hpchain::p2p {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

bool eventually(const std::function<bool()>& done, int timeout_ms = 10'000) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

struct Received {
  std::mutex mu;
  std::vector<std::pair<hpchain::v1::MessageType, Bytes>> messages;
  size_t count() {
    std::lock_guard<std::mutex> lock(mu);
    return messages.size();
  }
};

struct Counting : NetworkObserver {
  std::atomic<int> disconnects[kDisconnectCount] = {};
  std::atomic<int> dropped{0};
  void on_disconnect(Disconnect why) override { ++disconnects[static_cast<int>(why)]; }
  void on_dropped_message() override { ++dropped; }
  int of(Disconnect d) const { return disconnects[static_cast<int>(d)].load(); }
};

NetworkOptions options(const NodeIdentity& id, std::string chain = "p2p-test") {
  NetworkOptions o;
  o.chain_id = std::move(chain);
  o.genesis_identity = sha256(to_bytes("genesis"));
  o.moniker = "t";
  o.identity = id;
  o.listen = node::Endpoint{"127.0.0.1", 0};
  o.limits.reconnect_min_ms = 20;
  o.limits.reconnect_max_ms = 200;
  o.limits.handshake_timeout_ms = 2'000;
  return o;
}

struct Node {
  NodeIdentity id = generate_identity("test").value();
  Received received;
  Counting observer;
  std::unique_ptr<Network> net;

  void start(NetworkOptions o) {
    auto started = Network::start(std::move(o), [this](const Hash32&, hpchain::v1::MessageType t, Bytes p) {
      std::lock_guard<std::mutex> lock(received.mu);
      received.messages.emplace_back(t, std::move(p));
    }, &observer);
    ASSERT_TRUE(started.is_ok()) << started.status().message();
    net = std::move(started).value();
  }
  node::PeerAddress address() const { return {id.node_id, *net->listen_endpoint()}; }
};

TEST(P2p, TwoPeersConnectByNodeIdAndExchangeMessages) {
  Node a, b;
  auto oa = options(a.id);
  oa.allowed = {b.id.node_id};
  a.start(oa);
  auto ob = options(b.id);
  ob.persistent_peers = {a.address()};
  b.start(ob);
  ASSERT_TRUE(eventually([&] { return a.net->peers().size() == 1 && b.net->peers().size() == 1; }));
  EXPECT_EQ(a.net->peers()[0], b.id.node_id);
  b.net->broadcast(hpchain::v1::MESSAGE_TX, to_bytes("hello tx"));
  a.net->send(b.id.node_id, hpchain::v1::MESSAGE_CONSENSUS, to_bytes("vote"));
  ASSERT_TRUE(eventually([&] { return a.received.count() == 1 && b.received.count() == 1; }));
  EXPECT_EQ(a.received.messages[0].second, to_bytes("hello tx"));
  EXPECT_EQ(b.received.messages[0].first, hpchain::v1::MESSAGE_CONSENSUS);
  // The dialler comes back after the other side restarts.
  a.net->stop();
  ASSERT_TRUE(eventually([&] { return b.net->peers().empty(); }));
}

TEST(P2p, AnUnknownIdentityAndAnotherChainAreRefused) {
  Node a, stranger, other_chain;
  auto oa = options(a.id);
  oa.allowed = {other_chain.id.node_id};
  a.start(oa);
  auto os = options(stranger.id);
  os.persistent_peers = {a.address()};
  stranger.start(os);
  auto oc = options(other_chain.id, "another-chain");
  oc.persistent_peers = {a.address()};
  other_chain.start(oc);
  ASSERT_TRUE(eventually([&] {
    return a.observer.of(Disconnect::kNotAllowed) >= 1 && a.observer.of(Disconnect::kBadHello) >= 1;
  }));
  EXPECT_TRUE(a.net->peers().empty());
}

// A raw client: TCP, optionally TLS with its own identity, then any bytes.
struct RawClient {
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls};
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls_stream;  // made once `tls` holds the identity
  asio::ssl::stream<tcp::socket>& stream;

  explicit RawClient(const NodeIdentity& id) : stream(make(id)) {}
  asio::ssl::stream<tcp::socket>& make(const NodeIdentity& id) {
    tls.use_certificate_chain(asio::buffer(id.cert_pem));
    tls.use_private_key(asio::buffer(id.key_pem), asio::ssl::context::pem);
    tls.set_verify_mode(asio::ssl::verify_none);
    tls_stream = std::make_unique<asio::ssl::stream<tcp::socket>>(io, tls);
    return *tls_stream;
  }
  void connect(const node::Endpoint& e) {
    stream.lowest_layer().connect({asio::ip::make_address(e.host), e.port});
  }
  bool handshake() {
    boost::system::error_code ec;
    stream.handshake(asio::ssl::stream_base::client, ec);
    return !ec;
  }
  void write_tls(const Bytes& b) { asio::write(stream, asio::buffer(b)); }
  void write_raw(const Bytes& b) { asio::write(stream.next_layer(), asio::buffer(b)); }
  // Reads one frame (the server's HELLO); false on error.
  bool read_frame() {
    uint8_t header[kFrameHeaderBytes];
    boost::system::error_code ec;
    asio::read(stream, asio::buffer(header), ec);
    if (ec) return false;
    Bytes body(frame_length(header));
    asio::read(stream, asio::buffer(body), ec);
    return !ec;
  }
  // Reads until the server closes, waiting at most 5 s for each byte (poll:
  // Asio's blocking reads ignore SO_RCVTIMEO).
  void wait_for_close() {
    uint8_t byte;
    boost::system::error_code ec;
    while (!ec) {
      pollfd p{stream.next_layer().native_handle(), POLLIN, 0};
      if (::poll(&p, 1, 5'000) <= 0) return;
      asio::read(stream, asio::buffer(&byte, 1), ec);
    }
  }
};

// The HELLO of a peer on options()'s chain.
Bytes hello_frame() {
  hpchain::v1::Hello hello;
  hello.set_chain_id("p2p-test");
  const Hash32 g = sha256(to_bytes("genesis"));
  hello.set_genesis_identity(g.bytes.data(), 32);
  hello.set_protocol_version(kProtocolVersion);
  return encode_frame(hpchain::v1::MESSAGE_HELLO, to_bytes(hello.SerializeAsString()));
}

TEST(P2p, GarbageTruncatedAndOversizedFramesAreDroppedAndTheNodeKeepsServing) {
  Node a;
  const NodeIdentity client_id = generate_identity("client").value();
  auto oa = options(a.id);
  oa.allowed = {client_id.node_id};
  oa.limits.max_frame_bytes = 64 * 1024;
  a.start(oa);
  {  // Not TLS at all.
    RawClient c(client_id);
    c.connect(*a.net->listen_endpoint());
    c.write_raw(to_bytes("GET / HTTP/1.1\r\n\r\n"));
  }
  ASSERT_TRUE(eventually([&] { return a.observer.of(Disconnect::kHandshake) >= 1; }));
  // The client reads the node's HELLO first, so no unread data turns its
  // close into a reset that could discard what it sent.
  auto after_tls = [&](const Bytes& bytes) {
    RawClient c(client_id);
    c.connect(*a.net->listen_endpoint());
    ASSERT_TRUE(c.handshake());
    ASSERT_TRUE(c.read_frame());
    c.write_tls(bytes);
    boost::system::error_code ignored;
    c.stream.next_layer().shutdown(tcp::socket::shutdown_send, ignored);
    c.wait_for_close();
  };
  after_tls(Bytes{0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9});                       // a frame that is no envelope
  after_tls(Bytes{0x7f, 0xff, 0xff, 0xff});                                       // 2 GiB announced
  after_tls(Bytes{0, 0, 1, 0, 1, 2});                                             // truncated, then closed
  after_tls(encode_frame(hpchain::v1::MESSAGE_TX, to_bytes("tx before hello")));  // not a HELLO first
  ASSERT_TRUE(eventually([&] {
    return a.observer.of(Disconnect::kMalformed) >= 1 && a.observer.of(Disconnect::kOversizedFrame) >= 1 &&
           a.observer.of(Disconnect::kBadHello) >= 1 && a.observer.of(Disconnect::kClosed) >= 1;
  }));
  // Still serving: a proper peer connects.
  Node b;
  auto ob = options(b.id);
  ob.persistent_peers = {a.address()};
  a.net->set_allowed({b.id.node_id});
  b.start(ob);
  ASSERT_TRUE(eventually([&] { return a.net->peers().size() == 1; }));
}

TEST(P2p, APeerOverItsMessageRateIsDisconnected) {
  Node a;
  const NodeIdentity client_id = generate_identity("client").value();
  auto oa = options(a.id);
  oa.allowed = {client_id.node_id};
  oa.limits.rate_messages_per_second = 20;
  a.start(oa);
  RawClient c(client_id);
  c.connect(*a.net->listen_endpoint());
  ASSERT_TRUE(c.handshake());
  c.write_tls(hello_frame());
  ASSERT_TRUE(eventually([&] { return a.net->peers().size() == 1; }));
  const Bytes ping = encode_frame(hpchain::v1::MESSAGE_PING, Bytes(8, 0));
  boost::system::error_code ignored;
  for (int i = 0; i < 100 && !ignored; ++i) asio::write(c.stream, asio::buffer(ping), ignored);  // 100 at once
  EXPECT_TRUE(eventually([&] { return a.observer.of(Disconnect::kRateLimited) == 1; }));
  EXPECT_TRUE(a.net->peers().empty());
}

TEST(P2p, APeerThatStopsReadingDoesNotGrowTheSendQueueAndIsDropped) {
  Node a;
  const NodeIdentity client_id = generate_identity("client").value();
  auto oa = options(a.id);
  oa.allowed = {client_id.node_id};
  oa.limits.send_queue_bytes = 64 * 1024;
  a.start(oa);
  RawClient c(client_id);
  // A small receive buffer, so the kernel holds little of what it does not read.
  c.stream.next_layer().open(tcp::v4());
  c.stream.next_layer().set_option(asio::socket_base::receive_buffer_size(4096));
  c.connect(*a.net->listen_endpoint());
  ASSERT_TRUE(c.handshake());
  c.write_tls(hello_frame());
  ASSERT_TRUE(eventually([&] { return a.net->peers().size() == 1; }));
  // The client never reads (it keeps sending pings, so it is not idle): the
  // kernel buffers fill, then the bounded queue; messages are dropped and,
  // after kStalledPeerMs of that, the peer is dropped.
  const Bytes big(16 * 1024, 7);
  const Bytes ping = encode_frame(hpchain::v1::MESSAGE_PING, Bytes(8, 0));
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < 8; ++i) a.net->broadcast(hpchain::v1::MESSAGE_TX, big);
    boost::system::error_code ignored;
    asio::write(c.stream, asio::buffer(ping), ignored);
    return a.observer.of(Disconnect::kStalled) >= 1;
  }, 30'000));
  EXPECT_GT(a.observer.dropped.load(), 0);
  EXPECT_EQ(a.observer.of(Disconnect::kIdle), 0);
}

}  // namespace
}  // namespace hpchain::p2p
