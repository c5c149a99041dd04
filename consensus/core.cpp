#include "consensus/core.h"

#include <algorithm>

#include "chain/log.h"

namespace hpchain::consensus {
uint64_t CoreMetrics::rejected_total() const {
  uint64_t total = 0;
  for (uint64_t r : rejected) total += r;
  return total;
}

Result<std::unique_ptr<ConsensusCore>> ConsensusCore::create(CoreConfig config, CoreDeps deps,
                                                             std::optional<Recovery> recovery) {
  const bool observer = config.self == kObserver;
  HPC_ASSERT(deps.validators && deps.verifier && (observer || (deps.signer && deps.safety_storage)));
  if (!observer && config.self >= deps.validators->size()) {
    return Status::invalid_argument("self index is not in the validator set");
  }
  if (config.max_payload_bytes > kMessageBytesMax - kProposalOverheadMax) {
    return Status::invalid_argument("max_payload_bytes leaves no room for the proposal's certificates");
  }
  if (config.epoch.epoch == 0 && (config.epoch.height != 0 || !config.epoch.parent_id.is_zero())) {
    return Status::invalid_argument("epoch 0 starts at the genesis (height 0, no parent)");
  }
  const Block start = epoch_start_block(config.chain_id, config.epoch.epoch, config.epoch.parent_id,
                                        config.epoch.height, deps.validators->digest());
  if (!recovery) {
    auto root = std::make_shared<const Block>(start);
    recovery = Recovery{root, genesis_qc(*root)};
  }
  if (recovery->root == nullptr || recovery->root_qc.block_id != recovery->root->id ||
      recovery->root_qc.height != recovery->root->height() ||
      recovery->root_qc.round != recovery->root->round()) {
    return Status::invalid_argument("recovery QC does not certify the recovery root");
  }
  if (recovery->root->fields.epoch != config.epoch.epoch || recovery->root->height() < start.height()) {
    return Status::invalid_argument("the recovery root is not of this epoch");
  }
  SavedTree saved;
  if (deps.tree_storage != nullptr) {
    HPC_ASSIGN_OR_RETURN(saved, deps.tree_storage->load());
  }
  std::optional<SafetyRules> safety;
  if (!observer) {
#if defined(HPCHAIN_UNSAFE_VARIANTS)
    HPC_ASSIGN_OR_RETURN(safety, SafetyRules::open(*deps.safety_storage, *deps.signer, config.self,
                                                   config.epoch.epoch, config.unsafe_variants));
#else
    HPC_ASSIGN_OR_RETURN(safety, SafetyRules::open(*deps.safety_storage, *deps.signer, config.self,
                                                   config.epoch.epoch));
#endif
  }
  return std::unique_ptr<ConsensusCore>(new ConsensusCore(
      std::move(config), deps, std::move(safety), std::move(*recovery), start, std::move(saved)));
}

ConsensusCore::ConsensusCore(CoreConfig config, CoreDeps deps, std::optional<SafetyRules> safety,
                             Recovery recovery, const Block& start, SavedTree saved_tree)
    : config_(std::move(config)),
      validators_(*deps.validators),
      committed_blocks_(deps.committed_blocks),
      tree_storage_(deps.tree_storage),
      start_id_(start.id),
      validator_(*deps.validators, *deps.verifier, start),
      safety_(std::move(safety)),
      pacemaker_(*deps.validators, config_.pacemaker),
      votes_(*deps.validators),
      tree_(recovery.root, recovery.root_qc),
      high_qc_(recovery.root_qc) {
#if defined(HPCHAIN_UNSAFE_VARIANTS)
  tree_.set_commit_non_consecutive(config_.unsafe_variants.commit_non_consecutive);
#endif
  // Resume from the certificates our safety state kept (we verified them
  // before they were saved): see SafetyState::one_chain_qc.
  // Together they bring the restarted validator to a round >= its last
  // voted round, where SafetyRules lets it time out.
  resume_from(safety_state().one_chain_qc, safety_state().highest_tc);
  restore(std::move(saved_tree));
}

void ConsensusCore::resume_from(const std::optional<QuorumCert>& qc, const std::optional<TimeoutCert>& tc) {
  if (qc && qc->round > high_qc_.round) high_qc_ = *qc;
  if (tc) {
    pacemaker_.observe_tc(*tc);
    if (tc->high_qc.round > high_qc_.round) high_qc_ = tc->high_qc;
  }
}

const SafetyState& ConsensusCore::safety_state() const {
  static const SafetyState kNone;
  return safety_ ? safety_->state() : kNone;
}

Actions ConsensusCore::take() {
  Actions out = std::move(out_);
  out_.clear();
  return out;
}

void ConsensusCore::reject(const Verdict& v) {
  HPC_ASSERT(!v.ok());
  ++metrics_.rejected[static_cast<size_t>(v.reason)];
  HPC_LOG_RATE_LIMITED(kConsensus, debug, "validator {} rejected: {} ({})", config_.self,
                       reject_reason_name(v.reason), v.detail);
}

void ConsensusCore::send(ValidatorIndex to, const MessageBody& body) {
  // `to` is a validator index, or a peer id the host gave a non-validator
  // (an observer) that asked us for blocks.
  HPC_ASSERT(to != config_.self);
  out_.push_back(SendAction{to, encode_message(config_.chain_id, epoch(), body)});
}

Actions ConsensusCore::start() {
  // Restored blocks carry the QCs of their parents: whatever they show
  // committed above the recovery root is committed again, in order.
  for (const BlockPtr& b : tree_.blocks_by_height()) try_commit(b->parent_qc());
  try_commit(high_qc_);
  advance_round();
  return take();
}

Actions ConsensusCore::on_message(ValidatorIndex from, ByteSpan bytes) {
  auto message = decode_message(bytes);
  if (!message.is_ok()) {
    reject(Verdict::reject(RejectReason::kMalformed, message.status().message()));
    return take();
  }
  if (message->chain_id != config_.chain_id) {
    reject(Verdict::reject(RejectReason::kWrongChainId, "envelope names another chain"));
    return take();
  }
  if (message->epoch != epoch()) {
    reject(Verdict::reject(RejectReason::kWrongEpoch, "a message of epoch " + std::to_string(message->epoch)));
    // A peer in a later epoch: we are behind, once per epoch the host hears it.
    if (message->epoch > epoch() && message->epoch > epoch_ahead_reported_) {
      epoch_ahead_reported_ = message->epoch;
      out_.push_back(EpochAheadAction{from, message->epoch});
    }
    return take();
  }
  handle(from, *message);
  return take();
}

void ConsensusCore::handle(ValidatorIndex from, const Message& message) {
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, Proposal>) on_proposal(from, body);
        else if constexpr (std::is_same_v<T, Vote>) on_vote(body);
        else if constexpr (std::is_same_v<T, TimeoutMsg>) on_timeout(from, body);
        else if constexpr (std::is_same_v<T, BlockRequest>) on_block_request(from, body);
        else on_block_response(from, body);
      },
      message.body);
}

