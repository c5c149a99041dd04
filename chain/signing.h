// Domain-separated signing (DESIGN.md section 3).
//
// Every signature in hpchain covers
//   SHA-256( u32be(len(tag)) ‖ tag ‖ u32be(len(chain_id)) ‖ chain_id ‖ message )
// so a signature made for one message kind or one chain never verifies as
// another. The length prefixes make the concatenation unambiguous. The tags
// are listed here and nowhere else.
#pragma once

#include <cstdint>
#include <string_view>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/keys.h"

namespace hpchain {

enum class SignDomain : uint8_t {
  kTransaction,    // TxRaw.body_bytes
  kProposal,       // a consensus block proposal
  kVote,           // a consensus vote
  kTimeout,        // a consensus timeout message
  kJobCommitment,  // a worker's result commitment
  kKeyPossession,  // a consensus key's signature of the operator address that registers it
  kStateCert,      // a validator's signature of an executed height's state root
};

// The tag string of a domain, e.g. "hpchain/v1/tx". Stable: changing one is
// a hard fork.
std::string_view sign_domain_tag(SignDomain domain);

// The digest that is actually signed (see the file comment).
Hash32 signing_digest(SignDomain domain, std::string_view chain_id, ByteSpan message);

// sign(key, domain, chain_id, message) = key.sign(signing_digest(...)).
Signature sign_message(const PrivateKey& key, SignDomain domain, std::string_view chain_id,
                       ByteSpan message);

// Ok iff `sig` is `key`'s signature of `message` in `domain` on `chain_id`;
// otherwise the error of PublicKey::verify.
Status verify_message(const PublicKey& key, SignDomain domain, std::string_view chain_id,
                      ByteSpan message, const Signature& sig);

}  // namespace hpchain
