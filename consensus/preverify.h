// Signature checks off the consensus thread. The core is single-threaded,
// and one secp256k1 check costs about 50 µs, so a busy validator wants its
// signature pool to verify incoming messages in parallel. preverify() runs
// on any thread: it checks every signature a decoded message carries
// (proposal, vote, timeout share, and those of the QCs and TCs inside) with
// the thread-safe verifier and records the ones that hold in a
// PreverifiedSignatures. The core's CachingVerifier then answers from that
// record and checks only what is not in it, so the core's verdicts, and
// what it accepts, are exactly those of a core without the pool.
#pragma once

#include <mutex>

#include "consensus/codec.h"
#include "consensus/crypto.h"
#include "consensus/validation.h"

namespace hpchain::consensus {

// Signatures known to verify, keyed by SHA-256(signer, domain, message,
// signature). Bounded: the oldest go first. Thread-safe.
class PreverifiedSignatures {
 public:
  explicit PreverifiedSignatures(size_t capacity = 1 << 16) : keys_(capacity) {}
  void record(ValidatorIndex signer, SignDomain domain, ByteSpan message, const Signature& sig);
  bool contains(ValidatorIndex signer, SignDomain domain, ByteSpan message, const Signature& sig) const;
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  BoundedDigestSet keys_;  // guarded by mutex_
};

// Checks every signature in `message` with `verifier` (which must be
// thread-safe, as the secp256k1 verifier is) and records those that hold.
// Returns how many were recorded. A bad signature is simply not recorded:
// the core finds and rejects it as before.
size_t preverify(const Message& message, const SignatureVerifier& verifier, PreverifiedSignatures& out);

// The core's verifier when a pool pre-verifies: a hit in `known` is Ok
// without a check; anything else goes to `inner`.
class CachingVerifier final : public SignatureVerifier {
 public:
  CachingVerifier(const SignatureVerifier& inner, const PreverifiedSignatures& known)
      : inner_(inner), known_(known) {}
  Status verify(ValidatorIndex signer, SignDomain domain, ByteSpan message,
                const Signature& sig) const override;

 private:
  const SignatureVerifier& inner_;
  const PreverifiedSignatures& known_;
};

}  // namespace hpchain::consensus
