// Drives single ConsensusCore instances with hand-built, really signed
// (secp256k1) messages and checks the actions they return: QC formation,
// the 2-chain commit rule, TC formation, back-off, fetching and sync.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "tests/unit/consensus/fixture.h"

namespace hpchain::consensus {
namespace {

using testing::actions_of;
using testing::kChain;
using testing::Network;

class CoreTest : public ::testing::Test {
 protected:
  Network net{4};  // equal power: each cycle of 4 rounds has each validator lead once
  ValidatorIndex leader(uint64_t round) const { return net.validators->leader(round); }
  // A validator that is none of `busy`.
  ValidatorIndex other_than(std::initializer_list<ValidatorIndex> busy) const {
    for (ValidatorIndex v = 0;; ++v) {
      if (std::find(busy.begin(), busy.end(), v) == busy.end()) return v;
    }
  }
  Bytes bytes(const MessageBody& body) { return encode_message(kChain, 0, body); }
  QuorumCert g() { return net.genesis_qc_of(); }
};

TEST_F(CoreTest, VotesGoToTheNextLeaderWhichFormsAQcAndProposes) {
  const ValidatorIndex l2 = leader(2);
  auto c2 = net.core(l2);
  auto start = c2->start();
  ASSERT_EQ(actions_of<TimerAction>(start).size(), 1u);
  EXPECT_EQ(actions_of<TimerAction>(start)[0].round, 1u);
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  // Our own vote for b1 stays local: we lead round 2.
  EXPECT_TRUE(actions_of<SendAction>(c2->on_message(leader(1), bytes(net.proposal(b1)))).empty());
  const ValidatorIndex v1 = other_than({l2});
  const ValidatorIndex v2 = other_than({l2, v1});
  c2->on_message(v1, bytes(net.vote(v1, b1->id, 1, 1)));
  EXPECT_EQ(c2->metrics().qcs_formed, 0u);
  auto after = c2->on_message(v2, bytes(net.vote(v2, b1->id, 1, 1)));
  EXPECT_EQ(c2->metrics().qcs_formed, 1u);
  EXPECT_EQ(c2->current_round(), 2u);
  EXPECT_EQ(c2->high_qc().block_id, b1->id);
  const auto requests = actions_of<PayloadRequestAction>(after);
  ASSERT_EQ(requests.size(), 1u);
  // The request names the parent, the uncommitted ancestors (b1 only: the
  // root is genesis) and the byte limit.
  EXPECT_EQ(requests[0].parent_id, b1->id);
  ASSERT_EQ(requests[0].uncommitted_ancestors.size(), 1u);
  EXPECT_EQ(requests[0].uncommitted_ancestors[0]->id, b1->id);
  EXPECT_EQ(requests[0].max_payload_bytes, CoreConfig{}.max_payload_bytes);
  // A payload over the limit is refused and proposes nothing.
  const Bytes oversized(requests[0].max_payload_bytes + 1, 0x55);
  EXPECT_TRUE(c2->on_payload_ready(2, oversized, 123).empty());
  EXPECT_EQ(c2->metrics().rejected[static_cast<size_t>(RejectReason::kPayloadTooLarge)], 1u);
  auto proposed = c2->on_payload_ready(2, to_bytes("payload"), 123);
  auto broadcasts = actions_of<BroadcastAction>(proposed);
  ASSERT_EQ(broadcasts.size(), 1u);
  const Message decoded = testing::decode(broadcasts[0].message);
  const auto& p = std::get<Proposal>(decoded.body);
  EXPECT_EQ(p.block->parent_qc().block_id, b1->id);
  EXPECT_EQ(p.block->parent_qc().votes.size(), 3u);
  EXPECT_EQ(p.block->round(), 2u);
  // And the leader votes for its own block, sending the vote to the leader
  // of round 3 (or counting it itself if it leads round 3 too).
  auto sends = actions_of<SendAction>(proposed);
  ASSERT_EQ(sends.size(), leader(3) == l2 ? 0u : 1u);
  if (!sends.empty()) {
    EXPECT_EQ(sends[0].to, leader(3));
  }
}

TEST_F(CoreTest, PayloadsAreValidatedByTheHostBeforeTheVote) {
  CoreConfig cfg;
  cfg.validate_payloads = true;
  const ValidatorIndex me = other_than({leader(2), leader(1)});
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  auto c = net.core(me, cfg);
  c->start();
  auto asked = c->on_message(leader(1), bytes(net.proposal(b1)));
  ASSERT_EQ(actions_of<ValidatePayloadAction>(asked).size(), 1u);
  EXPECT_EQ(actions_of<ValidatePayloadAction>(asked)[0].block->id, b1->id);
  EXPECT_TRUE(actions_of<SendAction>(asked).empty());  // no vote before the verdict
  auto voted = actions_of<SendAction>(c->on_payload_validated(b1->id, true));
  ASSERT_EQ(voted.size(), 1u);
  EXPECT_EQ(voted[0].to, leader(2));
  EXPECT_TRUE(c->on_payload_validated(b1->id, true).empty());  // answered already

  // An invalid payload gets no vote and signs nothing.
  Network other_net{4};
  auto refusing = other_net.core(me, cfg);
  refusing->start();
  refusing->on_message(leader(1), bytes(other_net.proposal(other_net.block(other_net.genesis, g(), 1))));
  const Hash32 id = other_net.block(other_net.genesis, g(), 1)->id;
  EXPECT_TRUE(actions_of<SendAction>(refusing->on_payload_validated(id, false)).empty());
  EXPECT_EQ(refusing->metrics().rejected[static_cast<size_t>(RejectReason::kBadPayload)], 1u);
  EXPECT_EQ(refusing->safety_state().last_voted_round, 0u);

  // A verdict that arrives after the round passed gets no vote either.
  Network late_net{4};  // the same keys, so the same blocks; fresh safety state
  auto late = late_net.core(me, cfg);
  late->start();
  late->on_message(leader(1), bytes(net.proposal(b1)));
  BlockPtr b2 = net.block(b1, net.qc(*b1, {0, 1, 2, 3}), 2);
  late->on_message(leader(2), bytes(net.proposal(b2)));
  ASSERT_EQ(late->current_round(), 2u);
  EXPECT_TRUE(actions_of<SendAction>(late->on_payload_validated(b1->id, true)).empty());
  EXPECT_EQ(late->metrics().votes_sent, 0u);
}

TEST_F(CoreTest, AnObserverFollowsVerifiesAndCommitsButSignsNothing) {
  CoreConfig cfg;
  cfg.chain_id = testing::kChain;
  cfg.self = kObserver;
  auto observer = std::move(ConsensusCore::create(
      cfg, CoreDeps{net.validators.get(), nullptr, net.verifier.get(), nullptr, nullptr})).value();
  EXPECT_TRUE(observer->is_observer());
  Actions all = observer->start();
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  BlockPtr b2 = net.block(b1, net.qc(*b1, {0, 1, 2}), 2);
  BlockPtr b3 = net.block(b2, net.qc(*b2, {0, 1, 2}), 3);
  for (const BlockPtr& b : {b1, b2, b3}) {
    Actions a = observer->on_message(b->fields.proposer, bytes(net.proposal(b)));
    all.insert(all.end(), a.begin(), a.end());
  }
  // A forged proposal is refused like anywhere else.
  Proposal forged = net.proposal(net.block(b3, net.qc(*b3, {0, 1, 2}), 4));
  forged.signature.bytes[4] ^= 1;
  observer->on_message(0, bytes(forged));
  EXPECT_EQ(observer->metrics().rejected[static_cast<size_t>(RejectReason::kBadSignature)], 1u);
  // Its round timer fires: still nothing to sign or send.
  Actions timer = observer->on_timer(observer->current_round());
  all.insert(all.end(), timer.begin(), timer.end());
  const auto commits = actions_of<CommitAction>(all);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].committed.block->id, b1->id);
  EXPECT_EQ(observer->current_round(), 3u);
  EXPECT_TRUE(actions_of<SendAction>(all).empty());
  EXPECT_TRUE(actions_of<BroadcastAction>(all).empty());
  EXPECT_TRUE(actions_of<PayloadRequestAction>(all).empty());
  EXPECT_EQ(observer->metrics().votes_sent + observer->metrics().timeouts_sent +
                observer->metrics().proposals_sent, 0u);
}

