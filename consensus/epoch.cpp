#include "consensus/epoch.h"

namespace hpchain::consensus {

ValidatorIndex self_index(const ValidatorSet& set, const PublicKey& key) {
  for (ValidatorIndex i = 0; i < set.size(); ++i) {
    if (set.at(i).key == key) return i;
  }
  return kObserver;
}

Result<EpochStart> verify_epoch_change(const StateCertificate& cert, uint64_t current_epoch,
                                       const ValidatorSet& current, const SignatureVerifier& verifier,
                                       const ValidatorSet& next) {
  if (cert.claim.epoch != current_epoch) {
    return Status::invalid_argument("the proof certifies epoch " + std::to_string(cert.claim.epoch) + ", not " +
                                    std::to_string(current_epoch));
  }
  if (Verdict v = verify_state_certificate(cert, current, verifier); !v.ok()) {
    return Status::invalid_argument("the proof's certificate does not verify: " + v.detail);
  }
  if (cert.claim.next_set_hash != next.digest()) {
    return Status::invalid_argument("the proof names another next validator set");
  }
  if (next.digest() == current.digest()) {
    return Status::invalid_argument("the proof's block did not change the validator set");
  }
  return next_epoch_start(current_epoch, cert.claim.block_id, cert.claim.height);
}

}  // namespace hpchain::consensus
