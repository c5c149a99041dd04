// Sends one bad message of each kind to a fresh core and checks that it is
// rejected under exactly its RejectReason, counted once, and answered with
// no network action; then mutates valid messages at random to show that no
// input crashes the core.
#include <gtest/gtest.h>

#include "tests/sim/sim_random.h"
#include "tests/unit/consensus/fixture.h"

namespace hpchain::consensus {
namespace {

using testing::actions_of;
using testing::kChain;
using testing::Network;

class RejectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c2 = net.core(net.validators->leader(2));  // votes of round 1 are for it
    c2->start();
  }
  Bytes bytes(const MessageBody& body, const std::string& chain = kChain) {
    return encode_message(chain, 0, body);
  }
  // Delivers `message` and expects exactly one rejection, for `reason`.
  void expect_rejected(const Bytes& message, RejectReason reason) {
    const uint64_t before = c2->metrics().rejected_total();
    const uint64_t before_reason = count(reason);
    Actions actions = c2->on_message(0, message);
    EXPECT_EQ(count(reason), before_reason + 1) << reject_reason_name(reason);
    EXPECT_EQ(c2->metrics().rejected_total(), before + 1) << reject_reason_name(reason);
    for (const auto& a : actions) {
      EXPECT_FALSE(std::holds_alternative<SendAction>(a) || std::holds_alternative<BroadcastAction>(a))
          << reject_reason_name(reason);
    }
  }
  uint64_t count(RejectReason r) const { return c2->metrics().rejected[static_cast<size_t>(r)]; }
  QuorumCert g() { return net.genesis_qc_of(); }
  // A block with arbitrary fields, proposed (and signed) by `proposer`.
  Proposal custom(BlockFields f, ValidatorIndex proposer, std::string payload = "x") {
    f.proposer = proposer;
    f.payload_hash = sha256(payload);
    auto b = std::make_shared<const Block>(make_block(kChain, f, to_bytes(payload)));
    Proposal p{b, std::nullopt, {}};
    p.signature = net.signers[proposer]->sign(SignDomain::kProposal, proposal_signing_bytes(0, b->id, p.tc));
    return p;
  }

  Network net{4};
  std::unique_ptr<ConsensusCore> c2;
  BlockPtr b1 = net.block(net.genesis, g(), 1);
};

TEST_F(RejectionTest, Malformed) { expect_rejected({0xde, 0xad, 0xbe, 0xef}, RejectReason::kMalformed); }

TEST_F(RejectionTest, WrongChainIdInEnvelopeAndInHeader) {
  expect_rejected(bytes(net.vote(0, b1->id, 1, 1), "other"), RejectReason::kWrongChainId);
  BlockFields f = b1->fields;
  f.payload_hash = sha256("x");
  auto foreign = std::make_shared<const Block>(make_block("other", f, to_bytes("x")));
  Proposal p{foreign, std::nullopt, {}};
  p.signature = net.signers[b1->fields.proposer]->sign(SignDomain::kProposal, proposal_signing_bytes(0, foreign->id, p.tc));
  expect_rejected(bytes(p), RejectReason::kWrongChainId);
}

TEST_F(RejectionTest, UnknownSigner) {
  Vote v = net.vote(0, b1->id, 1, 1);
  v.voter = 9;
  expect_rejected(bytes(v), RejectReason::kUnknownSigner);
}

TEST_F(RejectionTest, BadSignatureOnAVoteAndOnAProposal) {
  Vote v = net.vote(0, b1->id, 1, 1);
  v.voter = 1;  // validator 0's signature claimed as validator 1's
  expect_rejected(bytes(v), RejectReason::kBadSignature);
  Proposal p = net.proposal(b1);
  p.signature.bytes[5] ^= 1;
  expect_rejected(bytes(p), RejectReason::kBadSignature);
}

TEST_F(RejectionTest, DuplicateSignerInAQc) {
  QuorumCert q = net.qc(*b1, {0, 1});
  q.votes.push_back(q.votes[0]);
  expect_rejected(bytes(net.proposal(net.block(b1, q, 2))), RejectReason::kDuplicateSigner);
}

