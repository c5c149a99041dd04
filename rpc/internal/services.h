// The services behind RpcServer and what they share (rpc/ only).
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/service_type.h>

#include <atomic>
#include <memory>

#include "chain/status.h"
#include "node/mempool/mempool.h"
#include "rpc/node_api.h"

namespace hpchain::rpc::internal {

// What every handler reads: the node, and the flag RpcServer::stop sets
// before it shuts gRPC down (so waits end early). Both outlive the services.
struct ServiceEnv {
  NodeApi& node;
  const std::atomic<bool>& stopping;
};

std::unique_ptr<grpc::Service> make_node_service(ServiceEnv env);
std::unique_ptr<grpc::Service> make_tx_service(ServiceEnv env);

// UNAVAILABLE once the server is stopping or the node stopped itself;
// OK otherwise.
grpc::Status refuse_if_stopped(const ServiceEnv& env);

// A node error as a gRPC status with the same message: InvalidArgument ->
// INVALID_ARGUMENT, NotFound -> NOT_FOUND, Corruption and IoError ->
// INTERNAL, and so on (the table is in grpc_status.cpp).
grpc::Status to_grpc(const Status& status);

// A mempool refusal: duplicate -> ALREADY_EXISTS, full and busy ->
// RESOURCE_EXHAUSTED, state (the node could not read its state) ->
// UNAVAILABLE, every other reason -> INVALID_ARGUMENT. The message is
// "<reason name>: <detail>".
grpc::Status refusal(const mempool::Admission& admission);

// A 32-byte id from a request field; INVALID_ARGUMENT naming `field`.
grpc::Status parse_id(const std::string& bytes, const char* field, Hash32& out);

}  // namespace hpchain::rpc::internal
