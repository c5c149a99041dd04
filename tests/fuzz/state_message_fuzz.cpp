// Fuzz target for the state-certificate messages a peer can send:
// decode_state_message on any bytes, then the decoded message delivered to
// a live StateCertifier (real secp256k1 keys) that has executed height 1.
// Checked: no crash; an undecodable message changes nothing; a decoded one
// re-encodes to a fixed point; a certificate the certifier adopts verifies,
// and it never halts on a message alone (only its own root can differ).
#include "consensus/state_cert.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/consensus/fixture.h"

namespace {

using namespace hpchain;
using namespace hpchain::consensus;
using hpchain::consensus::testing::Network;

Network& network() {
  static Network net{4};
  return net;
}

StateClaim claim(uint64_t height) {
  return {0, height, sha256("b" + std::to_string(height)), sha256("r" + std::to_string(height)),
          network().validators->digest()};
}

StateVote vote(ValidatorIndex i, uint64_t height) {
  const StateClaim c = claim(height);
  return {c, i, network().signers[i]->sign(SignDomain::kStateCert, state_signing_bytes(c))};
}

}  // namespace

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  std::vector<std::vector<uint8_t>> seeds;
  seeds.push_back(encode_state_message(testing::kChain, vote(1, 1)));
  seeds.push_back(encode_state_message(testing::kChain, vote(2, 2)));
  StateCertificate cert{claim(1), {}};
  for (ValidatorIndex i : {0u, 1u, 2u}) cert.signatures.push_back({i, vote(i, 1).signature});
  seeds.push_back(encode_state_message(testing::kChain, cert));
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Network& net = network();
  const ByteSpan bytes(data, size);
  auto decoded = decode_state_message(bytes);
  if (decoded.is_ok()) {
    const Bytes once = encode_state_message(decoded->chain_id, decoded->body);
    auto again = decode_state_message(once);
    HPC_ASSERT(again.is_ok() && encode_state_message(again->chain_id, again->body) == once);
  }
  StateCertifier certifier(testing::kChain, 0, *net.validators, *net.verifier, net.signers[0].get(), 0);
  const StateClaim mine = claim(1);
  (void)certifier.on_executed(1, mine.block_id, mine.state_root, mine.next_set_hash);
  for (const auto& action : certifier.on_message(bytes)) {
    if (const auto* c = std::get_if<CertifiedAction>(&action)) {
      HPC_ASSERT(verify_state_certificate(c->certificate, *net.validators, *net.verifier).ok());
    }
  }
  // Forging a quorum is impossible here, so only a certificate of our own
  // claim could have formed: no divergence.
  HPC_ASSERT(!certifier.halted());
  return 0;
}