TEST_F(RejectionTest, QcWithoutQuorum) {
  expect_rejected(bytes(net.proposal(net.block(b1, net.qc(*b1, {0, 1}), 2))), RejectReason::kQcNoQuorum);
}

TEST_F(RejectionTest, TcWithoutQuorum) {
  TimeoutCert tc = net.tc(2, {{0, 1}, {1, 1}});
  expect_rejected(bytes(net.proposal(net.block(b1, net.qc(*b1, {0, 1, 3}), 3), tc)),
                  RejectReason::kTcNoQuorum);
}

TEST_F(RejectionTest, TcWhoseHighestQcRoundIsNotBackedByItsQc) {
  // Byzantine validator 3 builds a TC for round 2 from two honest shares and
  // its own, claiming a round-1 QC that does not exist. Accepted, it would be
  // the round's TC and its claim would lock every honest voter out of
  // round 3.
  BlockPtr b3 = net.block(net.genesis, g(), 3);
  expect_rejected(bytes(net.proposal(b3, net.tc(2, {{0, 0}, {1, 0}, {3, 1}}))),
                  RejectReason::kBadCertificate);
  // A QC for the claimed round must be valid too.
  expect_rejected(bytes(net.proposal(b3, net.tc(2, {{0, 0}, {1, 0}, {3, 1}}, net.qc(*b1, {0, 3})))),
                  RejectReason::kQcNoQuorum);
  // The honest TC of the round is then accepted and the block voted for.
  c2->on_message(3, bytes(net.proposal(b3, net.tc(2, {{0, 0}, {1, 0}, {2, 0}}))));
  EXPECT_EQ(c2->current_round(), 3u);
  EXPECT_EQ(c2->metrics().votes_sent, 1u);
}

TEST_F(RejectionTest, AProposalWhoseTcWasSwappedDoesNotVerify) {
  // The leader of round 3 signs its block with the TC it carries; a relay
  // that swaps in another valid TC of round 2 breaks that signature.
  BlockPtr b3 = net.block(net.genesis, g(), 3);
  Proposal relayed = net.proposal(b3, net.tc(2, {{0, 0}, {1, 0}, {2, 0}}));
  relayed.tc = net.tc(2, {{0, 0}, {1, 0}, {3, 0}});
  expect_rejected(bytes(relayed), RejectReason::kBadSignature);
  c2->on_message(3, bytes(net.proposal(b3, net.tc(2, {{0, 0}, {1, 0}, {2, 0}}))));
  EXPECT_EQ(c2->current_round(), 3u);
}

TEST_F(RejectionTest, TimeoutsWhosePartsDisagreeAreBadCertificates) {
  // The share claims a round-1 QC, but the QC it carries is genesis'.
  expect_rejected(bytes(TimeoutMsg{2, g(), net.share(0, 2, 1), std::nullopt}),
                  RejectReason::kBadCertificate);
  // The TC it carries is not older than the timeout's own round.
  expect_rejected(bytes(TimeoutMsg{2, g(), net.share(0, 2, 0), net.tc(2, {{0, 0}, {1, 0}, {3, 0}})}),
                  RejectReason::kBadCertificate);
}

TEST_F(RejectionTest, AFullWaitingBufferIsNotAFarRound) {
  CoreConfig cfg;
  cfg.max_waiting_blocks = 0;
  c2 = net.core(net.validators->leader(2), cfg);
  c2->start();
  BlockPtr b2 = net.block(b1, net.qc(*b1, {0, 1, 3}), 2);
  BlockPtr b3 = net.block(b2, net.qc(*b2, {0, 1, 3}), 3);
  auto fetch = actions_of<FetchBlockAction>(c2->on_message(0, bytes(net.proposal(b3))));
  ASSERT_EQ(fetch.size(), 1u);
  ASSERT_EQ(fetch[0].block_id, b2->id);
  // b2's parent is unknown too, so b2 would wait; the buffer holds none.
  expect_rejected(bytes(BlockResponse{{b2}}), RejectReason::kBufferFull);
  EXPECT_EQ(count(RejectReason::kRoundTooFar), 0u);
}

