// The saved block tree (consensus/tree_storage.h): what is saved before a
// vote, what a restart restores, what is pruned, and the restart of every
// validator that halts the chain without it.
#include <gtest/gtest.h>

#include "tests/unit/consensus/fixture.h"

namespace hpchain::consensus {
namespace {

using testing::actions_of;
using testing::kChain;
using testing::Network;

class TreeStorageTest : public ::testing::Test {
 protected:
  Network net{4};
  Bytes bytes(const MessageBody& body) { return encode_message(kChain, 0, body); }
  QuorumCert g() { return net.genesis_qc_of(); }
  uint64_t rejected(const ConsensusCore& c, RejectReason r) {
    return c.metrics().rejected[static_cast<size_t>(r)];
  }
};

TEST_F(TreeStorageTest, TheBlockIsSavedBeforeTheVoteAndAFailedSaveCostsTheVote) {
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  MemoryTreeStorage tree;
  // Voters that do not lead round 2, so that their votes leave.
  const ValidatorIndex l2 = net.validators->leader(2);
  const ValidatorIndex voter = l2 == 3 ? 0 : 3;
  const ValidatorIndex failing_voter = l2 == 1 ? 2 : 1;
  auto c3 = net.core(voter, {}, &tree);
  c3->start();
  auto voted = c3->on_message(1, bytes(net.proposal(b1)));
  EXPECT_TRUE(tree.has_block(b1->id));
  ASSERT_EQ(actions_of<SendAction>(voted).size(), 1u);  // the vote, to leader 2

  MemoryTreeStorage failing;
  failing.fail = true;
  auto c0 = net.core(failing_voter, {}, &failing);
  c0->start();
  EXPECT_TRUE(actions_of<SendAction>(c0->on_message(1, bytes(net.proposal(b1)))).empty());
  EXPECT_EQ(rejected(*c0, RejectReason::kStorageFailed), 1u);
  EXPECT_EQ(c0->safety_state().last_voted_round, 0u);  // nothing was signed
}

TEST_F(TreeStorageTest, ARestartRestoresTheBlocksTheHighQcAndTheHighTc) {
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  QuorumCert q1 = net.qc(*b1, {0, 1, 2});
  BlockPtr b2 = net.block(b1, q1, 2);
  TimeoutCert t2 = net.tc(2, {{0, 1}, {1, 1}, {2, 1}}, q1);
  BlockPtr b3 = net.block(b1, q1, 3, "after the TC");
  MemoryTreeStorage tree;
  {
    auto c0 = net.core(0, {}, &tree);
    c0->start();
    c0->on_message(1, bytes(net.proposal(b1)));
    c0->on_message(2, bytes(net.proposal(b2)));
    c0->on_message(3, bytes(net.proposal(b3, t2)));
  }
  SavedTree saved = *tree.load();
  EXPECT_EQ(saved.blocks.size(), 3u);
  ASSERT_TRUE(saved.high_qc && saved.high_tc);
  EXPECT_EQ(*saved.high_qc, q1);
  EXPECT_EQ(saved.high_tc->round, 2u);

  auto restarted = net.core(0, {}, &tree);
  restarted->start();
  EXPECT_EQ(restarted->high_qc(), q1);
  ASSERT_TRUE(restarted->high_tc().has_value());
  EXPECT_EQ(restarted->high_tc()->round, 2u);
  EXPECT_EQ(restarted->current_round(), 3u);
  // It serves the restored blocks to a peer that asks.
  auto served = restarted->on_message(2, bytes(BlockRequest{b2->id}));
  ASSERT_EQ(actions_of<SendAction>(served).size(), 1u);
  EXPECT_EQ(std::get<BlockResponse>(testing::decode(actions_of<SendAction>(served)[0].message).body).blocks[0]->id,
            b2->id);
}

TEST_F(TreeStorageTest, CommitsTheHostDidNotStoreAreEmittedAgainOnStart) {
  // The host crashed after the core committed b1 and b2 but before storing
  // them: the restarted core, recovering from genesis, commits them again,
  // in order and without gaps.
  BlockPtr b1 = net.block(net.genesis, g(), 1);
  BlockPtr b2 = net.block(b1, net.qc(*b1, {0, 1, 2}), 2);
  BlockPtr b3 = net.block(b2, net.qc(*b2, {0, 1, 2}), 3);
  BlockPtr b4 = net.block(b3, net.qc(*b3, {0, 1, 2}), 4);
  MemoryTreeStorage tree;
  {
    auto c0 = net.core(0, {}, &tree);
    c0->start();
    size_t commits = 0;
    for (const BlockPtr& b : {b1, b2, b3, b4}) {
      commits += actions_of<CommitAction>(c0->on_message(b->fields.proposer, bytes(net.proposal(b)))).size();
    }
    ASSERT_EQ(commits, 2u);  // b1 and b2
  }
  auto restarted = net.core(0, {}, &tree);
  const auto again = actions_of<CommitAction>(restarted->start());
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].committed.block->id, b1->id);
  EXPECT_EQ(again[1].committed.block->id, b2->id);
  EXPECT_EQ(restarted->committed_root().id, b2->id);
}

