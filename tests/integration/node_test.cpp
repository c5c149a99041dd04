// hpchaind as real processes on 127.0.0.1 (label `integration`): homes from
// `hpchaind testnet`, a TLS mesh of 2 and 4 nodes sharing a mempool by
// gossip, refusals counted by reason, unknown certificates refused, garbage
// from raw sockets survived, and a link partitioned and healed by the fault
// proxy. Observed through /metrics; every wait is bounded.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "chain/key_file.h"
#include "chain/tx.h"
#include "node/p2p/frame.h"
#include "tests/common/temp_dir.h"
#include "tests/integration/chain_net.h"
#include "tests/integration/harness.h"
#include "tools/fault_proxy/fault_proxy.h"

namespace hpchain::integration {
namespace {

struct Testnet {
  hpchain::testing::TempDir dir;
  uint16_t base = free_ports(3 * 4);
  nlohmann::json manifest;
  std::vector<std::unique_ptr<Process>> nodes;

  explicit Testnet(int n) {
    EXPECT_NE(base, 0);
    EXPECT_EQ(run_hpchaind({"testnet", "--validators", std::to_string(n), "--out", (dir.path() / "net").string(),
                            "--base-port", std::to_string(base)},
                           dir.path() / "testnet.log"),
              0);
    manifest = nlohmann::json::parse(std::ifstream(dir.path() / "net" / "testnet.json"));
    // Without their consensus keys the nodes follow the chain as observers
    // and commit nothing: what these tests watch is the p2p mesh and the
    // mempools, which blocks would drain (chain_test.cpp runs validators).
    for (size_t i = 0; i < size(); ++i) std::filesystem::remove(home(static_cast<int>(i)) / "config" / "validator_key.json");
  }
  std::filesystem::path home(int i) const { return manifest["nodes"][i]["home"].get<std::string>(); }
  node::Endpoint endpoint(int i, const char* what) const {
    return node::parse_endpoint(manifest["nodes"][i][what].get<std::string>()).value();
  }
  node::PeerAddress peer(int i) const {
    return {Hash32::from_hex(manifest["nodes"][i]["node_id"].get<std::string>()).value(), endpoint(i, "p2p")};
  }
  std::string chain_id() const { return manifest["chain_id"]; }
  Hash32 genesis() const { return genesis_identity_of(home(0)); }
  size_t size() const { return manifest["nodes"].size(); }

