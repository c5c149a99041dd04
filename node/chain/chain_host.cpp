#include "node/chain/chain_host.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include "chain/log.h"
#include "consensus/epoch.h"
#include "ledger/state_view.h"
#include "node/chain/chain_host_impl.h"

namespace hpchain::node {
namespace {

// Appends every signature's domain and message to a file before the
// signature is returned (a test aid: the harness checks that no validator
// signed two votes in one round, even across kill -9). write(2) with
// O_APPEND reaches the page cache at once, so a killed process loses
// nothing it signed.
class LoggingSigner final : public consensus::Signer {
 public:
  LoggingSigner(std::unique_ptr<consensus::Signer> inner, int fd) : inner_(std::move(inner)), fd_(fd) {}
  ~LoggingSigner() override { ::close(fd_); }
  Signature sign(SignDomain domain, ByteSpan message) override {
    const std::string line = std::string(sign_domain_tag(domain)) + " " + hex_encode(message) + "\n";
    if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      HPC_LOG(kNode, err, "signed log: short write");
    }
    return inner_->sign(domain, message);
  }

 private:
  std::unique_ptr<consensus::Signer> inner_;
  int fd_;
};

Result<std::unique_ptr<consensus::Signer>> make_signer(const ChainHostOptions& o) {
  auto signer = consensus::make_secp256k1_signer(*o.validator_key, o.chain_id);
  if (o.signed_log.empty()) return signer;
  const int fd = ::open(o.signed_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::io_error("cannot open the signed log " + o.signed_log.string());
  return std::unique_ptr<consensus::Signer>(std::make_unique<LoggingSigner>(std::move(signer), fd));
}

}  // namespace

Result<std::vector<Hash32>> member_nodes(const storage::RocksStateStore& state, const consensus::ValidatorSet& set) {
  ledger::StateView view(state);
  std::vector<Hash32> nodes(set.size());
  for (consensus::ValidatorIndex i = 0; i < set.size(); ++i) {
    HPC_ASSIGN_OR_RETURN(auto v, view.get_record<hpchain::v1::Validator>(ledger::keys::validator(set.at(i).key.span())));
    if (v && v->node_id().size() == Hash32::kSize) nodes[i] = Hash32::from_bytes(as_bytes(v->node_id())).value();
  }
  return nodes;
}

namespace {

// Epoch 0: the genesis state's consensus set, from the genesis block.
Result<hpchain::v1::EpochRecord> first_epoch(const storage::RocksStateStore& state) {
  ledger::StateView view(state);
  HPC_ASSIGN_OR_RETURN(auto set, view.get_record<hpchain::v1::ConsensusSet>(to_bytes(ledger::keys::kConsensusSet)));
  if (!set) return Status::corruption("the stored state has no consensus set");
  hpchain::v1::EpochRecord record;
  *record.mutable_validators() = std::move(*set);
  return record;
}

}  // namespace

Status ChainHost::Impl::open() {
  HPC_ASSIGN_OR_RETURN(auto stored_epoch, chain.epoch());
  HPC_ASSIGN_OR_RETURN(auto tip, chain.tip());
  hpchain::v1::EpochRecord epoch;
  if (stored_epoch) {
    epoch = std::move(*stored_epoch);
  } else {
    if (tip && tip->epoch() != 0) return Status::corruption("the stored chain is past epoch 0 but has no epoch record");
    HPC_ASSIGN_OR_RETURN(epoch, first_epoch(state));
    storage::WriteBatch batch;
    chain.stage_epoch(epoch, batch);
    HPC_TRY(store.write(batch));
  }
  tip_root = options.genesis_root;
  std::optional<consensus::Recovery> recovery;
  bool ended = false;  // the tip ended the epoch, and the node stopped before it started the next
  if (tip) {
    HPC_ASSIGN_OR_RETURN(auto record, chain.block_at(tip->height()));
    HPC_ASSIGN_OR_RETURN(consensus::CommittedBlock committed, ChainStore::from_record(record));
    tip_height = tip->height();
    tip_id = committed.block->id;
    tip_root = Hash32::from_bytes(as_bytes(record.state_root())).value();
    if (committed.block->round() > 0) recovery = consensus::Recovery{committed.block, committed.qc};  // else: the start block
    ended = record.ends_epoch() && tip->epoch() == epoch.epoch();
  }
  HPC_TRY(install_epoch(std::move(epoch), std::move(recovery)));
  if (!tip) tip_id = start_block->id;
  if (ended) {
    ledger::StateView view(state);
    HPC_ASSIGN_OR_RETURN(auto next, view.get_record<hpchain::v1::ConsensusSet>(to_bytes(ledger::keys::kConsensusSet)));
    if (!next) return Status::corruption("the stored state has no consensus set");
    pending_epoch = PendingEpoch{std::move(*next), tip_height, Clock::now()};
  }
  return Status::ok();
}

Status ChainHost::Impl::install_epoch(hpchain::v1::EpochRecord record, std::optional<consensus::Recovery> recovery) {
  epoch_record = std::move(record);
  HPC_ASSIGN_OR_RETURN(consensus::ValidatorSet set, validator_set_of(epoch_record.validators()));
  validators = std::make_unique<consensus::ValidatorSet>(std::move(set));
  HPC_ASSIGN_OR_RETURN(validator_nodes, member_nodes(state, *validators));
  verifier = consensus::make_secp256k1_verifier(*validators, options.chain_id);
  self = options.validator_key ? consensus::self_index(*validators, options.validator_key->public_key())
                               : consensus::kObserver;
  signer.reset();
  if (self != consensus::kObserver) {
    HPC_ASSIGN_OR_RETURN(signer, make_signer(options));
  }
  consensus::EpochStart where{epoch_record.epoch(), Hash32{}, epoch_record.start_height()};
  if (epoch_record.epoch() > 0) {
    HPC_ASSIGN_OR_RETURN(where.parent_id, Hash32::from_bytes(as_bytes(epoch_record.start_parent_id())));
  }
  start_block = std::make_shared<const consensus::Block>(consensus::epoch_start_block(
      options.chain_id, where.epoch, where.parent_id, where.height, validators->digest()));
  sync_validator = std::make_unique<consensus::MessageValidator>(*validators, *verifier, *start_block);
  consensus::CoreConfig config;
  config.chain_id = options.chain_id;
  config.epoch = where;
  config.self = self;
  config.pacemaker = options.pacemaker;
  config.validate_payloads = true;
  // Further behind than this, block sync (batches with one commit proof
  // each) catches up instead of fetching parents one proposal at a time.
  config.max_waiting_blocks = kSyncBatchBlocks;
  consensus::CoreDeps deps;
  deps.validators = validators.get();
  deps.signer = signer.get();
  deps.verifier = verifier.get();
  deps.safety_storage = self == consensus::kObserver ? nullptr : &safety;
  deps.committed_blocks = &chain;
  deps.tree_storage = &tree;
  core.reset();
  ++core_generation;
  HPC_ASSIGN_OR_RETURN(core, consensus::ConsensusCore::create(config, deps, std::move(recovery)));
  certifier = std::make_unique<consensus::StateCertifier>(options.chain_id, where.epoch, *validators, *verifier,
                                                          signer.get(), self, std::max(tip_height, where.height));
  peer_ids.clear();
  peer_nodes.clear();
  HPC_LOG(kNode, info, "consensus: epoch {}, {} validators, this node is {}; resuming at height {}", where.epoch,
          validators->size(), self == consensus::kObserver ? "an observer" : "validator " + std::to_string(self),
          std::max(tip_height, where.height));
  return Status::ok();
}

void ChainHost::Impl::run() {
  // The first actions run here, before the thread, so that they come
  // before any message that arrived since open().
  apply(core->start());
  if (tip_height > 0 && !stopped) {
    // The tip's state vote again (the same claim): a kill -9 may have
    // come before it left, and it checks a stored certificate too.
    Hash32 next_set = validators->digest();
    if (pending_epoch) {
      if (auto next = validator_set_of(pending_epoch->next); next.is_ok()) next_set = next->digest();
    }
    on_state(certifier->on_executed(tip_height, tip_id, tip_root, next_set));
    if (pending_epoch) end_vote = last_vote;
  }
  if (pending_epoch) maybe_switch();  // the certificate may be stored already
  publish();
  tick();
  work.emplace(io.get_executor());
  thread = std::thread([this] { io.run(); });
}

void ChainHost::Impl::stop() {
  stop_requested = true;  // queued messages are dropped, not processed, on the way out
  if (!thread.joinable()) return;
  post([this] {
    stopped = true;
    round_timer.cancel();
    tick_timer.cancel();
  });
  work.reset();
  thread.join();
}

void ChainHost::Impl::post(std::function<void()> fn) { boost::asio::post(io, std::move(fn)); }

void ChainHost::Impl::dispatch(const Hash32& from, hpchain::v1::MessageType type, const Bytes& payload) {
  if (stopped || stop_requested) return;
  switch (type) {
    case hpchain::v1::MESSAGE_CONSENSUS:
      apply(core->on_message(peer_index(from), payload));
      break;
    case hpchain::v1::MESSAGE_STATE:
      on_state(certifier->on_message(payload));
      break;
    case hpchain::v1::MESSAGE_STATUS:
      on_status(from, payload);
      break;
    case hpchain::v1::MESSAGE_SYNC_REQUEST:
      on_sync_request(from, payload);
      break;
    case hpchain::v1::MESSAGE_SYNC_RESPONSE:
      on_sync_response(from, payload);
      break;
    default:
      break;
  }
  publish();
}

consensus::ValidatorIndex ChainHost::Impl::peer_index(const Hash32& node) {
  for (consensus::ValidatorIndex i = 0; i < validator_nodes.size(); ++i) {
    if (validator_nodes[i] == node) return i;
  }
  auto it = peer_ids.find(node);
  if (it != peer_ids.end()) return it->second;
  const auto id = static_cast<consensus::ValidatorIndex>(validators->size() + peer_ids.size());
  peer_ids.emplace(node, id);
  peer_nodes.emplace(id, node);
  return id;
}

void ChainHost::Impl::send_to(consensus::ValidatorIndex to, hpchain::v1::MessageType type, Bytes message) {
  if (network == nullptr) return;
  Hash32 node;
  if (to < validator_nodes.size()) {
    node = validator_nodes[to];
  } else if (auto it = peer_nodes.find(to); it != peer_nodes.end()) {
    node = it->second;
  }
  if (node != Hash32{}) network->send(node, type, std::move(message));
}

void ChainHost::Impl::apply(consensus::Actions actions) {
  const uint64_t generation = core_generation;
  for (auto& action : actions) {
    if (stopped || generation != core_generation) return;  // the epoch changed under these actions
    std::visit(
        [&](auto& a) {
          using A = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<A, consensus::SendAction>) {
            send_to(a.to, hpchain::v1::MESSAGE_CONSENSUS, std::move(a.message));
          } else if constexpr (std::is_same_v<A, consensus::BroadcastAction>) {
            if (network != nullptr) network->broadcast(hpchain::v1::MESSAGE_CONSENSUS, std::move(a.message));
          } else if constexpr (std::is_same_v<A, consensus::FetchBlockAction>) {
            send_to(a.peer, hpchain::v1::MESSAGE_CONSENSUS, std::move(a.message));
          } else if constexpr (std::is_same_v<A, consensus::CommitAction>) {
            on_commit(a.committed);
          } else if constexpr (std::is_same_v<A, consensus::TimerAction>) {
            set_timer(a.round, a.delay_ms);
          } else if constexpr (std::is_same_v<A, consensus::PayloadRequestAction>) {
            pending_request = std::move(a);
            propose_by = Clock::now() + std::chrono::milliseconds(options.empty_block_interval_ms);
            try_propose();
          } else if constexpr (std::is_same_v<A, consensus::ValidatePayloadAction>) {
            const bool valid = validate_payload(*a.block);
            apply(core->on_payload_validated(a.block->id, valid));
          } else if constexpr (std::is_same_v<A, consensus::SyncRequestAction>) {
            maybe_sync();
          } else if constexpr (std::is_same_v<A, consensus::EpochAheadAction>) {
            if (a.peer < validators->size() && a.epoch > epoch_ahead) {  // a claim of this epoch's validators only
              HPC_LOG(kNode, info, "validators are in epoch {}: fetching the blocks and the proof of the change", a.epoch);
              epoch_ahead = a.epoch;
              maybe_sync();
            }
          }
        },
        action);
  }
}

