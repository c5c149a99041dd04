#include "node/storage/store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <array>

#include "chain/log.h"

namespace hpchain::storage {
namespace {

constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "blocks", "heights", "state", "jobs", "blobs", "meta", "consensus"};

rocksdb::Slice slice(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Maps a RocksDB status to ours, naming the database directory.
Status from_rocksdb(const rocksdb::Status& s, const std::filesystem::path& dir) {
  if (s.ok()) return Status::ok();
  const std::string msg = "database " + dir.string() + ": " + s.ToString();
  if (s.IsCorruption()) return Status::corruption(msg);
  if (s.IsNotFound()) return Status::not_found(msg);
  // RocksDB reports a held LOCK file as an IOError mentioning "lock".
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return Status::unavailable("database " + dir.string() +
                               " is locked by another process (is a node already running on it?): " +
                               s.ToString());
  }
  if (s.IsInvalidArgument() && s.ToString().find("does not exist") != std::string::npos) {
    return Status::not_found(msg);
  }
  if (s.IsInvalidArgument()) return Status::invalid_argument(msg);
  return Status::io_error(msg);
}

}  // namespace

std::string_view column_name(Column c) { return kColumnNames[static_cast<int>(c)]; }

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& dir, const StoreOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  // Detect damaged files when they are read, not only at compaction.
  db_options.paranoid_checks = true;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (std::string_view name : kColumnNames) {
    families.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
  }
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());

  std::unique_ptr<Store> store(new Store());
  store->dir_ = dir;
  store->options_ = options;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(db_options, dir.string(), families, &store->handles_, &raw);
  if (!s.ok()) return from_rocksdb(s, dir);
  store->db_.reset(raw);
  HPC_ASSERT(store->handles_.size() == families.size());
  HPC_LOG(kStore, debug, "opened database {}", dir.string());
  return store;
}

Store::~Store() {
  if (!db_) return;
  for (auto* h : handles_) {
    const rocksdb::Status s = db_->DestroyColumnFamilyHandle(h);
    if (!s.ok()) HPC_LOG(kStore, warn, "closing column family: {}", s.ToString());
  }
  const rocksdb::Status s = db_->Close();
  if (!s.ok()) HPC_LOG(kStore, warn, "closing database {}: {}", dir_.string(), s.ToString());
}

rocksdb::ColumnFamilyHandle* Store::handle(Column c) const {
  const auto i = static_cast<size_t>(c);
  HPC_ASSERT(i < kColumnCount);
  return handles_[i];
}

Result<Bytes> Store::get(Column column, ByteSpan key) const {
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(column), slice(key), &value);
  if (s.IsNotFound()) {
    return Status::not_found("no key " + hex_encode(key) + " in column " + std::string(column_name(column)));
  }
  HPC_TRY(from_rocksdb(s, dir_));
  return Bytes(value.begin(), value.end());
}

Status Store::write(const WriteBatch& batch) {
  rocksdb::WriteBatch rocks_batch;
  for (const auto& op : batch.ops_) {
    const rocksdb::Status s = op.is_erase
        ? rocks_batch.Delete(handle(op.column), slice(op.key))
        : rocks_batch.Put(handle(op.column), slice(op.key), slice(op.value));
    HPC_TRY(from_rocksdb(s, dir_));
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  return from_rocksdb(db_->Write(write_options, &rocks_batch), dir_);
}

Status Store::scan(Column column, ByteSpan prefix, size_t limit,
                   const std::function<bool(ByteSpan, ByteSpan)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle(column)));
  const rocksdb::Slice p = slice(prefix);
  size_t visited = 0;
  for (it->Seek(p); it->Valid() && it->key().starts_with(p) && visited < limit; it->Next(), ++visited) {
    const rocksdb::Slice k = it->key();
    const rocksdb::Slice v = it->value();
    if (!fn(ByteSpan(reinterpret_cast<const uint8_t*>(k.data()), k.size()),
            ByteSpan(reinterpret_cast<const uint8_t*>(v.data()), v.size()))) {
      break;
    }
  }
  return from_rocksdb(it->status(), dir_);
}

}  // namespace hpchain::storage
