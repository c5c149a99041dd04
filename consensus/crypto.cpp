#include "consensus/crypto.h"

namespace hpchain::consensus {
namespace {

class Secp256k1Signer final : public Signer {
 public:
  Secp256k1Signer(PrivateKey key, std::string chain_id)
      : key_(std::move(key)), chain_id_(std::move(chain_id)) {}
  Signature sign(SignDomain domain, ByteSpan message) override {
    return sign_message(key_, domain, chain_id_, message);
  }

 private:
  PrivateKey key_;
  std::string chain_id_;
};

class Secp256k1Verifier final : public SignatureVerifier {
 public:
  Secp256k1Verifier(ValidatorSet validators, std::string chain_id)
      : validators_(std::move(validators)), chain_id_(std::move(chain_id)) {}
  Status verify(ValidatorIndex signer, SignDomain domain, ByteSpan message,
                const Signature& sig) const override {
    if (signer >= validators_.size()) {
      return Status::invalid_argument("signer index " + std::to_string(signer) + " is not in the set");
    }
    return verify_message(validators_.at(signer).key, domain, chain_id_, message, sig);
  }

 private:
  ValidatorSet validators_;
  std::string chain_id_;
};

}  // namespace

std::unique_ptr<Signer> make_secp256k1_signer(PrivateKey key, std::string chain_id) {
  return std::make_unique<Secp256k1Signer>(std::move(key), std::move(chain_id));
}

std::unique_ptr<SignatureVerifier> make_secp256k1_verifier(ValidatorSet validators,
                                                           std::string chain_id) {
  return std::make_unique<Secp256k1Verifier>(std::move(validators), std::move(chain_id));
}

}  // namespace hpchain::consensus