void ConsensusCore::on_proposal(ValidatorIndex from, const Proposal& p) {
  HPC_ASSERT(p.block != nullptr);
  const uint64_t round = p.block->round();
  if (round < current_round()) return reject({false, RejectReason::kStaleRound, "old proposal"});
  // A repeat of a proposal we verified costs no signature check: the id
  // covers the header, which covers the payload. A fake with another id
  // cannot pre-empt the genuine one, which is recorded only once verified.
  auto seen = proposals_seen_.find(round);
  if (seen != proposals_seen_.end() && seen->second == p.block->id) {
    return reject({false, RejectReason::kDuplicate, "proposal again"});
  }
  // No kRoundTooFar here: a valid proposal's certificates cannot be forged
  // and bring us exactly to its round, so a validator any number of rounds
  // behind catches up from one proposal, and per-round state stays bounded.
  // A second, different proposal for a round whose proposal we verified
  // cannot get our vote (one vote per round): dropped unverified.
  if (seen != proposals_seen_.end()) {
    return reject({false, RejectReason::kAlreadyCounted, "a proposal of this round was verified already"});
  }
  if (auto v = validator_.verify_proposal(p, config_.chain_id); !v.ok()) return reject(v);
  process_qc(p.block->parent_qc());
  if (p.tc) process_tc(*p.tc);
  // A justified proposal's certificates bring us exactly to its round.
  HPC_ASSERT(current_round() >= round);
  if (current_round() != round) return reject({false, RejectReason::kStaleRound, "round passed"});
  proposals_seen_.emplace(round, p.block->id);
  insert_and_vote(from, p);
}

