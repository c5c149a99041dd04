#include "node/daemon.h"

#include "chain/log.h"
#include "genesis/genesis.h"
#include "ledger/ledger.h"
#include "ledger/state_view.h"
#include "node/home.h"
#include "node/mempool/ledger_accounts.h"
#include "node/mempool/mempool.h"
#include "node/metrics.h"
#include "node/p2p/network.h"
#include "node/storage/state_store.h"
#include "node/storage/store.h"

namespace hpchain::node {
namespace {

constexpr std::string_view kChainIdentityKey = "chain-identity";

// The genesis state on the first start; on later ones, the check that
// data/ belongs to this genesis.
Result<Hash32> open_chain(storage::Store& store, storage::RocksStateStore& state, const genesis::GenesisDoc& doc) {
  ledger::MemoryStateStore scratch;
  HPC_ASSIGN_OR_RETURN(ledger::ChangeSet genesis, ledger::genesis_change_set(scratch, doc));
  const Hash32 identity = ledger::chain_identity(doc.chain_id, genesis.root_hash());
  auto stored = store.get(storage::Column::kMeta, as_bytes(kChainIdentityKey));
  if (stored.is_ok()) {
    if (stored.value() != Bytes(identity.bytes.begin(), identity.bytes.end())) {
      return Status::corruption(store.dir().string() + " holds another chain than config/genesis.json describes");
    }
    return identity;
  }
  if (stored.status().code() != StatusCode::kNotFound) return stored.status();
  HPC_ASSIGN_OR_RETURN(auto meta, state.get_meta());
  if (meta) return Status::corruption(store.dir().string() + " has state but no chain identity");
  storage::WriteBatch batch;
  HPC_ASSIGN_OR_RETURN(ledger::ChangeSet changes, ledger::genesis_change_set(state, doc));
  HPC_TRY(state.stage(changes, batch));
  batch.put(storage::Column::kMeta, as_bytes(kChainIdentityKey), identity.span());
  HPC_TRY(store.write(batch));
  HPC_LOG(kNode, info, "wrote the genesis state of chain {} (root {})", doc.chain_id, changes.root_hash().hex());
  return identity;
}

// Node ids the chain admits: every registry entry's and every institution's.
Result<std::vector<Hash32>> chain_node_ids(const ledger::StateReader& state) {
  ledger::StateView view(state);
  std::vector<Hash32> ids;
  auto add = [&](const std::string& bytes) {
    if (bytes.size() == Hash32::kSize) ids.push_back(Hash32::from_bytes(as_bytes(bytes)).value());
  };
  HPC_ASSIGN_OR_RETURN(auto stored_keys, view.get_record<hpchain::v1::KeyList>(to_bytes(ledger::keys::kValidatorIndex)));
  const auto validators = stored_keys.value_or(hpchain::v1::KeyList{});
  for (const auto& key : validators.keys()) {
    HPC_ASSIGN_OR_RETURN(auto v, view.get_record<hpchain::v1::Validator>(ledger::keys::validator(as_bytes(key))));
    if (v) add(v->node_id());
  }
  HPC_ASSIGN_OR_RETURN(auto stored_names, view.get_record<hpchain::v1::NameList>(to_bytes(ledger::keys::kInstitutionIndex)));
  const auto institutions = stored_names.value_or(hpchain::v1::NameList{});
  for (const auto& id : institutions.names()) {
    HPC_ASSIGN_OR_RETURN(auto inst, view.get_record<hpchain::v1::Institution>(ledger::keys::institution(id)));
    if (inst) {
      for (const auto& n : inst->node_ids()) add(n);
    }
  }
  return ids;
}

}  // namespace

class Daemon::Impl {
 public:
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<storage::RocksStateStore> state;
  std::unique_ptr<NodeMetrics> metrics;
  std::unique_ptr<mempool::LedgerAccounts> accounts;
  std::unique_ptr<mempool::Mempool> pool;
  std::unique_ptr<p2p::Network> network;
  Hash32 node_id;
  Hash32 identity;