TEST(BlockTreeTest, ABlockWhoseParentIsUnknownIsNotStale) {
  Network net{4};
  BlockTree tree(net.genesis, net.genesis_qc_of());
  BlockPtr b1 = net.block(net.genesis, net.genesis_qc_of(), 1);
  BlockPtr b2 = net.block(b1, net.qc(*b1, {0, 1, 2}), 2);
  EXPECT_EQ(tree.insert(b2).reason, RejectReason::kUnknownParent);
  EXPECT_TRUE(tree.insert(b1).ok());
  EXPECT_TRUE(tree.insert(b2).ok());
}

TEST_F(RejectionTest, ProposalFromANonLeader) {
  BlockFields f = b1->fields;
  expect_rejected(bytes(custom(f, 3)), RejectReason::kNotLeader);
}

TEST_F(RejectionTest, RoundsTooFarAhead) {
  expect_rejected(bytes(net.vote(0, b1->id, 1000, 1)), RejectReason::kRoundTooFar);
  expect_rejected(bytes(TimeoutMsg{1000, g(), net.share(0, 1000, 0), std::nullopt}),
                  RejectReason::kRoundTooFar);
}

TEST_F(RejectionTest, StaleRounds) {
  // Move to round 3 through a TC for round 2.
  c2->on_message(1, bytes(TimeoutMsg{3, g(), net.share(1, 3, 0), net.tc(2, {{0, 0}, {1, 0}, {3, 0}})}));
  ASSERT_EQ(c2->current_round(), 3u);
  expect_rejected(bytes(net.proposal(b1)), RejectReason::kStaleRound);
  expect_rejected(bytes(TimeoutMsg{1, g(), net.share(0, 1, 0), std::nullopt}), RejectReason::kStaleRound);
}

TEST_F(RejectionTest, BadBlock) {
  auto tampered = std::make_shared<Block>(*b1);
  tampered->payload = to_bytes("not the hashed payload");
  expect_rejected(bytes(net.proposal(tampered)), RejectReason::kBadBlock);
}

TEST_F(RejectionTest, UnjustifiedRound) {
  expect_rejected(bytes(net.proposal(net.block(net.genesis, g(), 2))), RejectReason::kUnjustifiedRound);
}

TEST_F(RejectionTest, EquivocatingProposalVoteAndTimeoutAreDroppedBeforeAnySignatureCheck) {
  c2->on_message(1, bytes(net.proposal(b1)));
  c2->on_message(0, bytes(net.vote(0, b1->id, 1, 1)));
  const Bytes timeout = bytes(TimeoutMsg{1, g(), net.share(3, 1, 0), std::nullopt});
  c2->on_message(3, timeout);
  const uint64_t checks = *net.verifier_calls;
  // Validly signed second messages of a signer already counted this round.
  expect_rejected(bytes(net.proposal(net.block(net.genesis, g(), 1, "other"))), RejectReason::kAlreadyCounted);
  expect_rejected(bytes(net.vote(0, sha256("other"), 1, 1)), RejectReason::kAlreadyCounted);
  TimeoutMsg fresh{1, g(), net.share(3, 1, 0), std::nullopt};
  fresh.share.signature.bytes[5] ^= 1;  // another signature bit pattern: not a repeat
  expect_rejected(bytes(fresh), RejectReason::kAlreadyCounted);
  EXPECT_EQ(*net.verifier_calls, checks);
}

TEST_F(RejectionTest, DuplicateProposalVoteAndTimeout) {
  c2->on_message(1, bytes(net.proposal(b1)));
  expect_rejected(bytes(net.proposal(b1)), RejectReason::kDuplicate);
  c2->on_message(0, bytes(net.vote(0, b1->id, 1, 1)));
  expect_rejected(bytes(net.vote(0, b1->id, 1, 1)), RejectReason::kDuplicate);
  const Bytes t = bytes(TimeoutMsg{1, g(), net.share(3, 1, 0), std::nullopt});
  c2->on_message(3, t);
  expect_rejected(t, RejectReason::kDuplicate);
}

