// Protobuf encoding helpers shared by every decoder of untrusted bytes.
#pragma once

#include <google/protobuf/message.h>

#include <string_view>

#include "chain/bytes.h"

namespace hpchain {

// Parses `bytes` into `msg`. InvalidArgument "malformed <what>" when the
// bytes are not a valid encoding (including invalid UTF-8 in a string
// field), and "<what> has unknown fields" when any message in it carries a
// field this build does not know: silently dropping a field a newer signer
// meant (an expiry, a limit) would change what was signed. Never logs at a level a peer could use to flood the log:
// protobuf's own error lines are redirected, on first use, to the `chain`
// category at debug level and rate-limited.
Status parse_proto(ByteSpan bytes, google::protobuf::Message& msg, std::string_view what);

// True if `msg` or any message nested in it holds unknown fields.
bool has_unknown_fields(const google::protobuf::Message& msg);

// Serialises `msg`; aborts only if protobuf cannot (a message over 2 GiB,
// which no caller may build).
Bytes serialize_proto(const google::protobuf::MessageLite& msg);

}  // namespace hpchain
