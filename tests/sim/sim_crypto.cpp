#include "tests/sim/sim_crypto.h"

#include <cstring>

namespace hpchain::sim {
namespace {

Signature keyed_hash(const Hash32& secret, const std::string& chain_id, SignDomain domain,
                     ByteSpan message) {
  Sha256 h;
  h.update(secret.span());
  h.update(sign_domain_tag(domain));
  h.update_u64_be(chain_id.size());
  h.update(chain_id);
  h.update(message);
  const Hash32 mac = h.finish();
  Signature sig;
  std::memcpy(sig.bytes.data(), mac.bytes.data(), mac.bytes.size());
  std::memcpy(sig.bytes.data() + 32, mac.bytes.data(), mac.bytes.size());
  return sig;
}

class KeyedSigner final : public consensus::Signer {
 public:
  KeyedSigner(Hash32 secret, std::string chain_id) : secret_(secret), chain_id_(std::move(chain_id)) {}
  Signature sign(SignDomain domain, ByteSpan message) override {
    return keyed_hash(secret_, chain_id_, domain, message);
  }

 private:
  Hash32 secret_;
  std::string chain_id_;
};

class KeyedVerifier final : public consensus::SignatureVerifier {
 public:
  KeyedVerifier(std::vector<Hash32> secrets, std::string chain_id)
      : secrets_(std::move(secrets)), chain_id_(std::move(chain_id)) {}
  Status verify(consensus::ValidatorIndex signer, SignDomain domain, ByteSpan message,
                const Signature& sig) const override {
    if (signer >= secrets_.size()) return Status::invalid_argument("unknown signer");
    if (keyed_hash(secrets_[signer], chain_id_, domain, message) != sig) {
      return Status::invalid_argument("signature does not match");
    }
    return Status::ok();
  }

 private:
  std::vector<Hash32> secrets_;  // per signer index
  std::string chain_id_;
};

class ObservingSigner final : public consensus::Signer {
 public:
  ObservingSigner(std::unique_ptr<consensus::Signer> inner, consensus::ValidatorIndex index,
                  SignObserver observer)
      : inner_(std::move(inner)), index_(index), observer_(std::move(observer)) {}
  Signature sign(SignDomain domain, ByteSpan message) override {
    if (observer_) observer_(index_, domain, message);
    return inner_->sign(domain, message);
  }

 private:
  std::unique_ptr<consensus::Signer> inner_;
  consensus::ValidatorIndex index_;
  SignObserver observer_;
};

}  // namespace

SimKeyring::SimKeyring(size_t validators, uint64_t seed, std::string chain_id)
    : chain_id_(std::move(chain_id)) {
  for (size_t i = 0; i < validators; ++i) {
    Sha256 h;
    h.update("hpchain-sim secret");
    h.update_u64_be(seed);
    h.update_u64_be(i);
    secrets_.push_back(h.finish());
  }
  verifier_ = std::make_unique<KeyedVerifier>(secrets_, chain_id_);
}

std::unique_ptr<consensus::SignatureVerifier> SimKeyring::verifier_for(const std::vector<uint32_t>& members) const {
  std::vector<Hash32> secrets;
  for (uint32_t m : members) {
    HPC_ASSERT(m < secrets_.size());
    secrets.push_back(secrets_[m]);
  }
  return std::make_unique<KeyedVerifier>(std::move(secrets), chain_id_);
}

std::unique_ptr<consensus::Signer> SimKeyring::signer(consensus::ValidatorIndex index,
                                                      SignObserver observer) const {
  HPC_ASSERT(index < secrets_.size());
  return observe_signer(std::make_unique<KeyedSigner>(secrets_[index], chain_id_), index,
                        std::move(observer));
}

std::unique_ptr<consensus::Signer> observe_signer(std::unique_ptr<consensus::Signer> inner,
                                                  consensus::ValidatorIndex index,
                                                  SignObserver observer) {
  return std::make_unique<ObservingSigner>(std::move(inner), index, std::move(observer));
}

}  // namespace hpchain::sim