TEST_F(CoreTest, ACoreFarBehindAsksTheHostToSyncOncePerTarget) {
  auto c0 = net.core(0);
  c0->start();
  // A certified block 1,999 heights up, which we do not hold.
  BlockFields far;
  far.height = 1999;
  far.round = 4;
  far.parent_id = sha256("unknown ancestor");
  far.parent_qc = g();
  far.payload_hash = sha256("p");
  far.proposer = net.validators->leader(4);
  auto x = std::make_shared<const Block>(make_block(testing::kChain, far, to_bytes("p")));
  BlockPtr b5 = net.block(x, net.qc(*x, {1, 2, 3}), 5);
  auto actions = c0->on_message(1, bytes(net.proposal(b5)));
  const auto syncs = actions_of<SyncRequestAction>(actions);
  ASSERT_EQ(syncs.size(), 1u);
  EXPECT_EQ(syncs[0].block_id, x->id);
  EXPECT_EQ(syncs[0].height, 1999u);
  EXPECT_EQ(syncs[0].peer, 1u);
  // A block fetch is still tried, and the same target is not asked again.
  EXPECT_EQ(actions_of<FetchBlockAction>(actions).size(), 1u);
  EXPECT_TRUE(actions_of<SyncRequestAction>(c0->on_timer(c0->current_round())).empty());
  // A block within reach is fetched without a sync request.
  auto c1 = net.core(1);
  c1->start();
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  BlockPtr b2 = net.block(b1, net.qc(*b1, {0, 2, 3}), 2);
  auto near = c1->on_message(2, bytes(net.proposal(b2)));
  EXPECT_TRUE(actions_of<SyncRequestAction>(near).empty());
  EXPECT_EQ(actions_of<FetchBlockAction>(near).size(), 1u);
}

