#include "chain/hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

namespace hpchain {

std::string Hash32::hex() const { return hex_encode(span()); }

bool Hash32::is_zero() const {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

Result<Hash32> Hash32::from_bytes(ByteSpan b) {
  if (b.size() != kSize) {
    return Status::invalid_argument("hash must be 32 bytes, got " + std::to_string(b.size()));
  }
  Hash32 h;
  std::memcpy(h.bytes.data(), b.data(), kSize);
  return h;
}

Result<Hash32> Hash32::from_hex(std::string_view hex) {
  HPC_ASSIGN_OR_RETURN(Bytes raw, hex_decode(hex));
  return from_bytes(raw);
}

namespace {
EVP_MD_CTX* evp(void* p) { return static_cast<EVP_MD_CTX*>(p); }

// OpenSSL 3 looks the algorithm up by name on every EVP_sha256() use unless
// it is fetched once; fetching once makes a 256-byte hash about 2x faster.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    HPC_ASSERT(m != nullptr);
    return m;
  }();
  return md;
}
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  HPC_ASSERT(ctx_ != nullptr);
  HPC_ASSERT(EVP_DigestInit_ex(evp(ctx_), sha256_md(), nullptr) == 1);
}

Sha256::~Sha256() { EVP_MD_CTX_free(evp(ctx_)); }

Sha256& Sha256::update(ByteSpan data) {
  HPC_ASSERT(EVP_DigestUpdate(evp(ctx_), data.data(), data.size()) == 1);
  return *this;
}

Sha256& Sha256::update_u64_be(uint64_t v) {
  uint8_t be[8];
  for (int i = 0; i < 8; ++i) be[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  return update(ByteSpan(be, 8));
}

Sha256& Sha256::update_u32_be(uint32_t v) {
  uint8_t be[4];
  for (int i = 0; i < 4; ++i) be[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  return update(ByteSpan(be, 4));
}

Hash32 Sha256::finish() {
  Hash32 out;
  unsigned int len = 0;
  HPC_ASSERT(EVP_DigestFinal_ex(evp(ctx_), out.bytes.data(), &len) == 1);
  HPC_ASSERT(len == Hash32::kSize);
  HPC_ASSERT(EVP_DigestInit_ex(evp(ctx_), sha256_md(), nullptr) == 1);
  return out;
}

Hash32 sha256(ByteSpan data) {
  // One context per thread, reused: no allocation per hash.
  thread_local Sha256 hasher;
  return hasher.update(data).finish();
}

}  // namespace hpchain
