// The two state stores behind one face, so every ledger test runs on both:
// ledger::MemoryStateStore and storage::RocksStateStore on real RocksDB in a
// temp dir. Suites are value-parameterised by StoreKind
// (INSTANTIATE_STORE_SUITE below).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

#include "ledger/state_store.h"

namespace hpchain::ledger::testing {

enum class StoreKind { kMemory, kRocksDb };

class TestStore {
 public:
  virtual ~TestStore() = default;
  static std::unique_ptr<TestStore> create(StoreKind kind);

  virtual const StateReader& reader() const = 0;
  // Writes the change set whole (the RocksDB store in one batch).
  virtual Status apply(const ChangeSet& changes) = 0;
  // Closes and reopens the database (memory: nothing to do), so a test can
  // check that what was written survives.
  virtual void reopen() = 0;
};

// How gtest (and so ctest's test names) prints a parameter.
inline void PrintTo(StoreKind kind, std::ostream* os) { *os << (kind == StoreKind::kMemory ? "Memory" : "RocksDb"); }

inline std::string store_kind_name(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param == StoreKind::kMemory ? "Memory" : "RocksDb";
}

}  // namespace hpchain::ledger::testing

// Runs the TEST_Ps of `suite` (a ::testing::TestWithParam<StoreKind>) on both stores.
#define INSTANTIATE_STORE_SUITE(suite)                                                        \
  INSTANTIATE_TEST_SUITE_P(Stores, suite,                                                     \
                           ::testing::Values(::hpchain::ledger::testing::StoreKind::kMemory,  \
                                             ::hpchain::ledger::testing::StoreKind::kRocksDb), \
                           ::hpchain::ledger::testing::store_kind_name)
