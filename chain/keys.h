// secp256k1 account keys (libsecp256k1), DESIGN.md section 2.
//
// ECDSA over a 32-byte digest, RFC 6979 deterministic nonces, 64-byte compact
// signatures in low-S form, 33-byte compressed public keys. Address = first
// 20 bytes of SHA-256(compressed public key), shown as "0x" + 40 hex.
//
// All functions are thread-safe: they share one immutable, randomised
// libsecp256k1 context created on first use.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "chain/bytes.h"
#include "chain/hash.h"

namespace hpchain {

struct Address {
  std::array<uint8_t, 20> bytes{};
  static constexpr size_t kSize = 20;

  // "0x" + 40 lowercase hex characters.
  std::string to_string() const;
  ByteSpan span() const { return {bytes.data(), bytes.size()}; }
  // Accepts exactly 20 bytes, else InvalidArgument.
  static Result<Address> from_bytes(ByteSpan b);
  // Accepts "0x" + 40 hex characters (or 40 without the prefix).
  static Result<Address> parse(std::string_view text);
  friend auto operator<=>(const Address&, const Address&) = default;
};

struct Signature {
  std::array<uint8_t, 64> bytes{};  // r ‖ s, big-endian, s in the lower half
  static constexpr size_t kSize = 64;
  ByteSpan span() const { return {bytes.data(), bytes.size()}; }
  // Accepts exactly 64 bytes, else InvalidArgument. Does not check low-S:
  // verify() does.
  static Result<Signature> from_bytes(ByteSpan b);
  friend auto operator<=>(const Signature&, const Signature&) = default;
};

class PublicKey {
 public:
  static constexpr size_t kCompressedSize = 33;

  // Parses a 33-byte compressed key (0x02/0x03 prefix, x on the curve).
  // InvalidArgument otherwise, including for 65-byte uncompressed keys.
  static Result<PublicKey> parse(ByteSpan compressed);

  const std::array<uint8_t, kCompressedSize>& compressed() const { return compressed_; }
  ByteSpan span() const { return {compressed_.data(), compressed_.size()}; }
  Address address() const;

  // Ok if `sig` is a valid low-S signature of `digest` by this key.
  // InvalidArgument "high-S signature" for a malleated (high-S) signature,
  // InvalidArgument "signature does not match" for any other failure.
  Status verify(const Hash32& digest, const Signature& sig) const;

  friend bool operator==(const PublicKey&, const PublicKey&) = default;

 private:
  friend class PrivateKey;
  explicit PublicKey(const std::array<uint8_t, kCompressedSize>& c) : compressed_(c) {}
  std::array<uint8_t, kCompressedSize> compressed_;
};

class PrivateKey {
 public:
  static constexpr size_t kSize = 32;

  // A fresh key from the OS CSPRNG (getrandom). IoError if the OS refuses.
  static Result<PrivateKey> generate();
  // 32 big-endian bytes in [1, n-1], else InvalidArgument.
  static Result<PrivateKey> from_bytes(ByteSpan b);

  PrivateKey(const PrivateKey&) = default;
  PrivateKey& operator=(const PrivateKey&) = default;
  ~PrivateKey();  // wipes the secret

  PublicKey public_key() const;
  // Deterministic (RFC 6979) low-S signature of a 32-byte digest.
  Signature sign(const Hash32& digest) const;
  // The secret bytes. Callers must not log them.
  ByteSpan secret() const { return {secret_.data(), secret_.size()}; }

 private:
  explicit PrivateKey(const std::array<uint8_t, kSize>& s) : secret_(s) {}
  std::array<uint8_t, kSize> secret_;
};

}  // namespace hpchain
