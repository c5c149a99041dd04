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

bool ChainHost::Impl::behind() const {
  for (const auto& [node, peer] : peer_heights) {
    if (peer.height > tip_height + kSyncLagBlocks) return true;
  }
  return false;
}

void ChainHost::Impl::maybe_sync() {
  if (stopped || network == nullptr) return;
  if (sync_request && Clock::now() - sync_request->sent < kSyncRequestTimeout) return;
  sync_request.reset();
  const auto connected = network->peers();
  std::erase_if(peer_heights, [&](const auto& kv) {
    return !std::binary_search(connected.begin(), connected.end(), kv.first);
  });
  if (!behind()) return;
  std::vector<Hash32> ahead;
  for (const auto& [node, peer] : peer_heights) {
    if (peer.height > tip_height) ahead.push_back(node);
  }
  const Hash32 peer = ahead[sync_rotation++ % ahead.size()];  // several peers share the load in turn
  hpchain::v1::SyncRequest request;
  request.set_from_height(tip_height + 1);
  request.set_max_blocks(kSyncBatchBlocks);
  network->send(peer, hpchain::v1::MESSAGE_SYNC_REQUEST, serialize_proto(request));
  sync_request = SyncRequest{peer, tip_height + 1, Clock::now()};
}

hpchain::v1::SyncResponse serve_sync_request(const ChainStore& chain, const hpchain::v1::SyncRequest& request,
                                             uint64_t tip_height) {
  hpchain::v1::SyncResponse response;
  response.set_from_height(request.from_height());
  const uint64_t want = std::min<uint64_t>(std::max<uint32_t>(request.max_blocks(), 1), kSyncBatchBlocks);
  uint64_t bytes = 0;
  size_t last_proven = 0;  // blocks up to the last one that carries a commit proof
  for (uint64_t h = std::max<uint64_t>(request.from_height(), 1); h <= tip_height; ++h) {
    const size_t n = static_cast<size_t>(response.blocks_size());
    if (last_proven == n && (n >= want || bytes >= kSyncResponseBytes)) break;
    if (n >= 2 * want) break;  // no proof within reach: send what is proven
    auto record = chain.block_at(h);
    if (!record.is_ok()) break;
    bytes += record->ByteSizeLong();
    const bool proven = record->has_proof_child();
    *response.add_blocks() = std::move(*record);
    if (proven) last_proven = static_cast<size_t>(response.blocks_size());
  }
  while (static_cast<size_t>(response.blocks_size()) > last_proven) response.mutable_blocks()->RemoveLast();
  return response;
}

void ChainHost::Impl::on_sync_request(const Hash32& from, const Bytes& payload) {
  hpchain::v1::SyncRequest request;
  if (!parse_proto(payload, request, "sync request").is_ok() || network == nullptr) return;
  network->send(from, hpchain::v1::MESSAGE_SYNC_RESPONSE, serialize_proto(serve_sync_request(chain, request, tip_height)));
}

Result<std::vector<consensus::CommittedBlock>> check_sync_batch(const hpchain::v1::SyncResponse& response,
                                                                const consensus::MessageValidator& validator,
                                                                const std::string& chain_id, uint64_t tip_height,
                                                                const Hash32& tip_id) {
  std::vector<consensus::CommittedBlock> blocks;
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
  if (blocks.empty()) return blocks;
  auto& last = blocks.back();
  if (!last.proof) return Status::invalid_argument("the last block carries no commit proof");
  if (auto v = consensus::verify_commit_proof(validator, *last.block, *last.proof, chain_id); !v.ok()) {
    return Status::invalid_argument("bad commit proof: " + v.detail);
  }
  // Each block's QC is its child's parent QC (verified with the child).
  for (size_t i = 0; i + 1 < blocks.size(); ++i) blocks[i].qc = blocks[i + 1].block->parent_qc();
  last.qc = last.proof->child->parent_qc();
  return blocks;
}

void ChainHost::Impl::on_sync_response(const Hash32& from, const Bytes& payload) {
  if (!sync_request || sync_request->peer != from) return;  // unsolicited
  sync_request.reset();
  hpchain::v1::SyncResponse response;
  if (!parse_proto(payload, response, "sync response").is_ok()) return;
  if (response.from_height() != tip_height + 1 || response.blocks().empty()) return maybe_sync();
  auto blocks = check_sync_batch(response, *sync_validator, options.chain_id, tip_height, tip_id);
  if (!blocks.is_ok()) {
    HPC_LOG_RATE_LIMITED(kNode, warn, "sync: refused a batch from {}: {}", from.hex().substr(0, 12),
                         blocks.status().message());
    return maybe_sync();
  }
  for (auto& c : *blocks) {
    if (!execute(c)) return;
  }
  const auto& last = blocks->back();
  HPC_LOG(kNode, info, "sync: executed heights {}..{} from {}", response.from_height(), tip_height,
          from.hex().substr(0, 12));
  apply(core->on_synced(last.block, *last.proof));
  maybe_sync();
}

}  // namespace hpchain::node
