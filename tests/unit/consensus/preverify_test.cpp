// Signatures pre-verified on other threads (consensus/preverify.h): the
// core, given a CachingVerifier, makes no signature check of its own for
// them and reaches exactly the state it reaches alone; a bad signature is
// not recorded and is still refused.
#include <gtest/gtest.h>

#include <thread>

#include "consensus/preverify.h"
#include "tests/unit/consensus/fixture.h"

namespace hpchain::consensus {
namespace {

using testing::Network;

CoreConfig config_for(ValidatorIndex self) {
  CoreConfig cfg;
  cfg.chain_id = testing::kChain;
  cfg.self = self;
  return cfg;
}

class PreverifyTest : public ::testing::Test {
 protected:
  Bytes bytes(const MessageBody& body) { return encode_message(testing::kChain, 0, body); }
  Network net{4};
};

TEST_F(PreverifyTest, ThePoolChecksEverySignatureAndTheCoreNone) {
  // The core under test leads round 2; the others sign everything.
  const ValidatorIndex me = net.validators->leader(2);
  std::vector<ValidatorIndex> others;
  for (ValidatorIndex v = 0; v < 4; ++v) {
    if (v != me) others.push_back(v);
  }
  BlockPtr b1 = net.block(net.genesis, net.genesis_qc_of(), 1);
  const QuorumCert q1 = net.qc(*b1, others);
  const TimeoutCert t2 = net.tc(2, {{others[0], 1}, {others[1], 1}, {others[2], 1}}, q1);
  BlockPtr b3 = net.block(b1, q1, 3);
  const std::vector<Bytes> messages = {bytes(net.proposal(b1)), bytes(net.proposal(b3, t2)),
                                       bytes(TimeoutMsg{2, q1, net.share(others[2], 2, 1), std::nullopt})};
  // Four pool threads pre-verify all messages at once.
  PreverifiedSignatures known;
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t) {
    pool.emplace_back([&] {
      for (const Bytes& m : messages) preverify(*decode_message(m), *net.verifier, known);
    });
  }
  for (auto& thread : pool) thread.join();
  // b1: 1 proposal signature; b3: proposal, 3 QC votes, 3 TC shares (its
  // QC's votes are q1's); the timeout's share is one of t2's.
  EXPECT_EQ(known.size(), 1u + 1u + 3u + 3u);

  const CachingVerifier caching(*net.verifier, known);
  auto fast = std::move(ConsensusCore::create(
      config_for(me), CoreDeps{net.validators.get(), net.signers[me].get(), &caching,
                                                &net.storages[me], nullptr})).value();
  Network reference_net{4};
  auto alone = reference_net.core(me);
  fast->start();
  alone->start();
  const uint64_t checks = *net.verifier_calls;
  for (const Bytes& m : messages) {
    fast->on_message(1, m);
    alone->on_message(1, m);
  }
  // The core checked only its own votes that stay local (never passing
  // through the pool): for b1, as it leads round 2, and for b3 if it leads
  // round 4 too.
  EXPECT_EQ(*net.verifier_calls, checks + 1 + (net.validators->leader(4) == me ? 1 : 0));
  EXPECT_EQ(fast->current_round(), alone->current_round());
  EXPECT_EQ(fast->high_qc(), alone->high_qc());
  EXPECT_EQ(fast->metrics().votes_sent, alone->metrics().votes_sent);
  EXPECT_EQ(fast->metrics().rejected_total(), alone->metrics().rejected_total());
}

TEST_F(PreverifyTest, ABadSignatureIsNotRecordedAndStillRefused) {
  BlockPtr b1 = net.block(net.genesis, net.genesis_qc_of(), 1);
  Proposal forged = net.proposal(b1);
  forged.signature.bytes[7] ^= 1;
  const Bytes message = bytes(forged);
  PreverifiedSignatures known;
  EXPECT_EQ(preverify(*decode_message(message), *net.verifier, known), 0u);
  EXPECT_EQ(known.size(), 0u);
  const CachingVerifier caching(*net.verifier, known);
  auto core = std::move(ConsensusCore::create(
      config_for(2), CoreDeps{net.validators.get(), net.signers[2].get(), &caching,
                                               &net.storages[2], nullptr})).value();
  core->start();
  core->on_message(1, message);
  EXPECT_EQ(core->metrics().rejected[static_cast<size_t>(RejectReason::kBadSignature)], 1u);
}

TEST_F(PreverifyTest, TheRecordIsBoundedOldestFirstOut) {
  PreverifiedSignatures known(2);
  Signature s{};
  for (uint8_t i = 0; i < 3; ++i) {
    s.bytes[0] = i;
    known.record(0, SignDomain::kVote, {}, s);
  }
  EXPECT_EQ(known.size(), 2u);
  s.bytes[0] = 0;
  EXPECT_FALSE(known.contains(0, SignDomain::kVote, {}, s));
  s.bytes[0] = 2;
  EXPECT_TRUE(known.contains(0, SignDomain::kVote, {}, s));
}

}  // namespace
}  // namespace hpchain::consensus
