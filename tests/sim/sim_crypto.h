// Simulator signatures: a keyed SHA-256 that is unforgeable inside one
// simulation. Each validator's secret is known only to the signer objects
// the simulator hands to that validator's instances and to the verifier
// oracle, so a byzantine instance can sign as itself but never as an honest
// validator. About 100 times faster than secp256k1, which is what makes
// thousands of seeds per minute possible; --real-crypto swaps it out.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "consensus/crypto.h"

namespace hpchain::sim {

// Called on every signature an instance makes, before it is returned; the
// invariant checker uses it to see every vote an honest validator signs,
// including ones that never reach the network.
using SignObserver =
    std::function<void(consensus::ValidatorIndex signer, SignDomain domain, ByteSpan message)>;

class SimKeyring {
 public:
  // Secrets are derived from `seed`; `chain_id` is mixed into every tag.
  SimKeyring(size_t validators, uint64_t seed, std::string chain_id);

  // A signer for validator `index` that reports each signature to `observer`
  // (which may be empty). Caller owns it.
  std::unique_ptr<consensus::Signer> signer(consensus::ValidatorIndex index,
                                            SignObserver observer) const;
  const consensus::SignatureVerifier& verifier() const { return *verifier_; }
  // A verifier for a set whose index k is member `members[k]` (an epoch's
  // set: signers are named by their index in it).
  std::unique_ptr<consensus::SignatureVerifier> verifier_for(const std::vector<uint32_t>& members) const;

 private:
  std::vector<Hash32> secrets_;
  std::string chain_id_;
  std::unique_ptr<consensus::SignatureVerifier> verifier_;
};

// Wraps any signer (the real secp256k1 one, with --real-crypto) so that its
// signatures are reported to `observer`.
std::unique_ptr<consensus::Signer> observe_signer(std::unique_ptr<consensus::Signer> inner,
                                                  consensus::ValidatorIndex index,
                                                  SignObserver observer);

}  // namespace hpchain::sim
