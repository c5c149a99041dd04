#include "chain/keys.h"

#include <secp256k1.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>

namespace hpchain {
namespace {

// Fills `out` from the OS CSPRNG. getrandom blocks only until the kernel's
// pool is first initialised, which is what a key generator wants.
Status os_random(uint8_t* out, size_t len) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = getrandom(out + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io_error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

// One context for the process: created once, randomised against side
// channels, then only read, which libsecp256k1 allows from many threads.
const secp256k1_context* context() {
  static const secp256k1_context* ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    HPC_ASSERT(c != nullptr);
    uint8_t seed[32];
    HPC_ASSERT(os_random(seed, sizeof(seed)).is_ok());
    HPC_ASSERT(secp256k1_context_randomize(c, seed) == 1);
    return c;
  }();
  return ctx;
}

}  // namespace

std::string Address::to_string() const { return "0x" + hex_encode(span()); }

Result<Address> Address::from_bytes(ByteSpan b) {
  if (b.size() != kSize) {
    return Status::invalid_argument("address must be 20 bytes, got " + std::to_string(b.size()));
  }
  Address a;
  std::memcpy(a.bytes.data(), b.data(), kSize);
  return a;
}

Result<Address> Address::parse(std::string_view text) {
  std::string_view digits = text;
  if (digits.starts_with("0x") || digits.starts_with("0X")) digits.remove_prefix(2);
  if (digits.size() != 2 * kSize) {
    return Status::invalid_argument("address must be 0x followed by 40 hex characters");
  }
  HPC_ASSIGN_OR_RETURN(Bytes raw, hex_decode(digits));
  return from_bytes(raw);
}

Result<Signature> Signature::from_bytes(ByteSpan b) {
  if (b.size() != kSize) {
    return Status::invalid_argument("signature must be 64 bytes, got " + std::to_string(b.size()));
  }
  Signature s;
  std::memcpy(s.bytes.data(), b.data(), kSize);
  return s;
}

Result<PublicKey> PublicKey::parse(ByteSpan compressed) {
  if (compressed.size() != kCompressedSize) {
    return Status::invalid_argument("public key must be 33 bytes (compressed), got " +
                                    std::to_string(compressed.size()));
  }
  if (compressed[0] != 0x02 && compressed[0] != 0x03) {
    return Status::invalid_argument("public key must start with 0x02 or 0x03");
  }
  secp256k1_pubkey parsed;
  if (secp256k1_ec_pubkey_parse(context(), &parsed, compressed.data(), compressed.size()) != 1) {
    return Status::invalid_argument("public key is not a point on secp256k1");
  }
  std::array<uint8_t, kCompressedSize> c;
  std::memcpy(c.data(), compressed.data(), kCompressedSize);
  return PublicKey(c);
}

Address PublicKey::address() const {
  const Hash32 h = sha256(span());
  Address a;
  std::memcpy(a.bytes.data(), h.bytes.data(), Address::kSize);
  return a;
}

Status PublicKey::verify(const Hash32& digest, const Signature& sig) const {
  secp256k1_pubkey key;
  // The bytes were validated by parse(); a failure here is a bug.
  HPC_ASSERT(secp256k1_ec_pubkey_parse(context(), &key, compressed_.data(), compressed_.size()) == 1);
  secp256k1_ecdsa_signature parsed;
  if (secp256k1_ecdsa_signature_parse_compact(context(), &parsed, sig.bytes.data()) != 1) {
    return Status::invalid_argument("signature does not match: r or s out of range");
  }
  secp256k1_ecdsa_signature normalized;
  if (secp256k1_ecdsa_signature_normalize(context(), &normalized, &parsed) == 1) {
    // Both (r, s) and (r, n-s) verify mathematically; accepting only low-S
    // makes signatures (and so transaction ids) non-malleable.
    return Status::invalid_argument("high-S signature rejected (not canonical)");
  }
  if (secp256k1_ecdsa_verify(context(), &parsed, digest.bytes.data(), &key) != 1) {
    return Status::invalid_argument("signature does not match");
  }
  return Status::ok();
}

PrivateKey::~PrivateKey() {
  // volatile stores so the wipe is not optimised away.
  volatile uint8_t* p = secret_.data();
  for (size_t i = 0; i < secret_.size(); ++i) p[i] = 0;
}

Result<PrivateKey> PrivateKey::generate() {
  std::array<uint8_t, kSize> s;
  // A uniformly random 32-byte string is out of range with probability
  // about 2^-128; the loop is bounded anyway.
  for (int attempt = 0; attempt < 64; ++attempt) {
    HPC_TRY(os_random(s.data(), s.size()));
    if (secp256k1_ec_seckey_verify(context(), s.data()) == 1) return PrivateKey(s);
  }
  return Status::internal("could not draw a valid secp256k1 key");
}

Result<PrivateKey> PrivateKey::from_bytes(ByteSpan b) {
  if (b.size() != kSize) {
    return Status::invalid_argument("private key must be 32 bytes, got " + std::to_string(b.size()));
  }
  std::array<uint8_t, kSize> s;
  std::memcpy(s.data(), b.data(), kSize);
  if (secp256k1_ec_seckey_verify(context(), s.data()) != 1) {
    return Status::invalid_argument("private key is zero or not below the curve order");
  }
  return PrivateKey(s);
}

PublicKey PrivateKey::public_key() const {
  secp256k1_pubkey key;
  HPC_ASSERT(secp256k1_ec_pubkey_create(context(), &key, secret_.data()) == 1);
  std::array<uint8_t, PublicKey::kCompressedSize> c;
  size_t len = c.size();
  HPC_ASSERT(secp256k1_ec_pubkey_serialize(context(), c.data(), &len, &key, SECP256K1_EC_COMPRESSED) == 1);
  HPC_ASSERT(len == c.size());
  return PublicKey(c);
}

Signature PrivateKey::sign(const Hash32& digest) const {
  secp256k1_ecdsa_signature sig;
  // nullptr noncefp = RFC 6979; libsecp256k1 always produces low-S.
  HPC_ASSERT(secp256k1_ecdsa_sign(context(), &sig, digest.bytes.data(), secret_.data(), nullptr, nullptr) == 1);
  Signature out;
  HPC_ASSERT(secp256k1_ecdsa_signature_serialize_compact(context(), out.bytes.data(), &sig) == 1);
  return out;
}

}  // namespace hpchain
