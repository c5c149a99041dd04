// The consensus core's saved block tree on real RocksDB in a temp dir: a
// core restarted on a reopened database resumes with its blocks, QC and
// TC; pruning; damaged values are Corruption; and the restart of every
// validator at once, each on its own reopened database, keeps committing.
#include <gtest/gtest.h>

#include "node/storage/tree_storage.h"
#include "tests/common/temp_dir.h"
#include "tests/unit/consensus/fixture.h"

namespace hpchain::storage {
namespace {

using consensus::BlockPtr;
using consensus::testing::kChain;
using consensus::testing::Network;

Bytes bytes(const consensus::MessageBody& body) { return consensus::encode_message(kChain, 0, body); }

std::unique_ptr<Store> open_store(const std::filesystem::path& dir) { return Store::open(dir).value(); }

// One validator's database and saved tree per directory, open.
struct OpenTrees {
  std::vector<std::unique_ptr<Store>> stores;
  std::vector<std::unique_ptr<RocksTreeStorage>> trees;
  std::vector<consensus::TreeStorage*> ptrs;
  explicit OpenTrees(const std::vector<hpchain::testing::TempDir>& dirs) {
    for (const auto& d : dirs) {
      stores.push_back(open_store(d.path()));
      trees.push_back(std::make_unique<RocksTreeStorage>(*stores.back()));
      ptrs.push_back(trees.back().get());
    }
  }
};

TEST(RocksTreeStorage, ACoreRestartedOnAReopenedDatabaseResumesFromItsBlocksQcAndTc) {
  hpchain::testing::TempDir dir;
  Network net{4};
  const auto g = net.genesis_qc_of();
  BlockPtr b1 = net.block(net.genesis, g, 1);
  auto q1 = net.qc(*b1, {0, 1, 2});
  BlockPtr b2 = net.block(b1, q1, 2);
  auto t2 = net.tc(2, {{0, 1}, {1, 1}, {2, 1}}, q1);
  BlockPtr b3 = net.block(b1, q1, 3, "after the TC");
  {
    auto store = open_store(dir.path());
    RocksTreeStorage tree(*store);
    auto c0 = net.core(0, {}, &tree);
    c0->start();
    c0->on_message(1, bytes(net.proposal(b1)));
    c0->on_message(2, bytes(net.proposal(b2)));
    c0->on_message(3, bytes(net.proposal(b3, t2)));
  }
  auto store = open_store(dir.path());  // a new process's view
  RocksTreeStorage tree(*store);
  const auto saved = tree.load().value();
  EXPECT_EQ(saved.blocks.size(), 3u);
  ASSERT_TRUE(saved.high_qc && saved.high_tc);
  EXPECT_EQ(*saved.high_qc, q1);
  EXPECT_EQ(saved.high_tc->round, 2u);
  auto restarted = net.core(0, {}, &tree);
  restarted->start();
  EXPECT_EQ(restarted->high_qc(), q1);
  EXPECT_EQ(restarted->current_round(), 3u);
  ASSERT_TRUE(tree.prune({b2->id, b3->id, Hash32{}}).is_ok());  // an unknown id is ignored
  const auto after = tree.load().value();
  ASSERT_EQ(after.blocks.size(), 1u);
  EXPECT_EQ(after.blocks[0]->id, b1->id);
  ASSERT_TRUE(tree.save_block(b1).is_ok());  // saved again: a no-op
  EXPECT_EQ(tree.load().value().blocks.size(), 1u);
}

TEST(RocksTreeStorage, ADamagedValueIsCorruptionNamingItsKey) {
  hpchain::testing::TempDir dir;
  Network net{4};
  BlockPtr b1 = net.block(net.genesis, net.genesis_qc_of(), 1);
  auto store = open_store(dir.path());
  RocksTreeStorage tree(*store);
  ASSERT_TRUE(tree.save_block(b1).is_ok());
  WriteBatch damage;
  Bytes key(33, 0);
  key[0] = 'b';
  std::copy(b1->id.bytes.begin(), b1->id.bytes.end(), key.begin() + 1);
  damage.put(Column::kConsensus, key, to_bytes("not a block"));
  ASSERT_TRUE(store->write(damage).is_ok());
  auto loaded = tree.load();
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(loaded.status().message().find(hex_encode(key)), std::string::npos) << loaded.status().message();
  WriteBatch bad_qc;
  bad_qc.put(Column::kConsensus, Bytes{'q'}, Bytes{0xff, 0xff});
  ASSERT_TRUE(store->write(bad_qc).is_ok());
  ASSERT_TRUE(tree.prune({b1->id}).is_ok());
  EXPECT_EQ(tree.load().status().code(), StatusCode::kCorruption);
}

TEST(RocksTreeStorage, EveryValidatorRestartedOnItsReopenedDatabaseKeepsCommitting) {
  Network net{4};
  std::vector<hpchain::testing::TempDir> dirs(4);
  uint64_t old_max = 0;
  std::vector<std::optional<consensus::Recovery>> recoveries;
  {
    OpenTrees open(dirs);
    consensus::testing::Cluster before(net, open.ptrs);
    before.start();
    before.deliver_all(150);
    old_max = before.max_committed_height();
    recoveries = before.recoveries();
  }  // every process dies, messages in flight are lost
  OpenTrees open(dirs);
  consensus::testing::Cluster after(net, open.ptrs, recoveries);
  after.start();
  for (int k = 0; k < 3; ++k) {
    after.fire_timers();
    after.deliver_all(200);
  }
  EXPECT_GT(old_max, 3u);
  EXPECT_GT(after.max_committed_height(), old_max + 5);
}

}  // namespace
}  // namespace hpchain::storage
