// Signed transactions (DESIGN.md section 3).
//
// A transaction travels as TxRaw{body_bytes, pubkey, signature}. Verifiers
// decode TxRaw (canonical encoding only), verify the signature over
// body_bytes exactly as received, then decode the body; a body is returned
// only when its signature verified. Nothing is re-serialised, so the id
// SHA-256(TxRaw bytes) is stable and the signed bytes are the carried bytes.
// The body is parsed even when the signature fails, but only to choose the
// clearer error message (see decode_and_verify_tx).
#pragma once

#include <cstddef>
#include <string_view>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/keys.h"
#include "hpchain/v1/tx.pb.h"

namespace hpchain {

// Upper bound on an encoded transaction; larger input is rejected before
// any parsing (a peer must not make us parse megabytes).
inline constexpr size_t kTxBytesMax = 64 * 1024;

// A transaction whose signature, chain id and structure were checked.
struct VerifiedTx {
  Hash32 id;                // SHA-256 of the TxRaw bytes
  Bytes raw_bytes;          // the exact TxRaw bytes received
  PublicKey sender_key;
  Address sender;
  hpchain::v1::TxBody body;
};

// Builds and signs a TxRaw for `body` (whose chain_id must be set) and
// returns its bytes. The body is serialised deterministically once; those
// bytes are what is signed and carried.
Bytes sign_tx(const hpchain::v1::TxBody& body, const PrivateKey& key);

// Decodes and verifies `raw_bytes` for the chain `chain_id`.
// Errors, all InvalidArgument except the first:
//   ResourceExhausted  the encoding is larger than kTxBytesMax;
//   "malformed TxRaw" / "malformed TxBody": not a valid protobuf;
//   "not canonically encoded": TxRaw bytes other than the canonical
//     encoding (duplicated or unknown fields, other order), which would
//     give one signed body several ids;
//   a bad public key or signature length, a high-S or non-matching signature;
//   "wrong chain id": the body names another chain. The signature covers
//     the chain id, so such a transaction never verifies here; this message
//     replaces the signature error because it says why;
//   "transaction has no kind": the oneof is unset or of a kind this build
//     does not know.
// `why`, when given, receives the kind of failure, for metrics that must not
// guess it from messages.
enum class TxRejection : uint8_t { kNone, kTooLarge, kMalformed, kBadSignature, kWrongChain, kNoKind };
std::string_view tx_rejection_name(TxRejection r);  // "too_large", "malformed", ...
Result<VerifiedTx> decode_and_verify_tx(ByteSpan raw_bytes, std::string_view chain_id, TxRejection* why = nullptr);

// The id of an encoded transaction: SHA-256 of its bytes.
inline Hash32 tx_id(ByteSpan raw_bytes) { return sha256(raw_bytes); }

}  // namespace hpchain
