// Drives SafetyRules directly with real secp256k1 signers and an in-memory
// storage, checking every refusal, the replay of a repeated vote, and that
// the state is saved before any signature is returned.
#include <gtest/gtest.h>

#include "tests/unit/consensus/fixture.h"

namespace hpchain::consensus {
namespace {

using testing::MemoryStorage;
using testing::Network;

class SafetyRulesTest : public ::testing::Test {
 protected:
  Network net{4};
  MemoryStorage& storage = net.storages[1];
  SafetyRules rules() { return *SafetyRules::open(storage, *net.signers[1], 1, 0); }
  BlockPtr b1 = net.block(net.genesis, net.genesis_qc_of(), 1);
};

TEST_F(SafetyRulesTest, VotesForABlockThatFollowsItsQcAndSavesFirst) {
  auto r = rules();
  auto vote = r.sign_vote(*b1, std::nullopt);
  ASSERT_TRUE(vote.is_ok()) << vote.status().to_string();
  EXPECT_EQ(vote->block_id, b1->id);
  EXPECT_EQ(storage.saves, 1);
  EXPECT_EQ(storage.state.last_voted_round, 1u);
  EXPECT_EQ(storage.state.last_vote, *vote);
  EXPECT_TRUE(net.verifier->verify(1, SignDomain::kVote, vote_signing_bytes(0, b1->id, 1, 1), vote->signature).is_ok());
}

TEST_F(SafetyRulesTest, RepeatedRequestInARoundReturnsTheSameVoteEvenForAnotherBlock) {
  auto r = rules();
  const Vote first = *r.sign_vote(*b1, std::nullopt);
  BlockPtr other = net.block(net.genesis, net.genesis_qc_of(), 1, "other");
  auto again = r.sign_vote(*other, std::nullopt);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, first);
}

TEST_F(SafetyRulesTest, RestartedWithItsStateNeverSignsTwiceInARound) {
  { auto r = rules(); ASSERT_TRUE(r.sign_vote(*b1, std::nullopt).is_ok()); }
  auto restarted = rules();
  BlockPtr other = net.block(net.genesis, net.genesis_qc_of(), 1, "other");
  EXPECT_EQ(restarted.sign_vote(*other, std::nullopt)->block_id, b1->id);
}

TEST_F(SafetyRulesTest, RefusesARoundNotAfterTheLastVotedRound) {
  auto r = rules();
  const QuorumCert q1 = net.qc(*b1, {0, 1, 2});
  BlockPtr b2 = net.block(b1, q1, 2);
  ASSERT_TRUE(r.sign_vote(*b2, std::nullopt).is_ok());
  auto old = r.sign_vote(*b1, std::nullopt);
  ASSERT_FALSE(old.is_ok());
  EXPECT_NE(old.status().message().find("not after last voted round"), std::string::npos);
}

TEST_F(SafetyRulesTest, RefusesABlockThatFollowsNeitherItsQcNorATc) {
  auto r = rules();
  BlockPtr b3 = net.block(net.genesis, net.genesis_qc_of(), 3);
  auto v = r.sign_vote(*b3, std::nullopt);
  ASSERT_FALSE(v.is_ok());
  EXPECT_NE(v.status().message().find("not safe to vote"), std::string::npos);
}

TEST_F(SafetyRulesTest, AfterATcVotesOnlyForABlockReachingTheTcsHighestQc) {
  auto r = rules();
  const QuorumCert q1 = net.qc(*b1, {0, 1, 2});
  // TC for round 2 in which one share reports a QC of round 1.
  const TimeoutCert tc2 = net.tc(2, {{0, 1}, {2, 0}, {3, 0}});
  BlockPtr low = net.block(net.genesis, net.genesis_qc_of(), 3, "low");
  EXPECT_FALSE(r.sign_vote(*low, tc2).is_ok());
  BlockPtr high = net.block(b1, q1, 3, "high");
  EXPECT_TRUE(r.sign_vote(*high, tc2).is_ok());
}

TEST_F(SafetyRulesTest, TimeoutRulesAndStateUpdate) {
  auto r = rules();
  const QuorumCert g = net.genesis_qc_of();
  auto share = r.sign_timeout(1, g, std::nullopt);
  ASSERT_TRUE(share.is_ok());
  EXPECT_EQ(storage.state.highest_timeout_round, 1u);
  EXPECT_EQ(storage.state.last_voted_round, 1u);
  // No vote may follow a timeout in the same round.
  EXPECT_FALSE(r.sign_vote(*b1, std::nullopt).is_ok());
  // Re-signing the same round is allowed (retransmission) and identical.
  EXPECT_EQ(r.sign_timeout(1, g, std::nullopt)->signature, share->signature);
  // Round 3 with a QC of round 0 and no TC for round 2 is not justified.
  auto unjustified = r.sign_timeout(3, g, std::nullopt);
  ASSERT_FALSE(unjustified.is_ok());
  EXPECT_NE(unjustified.status().message().find("not safe to timeout"), std::string::npos);
  // Round 3 after a TC for round 2 is.
  EXPECT_TRUE(r.sign_timeout(3, g, net.tc(2, {{0, 0}, {2, 0}, {3, 0}})).is_ok());
  auto before = r.sign_timeout(2, g, net.tc(1, {{0, 0}, {2, 0}, {3, 0}}));
  ASSERT_FALSE(before.is_ok());
  EXPECT_NE(before.status().message().find("before last voted round"), std::string::npos);
}

TEST_F(SafetyRulesTest, SavesTheCertificatesThatJustifyItsRounds) {
  // A restart resumes from the saved certificates, so each round we vote or
  // time out in must follow one of them.
  auto r = rules();
  const QuorumCert q1 = net.qc(*b1, {0, 1, 2});
  ASSERT_TRUE(r.sign_timeout(2, q1, std::nullopt).is_ok());
  EXPECT_EQ(storage.state.one_chain_qc, q1);
  EXPECT_EQ(storage.state.one_chain_round, 1u);
  const TimeoutCert t2 = net.tc(2, {{0, 1}, {2, 1}, {3, 1}}, q1);
  ASSERT_TRUE(r.sign_vote(*net.block(b1, q1, 3), t2).is_ok());
  EXPECT_EQ(storage.state.highest_tc, t2);
}

TEST_F(SafetyRulesTest, RefusesToTimeoutWithAQcBelowTheLock) {
  auto r = rules();
  const QuorumCert q1 = net.qc(*b1, {0, 1, 2});
  ASSERT_TRUE(r.sign_vote(*net.block(b1, q1, 2), std::nullopt).is_ok());  // locks round 1
  auto t = r.sign_timeout(3, net.genesis_qc_of(), net.tc(2, {{0, 0}, {2, 0}, {3, 0}}));
  ASSERT_FALSE(t.is_ok());
  EXPECT_NE(t.status().message().find("not safe to timeout"), std::string::npos);
}

TEST_F(SafetyRulesTest, ALeaderRestartedInItsRoundCannotSignASecondProposal) {
  const ValidatorIndex l = net.validators->leader(1);
  {
    SafetyRules leader = *SafetyRules::open(net.storages[l], *net.signers[l], l, 0);
    ASSERT_TRUE(leader.sign_proposal(*b1, std::nullopt).is_ok());
  }  // crashes before voting for its own block
  SafetyRules restarted = *SafetyRules::open(net.storages[l], *net.signers[l], l, 0);
  EXPECT_EQ(restarted.state().last_proposed_round, 1u);
  BlockPtr other = net.block(net.genesis, net.genesis_qc_of(), 1, "another payload");
  auto second = restarted.sign_proposal(*other, std::nullopt);
  ASSERT_FALSE(second.is_ok());
  EXPECT_NE(second.status().message().find("already proposed in round 1"), std::string::npos);
}

TEST_F(SafetyRulesTest, RefusesAProposalForARoundAlreadyVotedIn) {
  const ValidatorIndex l = net.validators->leader(1);
  SafetyRules leader = *SafetyRules::open(net.storages[l], *net.signers[l], l, 0);
  EXPECT_TRUE(leader.sign_proposal(*b1, std::nullopt).is_ok());
  ASSERT_TRUE(leader.sign_vote(*b1, std::nullopt).is_ok());
  auto again = leader.sign_proposal(*b1, std::nullopt);
  ASSERT_FALSE(again.is_ok());
  EXPECT_NE(again.status().message().find("already voted"), std::string::npos);
}

TEST_F(SafetyRulesTest, AFailedSaveSignsNothingAndKeepsTheState) {
  auto r = rules();
  storage.fail = true;
  auto v = r.sign_vote(*b1, std::nullopt);
  ASSERT_FALSE(v.is_ok());
  EXPECT_EQ(v.status().code(), StatusCode::kIoError);
  EXPECT_EQ(r.state().last_voted_round, 0u);
  EXPECT_FALSE(r.sign_timeout(1, net.genesis_qc_of(), std::nullopt).is_ok());
}

TEST_F(SafetyRulesTest, RoundsRestartInANewEpochAndAnOlderEpochIsRefused) {
  { auto r = rules(); ASSERT_TRUE(r.sign_vote(*b1, std::nullopt).is_ok()); }
  EXPECT_EQ(storage.state.last_voted_round, 1u);
  // Epoch 1: round 1 again, signed in epoch 1's bytes.
  net.epoch = 1;
  const Block start = epoch_start_block(testing::kChain, 1, b1->id, 2, net.validators->digest());
  BlockPtr e1 = net.block(std::make_shared<const Block>(start), genesis_qc(start), 1);
  auto in_new = *SafetyRules::open(storage, *net.signers[1], 1, 1);
  EXPECT_EQ(in_new.state().last_voted_round, 0u);
  auto vote = in_new.sign_vote(*e1, std::nullopt);
  ASSERT_TRUE(vote.is_ok()) << vote.status().to_string();
  EXPECT_EQ(storage.state.epoch, 1u);
  EXPECT_TRUE(net.verifier->verify(1, SignDomain::kVote, vote_signing_bytes(1, e1->id, 1, 3), vote->signature).is_ok());
  EXPECT_FALSE(net.verifier->verify(1, SignDomain::kVote, vote_signing_bytes(0, e1->id, 1, 3), vote->signature).is_ok());
  // A core of epoch 0 restarted now must not sign with this state.
  auto old = SafetyRules::open(storage, *net.signers[1], 1, 0);
  ASSERT_FALSE(old.is_ok());
  EXPECT_EQ(old.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SafetyRulesTest, StateRecordRoundTripsAndCorruptionIsReported) {
  SafetyState s{2, 7, 5, 6, net.vote(1, b1->id, 7, 1), net.qc(*b1, {0, 1, 2}),
                net.tc(6, {{0, 1}, {2, 1}, {3, 0}})};
  EXPECT_EQ(*decode_safety_state(encode_safety_state(s)), s);
  const Bytes junk = {0xff, 0xff, 0xff};
  EXPECT_EQ(decode_safety_state(junk).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hpchain::consensus
