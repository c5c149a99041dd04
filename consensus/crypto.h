// The signing seam of consensus (after LevelDB's Env): the core signs and
// verifies through these two interfaces, so the simulator can swap the real
// secp256k1 scheme (about 50 µs per operation) for a fast keyed hash that is
// still unforgeable inside the simulation.
//
// Every signature is domain-separated (chain/signing.h): the domain and the
// chain id are part of what is signed, so a vote never verifies as a timeout
// and nothing replays across chains.
#pragma once

#include <memory>
#include <string>

#include "chain/signing.h"
#include "consensus/types.h"

namespace hpchain::consensus {

// Signs as one validator. Implementations hold the secret; callers own the
// object. Not required to be thread-safe (the core is single-threaded).
class Signer {
 public:
  virtual ~Signer() = default;
  virtual Signature sign(SignDomain domain, ByteSpan message) = 0;
};

// Checks signatures of the validators of one set. Ok when `sig` is the
// signature of validator `signer` over `message` in `domain`; InvalidArgument
// otherwise (including an index outside the set). Must be a pure function
// and thread-safe: a host's signature pool calls it from several threads at
// once (preverify.h); the secp256k1 verifier is (its context is read-only).
class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  virtual Status verify(ValidatorIndex signer, SignDomain domain, ByteSpan message,
                        const Signature& sig) const = 0;
};

// The production scheme: secp256k1 over chain/signing.h digests.
std::unique_ptr<Signer> make_secp256k1_signer(PrivateKey key, std::string chain_id);
// Verifies against the public keys of `validators` (copied).
std::unique_ptr<SignatureVerifier> make_secp256k1_verifier(ValidatorSet validators,
                                                           std::string chain_id);

}  // namespace hpchain::consensus
