#include "ledger/state_view.h"

#include <algorithm>
#include <climits>

#include "chain/check.h"
#include "chain/codec.h"

namespace hpchain::ledger {
namespace keys {
namespace {
Bytes prefixed(std::string_view prefix, ByteSpan rest) {
  Bytes k(prefix.begin(), prefix.end());
  k.insert(k.end(), rest.begin(), rest.end());
  return k;
}
Bytes prefixed_be64(std::string_view prefix, uint64_t v) {
  Bytes k(prefix.begin(), prefix.end());
  put_be64(k, v);
  return k;
}
}  // namespace
Bytes account(const Address& a) { return prefixed("acct/", a.span()); }
Bytes institution(std::string_view id) { return prefixed("inst/", as_bytes(id)); }
Bytes validator(ByteSpan consensus_key) { return prefixed("val/", consensus_key); }
Bytes proposal(uint64_t id) { return prefixed_be64("prop/", id); }
Bytes unbonding(uint64_t height) { return prefixed_be64("unbond/", height); }
Bytes expiring(uint64_t height) { return prefixed_be64("expire/", height); }
Bytes job(const Hash32& id) { return prefixed("job/", id.span()); }
Bytes job_unit(const Hash32& id, uint32_t unit) {
  Bytes k = prefixed("junit/", id.span());
  for (int i = 3; i >= 0; --i) k.push_back(static_cast<uint8_t>(unit >> (8 * i)));
  return k;
}
Bytes unit_data(const Hash32& id, uint32_t unit, const Hash32& digest) {
  Bytes k = job_unit(id, unit);
  k.erase(k.begin(), k.begin() + 6);  // drop "junit/"
  Bytes out = prefixed("udata/", k);
  out.insert(out.end(), digest.bytes.begin(), digest.bytes.end());
  return out;
}
Bytes job_result(const Hash32& id) { return prefixed("jresult/", id.span()); }
Bytes jobs_due(uint64_t height) { return prefixed_be64("jdue/", height); }
Bytes assign_due(uint64_t beacon_round) { return prefixed_be64("adue/", beacon_round); }
Bytes beacon_output(uint64_t round) { return prefixed_be64("bout/", round); }
Bytes worker_jobs(ByteSpan consensus_key) { return prefixed("wjobs/", consensus_key); }
}  // namespace keys

Status parse_record_bytes(const Bytes& key, ByteSpan bytes, google::protobuf::Message& out) {
  // State records are bytes this ledger wrote, so unlike parse_proto there
  // is no scan for unknown fields: it cost a quarter of a transfer's
  // execution, and only damaged storage could fail it.
  if (bytes.size() > static_cast<size_t>(INT_MAX) || !out.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::corruption("state record under key " + hex_encode(key) + " does not decode");
  }
  return Status::ok();
}

Result<std::optional<Bytes>> StateView::get(const Bytes& key) const {
  auto it = overlay_.find(key);
  if (it != overlay_.end()) return it->second;
  return base_value(key);
}

Result<std::optional<Bytes>> StateView::base_value(const Bytes& key) const {
  auto it = base_reads_.find(key);
  if (it != base_reads_.end()) return it->second;
  HPC_ASSIGN_OR_RETURN(std::optional<Bytes> value, base_.get_value(key));
  base_reads_.emplace(key, value);
  return value;
}

void StateView::record_undo(const Bytes& key) {
  auto it = overlay_.find(key);
  // Spelled out: `cond ? std::nullopt : std::optional(it->second)` deduces
  // optional<Bytes> (CTAD copies), whose conversion always engages the
  // outer optional, so a rollback would turn "not in the overlay" into
  // "erased" and delete the key.
  std::optional<std::optional<Bytes>> before;
  if (it != overlay_.end()) before.emplace(it->second);
  journal_.push_back({key, std::move(before)});
}

void StateView::put(const Bytes& key, Bytes value) {
  record_undo(key);
  overlay_[key] = std::move(value);
}

void StateView::erase(const Bytes& key) {
  record_undo(key);
  overlay_[key] = std::nullopt;
}

void StateView::rollback(size_t mark) {
  HPC_ASSERT(mark <= journal_.size());
  while (journal_.size() > mark) {
    Undo& u = journal_.back();
    if (u.before) {
      overlay_[u.key] = std::move(*u.before);
    } else {
      overlay_.erase(u.key);
    }
    journal_.pop_back();
  }
}

Result<std::vector<std::pair<Bytes, std::optional<Bytes>>>> StateView::writes() const {
  std::vector<std::pair<Bytes, std::optional<Bytes>>> out;
  for (const auto& [key, value] : overlay_) {
    HPC_ASSIGN_OR_RETURN(std::optional<Bytes> base, base_value(key));
    if (base != value) out.emplace_back(key, value);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

void StateView::put_record(const Bytes& key, const google::protobuf::MessageLite& record) {
  put(key, serialize_proto(record));
}

Result<hpchain::v1::Account> StateView::account(const Address& a) const {
  HPC_ASSIGN_OR_RETURN(auto stored, get_record<hpchain::v1::Account>(keys::account(a)));
  if (stored) return *stored;
  hpchain::v1::Account fresh;
  fresh.set_address(a.bytes.data(), a.bytes.size());
  return fresh;
}

Result<hpchain::v1::Params> StateView::params() const {
  HPC_ASSIGN_OR_RETURN(auto stored, get_record<hpchain::v1::Params>(Bytes(keys::kParams.begin(), keys::kParams.end())));
  if (!stored) return Status::corruption("state holds no params record (not built from a genesis?)");
  return *stored;
}

}  // namespace hpchain::ledger