TEST_F(TreeStorageTest, ExecutedBlocksThatLeftTheTreeArePruned) {
  MemoryTreeStorage tree;
  auto c0 = net.core(0, {}, &tree);
  c0->start();
  BlockPtr parent = net.genesis;
  QuorumCert parent_qc = g();
  std::vector<CommittedBlock> committed;
  for (uint64_t round = 1; round <= 8; ++round) {
    BlockPtr b = net.block(parent, parent_qc, round);
    for (auto& c : actions_of<CommitAction>(c0->on_message(b->fields.proposer, bytes(net.proposal(b))))) {
      committed.push_back(c.committed);
    }
    parent_qc = net.qc(*b, {1, 2, 3});
    parent = b;
  }
  ASSERT_EQ(committed.size(), 6u);
  EXPECT_EQ(tree.block_count(), 8u);  // nothing is pruned before the host executed it
  for (const auto& c : committed) {
    c0->on_block_executed(c.block->id, c.block->height());
  }
  // Heights 1..5 left the tree (the root is height 6): pruned.
  EXPECT_EQ(tree.block_count(), 3u);
  for (const auto& c : committed) EXPECT_EQ(tree.has_block(c.block->id), c.block->height() >= 6);
}

// Runs a cluster for `messages` deliveries, then restarts every validator at
// once (messages in flight are lost) and returns how many heights the
// restarted cluster commits above the old maximum.
uint64_t heights_after_restart_of_all(Network& net, bool saved_tree, size_t messages) {
  std::vector<MemoryTreeStorage> trees(net.validators->size());
  std::vector<TreeStorage*> tree_ptrs;
  for (auto& t : trees) tree_ptrs.push_back(saved_tree ? &t : nullptr);
  testing::Cluster before(net, tree_ptrs);
  before.start();
  before.deliver_all(messages);
  const uint64_t old_max = before.max_committed_height();
  EXPECT_GT(old_max, 3u);
  testing::Cluster after(net, tree_ptrs, before.recoveries());
  after.start();
  for (int k = 0; k < 3; ++k) {
    after.fire_timers();
    after.deliver_all(200);
  }
  const uint64_t new_max = after.max_committed_height();
  return new_max > old_max ? new_max - old_max : 0;
}

TEST_F(TreeStorageTest, ARestartOfEveryValidatorResumesWithTheSavedTree) {
  EXPECT_GT(heights_after_restart_of_all(net, true, 150), 5u);
}

TEST_F(TreeStorageTest, ARestartOfEveryValidatorHaltsTheChainWithoutIt) {
  // The bug, kept as a test so the fix stays necessary: every voter
  // holds a lock on a block nobody kept.
  EXPECT_EQ(heights_after_restart_of_all(net, false, 150), 0u);
}

}  // namespace
}  // namespace hpchain::consensus
