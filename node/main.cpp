// hpchaind: the hpchain node daemon (docs/node.md).
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "chain/log.h"
#include "node/daemon.h"
#include "node/home.h"
#include "node/p2p/identity.h"
#include "rpc/server.h"

namespace {

using hpchain::Status;

constexpr const char* kUsage = R"(usage: hpchaind COMMAND [FLAGS]

The hpchain node daemon (docs/node.md).

commands:
  init          write a home for a new one-validator chain
  testnet       write the homes of an N-validator network on one host
  start         run a node from its home
  show-node-id  print the node id (SHA-256 of the TLS public key) of a home
  help          this text; `hpchaind COMMAND --help` explains a command

Exit codes: 0 success, 1 a failure while running, 2 bad flags or config.
)";

struct Command {
  std::string usage;
  std::vector<std::string> required;
  std::map<std::string, std::string> defaults;  // optional flags
  std::function<int(const std::map<std::string, std::string>&)> run;
};

int fail(const Status& s) {
  std::cerr << "hpchaind: " << s.message() << "\n";
  return s.code() == hpchain::StatusCode::kInvalidArgument ? 2 : 1;
}

bool parse_number(const std::string& text, uint64_t max, uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out <= max;
}

int run_init(const std::map<std::string, std::string>& f) {
  auto id = hpchain::node::init_home({f.at("--home"), f.at("--chain-id"), f.at("--moniker")});
  if (!id.is_ok()) return fail(id.status());
  std::cout << "initialised " << f.at("--home") << " for chain " << f.at("--chain-id") << "\nnode id " << id->hex()
            << "\nstart it with: hpchaind start --home " << f.at("--home") << "\n";
  return 0;
}

int run_testnet(const std::map<std::string, std::string>& f) {
  uint64_t validators = 0, port = 0, dev = 0;
  if (!parse_number(f.at("--validators"), 64, validators)) return fail(Status::invalid_argument("--validators must be 1 to 64"));
  if (!parse_number(f.at("--base-port"), 65535, port)) return fail(Status::invalid_argument("--base-port must be a port number"));
  if (!parse_number(f.at("--dev-accounts"), 1000, dev)) return fail(Status::invalid_argument("--dev-accounts must be 0 to 1000"));
  hpchain::node::TestnetOptions o{f.at("--out"), static_cast<uint32_t>(validators), static_cast<uint16_t>(port),
                                  f.at("--chain-id"), static_cast<uint32_t>(dev)};
  auto nodes = hpchain::node::create_testnet(o);
  if (!nodes.is_ok()) return fail(nodes.status());
  for (const auto& n : *nodes) {
    std::cout << n.name << "  p2p " << n.p2p.to_string() << "  grpc " << n.grpc.to_string() << "  metrics "
              << n.metrics.to_string() << "  home " << n.home.string() << "\n";
  }
  std::cout << "wrote " << (o.out / "testnet.json").string() << "; dev keys in " << (o.out / "dev").string()
            << " (development only: unencrypted)\n";
  return 0;
}

// Blocks SIGINT and SIGTERM in every thread (call before any thread starts),
// so the main thread alone takes them with sigtimedwait.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a peer that hangs up is an error code, not a death
  return set;
}

// Waits for SIGINT or SIGTERM (its number), or for the daemon to stop
// itself (0), checking every 200 ms.
int wait_for_stop(const sigset_t& stop, const hpchain::node::Daemon& daemon) {
  const timespec poll{0, 200'000'000};
  while (!daemon.fatal()) {
    const int signal_number = sigtimedwait(&stop, nullptr, &poll);
    if (signal_number > 0) return signal_number;
  }
  return 0;
}

