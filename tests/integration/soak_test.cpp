// The soak run of issue 17 (label `slow`, not in CI): four validators under
// a steady stream of transfers while a random validator is killed with
// signal 9 every 10 s and restarted. Reports the longest stall of the
// chain, the worst recovery time of a restarted validator, and checks that
// no transaction any node ever committed is missing from the final chain.
// HPCHAIN_SOAK_SECONDS sets the length (default 600).
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <random>
#include <thread>

#include "tests/integration/chain_net.h"

namespace hpchain::integration {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

TEST(Soak, KillNineARandomValidatorEveryTenSecondsUnderLoad) {
  const char* env = std::getenv("HPCHAIN_SOAK_SECONDS");
  const double total = env != nullptr ? std::atof(env) : 600;
  ChainNet net(4, 100, /*own_binary=*/true);
  Client client{Client::make_identity(), nullptr};
  edit_config(net.home(0), [&](node::NodeConfig& c) { c.p2p.allowed_node_ids.push_back(client.identity.node_id); });
  for (int i = 0; i < 4; ++i) net.start(i);
  ASSERT_TRUE(eventually([&] { return net.all_at_least({0, 1, 2, 3}, 3); })) << net.log(0);
  ASSERT_TRUE(client.connect(net.chain_id(), net.genesis(), net.peer(0)));
  // Node 0 takes the load and is never killed; the victims are 1..3.
  std::atomic<bool> done{false};
  struct Joiner {  // an ASSERT that returns early must not leave the thread joinable
    std::atomic<bool>& done;
    std::thread thread;
    ~Joiner() {
      done = true;
      if (thread.joinable()) thread.join();
    }
  } load{done, std::thread([&] {
    const PrivateKey key = net.dev_key(0);
    for (uint64_t nonce = 0; !done; ++nonce) {
      while (!done && net.value(0, "hpchain_mempool_size") > 500) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      client.send_tx(signed_transfer(net.chain_id(), key, nonce));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  })};
  std::mt19937 rng(7);
  const auto start = Clock::now();
  double longest_stall = 0, worst_recovery = 0;
  double last_height = net.height(0);
  auto last_progress = Clock::now();
  int kills = 0;
  while (seconds_since(start) < total) {
    const int victim = 1 + static_cast<int>(rng() % 3);
    net.kill9(victim);
    ++kills;
    const auto killed_at = Clock::now();
    std::optional<Clock::time_point> restarted;
    double target = 0;
    bool recovered = false;
    while (seconds_since(killed_at) < 10 || !recovered) {
      const double h = net.height(0);
      if (h > last_height) {
        longest_stall = std::max(longest_stall, seconds_since(last_progress));
        last_height = h;
        last_progress = Clock::now();
      }
      if (!restarted && seconds_since(killed_at) >= 2) {
        net.start(victim);
        restarted = Clock::now();
        target = h;
      }
      if (restarted && !recovered && net.height(victim) >= target) {
        recovered = true;
        worst_recovery = std::max(worst_recovery, seconds_since(*restarted));
      }
      ASSERT_LT(seconds_since(killed_at), 60) << "node " << victim << " did not catch up: " << net.log(victim);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  done = true;
  load.thread.join();
  client.net->stop();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(net.stop(i), 0) << net.log(i);
  // The longest chain is the reference (the nodes stop one after another,
  // so the last ones may have committed a few blocks more). Every block any
  // node committed must be the reference's block at that height: a block
  // that differs would be a fork, and its transactions lost.
  std::vector<std::map<uint64_t, hpchain::v1::CommittedBlockRecord>> chains;
  size_t longest = 0;
  for (int i = 0; i < 4; ++i) {
    chains.push_back(net.blocks(i));
    if (chains[i].size() > chains[longest].size()) longest = static_cast<size_t>(i);
  }
  const auto& final_chain = chains[longest];
  uint64_t committed = 0, lost = 0;
  for (const auto& [height, record] : final_chain) committed += record.tx_count();
  for (const auto& chain : chains) {
    for (const auto& [height, record] : chain) {
      auto it = final_chain.find(height);
      if (it == final_chain.end() || it->second.block().header_bytes() != record.block().header_bytes()) {
        lost += record.tx_count() + 1;  // the block itself and what it carried
      }
    }
  }
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(net.double_votes(), "");
  std::printf("soak: %.0f s, %d kills, %llu blocks, %llu transactions committed, %llu lost, longest stall %.2f s, "
              "worst catch-up after a restart %.2f s\n",
              total, kills, static_cast<unsigned long long>(final_chain.size()),
              static_cast<unsigned long long>(committed), static_cast<unsigned long long>(lost), longest_stall,
              worst_recovery);
}

}  // namespace
}  // namespace hpchain::integration
