#include "chain/tx.h"

#include "chain/codec.h"
#include "chain/signing.h"

namespace hpchain {
Bytes sign_tx(const hpchain::v1::TxBody& body, const PrivateKey& key) {
  HPC_ASSERT(!body.chain_id().empty());
  const Bytes body_bytes = serialize_proto(body);
  const Signature sig = sign_message(key, SignDomain::kTransaction, body.chain_id(), body_bytes);
  hpchain::v1::TxRaw raw;
  raw.set_body_bytes(body_bytes.data(), body_bytes.size());
  const PublicKey pub = key.public_key();
  raw.set_pubkey(pub.compressed().data(), pub.compressed().size());
  raw.set_signature(sig.bytes.data(), sig.bytes.size());
  return serialize_proto(raw);
}

std::string_view tx_rejection_name(TxRejection r) {
  static constexpr std::string_view kNames[] = {"none", "too_large", "malformed", "bad_signature", "wrong_chain", "no_kind"};
  return kNames[static_cast<int>(r)];
}

Result<VerifiedTx> decode_and_verify_tx(ByteSpan raw_bytes, std::string_view chain_id, TxRejection* why) {
  TxRejection ignored = TxRejection::kNone;
  TxRejection& reason = why != nullptr ? *why : ignored;
  reason = TxRejection::kTooLarge;
  if (raw_bytes.size() > kTxBytesMax) {
    return Status::resource_exhausted("transaction of " + std::to_string(raw_bytes.size()) +
                                      " bytes exceeds the limit of " + std::to_string(kTxBytesMax));
  }
  reason = TxRejection::kMalformed;
  hpchain::v1::TxRaw raw;
  HPC_TRY(parse_proto(raw_bytes, raw, "TxRaw"));
  // Protobuf accepts many encodings of one message (repeated or unknown
  // fields, other field order). Only the canonical one is valid, so one
  // signed body has exactly one transaction id.
  if (serialize_proto(raw) != Bytes(raw_bytes.begin(), raw_bytes.end())) {
    return Status::invalid_argument("TxRaw is not canonically encoded");
  }
  reason = TxRejection::kBadSignature;
  auto key = PublicKey::parse(as_bytes(raw.pubkey()));
  if (!key.is_ok()) return key.status().with_context("transaction pubkey");
  auto sig = Signature::from_bytes(as_bytes(raw.signature()));
  if (!sig.is_ok()) return sig.status().with_context("transaction signature");
  // The signature covers the chain id, so a transaction for another chain
  // fails here already; the explicit check below gives the clearer message
  // when the signature is fine but the body names another chain.
  const Status verified = verify_message(*key, SignDomain::kTransaction, chain_id,
                                         as_bytes(raw.body_bytes()), *sig);
  hpchain::v1::TxBody body;
  if (const Status parsed = parse_proto(as_bytes(raw.body_bytes()), body, "TxBody"); !parsed.is_ok()) {
    if (verified.is_ok()) reason = TxRejection::kMalformed;
    return verified.is_ok() ? parsed : verified.with_context("transaction");
  }
  if (body.chain_id() != chain_id) {
    reason = TxRejection::kWrongChain;
    return Status::invalid_argument("wrong chain id '" + body.chain_id() + "', this chain is '" +
                                    std::string(chain_id) + "'");
  }
  HPC_TRY(verified.with_context("transaction"));
  reason = TxRejection::kNoKind;
  if (body.kind_case() == hpchain::v1::TxBody::KIND_NOT_SET) {
    return Status::invalid_argument("transaction has no kind (or one this node does not know)");
  }
  reason = TxRejection::kNone;
  return VerifiedTx{tx_id(raw_bytes), Bytes(raw_bytes.begin(), raw_bytes.end()), *key,
                    key->address(), std::move(body)};
}

}  // namespace hpchain