TEST_F(CoreTest, TwoChainCommitNeedsConsecutiveRounds) {
  auto c0 = net.core(0);
  c0->start();
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  QuorumCert q1 = net.qc(*b1, {0, 1, 2});
  // b2 follows a TC for round 2, in round 3: b1 <- b2 are not consecutive.
  TimeoutCert t2 = net.tc(2, {{1, 1}, {2, 1}, {3, 1}}, q1);
  BlockPtr b2 = net.block(b1, q1, 3);
  QuorumCert q2 = net.qc(*b2, {0, 1, 2});
  BlockPtr b3 = net.block(b2, q2, 4);
  QuorumCert q3 = net.qc(*b3, {0, 1, 2});
  BlockPtr b4 = net.block(b3, q3, 5);
  c0->on_message(1, bytes(net.proposal(b1)));
  c0->on_message(3, bytes(net.proposal(b2, t2)));
  // q2 certifies b2 (round 3) whose parent b1 has round 1: no commit.
  auto a3 = c0->on_message(0, bytes(net.proposal(b3)));
  EXPECT_TRUE(actions_of<CommitAction>(a3).empty());
  // q3 certifies b3 (round 4) whose parent b2 has round 3: b1 and b2 commit.
  auto a4 = c0->on_message(1, bytes(net.proposal(b4)));
  auto commits = actions_of<CommitAction>(a4);
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[0].committed.block->id, b1->id);
  EXPECT_EQ(commits[0].committed.qc, q1);
  EXPECT_EQ(commits[1].committed.block->id, b2->id);
  EXPECT_EQ(commits[1].committed.qc, q2);
  EXPECT_FALSE(commits[0].committed.proof.has_value());
  ASSERT_TRUE(commits[1].committed.proof.has_value());
  EXPECT_EQ(commits[1].committed.proof->child->id, b3->id);
  EXPECT_EQ(commits[1].committed.proof->child_qc, q3);
  EXPECT_EQ(c0->committed_root().id, b2->id);
  EXPECT_EQ(c0->metrics().blocks_committed, 2u);
}

