#include <string>

#include "rpc/internal/services.h"

namespace hpchain::rpc::internal {

grpc::Status refuse_if_stopped(const ServiceEnv& env) {
  if (env.stopping.load()) return {grpc::StatusCode::UNAVAILABLE, "the node is shutting down"};
  if (auto fatal = env.node.fatal()) {
    return {grpc::StatusCode::UNAVAILABLE, "the node stopped itself: " + fatal->message()};
  }
  return grpc::Status::OK;
}

grpc::Status to_grpc(const Status& status) {
  using G = grpc::StatusCode;
  G code = G::UNKNOWN;
  switch (status.code()) {
    case StatusCode::kOk: return grpc::Status::OK;
    case StatusCode::kInvalidArgument: code = G::INVALID_ARGUMENT; break;
    case StatusCode::kNotFound: code = G::NOT_FOUND; break;
    case StatusCode::kAlreadyExists: code = G::ALREADY_EXISTS; break;
    case StatusCode::kPermissionDenied: code = G::PERMISSION_DENIED; break;
    case StatusCode::kFailedPrecondition: code = G::FAILED_PRECONDITION; break;
    case StatusCode::kResourceExhausted: code = G::RESOURCE_EXHAUSTED; break;
    case StatusCode::kUnavailable: code = G::UNAVAILABLE; break;
    case StatusCode::kOutOfRange: code = G::OUT_OF_RANGE; break;
    case StatusCode::kDeadlineExceeded: code = G::DEADLINE_EXCEEDED; break;
    case StatusCode::kCorruption:
    case StatusCode::kIoError:
    case StatusCode::kInternal: code = G::INTERNAL; break;
    // A code added to chain/status.h later is UNKNOWN until it is mapped
    // here; the default keeps such an addition from breaking this build.
    default: break;
  }
  return {code, status.message()};
}

grpc::Status refusal(const mempool::Admission& admission) {
  HPC_ASSUME(admission.rejected.has_value());
  if (!admission.rejected) return {grpc::StatusCode::INTERNAL, "a refusal without a reason"};
  using mempool::Reject;
  grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT;
  switch (*admission.rejected) {
    case Reject::kDuplicate: code = grpc::StatusCode::ALREADY_EXISTS; break;
    case Reject::kFull:
    case Reject::kBusy: code = grpc::StatusCode::RESOURCE_EXHAUSTED; break;
    case Reject::kState: code = grpc::StatusCode::UNAVAILABLE; break;
    default: break;  // the transaction itself is at fault
  }
  return {code, std::string(mempool::reject_name(*admission.rejected)) + ": " + admission.detail};
}

grpc::Status parse_id(const std::string& bytes, const char* field, Hash32& out) {
  auto id = Hash32::from_bytes(as_bytes(bytes));
  if (!id.is_ok()) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            std::string(field) + " must be 32 bytes, not " + std::to_string(bytes.size())};
  }
  out = id.value();
  return grpc::Status::OK;
}

}  // namespace hpchain::rpc::internal