void ConsensusCore::insert_and_vote(ValidatorIndex from, const Proposal& p) {
  const BlockPtr& block = p.block;
  if (!tree_.contains(block->parent_id())) {
    if (block->parent_qc().height <= tree_.root().height()) {
      return reject({false, RejectReason::kStaleRound, "extends a block below the committed root"});
    }
    if (pending_.size() >= config_.max_pending_proposals) pending_.erase(pending_.begin());
    pending_.push_back({from, p});
    request_fetch(block->parent_id(), from, block->height() - 1);
    return;
  }
  if (auto v = tree_.insert(block); !v.ok()) return reject(v);
  // Saved before the vote (tree_storage.h): a vote for a block nobody
  // kept could halt the chain after a restart of every validator.
  const bool saved = persist_block(block);
  try_commit(high_qc_);
  if (!saved || block->round() != current_round()) return;
  if (config_.validate_payloads && block->fields.proposer != config_.self) {
    validating_[block->id] = Validating{block->round(), p.tc};
    out_.push_back(ValidatePayloadAction{block});
    return;
  }
  vote_for(*block, p.tc);
}

Actions ConsensusCore::on_payload_validated(const Hash32& block_id, bool valid) {
  auto it = validating_.find(block_id);
  if (it == validating_.end()) return {};
  const Validating validating = std::move(it->second);
  validating_.erase(it);
  BlockPtr block = tree_.find(block_id);
  if (!valid) {
    reject({false, RejectReason::kBadPayload, "the host found the payload invalid"});
  } else if (block != nullptr && validating.round == current_round()) {
    vote_for(*block, validating.tc);
  }
  return take();
}

void ConsensusCore::vote_for(const Block& block, const std::optional<TimeoutCert>& tc) {
  if (!safety_) return;  // an observer follows, it does not vote
  auto vote = safety_->sign_vote(block, tc);
  if (!vote.is_ok()) {
    return reject({false, RejectReason::kSafetyRefused, vote.status().message()});
  }
  ++metrics_.votes_sent;
  const ValidatorIndex next_leader = validators_.leader(vote->round + 1);
  if (next_leader == config_.self) {
    on_vote(*vote);
  } else {
    send(next_leader, *vote);
  }
}

void ConsensusCore::on_vote(const Vote& v) {
  if (v.round + 1 < current_round()) return reject({false, RejectReason::kStaleRound, "old vote"});
  if (v.round > current_round() + config_.max_future_rounds) {
    return reject({false, RejectReason::kRoundTooFar, "vote round too far ahead"});
  }
  if (validators_.leader(v.round + 1) != config_.self) {
    return reject({false, RejectReason::kNotForUs, "we do not lead the next round"});
  }
  // Neither an identical repeat nor another vote of a voter already counted
  // in this round can be counted, so neither costs a signature check. A
  // fake cannot pre-empt the genuine vote: only verified votes are counted.
  if (votes_.contains(v)) return reject({false, RejectReason::kDuplicate, "vote seen before"});
  if (votes_.has_voter(v.round, v.voter)) {
    return reject({false, RejectReason::kAlreadyCounted, "another vote of this voter is counted in this round"});
  }
  if (auto verdict = validator_.verify_vote(v); !verdict.ok()) return reject(verdict);
  auto added = votes_.add(v);
  if (!added.verdict.ok()) return reject(added.verdict);
  if (added.qc) {
    ++metrics_.qcs_formed;
    process_qc(*added.qc);
  }
}

