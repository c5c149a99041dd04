// Store on real RocksDB in a temp dir: data survives reopen, an unwritten
// batch leaves nothing, batches are atomic, a second opener and damaged
// files get clear errors, scans are bounded.
#include <gtest/gtest.h>

#include <fstream>

#include "node/storage/store.h"
#include "tests/common/temp_dir.h"

namespace hpchain::storage {
namespace {

using testing::TempDir;

Bytes b(std::string_view s) { return to_bytes(s); }

std::unique_ptr<Store> open_store(const TempDir& dir) {
  auto s = Store::open(dir.path() / "db", StoreOptions{.create_if_missing = true, .sync_writes = false});
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return std::move(s).value();
}

TEST(Store, ReopenKeepsData) {
  TempDir dir;
  {
    auto store = open_store(dir);
    WriteBatch batch;
    batch.put(Column::kBlocks, b("k1"), b("v1"));
    batch.put(Column::kMeta, b("k1"), b("meta"));
    ASSERT_TRUE(store->write(batch).is_ok());
  }
  auto store = open_store(dir);
  EXPECT_EQ(*store->get(Column::kBlocks, b("k1")), b("v1"));
  EXPECT_EQ(*store->get(Column::kMeta, b("k1")), b("meta"));  // columns are separate
  EXPECT_EQ(store->get(Column::kState, b("k1")).status().code(), StatusCode::kNotFound);
}

TEST(Store, UnwrittenBatchLeavesNothing) {
  TempDir dir;
  {
    auto store = open_store(dir);
    WriteBatch written;
    written.put(Column::kState, b("a"), b("1"));
    ASSERT_TRUE(store->write(written).is_ok());
    WriteBatch abandoned;
    abandoned.put(Column::kState, b("b"), b("2"));
    abandoned.erase(Column::kState, b("a"));
    EXPECT_EQ(abandoned.count(), 2u);
  }
  auto store = open_store(dir);
  EXPECT_EQ(*store->get(Column::kState, b("a")), b("1"));
  EXPECT_EQ(store->get(Column::kState, b("b")).status().code(), StatusCode::kNotFound);
}

TEST(Store, BatchAppliesPutsAndErasesInOrder) {
  TempDir dir;
  auto store = open_store(dir);
  WriteBatch batch;
  batch.put(Column::kJobs, b("x"), b("1"));
  batch.erase(Column::kJobs, b("x"));
  batch.put(Column::kJobs, b("y"), b("2"));
  ASSERT_TRUE(store->write(batch).is_ok());
  EXPECT_FALSE(store->get(Column::kJobs, b("x")).is_ok());
  EXPECT_EQ(*store->get(Column::kJobs, b("y")), b("2"));
}

TEST(Store, SecondOpenerGetsLockedError) {
  TempDir dir;
  auto first = open_store(dir);
  const auto second = Store::open(dir.path() / "db");
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("locked"), std::string::npos);
}

TEST(Store, MissingDatabaseWithoutCreateIsNotFound) {
  TempDir dir;
  const auto r = Store::open(dir.path() / "none", StoreOptions{.create_if_missing = false});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().to_string();
}

TEST(Store, DamagedManifestIsCorruption) {
  TempDir dir;
  { auto store = open_store(dir); }
  // CURRENT names the live MANIFEST; overwrite that manifest with garbage.
  std::ifstream current(dir.path() / "db" / "CURRENT");
  std::string manifest;
  std::getline(current, manifest);
  ASSERT_FALSE(manifest.empty());
  {
    std::ofstream out(dir.path() / "db" / manifest, std::ios::trunc | std::ios::binary);
    out << std::string(4096, '\x5a');
  }
  const auto r = Store::open(dir.path() / "db");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
}

TEST(Store, ScanIsPrefixedOrderedAndBounded) {
  TempDir dir;
  auto store = open_store(dir);
  WriteBatch batch;
  for (int i = 9; i >= 0; --i) batch.put(Column::kHeights, b("h/" + std::to_string(i)), b("v"));
  batch.put(Column::kHeights, b("other"), b("v"));
  ASSERT_TRUE(store->write(batch).is_ok());
  std::vector<std::string> keys;
  const auto collect = [&](ByteSpan k, ByteSpan) {
    keys.emplace_back(as_string_view(k));
    return true;
  };
  ASSERT_TRUE(store->scan(Column::kHeights, b("h/"), 100, collect).is_ok());
  ASSERT_EQ(keys.size(), 10u);
  EXPECT_EQ(keys.front(), "h/0");
  EXPECT_EQ(keys.back(), "h/9");
  keys.clear();
  ASSERT_TRUE(store->scan(Column::kHeights, b("h/"), 3, collect).is_ok());
  EXPECT_EQ(keys.size(), 3u);
}

}  // namespace
}  // namespace hpchain::storage
