// Block sync (docs/node.md, "Sync"): every node tells its peers its height
// once a second; a node further behind its best peer than kSyncLagBlocks
// asks peers in turn for batches of committed blocks, checks that a batch
// extends its tip hash by hash and that its last block's commit proof (a
// 2-chain certified by this epoch's validators) holds, executes the
// blocks, then hands the last one to the consensus core (on_synced). A
// peer can waste one request's time, never make this node execute a block
// the validators did not commit.
#include "chain/codec.h"
#include "chain/log.h"
#include "hpchain/v1/store.pb.h"
#include "node/chain/block_sync.h"
#include "node/chain/chain_host_impl.h"

namespace hpchain::node {

void ChainHost::Impl::broadcast_status() {
  if (network == nullptr) return;
  hpchain::v1::PeerStatus status;
  status.set_epoch(core->epoch());
  status.set_height(tip_height);
  network->broadcast(hpchain::v1::MESSAGE_STATUS, serialize_proto(status));
}

void ChainHost::Impl::on_status(const Hash32& from, const Bytes& payload) {
  hpchain::v1::PeerStatus status;
  if (!parse_proto(payload, status, "peer status").is_ok()) return;
  peer_heights[from] = PeerHeight{status.epoch(), status.height()};
}

void ChainHost::Impl::forget_claims(const Hash32& peer) {
  peer_heights.erase(peer);
  epoch_ahead = 0;
}

bool ChainHost::Impl::behind() const {
  // Waiting for the certificate of the epoch's last block: peers that
  // moved on hold it. (Heights and epochs peers claim are hints: a sync
  // attempt that brings nothing drops them.)
  if (epoch_ahead > core->epoch() || (pending_epoch && Clock::now() - pending_epoch->since > kSyncRequestTimeout)) {
    return true;
  }
  for (const auto& [node, peer] : peer_heights) {
    if (peer.height > tip_height + kSyncLagBlocks || peer.epoch > core->epoch()) return true;
  }
  return false;
}

void ChainHost::Impl::maybe_sync() {
  if (stopped || network == nullptr) return;
  if (sync_request && Clock::now() - sync_request->sent < kSyncRequestTimeout) return;
  sync_request.reset();
  const auto connected = network->peers();
  auto gone = [&](const auto& kv) { return !std::binary_search(connected.begin(), connected.end(), kv.first); };
  std::erase_if(peer_heights, gone);
  std::erase_if(last_served, gone);
  if (!behind()) return;
  std::vector<Hash32> ahead;
  for (const auto& [node, peer] : peer_heights) {
    if (peer.height > tip_height || peer.epoch > core->epoch()) ahead.push_back(node);
  }
  if (ahead.empty()) return;
  const Hash32 peer = ahead[sync_rotation++ % ahead.size()];  // several peers share the load in turn
  hpchain::v1::SyncRequest request;
  request.set_from_height(tip_height + 1);
  request.set_max_blocks(kSyncBatchBlocks);
  network->send(peer, hpchain::v1::MESSAGE_SYNC_REQUEST, serialize_proto(request));
  sync_request = SyncRequest{peer, tip_height + 1, Clock::now()};
}

namespace {

void set_end_certificate(hpchain::v1::SyncResponse& response, const std::string& chain_id,
                         const consensus::StateCertificate& cert) {
  const Bytes encoded = consensus::encode_state_message(chain_id, cert);
  response.set_end_certificate(encoded.data(), encoded.size());
}

}  // namespace

hpchain::v1::SyncResponse serve_sync_request(const ChainStore& chain, const hpchain::v1::SyncRequest& request,
                                             uint64_t tip_height) {
  hpchain::v1::SyncResponse response;
  response.set_from_height(request.from_height());
  const uint64_t want = std::min<uint64_t>(std::max<uint32_t>(request.max_blocks(), 1), kSyncBatchBlocks);
  uint64_t bytes = 0;
  size_t last_proven = 0;  // blocks up to the last one that carries a commit proof
  if (request.from_height() >= 2) {
    // The asker executed the last block of an epoch and waits for its
    // certificate: send it alone.
    auto before = chain.block_at(request.from_height() - 1);
    auto cert = chain.certificate(request.from_height() - 1);
    if (before.is_ok() && before->ends_epoch() && cert.is_ok() && cert->has_value()) {
      set_end_certificate(response, chain.chain_id(), **cert);
      return response;
    }
  }
  for (uint64_t h = std::max<uint64_t>(request.from_height(), 1); h <= tip_height; ++h) {
    const size_t n = static_cast<size_t>(response.blocks_size());
    if (last_proven == n && (n >= want || bytes >= kSyncResponseBytes)) break;
    if (n >= 2 * want) break;  // no proof within reach: send what is proven
    auto record = chain.block_at(h);
    if (!record.is_ok()) break;
    if (bytes + record->ByteSizeLong() > kSyncResponseBytesMax) break;  // must fit in one p2p frame
    bytes += record->ByteSizeLong();
    bool proven = record->has_proof_child();
    const bool ends_epoch = record->ends_epoch();
    *response.add_blocks() = std::move(*record);
    if (ends_epoch) {  // the batch stops here, proven by the block's state certificate when there is one
      auto cert = chain.certificate(h);
      if (cert.is_ok() && cert->has_value()) {
        set_end_certificate(response, chain.chain_id(), **cert);
        proven = true;
      }
    }
    if (proven) last_proven = static_cast<size_t>(response.blocks_size());
    if (ends_epoch) break;
  }
  if (static_cast<size_t>(response.blocks_size()) > last_proven) response.clear_end_certificate();
  while (static_cast<size_t>(response.blocks_size()) > last_proven) response.mutable_blocks()->RemoveLast();
  return response;
}

void ChainHost::Impl::on_sync_request(const Hash32& from, const Bytes& payload) {
  hpchain::v1::SyncRequest request;
  if (!parse_proto(payload, request, "sync request").is_ok() || network == nullptr) return;
  // One request per peer per kSyncServeInterval: serving reads up to a
  // batch of blocks on this thread, which consensus shares.
  auto& last = last_served[from];
  if (Clock::now() - last < kSyncServeInterval) return;
  last = Clock::now();
  network->send(from, hpchain::v1::MESSAGE_SYNC_RESPONSE, serialize_proto(serve_sync_request(chain, request, tip_height)));
}

namespace {

// The last block of an epoch, proven by its state certificate and QC
// instead of a commit proof.
Result<consensus::StateCertificate> check_end_certificate(const hpchain::v1::SyncResponse& response,
                                                          const consensus::CommittedBlock& last,
                                                          const consensus::MessageValidator& validator,
                                                          const consensus::ValidatorSet& validators,
                                                          const consensus::SignatureVerifier& verifier) {
  if (response.end_certificate().empty()) return Status::invalid_argument("the last block carries no commit proof");
  auto message = consensus::decode_state_message(as_bytes(response.end_certificate()));
  if (!message.is_ok() || !std::holds_alternative<consensus::StateCertificate>(message->body)) {
    return Status::invalid_argument("the end certificate is not a state certificate");
  }
  auto cert = std::get<consensus::StateCertificate>(message->body);
  if (cert.claim.block_id != last.block->id || cert.claim.height != last.block->height() ||
      cert.claim.epoch != validator.epoch()) {
    return Status::invalid_argument("the end certificate is for another block");
  }
  if (auto v = consensus::verify_state_certificate(cert, validators, verifier); !v.ok()) {
    return Status::invalid_argument("bad end certificate: " + v.detail);
  }
  if (last.qc.block_id != last.block->id) return Status::invalid_argument("the last block's QC certifies another block");
  if (auto v = validator.verify_qc(last.qc); !v.ok()) return Status::invalid_argument("bad QC: " + v.detail);
  return cert;
}

}  // namespace

Result<SyncBatch> check_sync_batch(const hpchain::v1::SyncResponse& response,
                                   const consensus::MessageValidator& validator,
                                   const consensus::ValidatorSet& validators,
                                   const consensus::SignatureVerifier& verifier, const std::string& chain_id,
                                   uint64_t tip_height, const Hash32& tip_id) {
  SyncBatch batch;
  auto& blocks = batch.blocks;
  Hash32 parent = tip_id;
  for (const auto& record : response.blocks()) {
    HPC_ASSIGN_OR_RETURN(consensus::CommittedBlock c, ChainStore::from_record(record));
    const consensus::Block& b = *c.block;
    if (b.height() != tip_height + 1 + blocks.size() || b.parent_id() != parent) {
      return Status::invalid_argument("block at height " + std::to_string(b.height()) + " does not extend the chain");
    }
    if (!b.epoch_matches(validator.epoch())) return Status::invalid_argument("block of another epoch");
    if (auto v = validator.verify_block(b, chain_id); !v.ok()) return Status::invalid_argument(v.detail);
    parent = b.id;
    blocks.push_back(std::move(c));
  }
  if (blocks.empty()) return batch;
  // Each block's QC is its child's parent QC (verified with the child).
  // Only the last block's proof is checked: any other is dropped, so a
  // forged one is never stored and served on.
  for (size_t i = 0; i + 1 < blocks.size(); ++i) {
    blocks[i].qc = blocks[i + 1].block->parent_qc();
    blocks[i].proof.reset();
  }
  auto& last = blocks.back();
  if (!last.proof) {
    HPC_ASSIGN_OR_RETURN(batch.end_certificate, check_end_certificate(response, last, validator, validators, verifier));
    return batch;
  }
  if (auto v = consensus::verify_commit_proof(validator, *last.block, *last.proof, chain_id); !v.ok()) {
    return Status::invalid_argument("bad commit proof: " + v.detail);
  }
  last.qc = last.proof->child->parent_qc();
  return batch;
}

void ChainHost::Impl::on_sync_response(const Hash32& from, const Bytes& payload) {
  if (!sync_request || sync_request->peer != from) return;  // unsolicited
  sync_request.reset();
  hpchain::v1::SyncResponse response;
  if (!parse_proto(payload, response, "sync response").is_ok()) return;
  if (response.from_height() != tip_height + 1 || stopped) return;
  if (response.blocks().empty() || pending_epoch) {
    // Waiting at the epoch's last block we take only its certificate (the
    // certifier checks quorum, signatures and our own root): blocks above
    // it are the suffix, never executed. An answer with nothing in it
    // drops what the peer claimed; tick() asks again.
    auto message = consensus::decode_state_message(as_bytes(response.end_certificate()));
    if (pending_epoch && message.is_ok() && std::holds_alternative<consensus::StateCertificate>(message->body)) {
      on_state(certifier->on_certificate(std::get<consensus::StateCertificate>(message->body)));
    } else {
      forget_claims(from);
    }
    return;
  }
  auto batch = check_sync_batch(response, *sync_validator, *validators, *verifier, options.chain_id, tip_height, tip_id);
  if (!batch.is_ok()) {
    HPC_LOG_RATE_LIMITED(kNode, warn, "sync: refused a batch from {}: {}", from.hex().substr(0, 12),
                         batch.status().message());
    return forget_claims(from);
  }
  // The certificate first: executing the epoch's last block then checks
  // our state against it (a divergence stops the node).
  if (batch->end_certificate) on_state(certifier->on_certificate(*batch->end_certificate));
  const uint64_t epoch = core->epoch();
  const uint64_t first = tip_height + 1;
  for (auto& c : batch->blocks) {
    // The epoch's last block ends the batch: nothing after it is executed.
    if (pending_epoch || core->epoch() != epoch || !execute(c)) break;
  }
  if (stopped) return;
  const auto& last = batch->blocks.back();
  HPC_LOG(kNode, info, "sync: executed heights {}..{} from {}", first, tip_height, from.hex().substr(0, 12));
  if (last.proof && core->epoch() == epoch && tip_id == last.block->id) apply(core->on_synced(last.block, *last.proof));
  maybe_sync();
}

}  // namespace hpchain::node
