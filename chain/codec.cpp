#include "chain/codec.h"

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/unknown_field_set.h>

#include <climits>
#include <mutex>
#include <vector>

#include "chain/log.h"

namespace hpchain {
namespace {

void redirect_protobuf_log(google::protobuf::LogLevel level, const char* filename, int line,
                           const std::string& message) {
  // Parse errors reach the caller as a Status; protobuf's line is only a
  // diagnostic, and one a peer can trigger at will.
  if (level >= google::protobuf::LOGLEVEL_FATAL) {
    HPC_LOG(kChain, critical, "protobuf {}:{}: {}", filename, line, message);
    return;
  }
  HPC_LOG_RATE_LIMITED(kChain, debug, "protobuf {}:{}: {}", filename, line, message);
}

void install_protobuf_log_redirect() {
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&redirect_protobuf_log); });
}

}  // namespace

bool has_unknown_fields(const google::protobuf::Message& msg) {
  const google::protobuf::Reflection* reflection = msg.GetReflection();
  if (!reflection->GetUnknownFields(msg).empty()) return true;
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(msg, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(msg, field); ++i) {
        if (has_unknown_fields(reflection->GetRepeatedMessage(msg, field, i))) return true;
      }
    } else if (has_unknown_fields(reflection->GetMessage(msg, field))) {
      return true;
    }
  }
  return false;
}

Status parse_proto(ByteSpan bytes, google::protobuf::Message& msg, std::string_view what) {
  install_protobuf_log_redirect();
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::invalid_argument("malformed " + std::string(what));
  }
  if (has_unknown_fields(msg)) {
    return Status::invalid_argument(std::string(what) + " has unknown fields");
  }
  return Status::ok();
}

Bytes serialize_proto(const google::protobuf::MessageLite& msg) {
  Bytes out(msg.ByteSizeLong());
  HPC_ASSERT(out.size() <= static_cast<size_t>(INT_MAX));
  HPC_ASSERT(msg.SerializeToArray(out.data(), static_cast<int>(out.size())));
  return out;
}

}  // namespace hpchain
