// secp256k1 keys and domain-separated signatures: round trips on fresh
// keys, a vector made by an independent implementation (python3-ecdsa), and
// every malformed or non-canonical input rejected with an error.
#include <gtest/gtest.h>

#include "chain/keys.h"
#include "chain/signing.h"

namespace hpchain {
namespace {

// Made with Debian's python3-ecdsa 0.18 (independent of libsecp256k1):
//   secret = sha256(b"hpchain test vector key")
//   sk = ecdsa.SigningKey.from_string(secret, curve=SECP256k1, hashfunc=sha256)
//   digest = sha256(u32be(13) b"hpchain/v1/tx" u32be(12) b"hpchain-test" b"hello hpchain")
//   sig = sk.sign_digest_deterministic(digest, sigencode=sigencode_string_canonize,
//                                      hashfunc=sha256)
// so it also checks that signing_digest's layout is what a Python client builds.
constexpr const char* kPySecret = "8c7d22a19b4773bc2f5e9c51d7d1f3ab286c658091185a9c2210bdebddf15b0e";
constexpr const char* kPyPubkey = "020c9f00c714cec06c5d3990dd5294a4fd3827135cd2abe7a9a43948920f7c0611";
constexpr const char* kPyDigest = "fb3512c471f8ca7ba5ac767b74e121805657dc306ff3494512840075ebff58ce";
constexpr const char* kPySignature =
    "87ad5a53d1eb0f7cf4f6ad0bf0f627ab17fed2d32456365e31988a5e376f9d12"
    "084f38364beef0d6d019a4707470ad2d3663be5ffb22b9cd110501ca1b353428";
constexpr const char* kPyAddress = "0x4a47803467ba72a965a6078fe525cc9eed832d64";

Signature sig_from_hex(const char* hex) { return *Signature::from_bytes(*hex_decode(hex)); }

// n - s for the secp256k1 group order n: turns a low-S signature into its
// high-S twin, which is mathematically valid but must be refused.
Signature to_high_s(Signature sig) {
  static const Bytes n = *hex_decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - sig.bytes[32 + i] - borrow;
    borrow = d < 0 ? 1 : 0;
    sig.bytes[32 + i] = static_cast<uint8_t>(d + 256 * borrow);
  }
  return sig;
}

TEST(Keys, SignVerifyRoundTripOnFreshKeys) {
  for (int i = 0; i < 8; ++i) {
    const PrivateKey key = *PrivateKey::generate();
    const PublicKey pub = key.public_key();
    const Hash32 digest = sha256(std::string_view("message " + std::to_string(i)));
    const Signature sig = key.sign(digest);
    EXPECT_TRUE(pub.verify(digest, sig).is_ok());
    EXPECT_EQ(key.sign(digest), sig) << "RFC 6979 signatures are deterministic";
    EXPECT_EQ(*PublicKey::parse(pub.span()), pub);
    Hash32 other = digest;
    other.bytes[0] ^= 1;
    EXPECT_FALSE(pub.verify(other, sig).is_ok());
  }
}

TEST(Keys, GeneratedKeysDiffer) {
  EXPECT_NE(PrivateKey::generate()->public_key(), PrivateKey::generate()->public_key());
}

TEST(Keys, VerifiesSignatureFromPythonEcdsa) {
  const PublicKey pub = *PublicKey::parse(*hex_decode(kPyPubkey));
  const Signature sig = sig_from_hex(kPySignature);
  EXPECT_EQ(signing_digest(SignDomain::kTransaction, "hpchain-test", as_bytes("hello hpchain")).hex(),
            kPyDigest);
  EXPECT_TRUE(verify_message(pub, SignDomain::kTransaction, "hpchain-test", as_bytes("hello hpchain"), sig)
                  .is_ok());
  EXPECT_EQ(pub.address().to_string(), kPyAddress);
  // Both sides use RFC 6979 with SHA-256, so our signature is the same bytes.
  const PrivateKey key = *PrivateKey::from_bytes(*hex_decode(kPySecret));
  EXPECT_EQ(key.public_key(), pub);
  EXPECT_EQ(sign_message(key, SignDomain::kTransaction, "hpchain-test", as_bytes("hello hpchain")), sig);
}

TEST(Keys, HighSSignatureRejected) {
  const PublicKey pub = *PublicKey::parse(*hex_decode(kPyPubkey));
  const Hash32 digest = *Hash32::from_hex(kPyDigest);
  const Status st = pub.verify(digest, to_high_s(sig_from_hex(kPySignature)));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("high-S"), std::string::npos);
}

