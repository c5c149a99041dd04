#include "node/chain/chain_store.h"

#include "chain/codec.h"
#include "consensus/codec.h"

namespace hpchain::node {
namespace {

using storage::Column;

Bytes prefixed(char tag, ByteSpan rest) {
  Bytes key;
  key.reserve(1 + rest.size());
  key.push_back(static_cast<uint8_t>(tag));
  key.insert(key.end(), rest.begin(), rest.end());
  return key;
}

Bytes be64(uint64_t v) {
  Bytes out(8);
  for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<size_t>(i)] = static_cast<uint8_t>(v);
  return out;
}

constexpr std::string_view kTipKey = "tip";
constexpr std::string_view kEpochKey = "epoch";

// A record under `key` of `column`: NotFound passes through; an
// undecodable value is Corruption naming the key.
template <typename Record>
Result<Record> read_record(const storage::Store& store, Column column, const Bytes& key) {
  HPC_ASSIGN_OR_RETURN(Bytes value, store.get(column, key));
  Record record;
  if (Status s = parse_proto(value, record, "chain record"); !s.is_ok()) {
    return Status::corruption(std::string("chain store: damaged record under ") +
                              std::string(storage::column_name(column)) + "/" + hex_encode(key) + ": " + s.message());
  }
  return record;
}

}  // namespace

Result<std::optional<hpchain::v1::ChainTip>> ChainStore::tip() const {
  auto tip = read_record<hpchain::v1::ChainTip>(store_, Column::kMeta, to_bytes(kTipKey));
  if (tip.status().code() == StatusCode::kNotFound) return std::optional<hpchain::v1::ChainTip>{};
  HPC_TRY(tip.status());
  return std::optional<hpchain::v1::ChainTip>{std::move(*tip)};
}

Result<hpchain::v1::CommittedBlockRecord> ChainStore::block_at(uint64_t height) const {
  HPC_ASSIGN_OR_RETURN(Bytes id, store_.get(Column::kHeights, be64(height)));
  auto hash = Hash32::from_bytes(id);
  if (!hash.is_ok()) return Status::corruption("chain store: damaged height index at " + std::to_string(height));
  return block_by_id(*hash);
}

Result<hpchain::v1::CommittedBlockRecord> ChainStore::block_by_id(const Hash32& id) const {
  return read_record<hpchain::v1::CommittedBlockRecord>(store_, Column::kBlocks, prefixed('b', id.span()));
}

Result<hpchain::v1::TxRecord> ChainStore::tx(const Hash32& id) const {
  return read_record<hpchain::v1::TxRecord>(store_, Column::kBlocks, prefixed('t', id.span()));
}

Result<std::optional<consensus::StateCertificate>> ChainStore::certificate(uint64_t height) const {
  auto value = store_.get(Column::kBlocks, prefixed('c', be64(height)));
  if (value.status().code() == StatusCode::kNotFound) return std::optional<consensus::StateCertificate>{};
  HPC_TRY(value.status());
  auto message = consensus::decode_state_message(*value);
  if (!message.is_ok() || !std::holds_alternative<consensus::StateCertificate>(message->body)) {
    return Status::corruption("chain store: damaged state certificate at height " + std::to_string(height));
  }
  return std::optional<consensus::StateCertificate>{std::get<consensus::StateCertificate>(message->body)};
}

Result<std::optional<hpchain::v1::EpochRecord>> ChainStore::epoch() const {
  auto record = read_record<hpchain::v1::EpochRecord>(store_, Column::kMeta, to_bytes(kEpochKey));
  if (record.status().code() == StatusCode::kNotFound) return std::optional<hpchain::v1::EpochRecord>{};
  HPC_TRY(record.status());
  return std::optional<hpchain::v1::EpochRecord>{std::move(*record)};
}

void ChainStore::stage_epoch(const hpchain::v1::EpochRecord& record, storage::WriteBatch& batch) const {
  batch.put(Column::kMeta, to_bytes(kEpochKey), serialize_proto(record));
}

void ChainStore::stage_block(const consensus::CommittedBlock& committed, const Hash32& state_root,
                             const std::vector<std::pair<Hash32, hpchain::v1::TxRecord>>& txs, uint64_t epoch,
                             bool ends_epoch, storage::WriteBatch& batch) const {
  const consensus::Block& block = *committed.block;
  hpchain::v1::CommittedBlockRecord record = to_record(committed);
  record.set_state_root(state_root.bytes.data(), state_root.bytes.size());
  record.set_tx_count(static_cast<uint32_t>(txs.size()));
  record.set_ends_epoch(ends_epoch);
  batch.put(Column::kBlocks, prefixed('b', block.id.span()), serialize_proto(record));
  batch.put(Column::kHeights, be64(block.height()), block.id.span());
  for (const auto& [id, tx] : txs) batch.put(Column::kBlocks, prefixed('t', id.span()), serialize_proto(tx));
  hpchain::v1::ChainTip tip;
  tip.set_height(block.height());
  tip.set_block_id(block.id.bytes.data(), block.id.bytes.size());
  tip.set_epoch(epoch);
  batch.put(Column::kMeta, to_bytes(kTipKey), serialize_proto(tip));
}

Status ChainStore::put_certificate(const consensus::StateCertificate& cert) {
  storage::WriteBatch batch;
  batch.put(Column::kBlocks, prefixed('c', be64(cert.claim.height)), consensus::encode_state_message(chain_id_, cert));
  return store_.write(batch);
}

consensus::BlockPtr ChainStore::find(const Hash32& id) const {
  auto record = block_by_id(id);
  if (!record.is_ok()) return nullptr;
  auto block = consensus::block_from_proto(record->block());
  return block.is_ok() ? *block : nullptr;
}

hpchain::v1::CommittedBlockRecord ChainStore::to_record(const consensus::CommittedBlock& committed) {
  hpchain::v1::CommittedBlockRecord record;
  *record.mutable_block() = consensus::block_to_proto(*committed.block);
  *record.mutable_qc() = consensus::qc_to_proto(committed.qc);
  if (committed.proof) {
    *record.mutable_proof_child() = consensus::block_to_proto(*committed.proof->child);
    *record.mutable_proof_qc() = consensus::qc_to_proto(committed.proof->child_qc);
  }
  return record;
}

Result<consensus::CommittedBlock> ChainStore::from_record(const hpchain::v1::CommittedBlockRecord& record) {
  consensus::CommittedBlock out;
  HPC_ASSIGN_OR_RETURN(out.block, consensus::block_from_proto(record.block()));
  HPC_ASSIGN_OR_RETURN(out.qc, consensus::qc_from_proto(record.qc()));
  if (record.has_proof_child()) {
    consensus::CommitProof proof;
    HPC_ASSIGN_OR_RETURN(proof.child, consensus::block_from_proto(record.proof_child()));
    HPC_ASSIGN_OR_RETURN(proof.child_qc, consensus::qc_from_proto(record.proof_qc()));
    out.proof = std::move(proof);
  }
  return out;
}

}  // namespace hpchain::node
