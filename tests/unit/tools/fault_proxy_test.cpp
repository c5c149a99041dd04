// The fault proxy on real loopback sockets, against an echo server: bytes
// pass, delays hold, duplicates double, drops reset, partitions silence and
// heal. Reads are bounded by receive timeouts.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <chrono>
#include <thread>

#include "tools/fault_proxy/fault_proxy.h"

namespace hpchain::tools {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Echoes every byte back, one connection at a time, on its own thread.
struct EchoServer {
  asio::io_context io;
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  std::thread thread;
  EchoServer() {
    accept();
    thread = std::thread([this] { io.run(); });
  }
  ~EchoServer() {
    io.stop();
    thread.join();
  }
  void accept() {
    acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket s) {
      if (ec) return;
      auto socket = std::make_shared<tcp::socket>(std::move(s));
      echo(socket);
      accept();
    });
  }
  void echo(std::shared_ptr<tcp::socket> s) {
    auto buf = std::make_shared<std::array<char, 4096>>();
    s->async_read_some(asio::buffer(*buf), [this, s, buf](const boost::system::error_code& ec, size_t n) {
      if (ec) return;
      asio::async_write(*s, asio::buffer(*buf, n), [this, s, buf](const boost::system::error_code& wec, size_t) {
        if (!wec) echo(s);
      });
    });
  }
  node::Endpoint endpoint() const { return {"127.0.0.1", acceptor.local_endpoint().port()}; }
};

struct Client {
  asio::io_context io;
  tcp::socket socket{io};
  explicit Client(const node::Endpoint& e) {
    socket.connect({asio::ip::make_address(e.host), e.port});
    const timeval tv{2, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  // Sends `text` and reads up to `want` bytes (fewer on timeout or close).
  // Plain send/recv: Asio's blocking reads wait past SO_RCVTIMEO.
  std::string round_trip(const std::string& text, size_t want) {
    if (::send(socket.native_handle(), text.data(), text.size(), MSG_NOSIGNAL) < 0) return "";
    std::string got;
    char buf[256];
    while (got.size() < want) {
      const ssize_t n = ::recv(socket.native_handle(), buf, sizeof(buf), 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }
};

std::unique_ptr<FaultProxy> proxy_to(const EchoServer& echo) {
  return FaultProxy::start({"127.0.0.1", 0}, echo.endpoint()).value();
}

TEST(FaultProxy, BytesPassAndDelaysHold) {
  EchoServer echo;
  auto proxy = proxy_to(echo);
  Client c(proxy->endpoint());
  EXPECT_EQ(c.round_trip("hello", 5), "hello");
  proxy->set_delay_ms(150);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.round_trip("later", 5), "later");
  // Delayed on the way there and back.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
}

TEST(FaultProxy, DuplicatesDoubleAndDropsReset) {
  EchoServer echo;
  auto proxy = proxy_to(echo);
  Client c(proxy->endpoint());
  proxy->set_duplicate_probability(1.0);
  // Doubled towards the server, and each echo doubled back: four copies.
  EXPECT_EQ(c.round_trip("ab", 8), "abababab");
  proxy->set_duplicate_probability(0);
  proxy->set_drop_probability(1.0);
  EXPECT_EQ(c.round_trip("gone", 4), "");
  // The link is released once its pending handlers ran: a bounded wait.
  for (int i = 0; i < 200 && proxy->open_connections() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(proxy->open_connections(), 0u);
}

TEST(FaultProxy, APartitionSilencesLinksUntilHealed) {
  EchoServer echo;
  auto proxy = proxy_to(echo);
  Client before(proxy->endpoint());
  EXPECT_EQ(before.round_trip("x", 1), "x");
  proxy->partition();
  EXPECT_EQ(before.round_trip("lost", 4), "");  // 2 s of silence
  Client during(proxy->endpoint());
  EXPECT_EQ(during.round_trip("nowhere", 7), "");
  proxy->heal();
  Client after(proxy->endpoint());
  EXPECT_EQ(after.round_trip("back", 4), "back");
  EXPECT_EQ(proxy->accepted(), 3u);
}

}  // namespace
}  // namespace hpchain::tools
