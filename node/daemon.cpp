#include "node/daemon.h"

#include <cstdlib>

#include "chain/key_file.h"
#include "chain/log.h"
#include "genesis/genesis.h"
#include "ledger/ledger.h"
#include "ledger/state_view.h"
#include "node/chain/chain_host.h"
#include "node/chain/chain_store.h"
#include "node/chain/executor.h"
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

struct ChainIdentity {
  Hash32 identity;
  Hash32 genesis_root;
};

// The genesis state on the first start; on later ones, the check that
// data/ belongs to this genesis.
Result<ChainIdentity> open_chain(storage::Store& store, storage::RocksStateStore& state, const genesis::GenesisDoc& doc) {
  ledger::MemoryStateStore scratch;
  HPC_ASSIGN_OR_RETURN(ledger::ChangeSet genesis, ledger::genesis_change_set(scratch, doc));
  const Hash32 identity = ledger::chain_identity(doc.chain_id, genesis.root_hash());
  const ChainIdentity out{identity, genesis.root_hash()};
  auto stored = store.get(storage::Column::kMeta, as_bytes(kChainIdentityKey));
  if (stored.is_ok()) {
    if (stored.value() != Bytes(identity.bytes.begin(), identity.bytes.end())) {
      return Status::corruption(store.dir().string() + " holds another chain than config/genesis.json describes");
    }
    return out;
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
  return out;
}

}  // namespace

// An optional key file of the home: absent is nullopt, unreadable an error.
Result<std::optional<PrivateKey>> optional_key(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::optional<PrivateKey>{};
  HPC_ASSIGN_OR_RETURN(PrivateKey key, load_key_file(path));
  return std::optional<PrivateKey>{std::move(key)};
}

class Daemon::Impl {
 public:
  NodeConfig config;
  std::string chain_id;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<storage::RocksStateStore> state;
  std::unique_ptr<ChainStore> chain;
  std::unique_ptr<NodeMetrics> metrics;
  std::unique_ptr<mempool::LedgerAccounts> accounts;
  std::unique_ptr<mempool::Mempool> pool;
  std::unique_ptr<ChainHost> host;
  std::unique_ptr<p2p::Network> network;
  Hash32 node_id;
  Hash32 identity;

  Status start(const HomePaths& paths);
  Status start_chain(const HomePaths& paths, const Hash32& genesis_root);
  // A transaction from a peer: checked by the mempool, gossiped on if new.
  void on_peer_tx(const Hash32& from, Bytes raw);
  void stop();
};

Status Daemon::Impl::start(const HomePaths& paths) {
  HPC_ASSIGN_OR_RETURN(config, load_config(paths.config()));
  HPC_TRY(configure_logging(config.log_level).with_context(paths.config().string() + ": log.level"));
  if (config.consensus.empty_block_interval_ms * 2 >= config.consensus.round_timeout_ms) {
    return Status::invalid_argument(paths.config().string() +
                                    ": consensus.empty_block_interval_ms must be less than half of round_timeout_ms");
  }
  HPC_ASSIGN_OR_RETURN(genesis::GenesisDoc doc, genesis::load_genesis(paths.genesis()));
  chain_id = doc.chain_id;
  HPC_ASSIGN_OR_RETURN(store, storage::Store::open(paths.data()));
  state = std::make_unique<storage::RocksStateStore>(*store);
  HPC_ASSIGN_OR_RETURN(ChainIdentity ids, open_chain(*store, *state, doc));
  identity = ids.identity;
  HPC_ASSIGN_OR_RETURN(p2p::NodeIdentity tls, p2p::load_identity(paths.node_key(), paths.node_cert()));
  node_id = tls.node_id;
  HPC_ASSIGN_OR_RETURN(metrics, NodeMetrics::start(config.metrics_listen));
  accounts = std::make_unique<mempool::LedgerAccounts>(*state);
  pool = std::make_unique<mempool::Mempool>(
      mempool::MempoolOptions{doc.chain_id, config.mempool.max_txs, config.mempool.max_bytes, config.mempool.verify_threads},
      *accounts, metrics.get());
  HPC_TRY(start_chain(paths, ids.genesis_root));
  p2p::NetworkOptions o{doc.chain_id, identity, config.moniker, std::move(tls), config.p2p.listen,
                        config.p2p.persistent_peers, config.p2p.allowed_node_ids, config.p2p};
  HPC_ASSIGN_OR_RETURN(auto from_chain, chain_node_ids(*state));
  o.allowed.insert(o.allowed.end(), from_chain.begin(), from_chain.end());
  HPC_ASSIGN_OR_RETURN(network, p2p::Network::start(std::move(o), [this](const Hash32& from, hpchain::v1::MessageType type, Bytes payload) {
    if (type == hpchain::v1::MESSAGE_TX) {
      on_peer_tx(from, std::move(payload));
    } else {
      host->on_peer_message(from, type, std::move(payload));
    }
  }, metrics.get()));
  host->run(network.get());
  HPC_LOG(kNode, info, "hpchaind started: chain {}, node id {}, p2p {}, metrics {}", doc.chain_id, node_id.hex(),
          network->listen_endpoint()->to_string(), metrics->endpoint() ? metrics->endpoint()->to_string() : "off");
  return Status::ok();
}

