#include "chain/signing.h"

namespace hpchain {

std::string_view sign_domain_tag(SignDomain domain) {
  switch (domain) {
    case SignDomain::kTransaction: return "hpchain/v1/tx";
    case SignDomain::kProposal: return "hpchain/v1/proposal";
    case SignDomain::kVote: return "hpchain/v1/vote";
    case SignDomain::kTimeout: return "hpchain/v1/timeout";
    case SignDomain::kJobCommitment: return "hpchain/v1/job-commitment";
    case SignDomain::kKeyPossession: return "hpchain/v1/key-possession";
    case SignDomain::kStateCert: return "hpchain/v1/state";
  }
  HPC_ASSERT(false && "unknown SignDomain");
  return {};
}

namespace {
void update_length_prefixed(Sha256& h, std::string_view s) {
  HPC_ASSERT(s.size() <= UINT32_MAX);
  const auto n = static_cast<uint32_t>(s.size());
  const uint8_t be[4] = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                         static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  h.update(ByteSpan(be, 4));
  h.update(s);
}
}  // namespace

Hash32 signing_digest(SignDomain domain, std::string_view chain_id, ByteSpan message) {
  Sha256 h;
  update_length_prefixed(h, sign_domain_tag(domain));
  update_length_prefixed(h, chain_id);
  h.update(message);
  return h.finish();
}

Signature sign_message(const PrivateKey& key, SignDomain domain, std::string_view chain_id,
                       ByteSpan message) {
  return key.sign(signing_digest(domain, chain_id, message));
}

Status verify_message(const PublicKey& key, SignDomain domain, std::string_view chain_id,
                      ByteSpan message, const Signature& sig) {
  return key.verify(signing_digest(domain, chain_id, message), sig);
}

}  // namespace hpchain
