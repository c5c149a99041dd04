#include "node/storage/tree_storage.h"

#include <algorithm>

#include "consensus/codec.h"

namespace hpchain::storage {

namespace {

constexpr uint8_t kBlockTag = 'b';
const Bytes kHighQcKey = {'q'};
const Bytes kHighTcKey = {'t'};

Bytes block_key(const Hash32& id) {
  Bytes k(1 + Hash32::kSize);
  k[0] = kBlockTag;
  std::copy(id.bytes.begin(), id.bytes.end(), k.begin() + 1);
  return k;
}

Bytes serialize(const google::protobuf::Message& m) {
  Bytes out(m.ByteSizeLong());
  m.SerializeWithCachedSizesToArray(out.data());
  return out;
}

template <typename Proto>
Result<Proto> parse(ByteSpan bytes, ByteSpan key) {
  Proto p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::corruption("consensus column: the value under key " + hex_encode(key) + " does not parse");
  }
  return p;
}

Status put_one(Store& store, const Bytes& key, const Bytes& value) {
  WriteBatch batch;
  batch.put(Column::kConsensus, key, value);
  return store.write(batch);
}

// The certificate under `key`, if any.
template <typename Proto, typename Cert, typename Decode>
Result<std::optional<Cert>> load_cert(const Store& store, const Bytes& key, Decode decode) {
  auto bytes = store.get(Column::kConsensus, key);
  if (!bytes.is_ok() && bytes.status().code() == StatusCode::kNotFound) return std::optional<Cert>();
  HPC_ASSIGN_OR_RETURN(Bytes value, std::move(bytes));
  HPC_ASSIGN_OR_RETURN(Proto proto, parse<Proto>(value, key));
  auto cert = decode(proto);
  if (!cert.is_ok()) return Status::corruption("consensus column, key " + hex_encode(key) + ": " + cert.status().message());
  return std::optional<Cert>(std::move(cert).value());
}

}  // namespace

Result<consensus::SavedTree> RocksTreeStorage::load() {
  consensus::SavedTree tree;
  Status decode_error = Status::ok();
  size_t seen = 0;
  HPC_TRY(store_.scan(Column::kConsensus, Bytes{kBlockTag}, kMaxSavedBlocks + 1, [&](ByteSpan key, ByteSpan value) {
    ++seen;
    auto proto = parse<hpchain::v1::Block>(value, key);
    auto block = proto.is_ok() ? consensus::block_from_proto(proto.value()) : Result<consensus::BlockPtr>(proto.status());
    if (!block.is_ok() || key.size() != 33 || !std::equal(key.begin() + 1, key.end(), block.value()->id.bytes.begin())) {
      decode_error = Status::corruption("consensus column: block under key " + hex_encode(key) + " is damaged" +
                                        (block.is_ok() ? " (its id differs)" : ": " + block.status().message()));
      return false;
    }
    tree.blocks.push_back(std::move(block).value());
    return true;
  }));
  HPC_TRY(decode_error);
  if (seen > kMaxSavedBlocks) return Status::corruption("consensus column: more saved blocks than any tree holds");
  HPC_ASSIGN_OR_RETURN(tree.high_qc, (load_cert<hpchain::v1::QuorumCert, consensus::QuorumCert>(
                                         store_, kHighQcKey, consensus::qc_from_proto)));
  HPC_ASSIGN_OR_RETURN(tree.high_tc, (load_cert<hpchain::v1::TimeoutCert, consensus::TimeoutCert>(
                                         store_, kHighTcKey, consensus::tc_from_proto)));
  return tree;
}

Status RocksTreeStorage::save_block(const consensus::BlockPtr& block) {
  const Bytes key = block_key(block->id);
  if (store_.get(Column::kConsensus, key).is_ok()) return Status::ok();  // saved already
  return put_one(store_, key, serialize(consensus::block_to_proto(*block)));
}

Status RocksTreeStorage::save_high_qc(const consensus::QuorumCert& qc) {
  return put_one(store_, kHighQcKey, serialize(consensus::qc_to_proto(qc)));
}

Status RocksTreeStorage::save_high_tc(const consensus::TimeoutCert& tc) {
  return put_one(store_, kHighTcKey, serialize(consensus::tc_to_proto(tc)));
}

Status RocksTreeStorage::prune(const std::vector<Hash32>& block_ids) {
  if (block_ids.empty()) return Status::ok();
  WriteBatch batch;
  for (const Hash32& id : block_ids) batch.erase(Column::kConsensus, block_key(id));
  return store_.write(batch);
}

}  // namespace hpchain::storage
