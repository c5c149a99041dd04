// ConsensusCore: block fetching and state sync (the part of the core that
// fills holes in the block tree).
#include <algorithm>

#include "consensus/core.h"

namespace hpchain::consensus {

void ConsensusCore::request_fetch(const Hash32& id, ValidatorIndex hint, uint64_t height) {
  // Block by block, at most max_waiting_blocks can wait for their parents:
  // beyond that, only a state sync catches up.
  if (height > tree_.root().height() + config_.max_waiting_blocks && height > sync_requested_height_) {
    sync_requested_height_ = height;
    out_.push_back(SyncRequestAction{hint, id, height});
  }
  if (fetches_.count(id) == 0 && fetches_.size() >= config_.max_outstanding_fetches) return;
  Fetch& fetch = fetches_[id];
  const uint32_t attempt = fetch.attempts++;
  fetch.hint = hint;
  fetch.height = height;
  // The first attempt asks the peer that named the block; later ones rotate
  // through the set, so one silent peer cannot stall us.
  const auto n = static_cast<ValidatorIndex>(validators_.size());
  ValidatorIndex peer = static_cast<ValidatorIndex>((hint + attempt) % n);
  if (peer == config_.self) peer = static_cast<ValidatorIndex>((peer + 1) % n);
  if (peer == config_.self) return;  // a set of one has nobody to ask
  // The block and as many of its missing ancestors as one response holds.
  const uint64_t missing = height > tree_.root().height() ? height - tree_.root().height() : 1;
  const auto max_blocks = static_cast<uint32_t>(std::min<uint64_t>(missing, kMaxBlocksPerResponse));
  out_.push_back(FetchBlockAction{id, peer, encode_message(config_.chain_id, epoch(), BlockRequest{id, max_blocks})});
}

void ConsensusCore::retry_fetches() {
  // Answers can be lost, so each timer firing asks again, each time another
  // peer. After every peer was asked twice nobody can serve the block (it
  // was never certified by honest validators, or is gone): stop, so that
  // such ids cannot fill every fetch slot. A later message naming it again
  // starts a new fetch.
  const uint64_t max_attempts = 2 * validators_.size();
  std::erase_if(fetches_, [&](const auto& kv) { return kv.second.attempts >= max_attempts; });
  std::vector<std::pair<Hash32, Fetch>> retry(fetches_.begin(), fetches_.end());
  for (const auto& [id, fetch] : retry) request_fetch(id, fetch.hint, fetch.height);
}

BlockPtr ConsensusCore::find_block(const Hash32& id) const {
  BlockPtr block = tree_.find(id);
  if (block == nullptr && committed_blocks_ != nullptr) block = committed_blocks_->find(id);
  return block;
}

void ConsensusCore::on_block_request(ValidatorIndex from, const BlockRequest& r) {
  if (from == config_.self) return;
  BlockPtr block = find_block(r.block_id);
  if (block == nullptr) return;  // not ours to serve; the requester asks another peer
  // The block, then its ancestors while we hold them and the response stays
  // under the message limit (with room for the envelope).
  BlockResponse response{{block}};
  size_t bytes = encoded_block_bytes_bound(*block);
  while (response.blocks.size() < r.max_blocks && block->height() > 0) {
    block = find_block(block->parent_id());
    if (block == nullptr) break;
    bytes += encoded_block_bytes_bound(*block);
    if (bytes > kMessageBytesMax - 1024) break;
    response.blocks.push_back(block);
  }
  send(from, response);
}

void ConsensusCore::on_block_response(ValidatorIndex from, const BlockResponse& r) {
  const BlockPtr& requested = r.blocks.front();
  if (fetches_.count(requested->id) == 0) {
    return reject({false, RejectReason::kUnsolicitedBlock, "block nobody asked for"});
  }
  // We asked for this id because a verified QC named it, so the id alone
  // authenticates the block, and each block's parent link authenticates the
  // next; each one's own QC is checked to keep the tree sound.
  for (size_t i = 0; i < r.blocks.size(); ++i) {
    if (i > 0 && r.blocks[i - 1]->parent_id() != r.blocks[i]->id) {
      return reject({false, RejectReason::kBadBlock, "response blocks are not a chain of parents"});
    }
    if (auto v = validator_.verify_block(*r.blocks[i], config_.chain_id); !v.ok()) return reject(v);
  }
  fetches_.erase(requested->id);
  // Drop what the tree holds or the root passed; link the rest, lowest first.
  std::vector<BlockPtr> chain;
  for (const BlockPtr& b : r.blocks) {
    if (tree_.contains(b->id) || b->height() <= tree_.root().height()) break;
    chain.push_back(b);
  }
  if (chain.empty()) return;
  const BlockPtr& lowest = chain.back();
  if (!tree_.contains(lowest->parent_id()) && lowest->parent_qc().height <= tree_.root().height()) {
    return reject({false, RejectReason::kStaleRound, "fetched block below the committed root"});
  }
  if (waiting_children_.size() + chain.size() > config_.max_waiting_blocks) {
    return reject({false, RejectReason::kBufferFull, "too many fetched blocks waiting"});
  }
  for (size_t i = chain.size() - 1; i > 0; --i) waiting_children_[chain[i]->id] = chain[i - 1];
  if (tree_.contains(lowest->parent_id())) return insert_chain(lowest);
  waiting_children_[lowest->parent_id()] = lowest;
  request_fetch(lowest->parent_id(), from, lowest->height() - 1);
}

void ConsensusCore::insert_chain(BlockPtr block) {
  // Inserts `block`, then every waiting descendant that now links up.
  while (block != nullptr) {
    if (auto v = tree_.insert(block); !v.ok()) return reject(v);
    persist_block(block);  // an ancestor of what we may vote for
    process_qc(block->parent_qc());
    auto child = waiting_children_.find(block->id);
    if (child == waiting_children_.end()) break;
    block = child->second;
    waiting_children_.erase(child);
  }
  try_commit(high_qc_);
  retry_pending();
}

void ConsensusCore::retry_pending() {
  std::vector<Pending> ready;
  std::vector<Pending> still;
  for (auto& p : pending_) {
    (tree_.contains(p.proposal.block->parent_id()) ? ready : still).push_back(std::move(p));
  }
  pending_ = std::move(still);
  for (const auto& p : ready) insert_and_vote(p.from, p.proposal);
}

HPC_CONSENSUS_VARIANT_BEGIN

Verdict verify_commit_proof(const MessageValidator& validator, const Block& block, const CommitProof& proof,
                            std::string_view chain_id) {
  if (proof.child == nullptr) return {false, RejectReason::kBadBlock, "sync proof has no child block"};
  const Block& child = *proof.child;
  const QuorumCert& qc = child.parent_qc();  // certifies `block` if the proof holds
  const QuorumCert& child_qc = proof.child_qc;
  if (child.parent_id() != block.id || child.round() != block.round() + 1 || qc.round != block.round() ||
      child_qc.block_id != child.id || child_qc.round != child.round() || child_qc.height != child.height()) {
    return {false, RejectReason::kBadBlock, "sync proof does not show the block committed"};
  }
  // The synced block is checked like any other (chain id, payload hash,
  // parent QC), so a source cannot hand over a certified header with
  // another payload. verify_block(child) checks that the child's QC
  // certifies `block` (id, height) and is valid; then the QC for the child
  // completes the 2-chain.
  if (auto v = validator.verify_block(block, chain_id); !v.ok()) return v;
  if (auto v = validator.verify_block(child, chain_id); !v.ok()) return v;
  return validator.verify_qc(child_qc);
}

HPC_CONSENSUS_VARIANT_END

Actions ConsensusCore::on_synced(BlockPtr block, const CommitProof& proof) {
  HPC_ASSERT(block != nullptr && proof.child != nullptr);
  if (block->height() <= tree_.root().height()) return {};
  if (auto v = verify_commit_proof(validator_, *block, proof, config_.chain_id); !v.ok()) {
    reject(v);
    return take();
  }
  const QuorumCert& qc = proof.child->parent_qc();  // certifies `block`: the proof holds
  const uint64_t height = block->height();
  const Hash32 id = block->id;
  tree_.reset(std::move(block), qc);
  // What we fetched or were proposed above the new root stays: it may link
  // to it now, and commits it implies are emitted below, from height + 1
  // on (the host's state sync installed everything up to `height`).
  std::erase_if(pending_, [&](const Pending& p) { return p.proposal.block->height() <= height; });
  std::erase_if(waiting_children_, [&](const auto& kv) { return kv.second->height() <= height; });
  std::erase_if(fetches_, [&](const auto& kv) { return kv.second.height <= height; });
  // The certified child extends the new root: keep it so that the next
  // leader can build on it.
  if (auto v = tree_.insert(proof.child); !v.ok()) {
    reject(v);
  } else {
    persist_block(proof.child);
    waiting_children_.erase(id);
    if (auto next = waiting_children_.find(proof.child->id); next != waiting_children_.end()) {
      BlockPtr grandchild = next->second;
      waiting_children_.erase(next);
      insert_chain(std::move(grandchild));
    }
  }
  process_qc(proof.child_qc);
  try_commit(high_qc_);
  retry_pending();
  return take();
}

}  // namespace hpchain::consensus