// The daemon, then the gRPC server on config().rpc_listen, until a signal
// (exit 0) or until the node stops itself (exit 1, with the reason). The
// server stops first, so no call reaches a daemon that is going away.
int run_start(const std::map<std::string, std::string>& f) {
  const sigset_t stop = block_stop_signals();
  auto daemon = hpchain::node::Daemon::start(f.at("--home"));
  if (!daemon.is_ok()) return fail(daemon.status());
  auto rpc = hpchain::rpc::RpcServer::start(**daemon, (*daemon)->config().rpc_listen);
  if (!rpc.is_ok()) {
    (*daemon)->stop();
    return fail(rpc.status());
  }
  HPC_LOG(kNode, info, "gRPC on {}", (*rpc)->endpoint().to_string());
  const int signal_number = wait_for_stop(stop, **daemon);
  if (signal_number != 0) HPC_LOG(kNode, info, "{}: shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  (*rpc)->stop();
  const std::optional<Status> fatal = (*daemon)->fatal();
  (*daemon)->stop();
  if (signal_number == 0 && fatal) {
    std::cerr << "hpchaind: the node stopped itself: " << fatal->message() << "\n";
    return 1;  // not fail(): a fatal InvalidArgument is still no flag error
  }
  HPC_LOG(kNode, info, "stopped");
  return 0;
}

int run_show_node_id(const std::map<std::string, std::string>& f) {
  const hpchain::node::HomePaths paths{f.at("--home")};
  auto id = hpchain::p2p::load_identity(paths.node_key(), paths.node_cert());
  if (!id.is_ok()) return fail(id.status());
  std::cout << id->node_id.hex() << "\n";
  return 0;
}

std::map<std::string, Command> commands() {
  return {
      {"init", {"hpchaind init --home DIR --chain-id ID [--moniker NAME]\n\n"
                "Writes DIR/config (config.toml, genesis.json, keys with mode 0600, a self-signed TLS\n"
                "certificate) and DIR/data for a chain of which this node is the only validator.\n"
                "To join an existing chain instead, replace config/genesis.json with its genesis.\n",
                {"--home", "--chain-id"}, {{"--moniker", "node"}}, run_init}},
      {"testnet", {"hpchaind testnet --validators N --out DIR [--base-port P] [--chain-id ID] [--dev-accounts K]\n\n"
                   "Writes N homes DIR/node0.. sharing one genesis, node i on ports P+3i (p2p), P+3i+1 (gRPC)\n"
                   "and P+3i+2 (metrics) of 127.0.0.1, all peers of each other; K funded development keys in\n"
                   "DIR/dev; and DIR/testnet.json listing every node's home and addresses.\n"
                   "Defaults: --base-port 26600, --chain-id testnet-1, --dev-accounts 4.\n",
                   {"--validators", "--out"}, {{"--base-port", "26600"}, {"--chain-id", "testnet-1"}, {"--dev-accounts", "4"}},
                   run_testnet}},
      {"start", {"hpchaind start --home DIR\n\n"
                 "Runs the node per DIR/config/config.toml: storage, mempool, p2p, consensus, /metrics\n"
                 "and the gRPC API (rpc.listen, 127.0.0.1:26657 by default; the `hpchain` CLI uses it).\n"
                 "SIGINT or SIGTERM stop it cleanly (exit 0); a node that stops itself (a state\n"
                 "divergence, a storage failure) exits 1 with the reason.\n",
                 {"--home"}, {}, run_start}},
      {"show-node-id", {"hpchaind show-node-id --home DIR\n\nPrints the node id peers list this node by.\n",
                        {"--home"}, {}, run_show_node_id}},
  };
}

// Flags of the form --name VALUE; every flag known, every required one given.
int parse_flags(const Command& c, const std::string& name, int argc, char** argv, std::map<std::string, std::string>& out) {
  out = c.defaults;
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << "usage: " << c.usage;
      return 0;
    }
    const bool known = c.defaults.count(flag) || std::find(c.required.begin(), c.required.end(), flag) != c.required.end();
    if (!known) {
      std::cerr << "hpchaind " << name << ": unknown flag " << flag << "\nusage: " << c.usage;
      return 2;
    }
    if (i + 1 >= argc) {
      std::cerr << "hpchaind " << name << ": " << flag << " needs a value\n";
      return 2;
    }
    out[flag] = argv[++i];
  }
  for (const auto& r : c.required) {
    if (!out.count(r)) {
      std::cerr << "hpchaind " << name << ": " << r << " is required\nusage: " << c.usage;
      return 2;
    }
  }
  return -1;  // go on
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "help" || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const auto all = commands();
  auto it = all.find(argv[1]);
  if (it == all.end()) {
    std::cerr << "hpchaind: unknown command " << argv[1] << "\n" << kUsage;
    return 2;
  }
  std::map<std::string, std::string> flags;
  if (int rc = parse_flags(it->second, it->first, argc, argv, flags); rc >= 0) return rc;
  return it->second.run(flags);
}
