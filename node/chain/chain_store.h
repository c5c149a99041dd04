// The committed chain on disk (docs/node.md, "Storage"): one record per
// executed block, the height index, one record per committed transaction,
// state certificates and the tip. Everything a block adds goes into the
// same WriteBatch as the state changes its execution made (executor.h), so
// a crash leaves either all of a block or none of it.
//
// Keys:
//   blocks  "b" ‖ block id      CommittedBlockRecord
//   blocks  "t" ‖ tx id         TxRecord
//   blocks  "c" ‖ be64 height   state certificate (an encoded StateMessage)
//   heights be64 height         block id
//   meta    "tip"               ChainTip (absent: only genesis so far)
//   meta    "epoch"             EpochRecord (the epoch the tip is in)
//
// Thread-safety: reads may run on any thread (RocksDB reads are); the
// consensus thread is the only writer.
#pragma once

#include <optional>
#include <string>

#include "consensus/block_tree.h"
#include "consensus/core.h"
#include "consensus/state_cert.h"
#include "hpchain/v1/store.pb.h"
#include "node/storage/store.h"

namespace hpchain::node {

class ChainStore final : public consensus::CommittedBlockReader {
 public:
  // `store` must outlive this object.
  ChainStore(storage::Store& store, std::string chain_id) : store_(store), chain_id_(std::move(chain_id)) {}

  // The last executed block; nullopt while only genesis exists.
  Result<std::optional<hpchain::v1::ChainTip>> tip() const;
  // NotFound when absent; Corruption naming the key for a damaged record.
  Result<hpchain::v1::CommittedBlockRecord> block_at(uint64_t height) const;
  Result<hpchain::v1::CommittedBlockRecord> block_by_id(const Hash32& id) const;
  Result<hpchain::v1::TxRecord> tx(const Hash32& id) const;
  Result<std::optional<consensus::StateCertificate>> certificate(uint64_t height) const;
  // The current epoch; nullopt before the first start wrote epoch 0's.
  Result<std::optional<hpchain::v1::EpochRecord>> epoch() const;
  void stage_epoch(const hpchain::v1::EpochRecord& record, storage::WriteBatch& batch) const;

  // The records of executed block `committed` (state root `state_root`,
  // one TxRecord per transaction, in block order) and the new tip.
  void stage_block(const consensus::CommittedBlock& committed, const Hash32& state_root,
                   const std::vector<std::pair<Hash32, hpchain::v1::TxRecord>>& txs, uint64_t epoch,
                   bool ends_epoch, storage::WriteBatch& batch) const;
  Status put_certificate(const consensus::StateCertificate& cert);

  const std::string& chain_id() const { return chain_id_; }

  // CommittedBlockReader: what lagging peers fetch by id.
  consensus::BlockPtr find(const Hash32& id) const override;

  // Record <-> consensus types. The record's block is checked only for
  // shape here; block sync verifies it against certificates.
  static hpchain::v1::CommittedBlockRecord to_record(const consensus::CommittedBlock& committed);
  static Result<consensus::CommittedBlock> from_record(const hpchain::v1::CommittedBlockRecord& record);

 private:
  storage::Store& store_;
  std::string chain_id_;
};

}  // namespace hpchain::node