TEST_F(CoreTest, TimeoutsFromMoreThanAThirdAreJoinedAndATcAdvancesTheRound) {
  auto c3 = net.core(3);
  c3->start();
  auto share_msg = [&](ValidatorIndex i) {
    return bytes(TimeoutMsg{1, g(), net.share(i, 1, 0), std::nullopt});
  };
  EXPECT_TRUE(actions_of<BroadcastAction>(c3->on_message(0, share_msg(0))).empty());
  // The second share is more than 1/3 of the power: validator 3 joins, and
  // its own share completes the TC.
  auto joined = c3->on_message(1, share_msg(1));
  EXPECT_EQ(actions_of<BroadcastAction>(joined).size(), 1u);
  EXPECT_EQ(c3->metrics().tcs_formed, 1u);
  EXPECT_EQ(c3->current_round(), 2u);
  auto timers = actions_of<TimerAction>(joined);
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].delay_ms, 2000u);  // one round without a QC doubles the timeout
}

TEST_F(CoreTest, TimerFiringBroadcastsTheSameTimeoutAndStaleTimersAreIgnored) {
  auto c0 = net.core(0);
  c0->start();
  auto first = actions_of<BroadcastAction>(c0->on_timer(1));
  auto again = actions_of<BroadcastAction>(c0->on_timer(1));
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(first[0].message, again[0].message);
  EXPECT_EQ(c0->metrics().timeouts_sent, 1u);
  EXPECT_TRUE(c0->on_timer(7).empty());
}

TEST_F(CoreTest, BackOffDoublesPerRoundWithoutQcUpToTheCap) {
  auto c0 = net.core(0);
  c0->start();
  for (uint64_t r = 1; r <= 6; ++r) {
    TimeoutCert tc = net.tc(r, {{1, 0}, {2, 0}, {3, 0}});
    auto a = c0->on_message(1, bytes(TimeoutMsg{r + 1, g(), net.share(1, r + 1, 0), tc}));
    auto timers = actions_of<TimerAction>(a);
    ASSERT_EQ(timers.size(), 1u) << r;
    EXPECT_EQ(timers[0].delay_ms, 1000u << std::min<uint64_t>(r, 3));
  }
}

TEST_F(CoreTest, MissingParentIsFetchedThenVotedOn) {
  const ValidatorIndex me = other_than({leader(3)});  // our vote leaves
  auto c0 = net.core(me);
  c0->start();
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  BlockPtr b2 = net.block(b1, net.qc(*b1, {1, 2, 3}), 2);
  const ValidatorIndex from = other_than({me});
  auto a = c0->on_message(from, bytes(net.proposal(b2)));
  auto fetches = actions_of<FetchBlockAction>(a);
  ASSERT_EQ(fetches.size(), 1u);
  EXPECT_EQ(fetches[0].block_id, b1->id);
  EXPECT_EQ(fetches[0].peer, from);
  auto served = actions_of<SendAction>(c0->on_message(from, bytes(BlockResponse{{b1}})));
  ASSERT_EQ(served.size(), 1u);  // the vote for b2, to the leader of round 3
  EXPECT_EQ(served[0].to, leader(3));
  EXPECT_EQ(std::get<Vote>(testing::decode(served[0].message).body).block_id, b2->id);
}

