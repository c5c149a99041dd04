#include "tests/integration/harness.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "chain/file.h"
#include "genesis/genesis.h"
#include "ledger/ledger.h"

extern char** environ;

namespace hpchain::integration {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

bool eventually(const std::function<bool()>& done, int timeout_ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

uint16_t free_ports(int count) {
  std::mt19937 rng(std::random_device{}());
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto base = static_cast<uint16_t>(20'000 + rng() % 30'000);
    asio::io_context io;
    bool all_free = true;
    for (int i = 0; i < count && all_free; ++i) {
      tcp::acceptor a(io);
      boost::system::error_code ec;
      a.open(tcp::v4(), ec);
      a.bind({asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(base + i)}, ec);
      all_free = !ec;
    }
    if (all_free) return base;
  }
  return 0;
}

Process::Process(const std::vector<std::string>& argv, const std::filesystem::path& log) : log_(log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
}

Process::~Process() {
  if (pid_ > 0 && !status_) stop();
}

bool Process::running() {
  if (pid_ <= 0 || status_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
  return !status_;
}

int Process::stop(int timeout_ms) {
  if (pid_ <= 0) return -3;
  if (!status_) {
    ::kill(pid_, SIGTERM);
    eventually([&] { return !running(); }, timeout_ms);
    if (!status_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      status_ = status;
      return -1;
    }
  }
  if (WIFSIGNALED(*status_)) return -2;
  return WEXITSTATUS(*status_);
}

void Process::kill9() {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  status_ = status;
}

std::string Process::log_text() const {
  std::ifstream in(log_);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string hpchaind() { return HPCHAIND_PATH; }

int run_hpchaind(const std::vector<std::string>& args, const std::filesystem::path& log) {
  std::vector<std::string> argv = {hpchaind()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, log);
  eventually([&] { return !p.running(); }, 60'000);
  return p.stop(0);
}

std::string scrape(const node::Endpoint& metrics) {
  try {
    asio::io_context io;
    tcp::socket s(io);
    s.connect({asio::ip::make_address(metrics.host), metrics.port});
    const std::string request = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
    asio::write(s, asio::buffer(request));
    // Plain recv with a timeout (Asio's blocking reads would wait forever).
    const timeval tv{5, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string response;
    char buf[4096];
    for (ssize_t n; (n = ::recv(s.native_handle(), buf, sizeof(buf), 0)) > 0;) response.append(buf, static_cast<size_t>(n));
    return response;
  } catch (const std::exception&) {
    return "";
  }
}

double metric(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

void edit_config(const std::filesystem::path& home, const std::function<void(node::NodeConfig&)>& edit) {
  const auto path = home / "config" / "config.toml";
  auto config = node::load_config(path).value();
  edit(config);
  std::ofstream(path, std::ios::trunc) << node::render_config(config);
}

p2p::NodeIdentity Client::make_identity() { return p2p::generate_identity("integration-client").value(); }

bool Client::connect(const std::string& chain_id, const Hash32& genesis, const node::PeerAddress& node, bool wait) {
  p2p::NetworkOptions o;
  o.chain_id = chain_id;
  o.genesis_identity = genesis;
  o.moniker = "client";
  o.identity = identity;
  o.persistent_peers = {node};
  o.limits.reconnect_min_ms = 50;
  o.limits.reconnect_max_ms = 500;
  net = p2p::Network::start(std::move(o), nullptr).value();
  return !wait || eventually([&] { return net->peers().size() == 1; });
}

void Client::send_tx(const Bytes& raw) { net->broadcast(hpchain::v1::MESSAGE_TX, raw); }

Hash32 genesis_identity_of(const std::filesystem::path& home) {
  const auto doc = genesis::load_genesis(home / "config" / "genesis.json").value();
  ledger::MemoryStateStore scratch;
  return ledger::chain_identity(doc.chain_id, ledger::genesis_change_set(scratch, doc).value().root_hash());
}

}  // namespace hpchain::integration
