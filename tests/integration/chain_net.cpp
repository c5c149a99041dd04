#include "tests/integration/chain_net.h"

#include <cstdlib>
#include <fstream>

#include <grpcpp/grpcpp.h>

#include "chain/key_file.h"
#include "chain/tx.h"
#include "hpchain/v1/rpc.grpc.pb.h"
#include "node/chain/chain_store.h"
#include "node/home.h"
#include "node/p2p/identity.h"
#include "node/storage/store.h"

namespace hpchain::integration {

ChainNet::ChainNet(int validators, uint64_t empty_block_interval_ms, bool own_binary) : binary_(hpchaind()) {
  if (own_binary) {
    std::filesystem::copy_file(binary_, dir_.path() / "hpchaind");
    binary_ = (dir_.path() / "hpchaind").string();
  }
  base_ = free_ports(3 * validators);
  const int rc = run_hpchaind({"testnet", "--validators", std::to_string(validators), "--out", (dir_.path() / "net").string(),
                               "--base-port", std::to_string(base_)},
                              dir_.path() / "testnet.log");
  if (rc != 0) throw std::runtime_error("hpchaind testnet failed");
  manifest_ = nlohmann::json::parse(std::ifstream(dir_.path() / "net" / "testnet.json"));
  homes_ = static_cast<size_t>(validators);
  for (int i = 0; i < validators; ++i) {
    edit_config(home(i), [&](node::NodeConfig& c) {
      c.consensus.empty_block_interval_ms = empty_block_interval_ms;
      c.p2p.reconnect_max_ms = 1'000;  // a restarted peer is back within a second
    });
  }
  procs_.resize(homes_);
  starts_.resize(homes_);
}

ChainNet::~ChainNet() {
  for (auto& p : procs_) {
    if (p) p->stop();
  }
}

node::Endpoint ChainNet::endpoint(int i, const char* what) const {
  auto config = node::load_config(home(i) / "config" / "config.toml").value();
  if (std::string_view(what) == "p2p") return config.p2p.listen;
  if (std::string_view(what) == "grpc") return config.rpc_listen;
  return node::parse_endpoint(config.metrics_listen).value();
}

node::PeerAddress ChainNet::peer(int i) const {
  const node::HomePaths paths{home(i)};
  return {p2p::load_identity(paths.node_key(), paths.node_cert()).value().node_id, endpoint(i, "p2p")};
}

PrivateKey ChainNet::dev_key(int k) const { return load_key_file(manifest_["dev_keys"][k].get<std::string>()).value(); }

int ChainNet::add_observer(int peer_of) {
  const int i = static_cast<int>(homes_);
  const auto dir = home(i);
  if (run_hpchaind({"init", "--home", dir.string(), "--chain-id", chain_id(), "--moniker", "observer"},
                   dir_.path() / "init.log") != 0) {
    throw std::runtime_error("hpchaind init failed");
  }
  std::filesystem::copy_file(home(0) / "config" / "genesis.json", dir / "config" / "genesis.json",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(dir / "config" / "validator_key.json");
  std::filesystem::remove(dir / "config" / "operator_key.json");
  const uint16_t ports = free_ports(3);
  const node::PeerAddress serving = peer(peer_of);
  edit_config(dir, [&](node::NodeConfig& c) {
    c.p2p.listen = {"127.0.0.1", ports};
    c.rpc_listen = {"127.0.0.1", static_cast<uint16_t>(ports + 1)};
    c.metrics_listen = "127.0.0.1:" + std::to_string(ports + 2);
    c.p2p.persistent_peers = {serving};
  });
  const Hash32 id = peer(i).node_id;
  edit_config(home(peer_of), [&](node::NodeConfig& c) { c.p2p.allowed_node_ids.push_back(id); });
  ++homes_;
  procs_.resize(homes_);
  starts_.resize(homes_);
  return i;
}

void ChainNet::start(int i) {
  const auto signed_log = dir_.path() / ("signed-" + std::to_string(i) + ".log");
  ::setenv("HPCHAIN_SIGNED_LOG", signed_log.c_str(), 1);
  procs_[i] = std::make_unique<Process>(
      std::vector<std::string>{binary_, "start", "--home", home(i).string()},
      dir_.path() / ("node" + std::to_string(i) + "-" + std::to_string(starts_[i]++) + ".log"));
  ::unsetenv("HPCHAIN_SIGNED_LOG");
}

void ChainNet::kill9(int i) {
  if (procs_[i]) procs_[i]->kill9();
}

double ChainNet::value(int i, const std::string& name) const {
  const std::string text = scrape(endpoint(i, "metrics"));
  return text.empty() ? -1 : metric(text, name);
}

double ChainNet::height(int i) const { return value(i, "hpchain_consensus_height"); }

bool ChainNet::all_at_least(const std::vector<int>& nodes, double h) const {
  for (int i : nodes) {
    if (running(i) && height(i) < h) return false;
  }
  return true;
}

std::optional<hpchain::v1::TxRecord> ChainNet::committed_tx(int i, const Hash32& id) const {
  auto stub = v1::TxService::NewStub(
      grpc::CreateChannel(endpoint(i, "grpc").to_string(), grpc::InsecureChannelCredentials()));
  v1::GetTxRequest request;
  request.set_tx_id(std::string(id.bytes.begin(), id.bytes.end()));
  v1::GetTxResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (!stub->GetTx(&ctx, request, &response).ok()) return std::nullopt;
  return response.record();
}

std::map<uint64_t, hpchain::v1::CommittedBlockRecord> ChainNet::blocks(int i) const {
  std::map<uint64_t, hpchain::v1::CommittedBlockRecord> out;
  auto store = storage::Store::open(home(i) / "data").value();
  node::ChainStore chain(*store, chain_id());
  for (uint64_t h = 1;; ++h) {
    auto record = chain.block_at(h);
    if (!record.is_ok()) break;
    out.emplace(h, std::move(*record));
  }
  return out;
}

std::optional<hpchain::v1::TxRecord> ChainNet::tx(int i, const Hash32& id) const {
  auto store = storage::Store::open(home(i) / "data").value();
  auto record = node::ChainStore(*store, chain_id()).tx(id);
  if (!record.is_ok()) return std::nullopt;
  return *record;
}

std::string ChainNet::double_votes() const {
  std::string clashes;
  for (size_t i = 0; i < homes_; ++i) {
    std::ifstream in(dir_.path() / ("signed-" + std::to_string(i) + ".log"));
    std::map<std::pair<uint64_t, uint64_t>, std::string> voted;  // (epoch, round) -> block id
    for (std::string line; std::getline(in, line);) {
      constexpr std::string_view kVote = "hpchain/v1/vote ";
      if (line.rfind(kVote, 0) != 0) continue;
      auto bytes = hex_decode(line.substr(kVote.size()));
      if (!bytes.is_ok() || bytes->size() != 56) {
        clashes += "node " + std::to_string(i) + ": unreadable vote line\n";
        continue;
      }
      auto be64 = [&](size_t at) {
        uint64_t v = 0;
        for (size_t k = 0; k < 8; ++k) v = v << 8 | (*bytes)[at + k];
        return v;
      };
      const auto key = std::make_pair(be64(0), be64(40));
      const std::string block = line.substr(kVote.size() + 16, 64);
      auto [it, fresh] = voted.emplace(key, block);
      if (!fresh && it->second != block) {
        clashes += "node " + std::to_string(i) + " voted twice in epoch " + std::to_string(key.first) + " round " +
                   std::to_string(key.second) + "\n";
      }
    }
  }
  return clashes;
}

Bytes signed_transfer(const std::string& chain_id, const PrivateKey& from, uint64_t nonce) {
  v1::TxBody body;
  body.set_chain_id(chain_id);
  body.set_nonce(nonce);
  body.set_fee(10'000);
  body.mutable_transfer()->set_to(std::string(20, 'r'));
  body.mutable_transfer()->set_amount(1);
  return sign_tx(body, from);
}

}  // namespace hpchain::integration
