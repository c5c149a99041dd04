// hpchain-loadgen: starts N validators on this machine, offers them signed
// transfers over gRPC, and reports the committed transactions/s it
// sustains and the commit latency at half that load, beside the
// signature-verification limit measured in the same run (docs/performance.md).
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "hpchain/v1/rpc.grpc.pb.h"
#include "tools/loadgen/driver.h"

namespace {

constexpr const char* kUsage = R"(usage: hpchain-loadgen [--validators N] [--accounts K] [--threads T] [--seconds S]
                       [--hpchaind PATH] [--dir PARENT] [--keep] [--json]

Starts N validators (default 4) from `hpchaind testnet` in a temporary
directory, then runs two phases of S seconds (default 10, after 2 s of
warm-up each) of signed transfers from K funded accounts (default 64) sent
over gRPC to all nodes by T threads (default 2) of asynchronous calls, one
call in flight per account:
  peak: as fast as the nodes accept them -> committed transactions/s
  half: an open loop at half the peak    -> p50 and p99 commit latency
Latency is from the send to the first poll (every 2 ms) of node 0 that finds
the transaction in a committed block. The verification limit is this
machine's cores x one core's secp256k1 verifications/s / N.
The nodes' homes go in a new directory under PARENT (default /tmp; the
disk's fsync latency bounds the block rate: every block is fsynced by every
node, and so is each vote's safety state). --keep leaves the directory (homes and node logs); --json prints one object
with committed_tps, p50_ms, p99_ms, verify_limit_tps and the settings.
)";

bool number(const std::string& text, int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out > 0;
}

std::string default_hpchaind() {
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "hpchaind";
  return (std::filesystem::path(std::string(self, static_cast<size_t>(n))).parent_path() / ".." / ".." / "node" /
          "hpchaind").lexically_normal().string();
}

bool wait_for_blocks(const hpchain::loadgen::Cluster& cluster) {
  for (int attempt = 0; attempt < 300; ++attempt) {
    bool all = true;
    for (const auto& endpoint : cluster.grpc()) {
      auto stub = hpchain::v1::NodeService::NewStub(grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()));
      hpchain::v1::GetStatusResponse status;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
      all = all && stub->GetStatus(&ctx, {}, &status).ok() && status.height() >= 2;
    }
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, int> numbers{{"--validators", 4}, {"--accounts", 64}, {"--threads", 2}, {"--seconds", 10}};
  std::string hpchaind = default_hpchaind();
  std::string parent = "/tmp";
  bool json = false, keep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") return std::cout << kUsage, 0;
    if (a == "--json") { json = true; continue; }
    if (a == "--keep") { keep = true; continue; }
    if (i + 1 >= argc) return std::cerr << "hpchain-loadgen: " << a << " needs a value\n" << kUsage, 2;
    if (a == "--hpchaind") { hpchaind = argv[++i]; continue; }
    if (a == "--dir") { parent = argv[++i]; continue; }
    if (!numbers.contains(a) || !number(argv[++i], numbers[a])) {
      return std::cerr << "hpchain-loadgen: bad flag or value: " << a << "\n" << kUsage, 2;
    }
  }
  const double verify = hpchain::loadgen::verify_rate(1.0);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const double verify_limit = verify * cores / numbers["--validators"];
  std::cerr << "verification: " << static_cast<uint64_t>(verify) << "/s on one core, " << cores << " cores -> limit "
            << static_cast<uint64_t>(verify_limit) << " tx/s for " << numbers["--validators"] << " validators\n";
  auto cluster = hpchain::loadgen::Cluster::start(hpchaind, numbers["--validators"], numbers["--accounts"], keep, parent);
  if (!cluster.is_ok()) return std::cerr << "hpchain-loadgen: " << cluster.status().message() << "\n", 1;
  std::cerr << "cluster in " << (*cluster)->dir().string() << "; waiting for blocks\n";
  if (!wait_for_blocks(**cluster)) return std::cerr << "hpchain-loadgen: the nodes commit no blocks (logs in " << (*cluster)->dir().string() << ")\n", 1;
  hpchain::loadgen::Driver driver(**cluster, numbers["--threads"]);
  const double seconds = numbers["--seconds"];
  std::cerr << "peak phase (" << seconds << " s)\n";
  const auto peak = driver.run({0, seconds, 2});
  std::cerr << "peak: " << peak.committed_tps << " committed tx/s; half-load phase at " << peak.committed_tps / 2 << " tx/s\n";
  const auto half = driver.run({std::max(1.0, peak.committed_tps / 2), seconds, 2});
  if (json) {
    nlohmann::json j{{"committed_tps", peak.committed_tps}, {"p50_ms", half.p50_ms}, {"p99_ms", half.p99_ms},
                     {"verify_limit_tps", verify_limit}, {"half_load_tps", half.committed_tps},
                     {"validators", numbers["--validators"]}, {"cores", cores}, {"seconds", seconds},
                     {"timed", half.timed}, {"refused", peak.refused + half.refused}};
    std::cout << j.dump() << "\n";
  } else {
    std::printf("committed: %.0f tx/s (%.0f%% of the verification limit %.0f tx/s)\n", peak.committed_tps,
                100 * peak.committed_tps / verify_limit, verify_limit);
    std::printf("at half load (%.0f tx/s committed): p50 %.1f ms, p99 %.1f ms over %llu transactions\n",
                half.committed_tps, half.p50_ms, half.p99_ms, static_cast<unsigned long long>(half.timed));
  }
  return 0;
}