Status Daemon::Impl::start_chain(const HomePaths& paths, const Hash32& genesis_root) {
  ChainHostOptions o;
  o.chain_id = chain_id;
  o.genesis_root = genesis_root;
  HPC_ASSIGN_OR_RETURN(o.validator_key, optional_key(paths.validator_key()));
  HPC_ASSIGN_OR_RETURN(o.operator_key, optional_key(paths.operator_key()));
  o.safety_path = paths.data() / "safety_state";
  o.pacemaker.base_timeout_ms = config.consensus.round_timeout_ms;
  o.empty_block_interval_ms = config.consensus.empty_block_interval_ms;
  if (const char* log = std::getenv("HPCHAIN_SIGNED_LOG"); log != nullptr && *log != '\0') o.signed_log = log;
  chain = std::make_unique<ChainStore>(*store, chain_id);
  HPC_ASSIGN_OR_RETURN(host, ChainHost::open(std::move(o), *store, *state, *chain, *pool, metrics.get()));
  return Status::ok();
}

void Daemon::Impl::on_peer_tx(const Hash32& from, Bytes raw) {
  auto copy = std::make_shared<Bytes>(raw);
  pool->submit(std::move(raw), [this, from, copy](const mempool::Admission& a) {
    if (a.rejected) {
      if (*a.rejected == mempool::Reject::kDuplicate) return;  // gossip brings each transaction from several peers
      HPC_LOG_RATE_LIMITED(kMempool, info, "refused {} from {}: {} ({})", a.tx_id.hex().substr(0, 12),
                           from.hex().substr(0, 12), mempool::reject_name(*a.rejected), a.detail);
      return;
    }
    network->broadcast(hpchain::v1::MESSAGE_TX, std::move(*copy), from);
  });
}

void Daemon::Impl::stop() {
  if (network) network->stop();  // no more messages come in
  if (host) host->stop();        // the chain thread ends; nothing is half-written (one batch per block)
  pool.reset();                  // its workers finish; a late broadcast goes nowhere
  host.reset();
  network.reset();
  accounts.reset();
  chain.reset();
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
const NodeConfig& Daemon::config() const { return impl_->config; }

std::optional<Status> Daemon::fatal() const {
  if (!impl_->host) return Status::unavailable("the node is stopped");
  return impl_->host->fatal();
}

NodeStatus Daemon::status() const {
  NodeStatus s;
  s.chain_id = impl_->chain_id;
  if (impl_->host) {
    const ChainSnapshot c = impl_->host->snapshot();
    s.epoch = c.epoch;
    s.height = c.height;
    s.block_id = c.block_id;
    s.state_root = c.state_root;
    s.certified_height = c.certified_height;
    s.syncing = c.syncing;
    s.validator = c.validator;
  }
  if (impl_->network) s.peers = impl_->network->peers().size();
  return s;
}

Result<hpchain::v1::CommittedBlockRecord> Daemon::block_at(uint64_t height) const {
  if (!impl_->chain) return Status::unavailable("the node is stopped");
  return impl_->chain->block_at(height);
}

Result<hpchain::v1::CommittedBlockRecord> Daemon::block_by_id(const Hash32& id) const {
  if (!impl_->chain) return Status::unavailable("the node is stopped");
  return impl_->chain->block_by_id(id);
}

Result<hpchain::v1::TxRecord> Daemon::tx(const Hash32& id) const {
  if (!impl_->chain) return Status::unavailable("the node is stopped");
  return impl_->chain->tx(id);
}

Result<hpchain::v1::TxRecord> Daemon::wait_tx(const Hash32& id, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const uint64_t height = impl_->host ? impl_->host->snapshot().height : 0;
    auto record = tx(id);
    if (record.status().code() != StatusCode::kNotFound) return record;
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::deadline_exceeded("transaction " + id.hex() + " was not committed within " +
                                       std::to_string(timeout.count()) + " ms");
    }
    if (auto f = fatal()) return Status::unavailable(f->message());
    impl_->host->wait_executed_above(height, deadline);
  }
}

mempool::Admission Daemon::submit_tx(Bytes raw) {
  auto copy = raw;
  mempool::Admission a = impl_->pool->submit_here(std::move(raw));
  if (!a.rejected && impl_->network) impl_->network->broadcast(hpchain::v1::MESSAGE_TX, std::move(copy));
  return a;
}

Result<AccountInfo> Daemon::account(const Address& address) const {
  if (!impl_->state || !impl_->pool) return Status::unavailable("the node is stopped");
  // A block that commits between the state read and the mempool's count
  // moves the nonce and drops the sender's committed transactions from the
  // mempool; the nonce is read again after the count, and a changed one
  // means counting again.
  ledger::StateView first(*impl_->state);
  HPC_ASSIGN_OR_RETURN(hpchain::v1::Account committed, first.account(address));
  AccountInfo out;
  for (int attempt = 0; attempt < 4; ++attempt) {
    out.next_nonce = impl_->pool->next_nonce(address, committed.nonce());
    ledger::StateView again(*impl_->state);
    HPC_ASSIGN_OR_RETURN(hpchain::v1::Account now, again.account(address));
    const bool settled = now.nonce() == committed.nonce();
    committed = std::move(now);
    if (settled) break;
  }
  out.nonce = committed.nonce();
  out.balance = committed.balance();
  if (out.next_nonce < out.nonce) out.next_nonce = out.nonce;  // unsettled after every attempt
  return out;
}

bool Daemon::pending(const Hash32& id) const { return impl_->pool && impl_->pool->contains(id); }

}  // namespace hpchain::node
