#include "tests/unit/ledger/test_stores.h"

#include "chain/check.h"
#include "node/storage/state_store.h"
#include "node/storage/store.h"
#include "tests/common/temp_dir.h"

namespace hpchain::ledger::testing {
namespace {

class MemoryTestStore final : public TestStore {
 public:
  const StateReader& reader() const override { return store_; }
  Status apply(const ChangeSet& changes) override { return store_.apply(changes); }
  void reopen() override {}

 private:
  MemoryStateStore store_;
};

class RocksTestStore final : public TestStore {
 public:
  RocksTestStore() { open(); }
  const StateReader& reader() const override { return *state_; }
  Status apply(const ChangeSet& changes) override { return state_->apply(changes); }
  void reopen() override {
    state_.reset();
    store_.reset();
    open();
  }

 private:
  void open() {
    // No fsync per batch: the tests check contents, not durability.
    auto s = storage::Store::open(dir_.path() / "db", {.create_if_missing = true, .sync_writes = false});
    HPC_ASSERT(s.is_ok());
    store_ = std::move(s).value();
    state_ = std::make_unique<storage::RocksStateStore>(*store_);
  }

  hpchain::testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::RocksStateStore> state_;
};

}  // namespace

std::unique_ptr<TestStore> TestStore::create(StoreKind kind) {
  if (kind == StoreKind::kMemory) return std::make_unique<MemoryTestStore>();
  return std::make_unique<RocksTestStore>();
}

}  // namespace hpchain::ledger::testing