TEST_F(CoreTest, FetchesNobodyServesExpireAndFreeTheirSlot) {
  CoreConfig cfg;
  cfg.max_outstanding_fetches = 1;
  auto c0 = net.core(0, cfg);
  c0->start();
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  BlockPtr b2 = net.block(b1, net.qc(*b1, {1, 2, 3}), 2);
  ASSERT_EQ(actions_of<FetchBlockAction>(c0->on_message(2, bytes(net.proposal(b2)))).size(), 1u);
  // Nobody answers: each timer asks the next peer, until every peer was
  // asked twice (8 attempts in a set of 4).
  size_t retries = 0;
  for (int k = 0; k < 10; ++k) retries += actions_of<FetchBlockAction>(c0->on_timer(2)).size();
  EXPECT_EQ(retries, 7u);
  // The slot is free again for another block.
  BlockPtr other = net.block(net.genesis, g(), 1, "other");
  auto a = c0->on_message(3, bytes(TimeoutMsg{2, net.qc(*other, {1, 2, 3}), net.share(3, 2, 1), std::nullopt}));
  ASSERT_EQ(actions_of<FetchBlockAction>(a).size(), 1u);
  EXPECT_EQ(actions_of<FetchBlockAction>(a)[0].block_id, other->id);
}

TEST_F(CoreTest, AFetchEndsWhenTheCommittedRootPassesItsHeight) {
  auto c0 = net.core(0);
  c0->start();
  // A timeout names a certified round-1 block on a branch that never commits.
  BlockPtr fork = net.block(net.genesis, g(), 1, "fork");
  auto named = c0->on_message(2, bytes(TimeoutMsg{2, net.qc(*fork, {1, 2, 3}), net.share(2, 2, 1), std::nullopt}));
  ASSERT_EQ(actions_of<FetchBlockAction>(named).size(), 1u);
  // Height 1 commits on another branch (b2 after a TC for round 1).
  BlockPtr b2 = net.block(net.genesis, g(), 2);
  BlockPtr b3 = net.block(b2, net.qc(*b2, {1, 2, 3}), 3);
  BlockPtr b4 = net.block(b3, net.qc(*b3, {1, 2, 3}), 4);
  c0->on_message(2, bytes(net.proposal(b2, net.tc(1, {{1, 0}, {2, 0}, {3, 0}}))));
  c0->on_message(3, bytes(net.proposal(b3)));
  c0->on_message(1, bytes(net.proposal(b4)));
  ASSERT_EQ(c0->committed_root().id, b2->id);
  // The fork's block can no longer matter: it is not asked for again.
  EXPECT_TRUE(actions_of<FetchBlockAction>(c0->on_timer(c0->current_round())).empty());
}

TEST_F(CoreTest, ServesBlocksItHolds) {
  auto c0 = net.core(0);
  c0->start();
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  c0->on_message(1, bytes(net.proposal(b1)));
  auto sends = actions_of<SendAction>(c0->on_message(3, bytes(BlockRequest{b1->id})));
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(std::get<BlockResponse>(testing::decode(sends[0].message).body).blocks[0]->id, b1->id);
  EXPECT_TRUE(c0->on_message(3, bytes(BlockRequest{sha256("unknown")})).empty());
}

class MapReader final : public CommittedBlockReader {
 public:
  BlockPtr find(const Hash32& id) const override {
    auto it = blocks.find(id);
    return it == blocks.end() ? nullptr : it->second;
  }
  std::map<Hash32, BlockPtr> blocks;
};

