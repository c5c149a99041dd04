// SHA-256 checked against the published FIPS 180-2 / NIST CAVP example
// vectors, plus hex encoding round trips and rejection of bad hex.
#include <gtest/gtest.h>

#include <string>

#include "chain/hash.h"

namespace hpchain {
namespace {

TEST(Sha256, PublishedVectors) {
  // FIPS 180-2 appendix B and the NIST "short message" examples.
  EXPECT_EQ(sha256(std::string_view("")).hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256(std::string_view("abc")).hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).hex(),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million_a(1000000, 'a');
  EXPECT_EQ(sha256(std::string_view(million_a)).hex(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShotAndResets) {
  const std::string text = "the quick brown fox jumps over the lazy dog, repeatedly";
  Sha256 h;
  for (char c : text) h.update(std::string_view(&c, 1));
  EXPECT_EQ(h.finish(), sha256(std::string_view(text)));
  EXPECT_EQ(h.finish(), sha256(std::string_view("")));  // reset after finish
  h.update_u64_be(0x0102030405060708ULL);
  const uint8_t be[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(h.finish(), sha256(ByteSpan(be, 8)));
}

TEST(Hex, RoundTripAndPrefix) {
  const Bytes data = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(hex_encode(data), "0001abff");
  EXPECT_EQ(*hex_decode("0001abff"), data);
  EXPECT_EQ(*hex_decode("0x0001ABFF"), data);
  EXPECT_TRUE(hex_decode("")->empty());
}

TEST(Hex, RejectsBadInputWithPosition) {
  const auto odd = hex_decode("abc");
  ASSERT_FALSE(odd.is_ok());
  EXPECT_NE(odd.status().message().find("odd length"), std::string::npos);
  const auto bad = hex_decode("00zz");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("position 2"), std::string::npos);
}

TEST(Hash32, FromHexAndBytesCheckLength) {
  const Hash32 h = sha256(std::string_view("abc"));
  EXPECT_EQ(*Hash32::from_hex(h.hex()), h);
  EXPECT_EQ(*Hash32::from_bytes(h.span()), h);
  EXPECT_FALSE(Hash32::from_hex("abcd").is_ok());
  EXPECT_FALSE(Hash32::from_bytes(Bytes(31)).is_ok());
  EXPECT_TRUE(Hash32().is_zero());
  EXPECT_FALSE(h.is_zero());
}

}  // namespace
}  // namespace hpchain
