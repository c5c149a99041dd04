#include "node/home.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "chain/file.h"
#include "chain/key_file.h"
#include "node/p2p/identity.h"

namespace hpchain::node {
namespace {

constexpr uint64_t kOperatorCredits = 1'000'000'000'000;
constexpr uint64_t kDevCredits = 1'000'000'000;

uint64_t now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// Keys and identity of one node, written into its home.
struct NodeKeys {
  PrivateKey validator;
  PrivateKey operator_key;
  p2p::NodeIdentity identity;
};

Result<NodeKeys> make_home(const HomePaths& paths, const std::string& moniker) {
  std::error_code ec;
  if (std::filesystem::exists(paths.config_dir(), ec)) {
    return Status::already_exists(paths.config_dir().string() + " exists: this home is initialised already");
  }
  std::filesystem::create_directories(paths.config_dir(), ec);
  if (!ec) std::filesystem::create_directories(paths.data(), ec);
  if (ec) return Status::io_error("cannot create " + paths.home.string() + ": " + ec.message());
  HPC_ASSIGN_OR_RETURN(PrivateKey validator, PrivateKey::generate());
  HPC_ASSIGN_OR_RETURN(PrivateKey operator_key, PrivateKey::generate());
  HPC_ASSIGN_OR_RETURN(p2p::NodeIdentity identity, p2p::generate_identity(moniker));
  HPC_TRY(write_key_file(paths.validator_key(), validator));
  HPC_TRY(write_key_file(paths.operator_key(), operator_key));
  HPC_TRY(p2p::write_identity(identity, paths.node_key(), paths.node_cert()));
  return NodeKeys{validator, operator_key, identity};
}

genesis::Validator validator_entry(const NodeKeys& keys, const std::string& institution) {
  const auto c = keys.validator.public_key().compressed();
  return genesis::Validator{Bytes(c.begin(), c.end()), keys.identity.node_id, institution, 1,
                            keys.operator_key.public_key().address(), {}, 0};
}

Status write_genesis(const HomePaths& paths, const genesis::GenesisDoc& doc) {
  const std::string json = genesis::to_json(doc);
  HPC_TRY(genesis::parse_genesis(json).status());  // what we write, we can read
  return write_file_atomically(paths.genesis(), json, 0644, /*create_only=*/true);
}

}  // namespace

Result<Hash32> init_home(const InitOptions& options) {
  HPC_TRY(genesis::validate_chain_id(options.chain_id).with_context("--chain-id"));
  const HomePaths paths{options.home};
  HPC_ASSIGN_OR_RETURN(NodeKeys keys, make_home(paths, options.moniker));
  genesis::GenesisDoc doc;
  doc.chain_id = options.chain_id;
  doc.genesis_time_ms = now_ms();
  const Address op = keys.operator_key.public_key().address();
  doc.institutions.push_back({"local", "Local", {op}});
  doc.validators.push_back(validator_entry(keys, "local"));
  doc.accounts.push_back({op, kOperatorCredits, "local", {"submitter"}});
  HPC_TRY(write_genesis(paths, doc));
  NodeConfig config;
  config.moniker = options.moniker;
  HPC_TRY(write_file_atomically(paths.config(), render_config(config), 0644, /*create_only=*/true));
  return keys.identity.node_id;
}

namespace {

Status write_testnet_json(const TestnetOptions& o, const std::vector<TestnetNode>& nodes) {
  nlohmann::json j;
  j["chain_id"] = o.chain_id;
  j["nodes"] = nlohmann::json::array();
  for (const auto& n : nodes) {
    j["nodes"].push_back({{"name", n.name}, {"home", n.home.string()}, {"node_id", n.node_id.hex()},
                          {"p2p", n.p2p.to_string()}, {"grpc", n.grpc.to_string()}, {"metrics", n.metrics.to_string()}});
  }
  j["dev_keys"] = nlohmann::json::array();
  for (uint32_t k = 0; k < o.dev_accounts; ++k) j["dev_keys"].push_back((o.out / "dev" / ("dev" + std::to_string(k) + ".json")).string());
  return write_file_atomically(o.out / "testnet.json", j.dump(2) + "\n", 0644, /*create_only=*/true);
}

Status add_dev_accounts(const TestnetOptions& o, genesis::GenesisDoc& doc) {
  std::error_code ec;
  std::filesystem::create_directories(o.out / "dev", ec);
  if (ec) return Status::io_error("cannot create " + (o.out / "dev").string() + ": " + ec.message());
  for (uint32_t k = 0; k < o.dev_accounts; ++k) {
    HPC_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::generate());
    HPC_TRY(write_key_file(o.out / "dev" / ("dev" + std::to_string(k) + ".json"), key));
    doc.accounts.push_back({key.public_key().address(), kDevCredits, "inst0", {"submitter"}});
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<TestnetNode>> create_testnet(const TestnetOptions& o) {
  if (o.validators == 0 || o.validators > 64) return Status::invalid_argument("--validators must be 1 to 64");
  if (uint32_t{o.base_port} + 3 * o.validators > 65535 || o.base_port == 0) {
    return Status::invalid_argument("--base-port leaves no room for " + std::to_string(o.validators) + " nodes");
  }
  HPC_TRY(genesis::validate_chain_id(o.chain_id).with_context("--chain-id"));
  if (std::filesystem::exists(o.out / "testnet.json")) {
    return Status::already_exists((o.out / "testnet.json").string() + " exists: not overwriting a testnet");
  }
  genesis::GenesisDoc doc;
  doc.chain_id = o.chain_id;
  doc.genesis_time_ms = now_ms();
  std::vector<TestnetNode> nodes;
  for (uint32_t i = 0; i < o.validators; ++i) {
    const std::string name = "node" + std::to_string(i), inst = "inst" + std::to_string(i);
    const auto port = static_cast<uint16_t>(o.base_port + 3 * i);
    HPC_ASSIGN_OR_RETURN(NodeKeys keys, make_home(HomePaths{o.out / name}, name));
    const Address op = keys.operator_key.public_key().address();
    doc.institutions.push_back({inst, "Institution " + std::to_string(i), {op}});
    doc.validators.push_back(validator_entry(keys, inst));
    doc.accounts.push_back({op, kOperatorCredits, inst, {"submitter"}});
    nodes.push_back({name, o.out / name, keys.identity.node_id, {"127.0.0.1", port},
                     {"127.0.0.1", static_cast<uint16_t>(port + 1)}, {"127.0.0.1", static_cast<uint16_t>(port + 2)}});
  }
  HPC_TRY(add_dev_accounts(o, doc));
  for (const auto& n : nodes) {
    NodeConfig config;
    config.moniker = n.name;
    config.p2p.listen = n.p2p;
    config.rpc_listen = n.grpc;
    config.metrics_listen = n.metrics.to_string();
    for (const auto& peer : nodes) {
      if (peer.name != n.name) config.p2p.persistent_peers.push_back({peer.node_id, peer.p2p});
    }
    HPC_TRY(write_genesis(HomePaths{n.home}, doc));
    HPC_TRY(write_file_atomically(HomePaths{n.home}.config(), render_config(config), 0644, true));
  }
  HPC_TRY(write_testnet_json(o, nodes));
  return nodes;
}

}  // namespace hpchain::node