TEST_F(RejectionTest, RepeatsAreRejectedBeforeAnySignatureCheck) {
  const Bytes proposal = bytes(net.proposal(b1));
  const Bytes vote = bytes(net.vote(0, b1->id, 1, 1));
  const Bytes timeout = bytes(TimeoutMsg{1, g(), net.share(3, 1, 0), std::nullopt});
  for (const Bytes* m : {&proposal, &vote, &timeout}) {
    c2->on_message(0, *m);
    const uint64_t checks = *net.verifier_calls;
    expect_rejected(*m, RejectReason::kDuplicate);
    EXPECT_EQ(*net.verifier_calls, checks);
  }
  // A forged vote of a voter not yet counted is verified, and refused.
  Vote forged = net.vote(1, sha256("other"), 1, 1);
  forged.signature.bytes[3] ^= 1;
  expect_rejected(bytes(forged), RejectReason::kBadSignature);
  // It does not pre-empt that voter's genuine vote.
  c2->on_message(1, bytes(net.vote(1, b1->id, 1, 1)));
  expect_rejected(bytes(net.vote(1, b1->id, 1, 1)), RejectReason::kDuplicate);
}

TEST_F(RejectionTest, VoteForAnotherLeader) {
  expect_rejected(bytes(net.vote(0, b1->id, 2, 1)), RejectReason::kNotForUs);
}

TEST_F(RejectionTest, UnsolicitedBlock) {
  expect_rejected(bytes(BlockResponse{{b1}}), RejectReason::kUnsolicitedBlock);
}

TEST_F(RejectionTest, AMessageOfAnotherEpochHasItsOwnReasonAndALaterOneIsReportedOnce) {
  const Bytes later = encode_message(testing::kChain, 4, net.proposal(b1));
  const size_t before = c2->metrics().rejected[static_cast<size_t>(RejectReason::kWrongEpoch)];
  auto actions = c2->on_message(3, later);
  ASSERT_EQ(actions.size(), 1u);
  const auto& ahead = std::get<EpochAheadAction>(actions[0]);
  EXPECT_EQ(ahead.epoch, 4u);
  EXPECT_EQ(ahead.peer, 3u);
  EXPECT_TRUE(c2->on_message(3, later).empty());  // once per epoch
  EXPECT_EQ(c2->metrics().rejected[static_cast<size_t>(RejectReason::kWrongEpoch)], before + 2);
}

TEST_F(RejectionTest, ABlockOfAnotherEpochOrNamingAValidatorSetIsRefused) {
  BlockFields f = b1->fields;
  f.epoch = 1;  // inside an epoch-0 envelope
  expect_rejected(bytes(custom(f, b1->fields.proposer)), RejectReason::kWrongEpoch);
  f = b1->fields;
  f.validator_set_hash = sha256("a set");
  expect_rejected(bytes(custom(f, b1->fields.proposer)), RejectReason::kBadBlock);
}

TEST_F(RejectionTest, SafetyRefusalWhenTheStateCannotBeSaved) {
  net.storages[net.validators->leader(2)].fail = true;
  expect_rejected(bytes(net.proposal(b1)), RejectReason::kSafetyRefused);
  EXPECT_EQ(c2->metrics().votes_sent, 0u);
}

TEST_F(RejectionTest, RandomMutationsNeverCrashAndAreAllCounted) {
  const std::vector<Bytes> valid = {
      bytes(net.proposal(b1)), bytes(net.vote(0, b1->id, 1, 1)),
      bytes(TimeoutMsg{1, g(), net.share(0, 1, 0), std::nullopt}), bytes(BlockRequest{b1->id})};
  sim::Rng rng(7);
  for (int k = 0; k < 3000; ++k) {
    Bytes m = valid[rng.below(valid.size())];
    const uint64_t flips = rng.between(1, 4);
    for (uint64_t i = 0; i < flips && !m.empty(); ++i) m[rng.below(m.size())] ^= static_cast<uint8_t>(rng.next());
    if (rng.chance(20)) m.resize(rng.below(m.size() + 1));
    (void)c2->on_message(static_cast<ValidatorIndex>(rng.below(4)), m);
  }
  EXPECT_GT(c2->metrics().rejected_total(), 2500u);
  EXPECT_LE(c2->current_round(), 1u + 64u);  // bounded by max_future_rounds
}

}  // namespace
}  // namespace hpchain::consensus