void ConsensusCore::on_timeout(ValidatorIndex from, const TimeoutMsg& t) {
  const bool stale = t.round < current_round();
  const bool too_far = t.round > current_round() + config_.max_future_rounds;
  const bool teaches = t.high_qc.round > high_qc_.round ||
                       (t.last_tc && t.last_tc->round > pacemaker_.high_tc_round());
  // A stale or far-future timeout is still worth verifying when its
  // certificates (which cannot be forged) would move us forward: that is how
  // a validator far behind catches up. Otherwise it costs no signature check.
  if (stale && !teaches) return reject({false, RejectReason::kStaleRound, "old timeout"});
  if (too_far && !teaches) {
    return reject({false, RejectReason::kRoundTooFar, "timeout round too far ahead"});
  }
  if (!stale && !too_far && pacemaker_.has_timeout(t.round, t.share)) {
    return reject({false, RejectReason::kDuplicate, "timeout seen before"});
  }
  // Another timeout of a signer already counted cannot be counted; its
  // certificates would cost 1 + 3q checks (q the quorum size) for nothing
  // that the first one and the round's proposals do not bring.
  if (!stale && !too_far && pacemaker_.has_timeout_signer(t.round, t.share.signer)) {
    return reject({false, RejectReason::kAlreadyCounted, "another timeout of this signer is counted in this round"});
  }
  if (auto v = validator_.verify_timeout(t); !v.ok()) return reject(v);
  process_qc(t.high_qc);
  if (t.last_tc) process_tc(*t.last_tc);
  if (stale) return reject({false, RejectReason::kStaleRound, "old timeout"});
  // Its certificates moved us, but its own share is not stored so far ahead.
  if (t.round > current_round() + config_.max_future_rounds) {
    return reject({false, RejectReason::kRoundTooFar, "timeout round too far ahead"});
  }
  if (!tree_.contains(t.high_qc.block_id) && t.high_qc.height > tree_.root().height()) {
    request_fetch(t.high_qc.block_id, from, t.high_qc.height);
  }
  auto added = pacemaker_.add_timeout(t.round, t.share, t.high_qc);
  if (!added.verdict.ok()) return reject(added.verdict);
  if (added.tc) {
    ++metrics_.tcs_formed;
    process_tc(*added.tc);
  } else if (t.round == current_round() && !pacemaker_.own_timeout() &&
             validators_.exceeds_one_third(added.round_power)) {
    // More than 1/3 of the power timed out, so at least one honest validator
    // did: join it (DiemBFT v4 section 4.3) so a TC forms without waiting.
    local_timeout();
  }
}

void ConsensusCore::process_qc(const QuorumCert& qc) {
  if (qc.round > high_qc_.round) {
    persist_high_qc(qc);
    high_qc_ = qc;
  }
  try_commit(qc);
  advance_round();
}

void ConsensusCore::process_tc(const TimeoutCert& tc) {
  if (tc.round > pacemaker_.high_tc_round()) persist_high_tc(tc);
  pacemaker_.observe_tc(tc);
  // The TC's QC is the lock of the next round: a leader that learned the TC
  // only from a message's last_tc needs it to propose a block honest
  // validators can vote for.
  process_qc(tc.high_qc);
}

void ConsensusCore::try_commit(const QuorumCert& qc) {
  for (auto& committed : tree_.commit_for(qc)) {
    ++metrics_.blocks_committed;
    out_.push_back(CommitAction{std::move(committed)});
  }
  const uint64_t root_height = tree_.root().height();
  std::erase_if(pending_, [&](const Pending& p) { return p.proposal.block->height() <= root_height; });
  std::erase_if(waiting_children_, [&](const auto& kv) { return kv.second->height() <= root_height; });
  std::erase_if(fetches_, [&](const auto& kv) { return kv.second.height <= root_height; });
}

