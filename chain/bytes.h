// Byte buffers and hex encoding.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chain/status.h"

namespace hpchain {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

// Views the characters of a string as bytes (no copy; the string must outlive
// the span).
inline ByteSpan as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_string_view(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Lowercase hex, two characters per byte, no prefix.
std::string hex_encode(ByteSpan bytes);

// Decodes hex (either case, an optional "0x" prefix). Errors
// (InvalidArgument): odd length, or a character that is not a hex digit; the
// message names the offending position.
Result<Bytes> hex_decode(std::string_view hex);

}  // namespace hpchain
