// Calls to the services every gRPC server here runs beside ours,
// grpc.health.v1.Health and server reflection, without their generated
// stubs (Debian ships neither the .proto files nor the headers): raw
// protobuf bytes over gRPC's generic call paths, read with UnknownFieldSet.
#pragma once

#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/support/sync_stream.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace hpchain::testing {

inline std::shared_ptr<grpc::Channel> grpc_channel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

inline std::string string_field(int number, const std::string& value) {
  std::string out(1, static_cast<char>((number << 3) | 2));
  out.push_back(static_cast<char>(value.size()));  // names here are shorter than 128
  return out + value;
}

inline std::string byte_buffer_text(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

inline grpc::ByteBuffer byte_buffer_of(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// grpc.health.v1.Health/Check for `service` ("" is the whole server): the
// ServingStatus number (1 SERVING, 2 NOT_SERVING), or -1 if the call failed.
inline int health_status(grpc::Channel& channel, const std::string& service) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  const grpc::ByteBuffer request = byte_buffer_of(service.empty() ? "" : string_field(1, service));
  grpc::ByteBuffer response;
  const grpc::internal::RpcMethod method("/grpc.health.v1.Health/Check", grpc::internal::RpcMethod::NORMAL_RPC);
  const grpc::Status s =
      grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(&channel, method, &context, request, &response);
  if (!s.ok()) return -1;
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(byte_buffer_text(response))) return -1;
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1) return static_cast<int>(fields.field(i).varint());
  }
  return 0;  // proto3 leaves out the default, UNKNOWN
}

// The service names server reflection (v1alpha) lists; empty on failure.
inline std::vector<std::string> reflected_services(grpc::Channel& channel) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  const grpc::internal::RpcMethod method("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                         grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(&channel, method, &context));
  std::vector<std::string> names;
  // ServerReflectionRequest{list_services (7): ""}.
  if (!stream->Write(byte_buffer_of(string_field(7, "")))) return names;
  stream->WritesDone();
  grpc::ByteBuffer response;
  const bool read = stream->Read(&response);
  if (!stream->Finish().ok() || !read) return names;
  google::protobuf::UnknownFieldSet top;
  if (!top.ParseFromString(byte_buffer_text(response))) return names;
  for (int i = 0; i < top.field_count(); ++i) {
    if (top.field(i).number() != 6) continue;  // list_services_response
    google::protobuf::UnknownFieldSet list;
    if (!list.ParseFromString(top.field(i).length_delimited())) return names;
    for (int j = 0; j < list.field_count(); ++j) {  // repeated ServiceResponse service = 1
      google::protobuf::UnknownFieldSet service;
      if (list.field(j).number() != 1 || !service.ParseFromString(list.field(j).length_delimited())) continue;
      for (int k = 0; k < service.field_count(); ++k) {
        if (service.field(k).number() == 1) names.push_back(service.field(k).length_delimited());
      }
    }
  }
  return names;
}

}  // namespace hpchain::testing