TEST_F(CoreTest, AFetchReturnsTheBlockAndItsAncestorsInOneResponse) {
  const std::vector<BlockPtr> chain = net.chain(7, {0, 1, 2});
  // The server holds b1..b6: committed ones in the host's store, the rest
  // in its tree.
  MapReader store;
  CoreConfig cfg;
  cfg.chain_id = kChain;
  cfg.self = 3;
  auto server = std::move(ConsensusCore::create(cfg, CoreDeps{net.validators.get(), net.signers[3].get(),
                                                              net.verifier.get(), &net.storages[3], &store}))
                    .value();
  server->start();
  for (size_t h = 1; h <= 6; ++h) {
    for (const auto& c : actions_of<CommitAction>(server->on_message(0, bytes(net.proposal(chain[h]))))) {
      store.blocks[c.committed.block->id] = c.committed.block;
    }
  }
  // A fresh validator sees b7 and asks for b6 and its 5 missing ancestors.
  auto client = net.core(0);
  client->start();
  auto fetches = actions_of<FetchBlockAction>(client->on_message(3, bytes(net.proposal(chain[7]))));
  ASSERT_EQ(fetches.size(), 1u);
  EXPECT_EQ(std::get<BlockRequest>(testing::decode(fetches[0].message).body).max_blocks, 6u);
  auto served = actions_of<SendAction>(server->on_message(0, fetches[0].message));
  ASSERT_EQ(served.size(), 1u);
  const Message decoded = testing::decode(served[0].message);
  const auto& response = std::get<BlockResponse>(decoded.body);
  ASSERT_EQ(response.blocks.size(), 6u);
  EXPECT_EQ(response.blocks[0]->id, chain[6]->id);
  EXPECT_EQ(response.blocks[5]->id, chain[1]->id);
  // One response links all six, commits b1..b5 and lets the client vote b7.
  auto after = client->on_message(3, served[0].message);
  EXPECT_EQ(actions_of<CommitAction>(after).size(), 5u);
  EXPECT_EQ(client->committed_root().id, chain[5]->id);
  EXPECT_EQ(client->metrics().votes_sent, 1u);
}

TEST_F(CoreTest, AResponseWhoseBlocksAreNotAChainIsRefused) {
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  BlockPtr b2 = net.block(b1, net.qc(*b1, {1, 2, 3}), 2);
  BlockPtr b3 = net.block(b2, net.qc(*b2, {1, 2, 3}), 3);
  auto c0 = net.core(0);
  c0->start();
  ASSERT_EQ(actions_of<FetchBlockAction>(c0->on_message(2, bytes(net.proposal(b3)))).size(), 1u);
  BlockPtr stranger = net.block(net.genesis, g(), 1, "not b2's parent");
  c0->on_message(2, bytes(BlockResponse{{b2, stranger}}));
  EXPECT_EQ(c0->metrics().rejected[static_cast<size_t>(RejectReason::kBadBlock)], 1u);
  EXPECT_EQ(c0->committed_root().height(), 0u);
  // The genuine chain is still accepted afterwards.
  c0->on_message(2, bytes(BlockResponse{{b2, b1}}));
  EXPECT_EQ(c0->committed_root().id, b1->id);
}

TEST_F(CoreTest, StateSyncJumpsTheRootAndTheRound) {
  auto c0 = net.core(0);
  c0->start();
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  BlockPtr b2 = net.block(b1, net.qc(*b1, {1, 2, 3}), 2);
  BlockPtr b3 = net.block(b2, net.qc(*b2, {1, 2, 3}), 3);
  c0->on_synced(b2, CommitProof{b3, net.qc(*b3, {1, 2, 3})});
  EXPECT_EQ(c0->committed_root().id, b2->id);
  EXPECT_EQ(c0->high_qc().block_id, b3->id);
  EXPECT_EQ(c0->current_round(), 4u);
  // A QC without quorum is refused and changes nothing.
  BlockPtr b4 = net.block(b3, net.qc(*b3, {1, 2, 3}), 4);
  c0->on_synced(b3, CommitProof{b4, net.qc(*b4, {1})});
  EXPECT_EQ(c0->committed_root().id, b2->id);
  EXPECT_EQ(c0->metrics().rejected[static_cast<size_t>(RejectReason::kQcNoQuorum)], 1u);
}

