// State certificates with real secp256k1 signers: a quorum of equal votes
// forms the certificate, votes for another root do not count towards it, a
// validator whose root differs from a certified one halts with the
// divergence error and never signs it, certificates from peers are
// verified, and memory stays within the window.
#include <gtest/gtest.h>

#include "consensus/state_cert.h"
#include "tests/unit/consensus/fixture.h"

namespace hpchain::consensus {
namespace {

using testing::Network;

struct Certifiers {
  Network net{4};
  std::vector<std::unique_ptr<StateCertifier>> at;
  Certifiers() {
    for (ValidatorIndex i = 0; i < 4; ++i) {
      at.push_back(std::make_unique<StateCertifier>(testing::kChain, 0, *net.validators, *net.verifier,
                                                    net.signers[i].get(), i));
    }
  }
  static Hash32 block(uint64_t h) { return sha256("block " + std::to_string(h)); }
  static Hash32 root(uint64_t h, std::string_view fork = "") { return sha256("root " + std::to_string(h) + std::string(fork)); }
  Hash32 set() const { return net.validators->digest(); }

  // Validator i executes height h (with `fork` in its root) and its vote
  // reaches every other certifier; returns what everyone emitted.
  std::vector<StateActions> execute(ValidatorIndex i, uint64_t h, std::string_view fork = "") {
    std::vector<StateActions> out(4);
    out[i] = at[i]->on_executed(h, block(h), root(h, fork), set());
    for (const auto& a : out[i]) {
      if (const auto* v = std::get_if<StateVoteAction>(&a)) {
        for (ValidatorIndex j = 0; j < 4; ++j) {
          if (j == i) continue;
          auto more = at[j]->on_message(v->message);
          out[j].insert(out[j].end(), more.begin(), more.end());
        }
      }
    }
    return out;
  }
};

template <typename T>
size_t count(const StateActions& actions) {
  return static_cast<size_t>(std::count_if(actions.begin(), actions.end(), [](const auto& a) { return std::holds_alternative<T>(a); }));
}

TEST(StateCertificate, AQuorumOfEqualClaimsFormsTheCertificate) {
  Certifiers c;
  c.execute(0, 1);
  c.execute(1, 1);
  EXPECT_FALSE(c.at[3]->certificate(1));  // 2 of 4: no quorum
  const auto third = c.execute(2, 1);
  ASSERT_EQ(count<CertifiedAction>(third[3]), 1u);
  const auto cert = *c.at[3]->certificate(1);
  EXPECT_EQ(cert.claim.state_root, Certifiers::root(1));
  EXPECT_EQ(cert.signatures.size(), 3u);
  EXPECT_TRUE(verify_state_certificate(cert, *c.net.validators, *c.net.verifier).ok());
  EXPECT_EQ(c.at[3]->highest_certified(), 1u);
  // The signed bytes, byte for byte (docs/consensus.md).
  const Bytes bytes = state_signing_bytes(cert.claim);
  ASSERT_EQ(bytes.size(), 112u);
  EXPECT_EQ(bytes[15], 1);  // height, after the epoch
  EXPECT_TRUE(std::equal(cert.claim.state_root.bytes.begin(), cert.claim.state_root.bytes.end(), bytes.begin() + 48));
}

TEST(StateCertificate, AValidatorWhoseRootDiffersHaltsWithTheDivergenceErrorAndNeverSignsIt) {
  Certifiers c;
  for (ValidatorIndex i = 0; i < 3; ++i) c.execute(i, 1);
  // Validator 3 computed another root, after the certificate formed.
  const auto late = c.at[3]->on_executed(1, Certifiers::block(1), Certifiers::root(1, "bug"), c.set());
  ASSERT_EQ(late.size(), 1u);
  const auto& d = std::get<DivergenceAction>(late[0]);
  EXPECT_EQ(d.height, 1u);
  EXPECT_EQ(d.message(), "state divergence at height 1: our state root " + Certifiers::root(1, "bug").hex() +
                             ", certified state root " + Certifiers::root(1).hex());
  EXPECT_TRUE(c.at[3]->halted());
  EXPECT_TRUE(c.at[3]->on_executed(2, Certifiers::block(2), Certifiers::root(2), c.set()).empty());  // stopped
}

TEST(StateCertificate, ADivergentValidatorThatVotedFirstHaltsWhenTheQuorumDisagrees) {
  Certifiers c;
  c.execute(3, 1, "bug");  // signs its own (wrong) root before the others
  c.execute(0, 1);
  c.execute(1, 1);
  const auto third = c.execute(2, 1);
  ASSERT_EQ(count<DivergenceAction>(third[3]), 1u);
  EXPECT_EQ(c.at[0]->certificate(1)->claim.state_root, Certifiers::root(1));
  EXPECT_EQ(c.at[0]->certificate(1)->signatures.size(), 3u);  // the odd vote did not count
}

TEST(StateCertificate, CertificatesFromPeersAreVerifiedAndVotesStayInTheWindow) {
  Certifiers c;
  for (ValidatorIndex i = 0; i < 3; ++i) c.execute(i, 1);
  StateCertifier observer(testing::kChain, 0, *c.net.validators, *c.net.verifier, nullptr, 99);
  StateCertificate cert = *c.at[0]->certificate(1);
  StateCertificate short_one = cert;
  short_one.signatures.pop_back();
  EXPECT_TRUE(observer.on_certificate(short_one).empty());
  StateCertificate forged = cert;
  forged.claim.state_root = Certifiers::root(1, "forged");
  EXPECT_TRUE(observer.on_certificate(forged).empty());
  StateCertificate other_epoch = cert;
  other_epoch.claim.epoch = 1;
  EXPECT_TRUE(observer.on_certificate(other_epoch).empty());
  EXPECT_EQ(observer.rejected(), 3u);
  EXPECT_EQ(count<CertifiedAction>(observer.on_message(encode_state_message(testing::kChain, cert))), 1u);
  EXPECT_EQ(observer.highest_certified(), 1u);
  // A vote for a height far ahead of anything executed or certified is not kept.
  auto far = c.at[1]->on_executed(1'000, Certifiers::block(1'000), Certifiers::root(1'000), c.set());
  const auto& msg = std::get<StateVoteAction>(far[0]).message;
  EXPECT_TRUE(c.at[2]->on_message(msg).empty());
  EXPECT_TRUE(c.at[2]->on_message(to_bytes("garbage")).empty());
}

TEST(StateCertificate, ANewEpochsCertifierTakesVotesFromItsStartHeightBeforeExecutingAny) {
  Certifiers c;
  // Epoch 0 certifiers of validators 0..2 execute height 501 of an epoch
  // that started at 500; validator 3's certifier, fresh, has executed
  // nothing yet: anchored at 0 it would drop the votes, at 500 it keeps them.
  StateCertifier anchored(testing::kChain, 0, *c.net.validators, *c.net.verifier, nullptr, 99, 500);
  StateCertifier unanchored(testing::kChain, 0, *c.net.validators, *c.net.verifier, nullptr, 99);
  size_t certified = 0;
  for (ValidatorIndex i = 0; i < 3; ++i) {
    for (const auto& a : c.at[i]->on_executed(501, Certifiers::block(501), Certifiers::root(501), c.set())) {
      if (const auto* v = std::get_if<StateVoteAction>(&a)) {
        certified += count<CertifiedAction>(anchored.on_message(v->message));
        EXPECT_TRUE(unanchored.on_message(v->message).empty());
      }
    }
  }
  EXPECT_EQ(certified, 1u);
  EXPECT_EQ(anchored.highest_certified(), 501u);
  EXPECT_EQ(unanchored.highest_certified(), 0u);
}

}  // namespace
}  // namespace hpchain::consensus