void ChainHost::Impl::set_timer(uint64_t round, uint64_t delay_ms) {
  round_timer.expires_after(std::chrono::milliseconds(delay_ms));
  round_timer.async_wait([this, round, generation = core_generation](const boost::system::error_code& ec) {
    if (ec || stopped || generation != core_generation) return;
    const uint64_t timeouts_before = core->metrics().timeouts_sent;
    apply(core->on_timer(round));
    if (metrics != nullptr && core->metrics().timeouts_sent > timeouts_before) metrics->on_timeout_sent();
    publish();
  });
}

void ChainHost::Impl::tick() {
  if (stopped) return;
  try_propose();
  if (Clock::now() - last_status >= kStatusInterval) {
    last_status = Clock::now();
    broadcast_status();
    maybe_sync();
  }
  if (pending_epoch && !end_vote.empty() && network != nullptr && Clock::now() - end_vote_sent >= kStateResendInterval) {
    // Until the epoch's last block is certified nobody moves on: a lost
    // vote, or one a restart never sent, must not stall the change.
    end_vote_sent = Clock::now();
    network->broadcast(hpchain::v1::MESSAGE_STATE, end_vote);
  }
  if (Clock::now() - last_progress_log >= kProgressLogInterval) {
    last_progress_log = Clock::now();
    const auto& m = core->metrics();
    HPC_LOG(kNode, info, "epoch {} height {} round {} certified {}; {} peers; proposals {} votes {} timeouts {} sent; "
            "{} messages refused{}",
            core->epoch(), tip_height, core->current_round(), certifier->highest_certified(),
            network != nullptr ? network->peers().size() : 0, m.proposals_sent, m.votes_sent, m.timeouts_sent,
            m.rejected_total(), behind() ? "; syncing" : "");
  }
  publish();
  tick_timer.expires_after(kTickInterval);
  tick_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

void ChainHost::Impl::halt(Status why) {
  HPC_LOG(kNode, critical, "the chain stopped on this node: {}", why.message());
  stopped = true;
  round_timer.cancel();
  tick_timer.cancel();
  std::lock_guard lock(mu);
  if (!fatal) fatal = std::move(why);
  executed_cv.notify_all();
}

void ChainHost::Impl::publish() {
  if (!core || !certifier) return;  // an epoch switch that failed: halted
  ChainSnapshot s;
  s.epoch = core->epoch();
  s.height = tip_height;
  s.block_id = tip_id;
  s.state_root = tip_root;
  s.certified_height = certifier->highest_certified();
  s.round = core->current_round();
  s.syncing = behind();
  s.validator = self != consensus::kObserver;
  if (metrics != nullptr) metrics->on_round(s.epoch, s.round);
  std::lock_guard lock(mu);
  const bool advanced = s.height != snap.height;
  snap = s;
  if (advanced) executed_cv.notify_all();
}

// --- ChainHost ---

Result<std::unique_ptr<ChainHost>> ChainHost::open(ChainHostOptions options, storage::Store& store,
                                                   storage::RocksStateStore& state, ChainStore& chain,
                                                   mempool::Mempool& pool, NodeMetrics* metrics) {
  auto impl = std::make_unique<Impl>(std::move(options), store, state, chain, pool, nullptr, metrics);
  HPC_TRY(impl->open());
  return std::unique_ptr<ChainHost>(new ChainHost(std::move(impl)));
}

void ChainHost::run(p2p::Network* network) {
  impl_->network = network;  // before the thread starts: no race
  impl_->run();
}

ChainHost::ChainHost(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChainHost::~ChainHost() { stop(); }
void ChainHost::stop() { impl_->stop(); }

void ChainHost::on_peer_message(const Hash32& from, hpchain::v1::MessageType type, Bytes payload) {
  impl_->post([this, from, type, payload = std::move(payload)] { impl_->dispatch(from, type, payload); });
}

ChainSnapshot ChainHost::snapshot() const {
  std::lock_guard lock(impl_->mu);
  return impl_->snap;
}

std::optional<Status> ChainHost::fatal() const {
  std::lock_guard lock(impl_->mu);
  return impl_->fatal;
}

void ChainHost::wait_executed_above(uint64_t height, Clock::time_point deadline) const {
  std::unique_lock lock(impl_->mu);
  impl_->executed_cv.wait_until(lock, deadline, [&] { return impl_->snap.height > height || impl_->fatal; });
}

}  // namespace hpchain::node