TEST_F(CoreTest, StateSyncKeepsTheBlocksHeldAboveAndEmitsTheCommitsTheyImply) {
  const std::vector<BlockPtr> chain = net.chain(5, {1, 2, 3});
  auto c0 = net.core(0);
  c0->start();
  // b5 arrives without its ancestors; a fetch brings b4 and b3, which wait
  // for b2.
  c0->on_message(1, bytes(net.proposal(chain[5])));
  c0->on_message(1, bytes(BlockResponse{{chain[4], chain[3]}}));
  ASSERT_EQ(c0->committed_root().height(), 0u);
  // State sync installs b2 (its proof: b3 and b3's QC).
  auto synced = c0->on_synced(chain[2], CommitProof{chain[3], net.qc(*chain[3], {1, 2, 3})});
  // b3 and b4 link to the new root, and b5's QC (for b4) commits b3: the
  // one commit above the synced height, emitted by on_synced itself.
  const auto commits = actions_of<CommitAction>(synced);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].committed.block->id, chain[3]->id);
  EXPECT_EQ(c0->committed_root().id, chain[3]->id);
  EXPECT_EQ(c0->metrics().votes_sent, 1u);  // the waiting proposal b5 got our vote
}

TEST_F(CoreTest, StateSyncRefusesACertifiedBlockThatIsNotShownCommitted) {
  auto c0 = net.core(0);
  c0->start();
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  QuorumCert q1 = net.qc(*b1, {1, 2, 3});
  // b1 is certified, but its certified child is two rounds later (after a
  // TC): the 2-chain rule does not commit b1, and another branch may.
  BlockPtr b3 = net.block(b1, q1, 3);
  c0->on_synced(b1, CommitProof{b3, net.qc(*b3, {1, 2, 3})});
  // Nor is a child that does not extend the block.
  BlockPtr other = net.block(net.genesis, g(), 1, "other");
  BlockPtr b2 = net.block(other, net.qc(*other, {1, 2, 3}), 2);
  c0->on_synced(b1, CommitProof{b2, net.qc(*b2, {1, 2, 3})});
  EXPECT_EQ(c0->committed_root().id, net.genesis->id);
  EXPECT_EQ(c0->metrics().rejected[static_cast<size_t>(RejectReason::kBadBlock)], 2u);
  // A certified header handed over with another payload is refused.
  BlockPtr b2ok = net.block(b1, q1, 2);
  auto swapped = std::make_shared<Block>(*b1);
  swapped->payload = to_bytes("not the certified payload");
  c0->on_synced(swapped, CommitProof{b2ok, net.qc(*b2ok, {1, 2, 3})});
  EXPECT_EQ(c0->committed_root().id, net.genesis->id);
  EXPECT_EQ(c0->metrics().rejected[static_cast<size_t>(RejectReason::kBadBlock)], 3u);
  // The proof a real commit carries (the child in the next round) is accepted.
  c0->on_synced(b1, CommitProof{b2ok, net.qc(*b2ok, {1, 2, 3})});
  EXPECT_EQ(c0->committed_root().id, b1->id);
}

TEST_F(CoreTest, ARestartResumesFromTheSavedLockQcAndTc) {
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  QuorumCert q1 = net.qc(*b1, {1, 2, 3});
  BlockPtr b2 = net.block(b1, q1, 2);
  TimeoutCert t2 = net.tc(2, {{1, 1}, {2, 1}, {3, 1}}, q1);
  {
    auto c0 = net.core(0);
    c0->start();
    c0->on_message(1, bytes(net.proposal(b1)));
    c0->on_message(2, bytes(net.proposal(b2)));  // locks q1 (round 1)
    c0->on_message(1, bytes(TimeoutMsg{3, q1, net.share(1, 3, 1), t2}));
    ASSERT_EQ(c0->current_round(), 3u);
    c0->on_timer(3);  // times out in round 3, saving t2
  }
  // The tree is gone (recovery from genesis), but the saved QC and TC bring
  // the validator back to round 3, where it may repeat its timeout.
  auto restarted = net.core(0);
  restarted->start();
  EXPECT_EQ(restarted->high_qc(), q1);
  EXPECT_EQ(restarted->current_round(), 3u);
  EXPECT_EQ(actions_of<BroadcastAction>(restarted->on_timer(3)).size(), 1u);
}

