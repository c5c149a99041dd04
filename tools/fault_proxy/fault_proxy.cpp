#include "tools/fault_proxy/fault_proxy.h"

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

namespace hpchain::tools {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Fault settings, read by every pump for every chunk.
struct Faults {
  std::atomic<uint32_t> delay_ms{0};
  std::atomic<double> drop{0};
  std::atomic<double> duplicate{0};
  std::atomic<bool> partitioned{false};
  std::mutex rng_mu;
  std::mt19937_64 rng;
  bool roll(double p) {
    if (p <= 0) return false;
    std::lock_guard<std::mutex> lock(rng_mu);
    return std::uniform_real_distribution<double>(0, 1)(rng) < p;
  }
};

// Two sockets and one pump per direction.
class Link : public std::enable_shared_from_this<Link> {
 public:
  Link(tcp::socket client, tcp::socket server, Faults& faults, std::atomic<uint64_t>& open)
      : sockets_{std::move(client), std::move(server)}, timers_{asio::steady_timer(sockets_[0].get_executor()),
                                                                asio::steady_timer(sockets_[0].get_executor())},
        faults_(faults), open_(open) {
    ++open_;
  }
  ~Link() { --open_; }

  void start() {
    read(0);
    read(1);
  }

 private:
  struct Chunk {
    Clock::time_point due;
    std::vector<uint8_t> bytes;
  };

  void read(int from) {
    auto buffer = std::make_shared<std::array<uint8_t, 16 * 1024>>();
    sockets_[from].async_read_some(asio::buffer(*buffer), [self = shared_from_this(), from, buffer](
                                                              const boost::system::error_code& ec, size_t n) {
      if (ec) return self->close();
      self->on_chunk(from, std::vector<uint8_t>(buffer->begin(), buffer->begin() + static_cast<long>(n)));
      self->read(from);
    });
  }

  void on_chunk(int from, std::vector<uint8_t> bytes) {
    if (faults_.partitioned) return;  // lost in the partition
    if (faults_.roll(faults_.drop)) return close();
    const auto due = Clock::now() + std::chrono::milliseconds(faults_.delay_ms.load());
    const int to = 1 - from;
    const bool twice = faults_.roll(faults_.duplicate);
    queues_[to].push_back({due, bytes});
    if (twice) queues_[to].push_back({due, std::move(bytes)});
    if (!writing_[to]) write(to);
  }

  void write(int to) {
    if (queues_[to].empty()) {
      writing_[to] = false;
      return;
    }
    writing_[to] = true;
    timers_[to].expires_at(queues_[to].front().due);
    timers_[to].async_wait([self = shared_from_this(), to](const boost::system::error_code& ec) {
      if (ec) return;
      auto chunk = std::make_shared<std::vector<uint8_t>>(std::move(self->queues_[to].front().bytes));
      self->queues_[to].pop_front();
      asio::async_write(self->sockets_[to], asio::buffer(*chunk),
                        [self, to, chunk](const boost::system::error_code& wec, size_t) {
                          if (wec) return self->close();
                          self->write(to);
                        });
    });
  }

  void close() {
    boost::system::error_code ignored;
    for (auto& s : sockets_) s.close(ignored);
    for (auto& t : timers_) t.cancel();
  }

  tcp::socket sockets_[2];
  asio::steady_timer timers_[2];
  std::deque<Chunk> queues_[2];
  bool writing_[2] = {false, false};
  Faults& faults_;
  std::atomic<uint64_t>& open_;
};

class FaultProxy::Impl {
 public:
  Impl(const node::Endpoint& target, uint64_t seed) : target_(target), acceptor_(io_) { faults_.rng.seed(seed); }

  Status listen(const node::Endpoint& at) {
    boost::system::error_code ec;
    tcp::endpoint ep(asio::ip::make_address(at.host, ec), at.port);
    if (!ec) acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::io_error("fault proxy cannot listen on " + at.to_string() + ": " + ec.message());
    bound_ = node::Endpoint{at.host, acceptor_.local_endpoint().port()};
    accept();
    thread_ = std::thread([this] { io_.run(); });
    return Status::ok();
  }

  void stop() {
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      io_.stop();
    });
    if (thread_.joinable()) thread_.join();
  }

  void heal() {
    faults_.partitioned = false;
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      for (auto& s : held_) s->close(ignored);  // connections made during the partition never worked
      held_.clear();
    });
  }

  Faults faults_;
  std::atomic<uint64_t> accepted_{0}, open_{0};
  node::Endpoint bound_;

 private:
  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket client) {
      if (ec) return;
      ++accepted_;
      if (faults_.partitioned) {
        held_.push_back(std::make_shared<tcp::socket>(std::move(client)));
      } else {
        connect(std::make_shared<tcp::socket>(std::move(client)));
      }
      accept();
    });
  }

  void connect(std::shared_ptr<tcp::socket> client) {
    auto server = std::make_shared<tcp::socket>(io_);
    boost::system::error_code ec;
    tcp::endpoint ep(asio::ip::make_address(target_.host, ec), target_.port);
    server->async_connect(ep, [this, client, server](const boost::system::error_code& cec) {
      boost::system::error_code ignored;
      if (cec) {
        client->close(ignored);
        return;
      }
      std::make_shared<Link>(std::move(*client), std::move(*server), faults_, open_)->start();
    });
  }

  node::Endpoint target_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::vector<std::shared_ptr<tcp::socket>> held_;
};

Result<std::unique_ptr<FaultProxy>> FaultProxy::start(const node::Endpoint& listen, const node::Endpoint& target,
                                                       uint64_t seed) {
  auto impl = std::make_unique<Impl>(target, seed);
  HPC_TRY(impl->listen(listen));
  return std::unique_ptr<FaultProxy>(new FaultProxy(std::move(impl)));
}

FaultProxy::FaultProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaultProxy::~FaultProxy() { impl_->stop(); }
node::Endpoint FaultProxy::endpoint() const { return impl_->bound_; }
void FaultProxy::set_delay_ms(uint32_t ms) { impl_->faults_.delay_ms = ms; }
void FaultProxy::set_drop_probability(double p) { impl_->faults_.drop = p; }
void FaultProxy::set_duplicate_probability(double p) { impl_->faults_.duplicate = p; }
void FaultProxy::partition() { impl_->faults_.partitioned = true; }
void FaultProxy::heal() { impl_->heal(); }
uint64_t FaultProxy::accepted() const { return impl_->accepted_; }
uint64_t FaultProxy::open_connections() const { return impl_->open_; }

}  // namespace hpchain::tools
