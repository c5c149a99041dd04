// NodeService: GetStatus, GetBlock and GetAccount (proto/hpchain/v1/rpc.proto).
#include <algorithm>
#include <cstdint>

#include "chain/codec.h"
#include "chain/hash.h"
#include "chain/tx.h"
#include "hpchain/v1/block.pb.h"
#include "hpchain/v1/ledger.pb.h"
#include "hpchain/v1/rpc.grpc.pb.h"
#include "rpc/internal/services.h"

namespace hpchain::rpc::internal {
namespace {

std::string bytes_of(const Hash32& h) { return std::string(h.bytes.begin(), h.bytes.end()); }

// Fills `out` with the header fields and transaction ids of `record`. The
// node stored it, so a record that does not decode is a bug: INTERNAL.
grpc::Status describe_block(const hpchain::v1::CommittedBlockRecord& record, hpchain::v1::GetBlockResponse& out) {
  const auto& header_bytes = record.block().header_bytes();
  hpchain::v1::BlockHeader header;
  if (Status s = parse_proto(as_bytes(header_bytes), header, "BlockHeader"); !s.is_ok()) {
    return {grpc::StatusCode::INTERNAL, "stored block: " + s.message()};
  }
  hpchain::v1::BlockPayload payload;
  if (Status s = parse_proto(as_bytes(record.block().payload()), payload, "BlockPayload"); !s.is_ok()) {
    return {grpc::StatusCode::INTERNAL, "stored block: " + s.message()};
  }
  *out.mutable_record() = record;
  out.set_block_id(bytes_of(sha256(as_bytes(header_bytes))));
  out.set_height(header.height());
  out.set_round(header.round());
  out.set_epoch(header.epoch());
  out.set_proposer_index(header.proposer_index());
  out.set_timestamp_ms(header.timestamp_ms());
  out.set_parent_id(header.parent_id());
  for (const auto& tx : payload.txs()) out.add_tx_ids(bytes_of(tx_id(as_bytes(tx))));
  return grpc::Status::OK;
}

class NodeServiceImpl final : public hpchain::v1::NodeService::Service {
 public:
  explicit NodeServiceImpl(ServiceEnv env) : env_(env) {}

  grpc::Status GetStatus(grpc::ServerContext*, const hpchain::v1::GetStatusRequest*,
                         hpchain::v1::GetStatusResponse* out) override {
    if (grpc::Status s = refuse_if_stopped(env_); !s.ok()) return s;
    const node::NodeStatus st = env_.node.status();
    out->set_chain_id(st.chain_id);
    out->set_epoch(st.epoch);
    out->set_height(st.height);
    out->set_block_id(bytes_of(st.block_id));
    out->set_state_root(bytes_of(st.state_root));
    out->set_certified_height(st.certified_height);
    out->set_syncing(st.syncing);
    out->set_peers(static_cast<uint32_t>(std::min<size_t>(st.peers, UINT32_MAX)));
    out->set_validator(st.validator);
    return grpc::Status::OK;
  }

  grpc::Status GetBlock(grpc::ServerContext*, const hpchain::v1::GetBlockRequest* request,
                        hpchain::v1::GetBlockResponse* out) override {
    if (grpc::Status s = refuse_if_stopped(env_); !s.ok()) return s;
    Result<hpchain::v1::CommittedBlockRecord> record = Status::invalid_argument("set height or id");
    std::string which;
    switch (request->at_case()) {
      case hpchain::v1::GetBlockRequest::kHeight:
        which = "at height " + std::to_string(request->height());
        record = env_.node.block_at(request->height());
        break;
      case hpchain::v1::GetBlockRequest::kId: {
        Hash32 id;
        if (grpc::Status s = parse_id(request->id(), "id", id); !s.ok()) return s;
        which = id.hex();
        record = env_.node.block_by_id(id);
        break;
      }
      default: break;
    }
    if (!record.is_ok()) {
      if (record.status().code() == StatusCode::kNotFound) {
        return {grpc::StatusCode::NOT_FOUND, "no committed block " + which};
      }
      return to_grpc(record.status());
    }
    return describe_block(record.value(), *out);
  }

  grpc::Status GetAccount(grpc::ServerContext*, const hpchain::v1::GetAccountRequest* request,
                          hpchain::v1::GetAccountResponse* out) override {
    if (grpc::Status s = refuse_if_stopped(env_); !s.ok()) return s;
    auto address = Address::from_bytes(as_bytes(request->address()));
    if (!address.is_ok()) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              "address must be " + std::to_string(Address::kSize) + " bytes, not " + std::to_string(request->address().size())};
    }
    auto account = env_.node.account(address.value());
    if (!account.is_ok()) return to_grpc(account.status());
    out->set_nonce(account->nonce);
    out->set_balance(account->balance);
    out->set_next_nonce(account->next_nonce);
    return grpc::Status::OK;
  }

 private:
  ServiceEnv env_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_node_service(ServiceEnv env) { return std::make_unique<NodeServiceImpl>(env); }

}  // namespace hpchain::rpc::internal
