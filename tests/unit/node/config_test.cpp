// config.toml: the rendered defaults parse back to themselves, every error
// names its setting, and unknown settings are refused.
#include <gtest/gtest.h>

#include "node/config/config.h"

namespace hpchain::node {
namespace {

TEST(Config, TheRenderedFileDocumentsEverySettingAndParsesBackToItself) {
  NodeConfig c;
  c.moniker = "cern-1";
  c.p2p.persistent_peers = {parse_peer_address(std::string(64, 'a') + "@10.0.0.1:26656").value()};
  c.p2p.allowed_node_ids = {sha256(to_bytes("x"))};
  c.p2p.max_peers = 7;
  const std::string text = render_config(c);
  EXPECT_NE(text.find("# Most connected peers"), std::string::npos);
  auto parsed = parse_config(text);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message() << "\n" << text;
  EXPECT_EQ(parsed.value(), c);
  EXPECT_EQ(parse_config("").value(), NodeConfig{});  // every setting has a default
}

TEST(Config, ErrorsNameTheSetting) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[p2p]\nmax_peers = 0\n", "config.toml: p2p.max_peers: must be 1 to 1024"},
      {"[p2p]\nmax_peers = \"many\"\n", "config.toml: p2p.max_peers: must be an integer"},
      {"[p2p]\nlisten = \"nowhere\"\n", "config.toml: p2p.listen: must be \"host:port\""},
      {"[p2p]\npersistent_peers = [\"abc@1.2.3.4:5\"]\n",
       "config.toml: p2p.persistent_peers[0]: not a node id (64 hex digits)"},
      {"[p2p]\nmax_pears = 3\n", "config.toml: p2p.max_pears: unknown setting"},
      {"colour = 1\n", "config.toml: colour: unknown setting"},
      {"[p2p]\nreconnect_min_ms = 900\nreconnect_max_ms = 800\n",
       "config.toml: p2p.reconnect_max_ms: must be at least p2p.reconnect_min_ms"},
      {"[metrics]\nlisten = \"x\"\n", "config.toml: metrics.listen: must be \"host:port\""},
  };
  for (const auto& [text, message] : cases) {
    auto r = parse_config(text);
    ASSERT_FALSE(r.is_ok()) << text;
    EXPECT_EQ(r.status().message(), message);
  }
  auto broken = parse_config("[p2p\n");
  ASSERT_FALSE(broken.is_ok());
  EXPECT_EQ(broken.status().message().rfind("config.toml:1:", 0), 0u) << broken.status().message();
}

}  // namespace
}  // namespace hpchain::node
