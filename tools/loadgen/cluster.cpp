#include "tools/loadgen/cluster.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "chain/key_file.h"

extern char** environ;

namespace hpchain::loadgen {
namespace {

bool port_free(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A base port with `count` free ports above it.
uint16_t free_base(int count) {
  std::mt19937 rng(static_cast<uint32_t>(::getpid()));
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto base = static_cast<uint16_t>(20'000 + rng() % 30'000);
    bool all = true;
    for (int i = 0; i < count && all; ++i) all = port_free(static_cast<uint16_t>(base + i));
    if (all) return base;
  }
  return 0;
}

pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

Result<std::unique_ptr<Cluster>> Cluster::start(const std::string& hpchaind, int validators, int accounts, bool keep,
                                                const std::string& parent) {
  std::unique_ptr<Cluster> owned(new Cluster());
  Cluster& c = *owned;
  c.keep_ = keep;
  std::string tmpl = (std::filesystem::path(parent) / "hpchain-loadgen-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return Status::io_error("cannot create a directory under " + parent);
  c.dir_ = tmpl;
  const uint16_t base = free_base(3 * validators);
  if (base == 0) return Status::unavailable("no free ports for the cluster");
  const pid_t init = spawn({hpchaind, "testnet", "--validators", std::to_string(validators), "--out",
                            (c.dir_ / "net").string(), "--base-port", std::to_string(base), "--dev-accounts",
                            std::to_string(accounts)},
                           c.dir_ / "testnet.log");
  int status = 0;
  if (init < 0 || ::waitpid(init, &status, 0) != init || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::internal("`" + hpchaind + " testnet` failed: see " + (c.dir_ / "testnet.log").string());
  }
  const auto manifest = nlohmann::json::parse(std::ifstream(c.dir_ / "net" / "testnet.json"));
  c.chain_id_ = manifest["chain_id"];
  for (const auto& k : manifest["dev_keys"]) {
    HPC_ASSIGN_OR_RETURN(PrivateKey key, load_key_file(k.get<std::string>()));
    c.keys_.push_back(std::move(key));
  }
  for (const auto& n : manifest["nodes"]) {
    c.grpc_.push_back(n["grpc"].get<std::string>());
    const std::string home = n["home"];
    c.pids_.push_back(spawn({hpchaind, "start", "--home", home}, c.dir_ / (n["name"].get<std::string>() + ".log")));
  }
  return owned;
}

Cluster::~Cluster() {
  for (pid_t pid : pids_) {
    if (pid > 0) ::kill(pid, SIGTERM);
  }
  for (pid_t pid : pids_) {
    int status = 0;
    if (pid > 0) ::waitpid(pid, &status, 0);
  }
  if (!keep_ && !dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

}  // namespace hpchain::loadgen
