// Hash32 and SHA-256 (OpenSSL EVP).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "chain/bytes.h"

namespace hpchain {

// A 32-byte digest. Value type; ordered and hashable so it can key maps.
struct Hash32 {
  std::array<uint8_t, 32> bytes{};

  static constexpr size_t kSize = 32;

  // 64 lowercase hex characters.
  std::string hex() const;
  bool is_zero() const;
  ByteSpan span() const { return {bytes.data(), bytes.size()}; }

  // Exactly 32 bytes, else InvalidArgument.
  static Result<Hash32> from_bytes(ByteSpan b);
  // Exactly 64 hex characters (optional 0x), else InvalidArgument.
  static Result<Hash32> from_hex(std::string_view hex);

  friend auto operator<=>(const Hash32&, const Hash32&) = default;
};

// Incremental SHA-256. Not thread-safe; one instance per thread.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(ByteSpan data);
  Sha256& update(std::string_view data) { return update(as_bytes(data)); }
  // Appends v as 8 big-endian bytes (for length prefixes and counters).
  Sha256& update_u64_be(uint64_t v);
  // Appends v as 4 big-endian bytes.
  Sha256& update_u32_be(uint32_t v);
  // Returns the digest; the hasher is reset and may be reused.
  Hash32 finish();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept opaque so OpenSSL headers stay in the .cpp
};

Hash32 sha256(ByteSpan data);
inline Hash32 sha256(std::string_view data) { return sha256(as_bytes(data)); }

}  // namespace hpchain

template <>
struct std::hash<hpchain::Hash32> {
  size_t operator()(const hpchain::Hash32& h) const noexcept {
    size_t v;
    static_assert(sizeof(v) <= 32);
    __builtin_memcpy(&v, h.bytes.data(), sizeof(v));
    return v;
  }
};