  Status start(const HomePaths& paths);
  // A transaction from a peer: checked by the mempool, gossiped on if new.
  void on_peer_tx(const Hash32& from, Bytes raw);
  void stop();
};

Status Daemon::Impl::start(const HomePaths& paths) {
  HPC_ASSIGN_OR_RETURN(NodeConfig config, load_config(paths.config()));
  HPC_TRY(configure_logging(config.log_level).with_context(paths.config().string() + ": log.level"));
  HPC_ASSIGN_OR_RETURN(genesis::GenesisDoc doc, genesis::load_genesis(paths.genesis()));
  HPC_ASSIGN_OR_RETURN(store, storage::Store::open(paths.data()));
  state = std::make_unique<storage::RocksStateStore>(*store);
  HPC_ASSIGN_OR_RETURN(identity, open_chain(*store, *state, doc));
  HPC_ASSIGN_OR_RETURN(p2p::NodeIdentity tls, p2p::load_identity(paths.node_key(), paths.node_cert()));
  node_id = tls.node_id;
  HPC_ASSIGN_OR_RETURN(metrics, NodeMetrics::start(config.metrics_listen));
  accounts = std::make_unique<mempool::LedgerAccounts>(*state);
  pool = std::make_unique<mempool::Mempool>(
      mempool::MempoolOptions{doc.chain_id, config.mempool.max_txs, config.mempool.max_bytes, config.mempool.verify_threads},
      *accounts, metrics.get());
  p2p::NetworkOptions o{doc.chain_id, identity, config.moniker, std::move(tls), config.p2p.listen,
                        config.p2p.persistent_peers, config.p2p.allowed_node_ids, config.p2p};
  HPC_ASSIGN_OR_RETURN(auto from_chain, chain_node_ids(*state));
  o.allowed.insert(o.allowed.end(), from_chain.begin(), from_chain.end());
  HPC_ASSIGN_OR_RETURN(network, p2p::Network::start(std::move(o), [this](const Hash32& from, hpchain::v1::MessageType type, Bytes payload) {
    if (type == hpchain::v1::MESSAGE_TX) on_peer_tx(from, std::move(payload));
  }, metrics.get()));
  HPC_LOG(kNode, info, "hpchaind started: chain {}, node id {}, p2p {}, metrics {}", doc.chain_id, node_id.hex(),
          network->listen_endpoint()->to_string(), metrics->endpoint() ? metrics->endpoint()->to_string() : "off");
  return Status::ok();
}

void Daemon::Impl::on_peer_tx(const Hash32& from, Bytes raw) {
  auto copy = std::make_shared<Bytes>(raw);
  pool->submit(std::move(raw), [this, from, copy](const mempool::Admission& a) {
    if (a.rejected) {
      HPC_LOG_RATE_LIMITED(kMempool, info, "refused {} from {}: {} ({})", a.tx_id.hex().substr(0, 12),
                           from.hex().substr(0, 12), mempool::reject_name(*a.rejected), a.detail);
      return;
    }
    network->broadcast(hpchain::v1::MESSAGE_TX, std::move(*copy), from);
  });
}

void Daemon::Impl::stop() {
  if (network) network->stop();  // no more transactions come in
  pool.reset();                  // its workers finish; a late broadcast goes nowhere
  network.reset();
  accounts.reset();
  metrics.reset();
  state.reset();
  store.reset();
}

Result<std::unique_ptr<Daemon>> Daemon::start(const std::filesystem::path& home) {
  auto impl = std::make_unique<Impl>();
  if (Status s = impl->start(HomePaths{home}); !s.is_ok()) {
    impl->stop();
    return s;
  }
  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

Daemon::Daemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Daemon::~Daemon() { stop(); }
void Daemon::stop() { impl_->stop(); }
const Hash32& Daemon::node_id() const { return impl_->node_id; }
const Hash32& Daemon::chain_identity() const { return impl_->identity; }

}  // namespace hpchain::node
