// RocksStateStore: the ledger's StateReader on the node's RocksDB Store
// (docs/ledger.md, "State storage"). It passes the same suite as
// ledger::MemoryStateStore (tests/unit/ledger/state_store_suite_test.cpp),
// with identical roots per version.
//
// Everything lives in the "state" column under a one-byte tag:
//   'v' ‖ state key          the latest value
//   'n' ‖ NodeKey (41 bytes) an internal tree node (InternalNode::encode)
//   'r' ‖ be64 version       the root of a retained version (encode_root)
//   's' ‖ be64 version       the nodes that version made stale (encode_stale)
//   'm'                      StateMeta (encode_meta)
// The encodings are the ledger's own, so both stores hold the same bytes.
//
// Thread-safety: reads may run on many threads (the Store allows it); the
// node stages and writes change sets from one thread, in version order.
#pragma once

#include "ledger/state_store.h"
#include "node/storage/store.h"

namespace hpchain::storage {

class RocksStateStore final : public ledger::StateReader {
 public:
  // `store` must outlive this object.
  explicit RocksStateStore(Store& store) : store_(store) {}

  Result<ledger::InternalNode> get_node(const ledger::NodeKey& key) const override;
  Result<std::optional<Bytes>> get_value(ByteSpan key) const override;
  Result<std::optional<ledger::StateMeta>> get_meta() const override;
  Result<ledger::Slot> get_root(uint64_t version) const override;
  Result<std::vector<ledger::NodeKey>> get_stale(uint64_t version) const override;
  Status for_each_value(const std::function<bool(ByteSpan, ByteSpan)>& fn) const override;

  // Adds every write of `changes` to `batch`, which the node writes with the
  // block that produced them (one atomic batch per block). FailedPrecondition,
  // staging nothing, when `changes` does not follow the stored version.
  Status stage(const ledger::ChangeSet& changes, WriteBatch& batch) const;

  // stage() into a batch of its own, then write it: for tools and tests.
  Status apply(const ledger::ChangeSet& changes);

 private:
  Store& store_;
};

}  // namespace hpchain::storage
