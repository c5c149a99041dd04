// Running real hpchaind processes on 127.0.0.1 for integration tests
// (label `integration`): free ports, processes that are always reaped,
// /metrics scraped over HTTP, and an in-process p2p client that gossips
// transactions to a node. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/config/config.h"
#include "node/p2p/network.h"

namespace hpchain::integration {

// A base port with `count` free consecutive ports on 127.0.0.1 after it.
uint16_t free_ports(int count);

// Polls `done` every 20 ms for at most `timeout_ms`.
bool eventually(const std::function<bool()>& done, int timeout_ms = 20'000);

// A child process with its output in `log`. The destructor sends SIGTERM,
// waits up to 10 s, then SIGKILLs, so no test leaves a process behind.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::filesystem::path& log);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool running();
  // SIGTERM and wait (at most timeout_ms); the exit code, or -1 if it had
  // to be killed, -2 if it died of a signal.
  int stop(int timeout_ms = 10'000);
  // SIGKILL, then reaps it: a crash, with nothing flushed or closed.
  void kill9();
  std::string log_text() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path log_;
};

// The path of the hpchaind built with these tests.
std::string hpchaind();

// Runs hpchaind with `args` to completion (at most 60 s); its exit code.
int run_hpchaind(const std::vector<std::string>& args, const std::filesystem::path& log);

// GET http://endpoint/metrics; empty on failure.
std::string scrape(const node::Endpoint& metrics);
// The value of the sample `name` (with its labels, e.g.
// `hpchain_mempool_rejections_total{reason="bad_signature"}`), or -1.
double metric(const std::string& text, const std::string& name);

// Rewrites a home's config.toml through `edit`.
void edit_config(const std::filesystem::path& home, const std::function<void(node::NodeConfig&)>& edit);

// A p2p peer of our own (a fresh identity) that dials one node.
struct Client {
  p2p::NodeIdentity identity;
  std::unique_ptr<p2p::Network> net;
  static p2p::NodeIdentity make_identity();
  // Dials `node` as a peer of chain `chain_id` with genesis identity
  // `genesis`; with `wait`, returns whether it connected within 20 s.
  bool connect(const std::string& chain_id, const Hash32& genesis, const node::PeerAddress& node, bool wait = true);
  void send_tx(const Bytes& raw);
};

// The chain identity of a home's genesis (what HELLO must carry).
Hash32 genesis_identity_of(const std::filesystem::path& home);

}  // namespace hpchain::integration