TEST(Keys, MalformedPublicKeysRejected) {
  Bytes good = *hex_decode(kPyPubkey);
  EXPECT_FALSE(PublicKey::parse(Bytes(good.begin(), good.end() - 1)).is_ok());  // 32 bytes
  Bytes bad_prefix = good;
  bad_prefix[0] = 0x04;
  EXPECT_FALSE(PublicKey::parse(bad_prefix).is_ok());
  // x = 5 is not the x coordinate of any point on secp256k1 (5^3 + 7 = 132
  // is not a square mod p).
  Bytes off_curve(33, 0);
  off_curve[0] = 0x02;
  off_curve[32] = 5;
  const auto r = PublicKey::parse(off_curve);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("not a point"), std::string::npos);
  EXPECT_FALSE(PublicKey::parse(Bytes(65, 4)).is_ok());
}

TEST(Keys, MalformedSignaturesRejected) {
  const PublicKey pub = *PublicKey::parse(*hex_decode(kPyPubkey));
  const Hash32 digest = *Hash32::from_hex(kPyDigest);
  EXPECT_FALSE(Signature::from_bytes(Bytes(63)).is_ok());
  EXPECT_FALSE(pub.verify(digest, Signature{}).is_ok());  // r = s = 0
  Signature overflow;
  overflow.bytes.fill(0xff);  // r, s >= n
  EXPECT_FALSE(pub.verify(digest, overflow).is_ok());
}

TEST(Keys, PrivateKeyRangeChecked) {
  EXPECT_FALSE(PrivateKey::from_bytes(Bytes(32, 0)).is_ok());
  EXPECT_FALSE(PrivateKey::from_bytes(Bytes(32, 0xff)).is_ok());
  EXPECT_FALSE(PrivateKey::from_bytes(Bytes(31, 1)).is_ok());
}

TEST(Address, ParseAndFormat) {
  const Address a = *Address::parse(kPyAddress);
  EXPECT_EQ(a.to_string(), kPyAddress);
  EXPECT_FALSE(Address::parse("0x1234").is_ok());
  EXPECT_FALSE(Address::parse("0xzz47803467ba72a965a6078fe525cc9eed832d64").is_ok());
}

TEST(Signing, DomainAndChainIdSeparateSignatures) {
  const PrivateKey key = *PrivateKey::generate();
  const PublicKey pub = key.public_key();
  const auto msg = as_bytes("same bytes");
  const Signature sig = sign_message(key, SignDomain::kVote, "chain-a", msg);
  EXPECT_TRUE(verify_message(pub, SignDomain::kVote, "chain-a", msg, sig).is_ok());
  EXPECT_FALSE(verify_message(pub, SignDomain::kVote, "chain-b", msg, sig).is_ok());
  EXPECT_FALSE(verify_message(pub, SignDomain::kTimeout, "chain-a", msg, sig).is_ok());
  // Length prefixes: moving a byte between tag, chain id and message
  // changes the digest.
  EXPECT_NE(signing_digest(SignDomain::kVote, "ab", as_bytes("c")),
            signing_digest(SignDomain::kVote, "a", as_bytes("bc")));
}

TEST(Signing, EveryDomainHasADistinctTag) {
  const SignDomain all[] = {SignDomain::kTransaction, SignDomain::kProposal, SignDomain::kVote,
                            SignDomain::kTimeout, SignDomain::kJobCommitment};
  for (SignDomain a : all) {
    for (SignDomain b : all) {
      if (a != b) {
        EXPECT_NE(sign_domain_tag(a), sign_domain_tag(b));
      }
    }
  }
}

}  // namespace
}  // namespace hpchain
