// TxService: BroadcastTx, WaitTx and GetTx (proto/hpchain/v1/rpc.proto).
#include <chrono>
#include <string>

#include "chain/log.h"
#include "chain/tx.h"
#include "hpchain/v1/rpc.grpc.pb.h"
#include "rpc/internal/services.h"
#include "rpc/server.h"

namespace hpchain::rpc::internal {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string bytes_of(const Hash32& h) { return std::string(h.bytes.begin(), h.bytes.end()); }

// A request's timeout_ms: 0 is the default, more than kWaitMax is refused.
grpc::Status wait_timeout(uint32_t timeout_ms, milliseconds& out) {
  if (timeout_ms > kWaitMax.count()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "timeout_ms must be at most " + std::to_string(kWaitMax.count())};
  }
  out = timeout_ms == 0 ? kWaitDefault : milliseconds(timeout_ms);
  return grpc::Status::OK;
}

class TxServiceImpl final : public hpchain::v1::TxService::Service {
 public:
  explicit TxServiceImpl(ServiceEnv env) : env_(env) {}

  grpc::Status BroadcastTx(grpc::ServerContext* context, const hpchain::v1::BroadcastTxRequest* request,
                           hpchain::v1::BroadcastTxResponse* out) override {
    if (grpc::Status s = refuse_if_stopped(env_); !s.ok()) return s;
    const auto mode = request->mode();
    if (mode != hpchain::v1::BROADCAST_MODE_SYNC && mode != hpchain::v1::BROADCAST_MODE_COMMIT) {
      return {grpc::StatusCode::INVALID_ARGUMENT, "unknown mode " + std::to_string(mode)};
    }
    milliseconds timeout{};
    if (grpc::Status s = wait_timeout(request->timeout_ms(), timeout); !s.ok()) return s;
    if (env_.node.status().syncing) {
      return {grpc::StatusCode::UNAVAILABLE,
              "the node is syncing (catching up with its peers); send transactions once GetStatus says syncing false"};
    }
    Bytes raw(request->tx().begin(), request->tx().end());
    const Hash32 id = tx_id(raw);
    out->set_tx_id(bytes_of(id));
    const mempool::Admission admission = env_.node.submit_tx(std::move(raw));
    if (admission.rejected) return refused(id, admission);
    if (mode == hpchain::v1::BROADCAST_MODE_SYNC) return grpc::Status::OK;
    return wait_for(context, id, timeout, *out->mutable_record());
  }

  grpc::Status WaitTx(grpc::ServerContext* context, const hpchain::v1::WaitTxRequest* request,
                      hpchain::v1::WaitTxResponse* out) override {
    if (grpc::Status s = refuse_if_stopped(env_); !s.ok()) return s;
    Hash32 id;
    if (grpc::Status s = parse_id(request->tx_id(), "tx_id", id); !s.ok()) return s;
    milliseconds timeout{};
    if (grpc::Status s = wait_timeout(request->timeout_ms(), timeout); !s.ok()) return s;
    return wait_for(context, id, timeout, *out->mutable_record());
  }

  grpc::Status GetTx(grpc::ServerContext*, const hpchain::v1::GetTxRequest* request,
                     hpchain::v1::GetTxResponse* out) override {
    if (grpc::Status s = refuse_if_stopped(env_); !s.ok()) return s;
    Hash32 id;
    if (grpc::Status s = parse_id(request->tx_id(), "tx_id", id); !s.ok()) return s;
    auto record = env_.node.tx(id);
    if (!record.is_ok()) return not_committed(id, record.status());
    *out->mutable_record() = std::move(record).value();
    return grpc::Status::OK;
  }

 private:
  // NOT_FOUND says whether the transaction waits in this node's mempool or
  // is unknown (never sent here, refused, evicted, or only in another
  // node's mempool).
  grpc::Status not_committed(const Hash32& id, const Status& status) const {
    if (status.code() != StatusCode::kNotFound) return to_grpc(status);
    if (env_.node.pending(id)) {
      return {grpc::StatusCode::NOT_FOUND,
              "transaction " + id.hex() + " is pending in the mempool: not committed yet (WaitTx waits for it)"};
    }
    return {grpc::StatusCode::NOT_FOUND,
            "transaction " + id.hex() + " is unknown: not committed, and not in this node's mempool"};
  }

  // A refusal as the client should read it. A transaction sent again after
  // it committed fails the nonce check; it is reported as ALREADY_EXISTS
  // with its height, like one still in the mempool, so a client that
  // retries learns where its transaction is instead of a nonce error.
  grpc::Status refused(const Hash32& id, const mempool::Admission& admission) const {
    using mempool::Reject;
    if (*admission.rejected == Reject::kNonceTooLow || *admission.rejected == Reject::kDuplicate) {
      if (auto committed = env_.node.tx(id); committed.is_ok()) {
        return {grpc::StatusCode::ALREADY_EXISTS, "duplicate: transaction " + id.hex() + " is already committed at height " +
                                                      std::to_string(committed->height()) + " (GetTx shows it)"};
      }
    }
    if (*admission.rejected == Reject::kDuplicate) {
      return {grpc::StatusCode::ALREADY_EXISTS,
              "duplicate: transaction " + id.hex() + " is already in the mempool (WaitTx waits for it)"};
    }
    HPC_LOG_RATE_LIMITED(kRpc, debug, "BroadcastTx refused {}: {} ({})", id.hex().substr(0, 12),
                         mempool::reject_name(*admission.rejected), admission.detail);
    return refusal(admission);
  }

  // Waits for `id` in slices of kWaitSlice, so that a cancelled call, a
  // stopping server or a node that stopped itself ends the wait soon. A
  // slice that ends in DeadlineExceeded, or in any error only after its time
  // has passed, is a timeout; an earlier error is passed on.
  grpc::Status wait_for(grpc::ServerContext* context, const Hash32& id, milliseconds timeout,
                        hpchain::v1::TxRecord& out) const {
    const auto end = Clock::now() + timeout;
    for (;;) {
      if (context->IsCancelled()) return {grpc::StatusCode::CANCELLED, "the call was cancelled"};
      if (grpc::Status s = refuse_if_stopped(env_); !s.ok()) return s;
      const auto start = Clock::now();
      if (start >= end) break;
      const milliseconds slice = std::min(kWaitSlice, std::chrono::ceil<milliseconds>(end - start));
      auto record = env_.node.wait_tx(id, slice);
      if (record.is_ok()) {
        out = std::move(record).value();
        return grpc::Status::OK;
      }
      const bool timed_out = record.status().code() == StatusCode::kDeadlineExceeded || Clock::now() >= start + slice;
      if (!timed_out) return not_committed(id, record.status());
    }
    return {grpc::StatusCode::DEADLINE_EXCEEDED, "transaction " + id.hex() + " was not committed within " +
                                                     std::to_string(timeout.count()) +
                                                     " ms; it may still be: WaitTx or GetTx with its id"};
  }

  ServiceEnv env_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_tx_service(ServiceEnv env) { return std::make_unique<TxServiceImpl>(env); }

}  // namespace hpchain::rpc::internal
