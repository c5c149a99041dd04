#include "rpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <atomic>
#include <mutex>

#include "chain/log.h"
#include "rpc/internal/services.h"

namespace hpchain::rpc {
namespace {

constexpr std::chrono::seconds kShutdownGrace{5};
constexpr const char* kServiceNames[] = {"hpchain.v1.NodeService", "hpchain.v1.TxService"};

// gRPC's form of an endpoint: IPv6 literals in brackets.
std::string grpc_address(const node::Endpoint& e) {
  const bool v6 = e.host.find(':') != std::string::npos && e.host.front() != '[';
  return (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

}  // namespace

class RpcServer::Impl {
 public:
  std::unique_ptr<NodeApi> node;
  std::atomic<bool> stopping{false};
  std::unique_ptr<grpc::Service> node_service;
  std::unique_ptr<grpc::Service> tx_service;
  std::unique_ptr<grpc::Server> server;  // after the services: it goes first
  node::Endpoint endpoint;
  std::mutex stop_mu;

  Status start(const node::Endpoint& listen);
  void stop();
};

Status RpcServer::Impl::start(const node::Endpoint& listen) {
  const internal::ServiceEnv env{*node, stopping};
  node_service = internal::make_node_service(env);
  tx_service = internal::make_tx_service(env);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(grpc_address(listen), grpc::InsecureServerCredentials(), &port);
  // gRPC sets SO_REUSEPORT by default: a second node on the same port would
  // start and silently share it. Refuse instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(kRequestBytesMax);
  grpc::ResourceQuota quota("hpchain-rpc");
  quota.SetMaxThreads(kHandlerThreadsMax);
  builder.SetResourceQuota(quota);
  builder.RegisterService(node_service.get());
  builder.RegisterService(tx_service.get());
  server = builder.BuildAndStart();
  if (!server || port == 0) {
    server.reset();
    return Status::unavailable("cannot serve gRPC on " + listen.to_string() +
                               ": the address is in use or not on this host (rpc.listen in config.toml)");
  }
  endpoint = node::Endpoint{listen.host, static_cast<uint16_t>(port)};
  if (auto* health = server->GetHealthCheckService()) {
    for (const char* name : kServiceNames) health->SetServingStatus(name, true);
  }
  HPC_LOG(kRpc, debug, "gRPC serving on {}", endpoint.to_string());
  return Status::ok();
}

void RpcServer::Impl::stop() {
  std::lock_guard<std::mutex> lock(stop_mu);
  if (!server) return;
  stopping.store(true);
  if (auto* health = server->GetHealthCheckService()) health->SetServingStatus(false);
  server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  server->Wait();
  server.reset();
  HPC_LOG(kRpc, debug, "gRPC on {} stopped", endpoint.to_string());
}

Result<std::unique_ptr<RpcServer>> RpcServer::start(std::unique_ptr<NodeApi> node, const node::Endpoint& listen) {
  HPC_ASSERT(node != nullptr);
  auto impl = std::make_unique<Impl>();
  impl->node = std::move(node);
  HPC_TRY(impl->start(listen));
  return std::unique_ptr<RpcServer>(new RpcServer(std::move(impl)));
}

RpcServer::RpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RpcServer::~RpcServer() { stop(); }
const node::Endpoint& RpcServer::endpoint() const { return impl_->endpoint; }
void RpcServer::stop() { impl_->stop(); }

}  // namespace hpchain::rpc