TEST_F(CoreTest, AFullRestartAfterALostVoteOnTheTcPathStillTimesOut) {
  // Everyone votes for b3, which follows TC(2) (highest QC 1), and the votes
  // are lost; then every validator restarts. The saved TC must bring each
  // back to round 3: in round 2 (from the saved QC alone) none could time
  // out (round 2 < last voted 3) nor propose, and no message would be sent.
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  QuorumCert q1 = net.qc(*b1, {0, 1, 2, 3});
  BlockPtr b2 = net.block(b1, q1, 2);
  TimeoutCert t2 = net.tc(2, {{0, 1}, {1, 1}, {2, 1}, {3, 1}}, q1);
  BlockPtr b3 = net.block(b1, q1, 3, "after the TC");
  for (ValidatorIndex i = 0; i < 4; ++i) {
    auto c = net.core(i);
    c->start();
    c->on_message(1, bytes(net.proposal(b1)));
    c->on_message(2, bytes(net.proposal(b2)));
    c->on_timer(2);
    c->on_message(3, bytes(net.proposal(b3, t2)));  // the vote is dropped
    ASSERT_EQ(c->safety_state().last_voted_round, 3u);
  }
  testing::Cluster cluster(net);
  cluster.start();
  for (const auto& c : cluster.cores) EXPECT_EQ(c->current_round(), 3u);
  cluster.deliver_all();
  cluster.fire_timers();
  cluster.deliver_all();
  for (const auto& c : cluster.cores) {
    EXPECT_EQ(c->current_round(), 4u);
    EXPECT_EQ(c->metrics().tcs_formed, 1u);
  }
}

TEST_F(CoreTest, AValidatorFarBehindCatchesUpFromOneProposalOrTimeout) {
  // A block certified in round 100 (after TCs this validator never saw).
  BlockPtr b100 = net.block(net.genesis, g(), 100);
  QuorumCert q100 = net.qc(*b100, {1, 2, 3});
  BlockPtr b101 = net.block(b100, q100, 101);
  auto c0 = net.core(0);
  c0->start();
  auto a = c0->on_message(1, bytes(net.proposal(b101)));
  EXPECT_EQ(c0->current_round(), 101u);
  EXPECT_EQ(c0->high_qc(), q100);
  ASSERT_EQ(actions_of<FetchBlockAction>(a).size(), 1u);  // b101's parent
  EXPECT_EQ(actions_of<FetchBlockAction>(a)[0].block_id, b100->id);

  // A timeout teaches the same, even when its own round is out of reach.
  auto c2 = net.core(2);
  c2->start();
  c2->on_message(3, bytes(TimeoutMsg{200, q100, net.share(3, 200, 100), std::nullopt}));
  EXPECT_EQ(c2->current_round(), 101u);
  EXPECT_EQ(c2->metrics().rejected[static_cast<size_t>(RejectReason::kRoundTooFar)], 1u);
}

TEST_F(CoreTest, RecoveryRejectsAQcThatDoesNotCertifyTheRoot) {
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  CoreConfig cfg;
  cfg.chain_id = kChain;
  auto bad = ConsensusCore::create(cfg, CoreDeps{net.validators.get(), net.signers[0].get(),
                                                 net.verifier.get(), &net.storages[0], nullptr},
                                   Recovery{b1, g()});
  EXPECT_FALSE(bad.is_ok());
  // A payload limit that leaves no room for the certificates is refused too.
  cfg.max_payload_bytes = kMessageBytesMax;
  EXPECT_FALSE(ConsensusCore::create(cfg, CoreDeps{net.validators.get(), net.signers[0].get(),
                                                   net.verifier.get(), &net.storages[0], nullptr})
                   .is_ok());
}

}  // namespace
}  // namespace hpchain::consensus