  void start(int i) {
    nodes.resize(size());
    nodes[i] = std::make_unique<Process>(std::vector<std::string>{hpchaind(), "start", "--home", home(i).string()},
                                         dir.path() / ("node" + std::to_string(i) + ".log"));
  }
  void start_all() {
    for (size_t i = 0; i < size(); ++i) start(static_cast<int>(i));
  }
  double value(int i, const std::string& name) const { return metric(scrape(endpoint(i, "metrics")), name); }
  bool all_have(const std::string& name, double want) const {
    for (size_t i = 0; i < size(); ++i) {
      if (value(static_cast<int>(i), name) != want) return false;
    }
    return true;
  }
  // Lets `client` connect to node i.
  void allow(int i, const Client& client) {
    edit_config(home(i), [&](node::NodeConfig& c) { c.p2p.allowed_node_ids.push_back(client.identity.node_id); });
  }
  PrivateKey dev_key(int k) const { return load_key_file(manifest["dev_keys"][k].get<std::string>()).value(); }
};

Bytes transfer(const Testnet& net, const PrivateKey& from, uint64_t nonce, std::string_view chain = "") {
  return signed_transfer(chain.empty() ? net.chain_id() : std::string(chain), from, nonce);
}

class Mesh : public ::testing::TestWithParam<int> {};

TEST_P(Mesh, NodesFormATlsMeshAndGossipTransactionsToEveryMempool) {
  const int n = GetParam();
  Testnet net(n);
  Client client{Client::make_identity(), nullptr};
  net.allow(0, client);
  net.start_all();
  ASSERT_TRUE(eventually([&] { return net.all_have("hpchain_p2p_peers", n - 1); })) << net.nodes[0]->log_text();
  ASSERT_TRUE(client.connect(net.chain_id(), net.genesis(), net.peer(0)));
  const PrivateKey key = net.dev_key(0);
  for (uint64_t nonce = 0; nonce < 10; ++nonce) client.send_tx(transfer(net, key, nonce));
  EXPECT_TRUE(eventually([&] { return net.all_have("hpchain_mempool_size", 10); })) << net.nodes[n - 1]->log_text();
  client.net->stop();
  for (auto& p : net.nodes) EXPECT_EQ(p->stop(), 0) << p->log_text();  // SIGTERM: a clean exit
}

INSTANTIATE_TEST_SUITE_P(Nodes, Mesh, ::testing::Values(2, 4));

TEST(Node, RefusedTransactionsAreCountedByReasonAndUnknownPeersAreRefused) {
  Testnet net(1);
  Client client{Client::make_identity(), nullptr}, stranger{Client::make_identity(), nullptr};
  net.allow(0, client);
  net.start_all();
  ASSERT_TRUE(eventually([&] { return net.value(0, "hpchain_p2p_peers") == 0; }));
  stranger.connect(net.chain_id(), net.genesis(), net.peer(0), /*wait=*/false);
  ASSERT_TRUE(eventually([&] { return net.value(0, "hpchain_p2p_disconnects_total{reason=\"not_allowed\"}") >= 1; }));
  stranger.net->stop();
  ASSERT_TRUE(client.connect(net.chain_id(), net.genesis(), net.peer(0)));
  const PrivateKey key = net.dev_key(0);
  Bytes tampered = transfer(net, key, 0);
  tampered.back() ^= 1;
  client.send_tx(tampered);
  client.send_tx(transfer(net, key, 0, "another-chain"));
  client.send_tx(transfer(net, key, 0));
  EXPECT_TRUE(eventually([&] {
    return net.value(0, "hpchain_mempool_rejections_total{reason=\"bad_signature\"}") == 1 &&
           net.value(0, "hpchain_mempool_rejections_total{reason=\"wrong_chain\"}") == 1 &&
           net.value(0, "hpchain_mempool_size") == 1;
  }));
  EXPECT_NE(net.nodes[0]->log_text().find("bad_signature"), std::string::npos);
}

TEST(Node, GarbageFromRawSocketsIsDroppedAndTheNodeKeepsRunning) {
  namespace asio = boost::asio;
  Testnet net(1);
  Client client{Client::make_identity(), nullptr};
  net.allow(0, client);
  net.start_all();
  ASSERT_TRUE(eventually([&] { return net.value(0, "hpchain_p2p_peers") == 0; }));
  const auto p2p = net.endpoint(0, "p2p");
  for (const std::string& junk : {std::string("GET / HTTP/1.1\r\n\r\n"), std::string(100'000, '\xff'),
                                  std::string("\x16\x03\x01\x00\x05hello", 10)}) {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    // The metrics answer before the p2p listener may be up on a loaded
    // machine: dial until it accepts.
    boost::system::error_code ec;
    ASSERT_TRUE(eventually([&] {
      s.close(ec);
      s.connect({asio::ip::make_address(p2p.host), p2p.port}, ec);
      return !ec;
    })) << ec.message();
    asio::write(s, asio::buffer(junk), ec);
  }
  ASSERT_TRUE(eventually([&] { return net.value(0, "hpchain_p2p_disconnects_total{reason=\"handshake\"}") >= 3; }));
  EXPECT_TRUE(net.nodes[0]->running());
  // An oversized frame from an allowed peer costs it its connection only.
  ASSERT_TRUE(client.connect(net.chain_id(), net.genesis(), net.peer(0)));
  client.send_tx(Bytes(5 * 1024 * 1024, 1));
  ASSERT_TRUE(eventually([&] { return net.value(0, "hpchain_p2p_disconnects_total{reason=\"oversized_frame\"}") >= 1; }));
  // The client redials; until it has, a send may go into the closed
  // connection, so it sends again until the node holds the transaction.
  const Bytes tx = transfer(net, net.dev_key(0), 0);
  EXPECT_TRUE(eventually([&] {
    client.send_tx(tx);
    return net.value(0, "hpchain_mempool_size") == 1;
  }));
  EXPECT_EQ(net.nodes[0]->stop(), 0);
}

TEST(Node, TheProxyPartitionsAndHealsALink) {
  Testnet net(2);
  // node1 reaches node0 only through the proxy; node0 dials nobody.
  auto proxy = tools::FaultProxy::start({"127.0.0.1", 0}, net.endpoint(0, "p2p")).value();
  Client client{Client::make_identity(), nullptr};
  net.allow(0, client);
  edit_config(net.home(0), [](node::NodeConfig& c) { c.p2p.persistent_peers.clear(); });
  edit_config(net.home(1), [&](node::NodeConfig& c) {
    c.p2p.persistent_peers = {{net.peer(0).node_id, proxy->endpoint()}};
    c.p2p.reconnect_max_ms = 1'000;
  });
  net.start_all();
  ASSERT_TRUE(eventually([&] { return net.all_have("hpchain_p2p_peers", 1); }))
      << net.nodes[0]->log_text() << net.nodes[1]->log_text();
  ASSERT_TRUE(client.connect(net.chain_id(), net.genesis(), net.peer(0)));
  const PrivateKey key = net.dev_key(0);
  client.send_tx(transfer(net, key, 0));
  ASSERT_TRUE(eventually([&] { return net.all_have("hpchain_mempool_size", 1); }));
  proxy->partition();
  ASSERT_TRUE(eventually([&] { return net.value(1, "hpchain_p2p_peers") == 0; }));  // keepalive notices
  client.send_tx(transfer(net, key, 1));
  ASSERT_TRUE(eventually([&] { return net.value(0, "hpchain_mempool_size") == 2; }));
  EXPECT_EQ(net.value(1, "hpchain_mempool_size"), 1);  // nothing crossed
  proxy->heal();
  // node1 redials through the healed proxy (node0 also has the client).
  ASSERT_TRUE(eventually([&] { return net.value(1, "hpchain_p2p_peers") == 1; }))
      << net.nodes[0]->log_text() << net.nodes[1]->log_text();
  client.send_tx(transfer(net, key, 2));
  EXPECT_TRUE(eventually([&] { return net.value(1, "hpchain_mempool_size") == 2; }));
}

}  // namespace
}  // namespace hpchain::integration