void ConsensusCore::advance_round() {
  if (!pacemaker_.advance(high_qc_.round)) return;
  const uint64_t round = current_round();
  votes_.prune_below(round - 1);
  proposals_seen_.erase(proposals_seen_.begin(), proposals_seen_.lower_bound(round));
  std::erase_if(validating_, [&](const auto& kv) { return kv.second.round < round; });
  out_.push_back(TimerAction{round, pacemaker_.round_timeout_ms(high_qc_.round)});
  if (validators_.leader(round) == config_.self) request_payload(round);
}

void ConsensusCore::request_payload(uint64_t round) {
  PayloadRequestAction request{round, high_qc_.height + 1, high_qc_.block_id, {}, config_.max_payload_bytes};
  // As far as the tree holds them: after a restart the high QC's block may
  // be missing, and the list is then empty.
  for (BlockPtr b = tree_.find(high_qc_.block_id); b != nullptr && b->id != tree_.root().id;
       b = tree_.find(b->parent_id())) {
    request.uncommitted_ancestors.push_back(b);
  }
  out_.push_back(std::move(request));
}

Actions ConsensusCore::on_timer(uint64_t round) {
  if (round != current_round()) return {};
  local_timeout();
  retry_fetches();
  out_.push_back(TimerAction{round, pacemaker_.round_timeout_ms(high_qc_.round)});
  return take();
}

void ConsensusCore::local_timeout() {
  if (!safety_) return;  // an observer waits for the validators' TC
  const uint64_t round = current_round();
  // Already timed out in this round: send the same message again.
  if (const auto& own = pacemaker_.own_timeout()) {
    out_.push_back(BroadcastAction{encode_message(config_.chain_id, epoch(), *own)});
    return;
  }
  const auto tc = pacemaker_.entry_tc();
  auto share = safety_->sign_timeout(round, high_qc_, tc);
  if (!share.is_ok()) {
    return reject({false, RejectReason::kSafetyRefused, share.status().message()});
  }
  const TimeoutMsg msg{round, high_qc_, *share, tc};
  pacemaker_.set_own_timeout(msg);
  ++metrics_.timeouts_sent;
  out_.push_back(BroadcastAction{encode_message(config_.chain_id, epoch(), msg)});
  auto added = pacemaker_.add_timeout(round, msg.share, msg.high_qc);
  if (added.tc) {
    ++metrics_.tcs_formed;
    process_tc(*added.tc);
  }
}

Actions ConsensusCore::on_payload_ready(uint64_t round, Bytes payload, uint64_t timestamp_ms) {
  if (round != current_round() || validators_.leader(round) != config_.self ||
      proposed_round_ >= round) {
    return {};
  }
  if (payload.size() > config_.max_payload_bytes) {
    reject({false, RejectReason::kPayloadTooLarge,
            std::to_string(payload.size()) + "-byte payload exceeds max_payload_bytes"});
    return take();
  }
  BlockFields f;
  f.epoch = epoch();
  f.height = high_qc_.height + 1;
  f.round = round;
  f.parent_id = high_qc_.block_id;
  f.parent_qc = high_qc_;
  f.payload_hash = sha256(payload);
  f.timestamp_ms = timestamp_ms;
  f.proposer = config_.self;
  Proposal p;
  p.block = std::make_shared<const Block>(make_block(config_.chain_id, f, std::move(payload)));
  if (high_qc_.round + 1 != round) {
    p.tc = pacemaker_.entry_tc();
    HPC_ASSERT(p.tc.has_value());  // the round was entered by a TC
  }
  auto sig = safety_->sign_proposal(*p.block, p.tc);
  if (!sig.is_ok()) {
    reject({false, RejectReason::kSafetyRefused, sig.status().message()});
    return take();
  }
  p.signature = *sig;
  proposed_round_ = round;
  ++metrics_.proposals_sent;
  out_.push_back(BroadcastAction{encode_message(config_.chain_id, epoch(), p)});
  proposals_seen_.emplace(round, p.block->id);
  insert_and_vote(config_.self, p);
  return take();
}

Actions ConsensusCore::on_block_executed(const Hash32& id, uint64_t height) {
  HPC_ASSERT(height <= tree_.root().height());
  (void)id;
  prune_saved(height);
  return take();
}

}  // namespace hpchain::consensus
