// Store: the node's RocksDB wrapper with fixed column families and atomic
// write batches (DESIGN.md section 7).
//
// Every write goes through a WriteBatch, which either lands whole or not at
// all, including across a crash. A batch that is destroyed without write()
// leaves nothing behind. Reads see the latest written batch.
//
// Thread-safety: a Store may be used from many threads at once (RocksDB is);
// a WriteBatch belongs to one thread.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "chain/bytes.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace hpchain::storage {

// The column families. Their names on disk are stable (see column_name).
// kConsensus holds the consensus core's saved block tree (tree_storage.h);
// a database from before it gains the column when opened.
enum class Column : uint8_t { kBlocks, kHeights, kState, kJobs, kBlobs, kMeta, kConsensus };
inline constexpr int kColumnCount = 7;
std::string_view column_name(Column c);

class WriteBatch {
 public:
  void put(Column column, ByteSpan key, ByteSpan value) {
    ops_.push_back({column, /*is_erase=*/false, Bytes(key.begin(), key.end()),
                    Bytes(value.begin(), value.end())});
  }
  void erase(Column column, ByteSpan key) {
    ops_.push_back({column, /*is_erase=*/true, Bytes(key.begin(), key.end()), {}});
  }
  // Number of puts and erases so far.
  size_t count() const { return ops_.size(); }
  void clear() { ops_.clear(); }

 private:
  friend class Store;
  struct Op {
    Column column;
    bool is_erase;
    Bytes key;
    Bytes value;
  };
  std::vector<Op> ops_;  // applied in order by Store::write
};

struct StoreOptions {
  bool create_if_missing = true;
  // fsync each write batch by default: a committed block must survive power
  // loss. Tests and tools may turn it off.
  bool sync_writes = true;
};

class Store {
 public:
  // Opens (or creates) the database at `dir` with all column families.
  // Errors:
  //   Unavailable   another process (or another Store in this process) has
  //                 the database open: RocksDB's LOCK file is held;
  //   Corruption    the files are damaged (the message carries RocksDB's);
  //   NotFound      the directory holds no database and create_if_missing
  //                 is false;
  //   IoError       any other OS failure.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir,
                                             const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The value under `key`, NotFound if absent, Corruption/IoError if the
  // read fails.
  Result<Bytes> get(Column column, ByteSpan key) const;

  // Applies the batch atomically (fsynced when options.sync_writes). On
  // error nothing of the batch is visible. The batch may be reused after.
  Status write(const WriteBatch& batch);

  // Calls fn(key, value) for each key starting with `prefix`, in key order,
  // until fn returns false or `limit` entries were visited (every scan is
  // bounded). Returns the first iterator error.
  Status scan(Column column, ByteSpan prefix, size_t limit,
              const std::function<bool(ByteSpan key, ByteSpan value)>& fn) const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  Store() = default;
  rocksdb::ColumnFamilyHandle* handle(Column c) const;

  std::filesystem::path dir_;
  StoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // index = Column, then "default"
};

}  // namespace hpchain::storage
