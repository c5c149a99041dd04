// Signed transactions: encode → bytes → decode keeps the id and the bytes;
// every kind of bad input (other chain, other domain, tampering, garbage,
// oversize, missing kind) is rejected with a clear error.
#include <gtest/gtest.h>

#include "chain/signing.h"
#include "chain/tx.h"

namespace hpchain {
namespace {

constexpr const char* kChain = "hpchain-test";

hpchain::v1::TxBody transfer_body(const char* chain_id, uint64_t nonce) {
  hpchain::v1::TxBody body;
  body.set_chain_id(chain_id);
  body.set_nonce(nonce);
  body.set_fee(10);
  auto* t = body.mutable_transfer();
  const Bytes to(20, 0x42);
  t->set_to(to.data(), to.size());
  t->set_amount(1000);
  return body;
}

std::string message_of(const Result<VerifiedTx>& r) { return r.status().message(); }

TEST(Tx, RoundTripKeepsIdBytesAndContent) {
  const PrivateKey key = *PrivateKey::generate();
  const Bytes raw = sign_tx(transfer_body(kChain, 7), key);
  const auto tx = decode_and_verify_tx(raw, kChain);
  ASSERT_TRUE(tx.is_ok()) << tx.status().to_string();
  EXPECT_EQ(tx->id, tx_id(raw));
  EXPECT_EQ(tx->raw_bytes, raw);
  EXPECT_EQ(tx->sender, key.public_key().address());
  EXPECT_EQ(tx->body.nonce(), 7u);
  EXPECT_EQ(tx->body.transfer().amount(), 1000u);
  // Re-encoding what we decoded gives the same bytes, hence the same id.
  hpchain::v1::TxRaw again;
  ASSERT_TRUE(again.ParseFromArray(raw.data(), static_cast<int>(raw.size())));
  std::string reencoded;
  ASSERT_TRUE(again.SerializeToString(&reencoded));
  EXPECT_EQ(tx_id(as_bytes(reencoded)), tx->id);
}

TEST(Tx, WrongChainIdRejected) {
  const PrivateKey key = *PrivateKey::generate();
  const auto r = decode_and_verify_tx(sign_tx(transfer_body("other-chain", 1), key), kChain);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(message_of(r).find("wrong chain id"), std::string::npos);
}

TEST(Tx, SignatureForAnotherChainOrDomainRejected) {
  const PrivateKey key = *PrivateKey::generate();
  const std::string body = transfer_body(kChain, 1).SerializeAsString();
  for (const auto& [domain, chain] : {std::pair{SignDomain::kTransaction, "other-chain"},
                                      std::pair{SignDomain::kVote, kChain}}) {
    const Signature sig = sign_message(key, domain, chain, as_bytes(body));
    hpchain::v1::TxRaw raw;
    raw.set_body_bytes(body);
    raw.set_pubkey(key.public_key().compressed().data(), 33);
    raw.set_signature(sig.bytes.data(), 64);
    const auto r = decode_and_verify_tx(as_bytes(raw.SerializeAsString()), kChain);
    ASSERT_FALSE(r.is_ok());
    EXPECT_NE(message_of(r).find("signature does not match"), std::string::npos) << message_of(r);
  }
}

TEST(Tx, TamperedBodyOrForeignKeyRejected) {
  const PrivateKey key = *PrivateKey::generate();
  const Bytes signed_bytes = sign_tx(transfer_body(kChain, 1), key);
  hpchain::v1::TxRaw raw;
  ASSERT_TRUE(raw.ParseFromArray(signed_bytes.data(), static_cast<int>(signed_bytes.size())));
  hpchain::v1::TxRaw tampered = raw;
  hpchain::v1::TxBody body = transfer_body(kChain, 1);
  body.mutable_transfer()->set_amount(1000000);
  tampered.set_body_bytes(body.SerializeAsString());
  EXPECT_FALSE(decode_and_verify_tx(as_bytes(tampered.SerializeAsString()), kChain).is_ok());
  hpchain::v1::TxRaw foreign = raw;
  foreign.set_pubkey(PrivateKey::generate()->public_key().compressed().data(), 33);
  EXPECT_FALSE(decode_and_verify_tx(as_bytes(foreign.SerializeAsString()), kChain).is_ok());
}

TEST(Tx, GarbageAndOversizeRejected) {
  const Bytes garbage = {0xff, 0xff, 0xff, 0xff, 0x0f};
  const auto r = decode_and_verify_tx(garbage, kChain);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(message_of(r).find("malformed TxRaw"), std::string::npos);
  EXPECT_FALSE(decode_and_verify_tx(Bytes(), kChain).is_ok());
  const auto big = decode_and_verify_tx(Bytes(kTxBytesMax + 1, 0), kChain);
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
}

TEST(Tx, NonCanonicalEncodingsOfOneTxRejected) {
  const PrivateKey key = *PrivateKey::generate();
  const Bytes raw = sign_tx(transfer_body(kChain, 1), key);
  // Protobuf parses a message concatenated with itself as the same message
  // (last field wins), and skips unknown fields: both would be a second id
  // for the same signed transfer.
  Bytes doubled = raw;
  doubled.insert(doubled.end(), raw.begin(), raw.end());
  Bytes unknown_field = raw;
  unknown_field.insert(unknown_field.end(), {0x78, 0x01});  // field 15, varint 1
  const auto twice = decode_and_verify_tx(doubled, kChain);
  EXPECT_NE(message_of(twice).find("not canonically encoded"), std::string::npos) << message_of(twice);
  const auto unknown = decode_and_verify_tx(unknown_field, kChain);
  EXPECT_NE(message_of(unknown).find("unknown fields"), std::string::npos) << message_of(unknown);
  // An unknown field inside the signed body is refused too, even though
  // the signature over those bytes is valid.
  hpchain::v1::TxBody body = transfer_body(kChain, 2);
  body.GetReflection()->MutableUnknownFields(&body)->AddVarint(99, 1);
  const auto signed_unknown = decode_and_verify_tx(sign_tx(body, key), kChain);
  EXPECT_NE(message_of(signed_unknown).find("TxBody has unknown fields"), std::string::npos)
      << message_of(signed_unknown);
}

TEST(Tx, MissingKindRejected) {
  const PrivateKey key = *PrivateKey::generate();
  hpchain::v1::TxBody body = transfer_body(kChain, 1);
  body.clear_kind();
  const auto r = decode_and_verify_tx(sign_tx(body, key), kChain);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(message_of(r).find("no kind"), std::string::npos);
}

}  // namespace
}  // namespace hpchain
