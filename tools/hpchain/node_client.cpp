#include "tools/hpchain/node_client.h"

namespace hpchain::cli {
namespace {

constexpr std::chrono::seconds kConnectDeadline{5};
// Above the largest block the chain allows, so GetBlock answers fit.
constexpr int kResponseBytesMax = 16 * 1024 * 1024;

const char* code_name(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

std::string bytes_of(const Hash32& h) { return std::string(h.bytes.begin(), h.bytes.end()); }

}  // namespace

NodeClient::NodeClient(const node::Endpoint& node) : node_(node) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kResponseBytesMax);
  const bool v6 = node.host.find(':') != std::string::npos;
  const std::string target = (v6 ? "[" + node.host + "]" : node.host) + ":" + std::to_string(node.port);
  channel_ = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  nodes_ = hpchain::v1::NodeService::NewStub(channel_);
  txs_ = hpchain::v1::TxService::NewStub(channel_);
}

Status NodeClient::connect() {
  if (connected_) return Status::ok();
  // Ready, or the first failure: a refused connection fails at once rather
  // than after the whole deadline.
  const auto deadline = std::chrono::system_clock::now() + kConnectDeadline;
  grpc_connectivity_state state = channel_->GetState(/*try_to_connect=*/true);
  while (state != GRPC_CHANNEL_READY && state != GRPC_CHANNEL_TRANSIENT_FAILURE && state != GRPC_CHANNEL_SHUTDOWN &&
         channel_->WaitForStateChange(state, deadline)) {
    state = channel_->GetState(/*try_to_connect=*/true);
  }
  if (state != GRPC_CHANNEL_READY) {
    return Status::unavailable("cannot reach the node at " + node_.to_string() +
                               ": nothing answers gRPC there (is hpchaind running? its address is rpc.listen in "
                               "config.toml; pass it with --node HOST:PORT)");
  }
  connected_ = true;
  return Status::ok();
}

std::unique_ptr<grpc::ClientContext> NodeClient::context(std::chrono::milliseconds deadline) const {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + deadline);
  return c;
}

Status NodeClient::from_grpc(const grpc::Status& s, const std::string& what) {
  std::string message = what + ": " + code_name(s.error_code()) + ": " + s.error_message();
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return Status::not_found(std::move(message));
  return Status::unavailable(std::move(message));
}

Result<hpchain::v1::GetStatusResponse> NodeClient::status() {
  HPC_TRY(connect());
  hpchain::v1::GetStatusResponse out;
  const grpc::Status s = nodes_->GetStatus(context(kCallDeadline).get(), {}, &out);
  if (!s.ok()) return from_grpc(s, "GetStatus");
  return out;
}

Result<hpchain::v1::GetAccountResponse> NodeClient::account(const Address& address) {
  HPC_TRY(connect());
  hpchain::v1::GetAccountRequest request;
  request.set_address(address.bytes.data(), address.bytes.size());
  hpchain::v1::GetAccountResponse out;
  const grpc::Status s = nodes_->GetAccount(context(kCallDeadline).get(), request, &out);
  if (!s.ok()) return from_grpc(s, "GetAccount");
  return out;
}

Result<hpchain::v1::BroadcastTxResponse> NodeClient::broadcast(const Bytes& tx, bool commit, uint32_t timeout_ms) {
  HPC_TRY(connect());
  hpchain::v1::BroadcastTxRequest request;
  request.set_tx(tx.data(), tx.size());
  request.set_mode(commit ? hpchain::v1::BROADCAST_MODE_COMMIT : hpchain::v1::BROADCAST_MODE_SYNC);
  request.set_timeout_ms(commit ? timeout_ms : 0);
  // The server ends a wait itself at timeout_ms; the call's deadline is
  // later, so the answer says which transaction was not committed.
  const auto deadline = kCallDeadline + std::chrono::milliseconds(commit ? timeout_ms : 0);
  hpchain::v1::BroadcastTxResponse out;
  const grpc::Status s = txs_->BroadcastTx(context(deadline).get(), request, &out);
  if (!s.ok()) return from_grpc(s, "the node refused the transaction");
  return out;
}

Result<hpchain::v1::TxRecord> NodeClient::get_tx(const Hash32& id) {
  HPC_TRY(connect());
  hpchain::v1::GetTxRequest request;
  request.set_tx_id(bytes_of(id));
  hpchain::v1::GetTxResponse out;
  const grpc::Status s = txs_->GetTx(context(kCallDeadline).get(), request, &out);
  if (!s.ok()) return from_grpc(s, "GetTx");
  return out.record();
}

}  // namespace hpchain::cli
