#include "node/config/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>
#include <toml++/toml.h>

#include "chain/check.h"

namespace hpchain::node {
namespace {

Status bad(std::string_view origin, std::string_view setting, std::string_view what) {
  return Status::invalid_argument(std::string(origin) + ": " + std::string(setting) + ": " + std::string(what));
}

std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// One setting: where it lives, its documentation, how it is read from a
// TOML node and written back. The table below is the one list of settings.
struct Setting {
  std::string_view table;  // "" for the top level
  std::string_view key;
  std::string_view doc;
  std::function<Status(const toml::node&, std::string_view name)> read;
  std::function<std::string()> render;
};

template <typename Int>
Setting integer(std::string_view table, std::string_view key, std::string_view doc, Int& field, uint64_t lo,
                uint64_t hi) {
  return {table, key, doc,
          [&field, lo, hi](const toml::node& n, std::string_view name) -> Status {
            const auto v = n.value<int64_t>();
            if (!n.is_integer() || !v) return bad("", name, "must be an integer");
            if (*v < 0 || static_cast<uint64_t>(*v) < lo || static_cast<uint64_t>(*v) > hi) {
              return bad("", name, "must be " + std::to_string(lo) + " to " + std::to_string(hi));
            }
            field = static_cast<Int>(*v);
            return Status::ok();
          },
          [&field] { return std::to_string(field); }};
}

Setting text(std::string_view table, std::string_view key, std::string_view doc, std::string& field,
             std::function<Status(const std::string&)> check = {}) {
  return {table, key, doc,
          [&field, check](const toml::node& n, std::string_view name) -> Status {
            if (!n.is_string()) return bad("", name, "must be a string");
            std::string v = *n.value<std::string>();
            if (check) {
              if (auto s = check(v); !s.is_ok()) return bad("", name, s.message());
            }
            field = std::move(v);
            return Status::ok();
          },
          [&field] { return toml_string(field); }};
}

Setting endpoint(std::string_view table, std::string_view key, std::string_view doc, Endpoint& field) {
  return {table, key, doc,
          [&field](const toml::node& n, std::string_view name) -> Status {
            if (!n.is_string()) return bad("", name, "must be a string \"host:port\"");
            auto e = parse_endpoint(*n.value<std::string>(), /*allow_zero=*/true);
            if (!e.is_ok()) return bad("", name, e.status().message());
            field = e.value();
            return Status::ok();
          },
          [&field] { return toml_string(field.to_string()); }};
}

// A list of strings, each parsed by `parse` into `Item`.
template <typename Item>
Setting list(std::string_view table, std::string_view key, std::string_view doc, std::vector<Item>& field,
             std::function<Result<Item>(std::string_view)> parse, std::function<std::string(const Item&)> print) {
  return {table, key, doc,
          [&field, parse](const toml::node& n, std::string_view name) -> Status {
            const toml::array* a = n.as_array();
            if (a == nullptr) return bad("", name, "must be an array of strings");
            std::vector<Item> items;
            for (size_t i = 0; i < a->size(); ++i) {
              const auto s = (*a)[i].value<std::string>();
              if (!s) return bad("", std::string(name) + "[" + std::to_string(i) + "]", "must be a string");
              auto item = parse(*s);
              if (!item.is_ok()) return bad("", std::string(name) + "[" + std::to_string(i) + "]", item.status().message());
              items.push_back(std::move(item).value());
            }
            field = std::move(items);
            return Status::ok();
          },
          [&field, print] {
            std::string out = "[";
            for (size_t i = 0; i < field.size(); ++i) out += (i ? ", " : "") + toml_string(print(field[i]));
            return out + "]";
          }};
}

Result<Hash32> parse_node_id(std::string_view s) {
  auto h = Hash32::from_hex(s);
  if (!h.is_ok()) return Status::invalid_argument("not a node id (64 hex digits)");
  return h.value();
}

std::vector<Setting> settings(NodeConfig& c) {
  auto& p = c.p2p;
  return {
      text("", "moniker", "A name for this node in logs and peers' logs; not an identity.", c.moniker),
      text("log", "level", "Log levels: a level for every category (\"info\") and per-category ones\n"
                           "(\"info,p2p=debug\"). Categories: chain store consensus p2p mempool ledger\n"
                           "worker compute rpc node. Levels: trace debug info warn error critical off.",
           c.log_level),
      endpoint("p2p", "listen", "Where peers connect (mutual TLS 1.3).", p.listen),
      list<PeerAddress>("p2p", "persistent_peers",
                        "Peers this node dials and keeps connected: \"NODE_ID@host:port\", NODE_ID being\n"
                        "64 hex digits, the SHA-256 of the peer's TLS public key (`hpchaind show-node-id`).",
                        p.persistent_peers, parse_peer_address, [](const PeerAddress& a) { return a.to_string(); }),
      list<Hash32>("p2p", "allowed_node_ids",
                   "More node ids that may connect (validators and admitted nodes from the chain\n"
                   "are allowed as well, once the node follows the chain).",
                   p.allowed_node_ids, parse_node_id, [](const Hash32& h) { return h.hex(); }),
      integer("p2p", "max_peers", "Most connected peers, in and out together.", p.max_peers, 1, 1024),
      integer("p2p", "max_frame_bytes", "Largest message a peer may send; a larger frame disconnects it.",
              p.max_frame_bytes, 1024, 64 * 1024 * 1024),
      integer("p2p", "send_queue_bytes", "Bytes queued for one peer at most; a peer that stops reading gets\n"
                                         "nothing more and is disconnected once its queue stays full.",
              p.send_queue_bytes, 64 * 1024, uint64_t{1} << 32),
      integer("p2p", "rate_messages_per_second", "Messages a peer may send per second (a burst of one second).",
              p.rate_messages_per_second, 1, 1'000'000),
      integer("p2p", "rate_bytes_per_second", "Bytes a peer may send per second.", p.rate_bytes_per_second,
              64 * 1024, uint64_t{1} << 34),
      integer("p2p", "reconnect_min_ms", "First wait before redialling a lost persistent peer (doubles each try).",
              p.reconnect_min_ms, 10, 600'000),
      integer("p2p", "reconnect_max_ms", "Longest wait between dials.", p.reconnect_max_ms, 10, 3'600'000),
      integer("p2p", "handshake_timeout_ms", "A peer has this long to finish TLS and HELLO.", p.handshake_timeout_ms,
              100, 600'000),
      integer("mempool", "max_txs", "Transactions held at most.", c.mempool.max_txs, 1, 10'000'000),
      integer("mempool", "max_bytes", "Bytes of transactions held at most.", c.mempool.max_bytes, 64 * 1024,
              uint64_t{1} << 36),
      integer("mempool", "verify_threads", "Threads checking signatures; 0: one per core.", c.mempool.verify_threads,
              0, 1024),
      integer("consensus", "round_timeout_ms",
              "A round's first timeout; it doubles with each round without a QC, up to 8x.",
              c.consensus.round_timeout_ms, 100, 600'000),
      integer("consensus", "empty_block_interval_ms",
              "How long a leader with nothing to propose waits before an empty block; less than half the\n"
              "round timeout. Blocks with transactions are proposed at once.",
              c.consensus.empty_block_interval_ms, 0, 300'000),
      endpoint("rpc", "listen", "gRPC: NodeService and TxService (docs/node.md, \"RPC\").", c.rpc_listen),
      text("metrics", "listen", "Prometheus /metrics as \"host:port\"; \"\" turns it off.", c.metrics_listen,
           [](const std::string& v) { return v.empty() ? Status::ok() : parse_endpoint(v, true).status(); }),
  };
}

}  // namespace

Result<Endpoint> parse_endpoint(std::string_view text, bool allow_zero) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Status::invalid_argument("must be \"host:port\"");
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535 || (port == 0 && !allow_zero)) {
    return Status::invalid_argument("port must be a number from " + std::string(allow_zero ? "0" : "1") + " to 65535");
  }
  return Endpoint{std::string(text.substr(0, colon)), static_cast<uint16_t>(port)};
}

Result<PeerAddress> parse_peer_address(std::string_view text) {
  const auto at = text.find('@');
  if (at == std::string_view::npos) return Status::invalid_argument("must be \"NODE_ID@host:port\"");
  HPC_ASSIGN_OR_RETURN(Hash32 id, parse_node_id(text.substr(0, at)));
  HPC_ASSIGN_OR_RETURN(Endpoint e, parse_endpoint(text.substr(at + 1)));
  return PeerAddress{id, e};
}

Result<NodeConfig> parse_config(std::string_view toml_text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return Status::invalid_argument(std::string(origin) + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                    ": " + std::string(e.description()));
  }
  NodeConfig config;
  const auto all = settings(config);
  auto known = [&](std::string_view table, std::string_view key) {
    return std::any_of(all.begin(), all.end(), [&](const Setting& s) { return s.table == table && s.key == key; });
  };
  for (const auto& [key, node] : root) {
    if (const toml::table* t = node.as_table()) {
      for (const auto& [inner, value] : *t) {
        if (!known(key.str(), inner.str())) {
          return bad(origin, std::string(key.str()) + "." + std::string(inner.str()), "unknown setting");
        }
        (void)value;
      }
    } else if (!known("", key.str())) {
      return bad(origin, key.str(), "unknown setting");
    }
  }
  for (const Setting& s : all) {
    const std::string name = s.table.empty() ? std::string(s.key) : std::string(s.table) + "." + std::string(s.key);
    const toml::node* n = s.table.empty() ? root.get(s.key) : root.at_path(name).node();
    if (n == nullptr) continue;  // the default stands
    if (auto st = s.read(*n, name); !st.is_ok()) return Status::invalid_argument(std::string(origin) + st.message());
  }
  if (config.p2p.reconnect_max_ms < config.p2p.reconnect_min_ms) {
    return bad(origin, "p2p.reconnect_max_ms", "must be at least p2p.reconnect_min_ms");
  }
  return config;
}

Result<NodeConfig> load_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return Status::not_found("no config file " + path.string());
    return Status::io_error("cannot read " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path.string());
}

std::string render_config(const NodeConfig& config) {
  NodeConfig copy = config;
  std::string out =
      "# hpchaind configuration (docs/node.md). Every setting is listed with its\n"
      "# value; delete a line to get its default back.\n";
  std::string_view table = "";
  for (const Setting& s : settings(copy)) {
    if (s.table != table) {
      table = s.table;
      out += "\n[" + std::string(table) + "]\n";
    }
    std::istringstream doc{std::string(s.doc)};
    for (std::string line; std::getline(doc, line);) out += "# " + line + "\n";
    out += std::string(s.key) + " = " + s.render() + "\n";
  }
  return out;
}

}  // namespace hpchain::node
