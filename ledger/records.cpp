// Record helpers shared by the transaction handlers: sorted lists, credits,
// and the registry with its two derived records (index, consensus set).
#include <algorithm>

#include "chain/check.h"
#include "chain/uint128.h"
#include "ledger/jobs.h"

namespace hpchain::ledger {

using hpchain::v1::ConsensusSet;
using hpchain::v1::KeyList;
using hpchain::v1::Validator;

Bytes to_bytes_key(std::string_view s) { return Bytes(s.begin(), s.end()); }

bool sorted_insert(google::protobuf::RepeatedPtrField<std::string>& field, const std::string& value) {
  auto it = std::lower_bound(field.begin(), field.end(), value);
  if (it != field.end() && *it == value) return false;
  const auto at = it - field.begin();
  field.Add(std::string(value));
  std::rotate(field.begin() + at, field.end() - 1, field.end());
  return true;
}

bool sorted_erase(google::protobuf::RepeatedPtrField<std::string>& field, const std::string& value) {
  auto it = std::lower_bound(field.begin(), field.end(), value);
  if (it == field.end() || *it != value) return false;
  field.erase(it);
  return true;
}

bool sorted_contains(const google::protobuf::RepeatedPtrField<std::string>& field, const std::string& value) {
  return std::binary_search(field.begin(), field.end(), value);
}

std::string bytes_of(const Address& a) { return std::string(a.bytes.begin(), a.bytes.end()); }

Address address_of(const std::string& bytes) {
  HPC_ASSERT(bytes.size() == Address::kSize);
  Address a;
  std::copy(bytes.begin(), bytes.end(), a.bytes.begin());
  return a;
}

Result<Verdict> require_admin(const TxContext& tx, hpchain::v1::Institution& out) {
  HPC_ASSIGN_OR_RETURN(auto account, tx.view.account(tx.sender));
  if ((account.roles() & hpchain::v1::ROLE_INSTITUTION_ADMIN) == 0 || account.institution().empty()) {
    return Verdict{TxCode::kNotAdmin, "the signer is not an institution admin"};
  }
  HPC_ASSIGN_OR_RETURN(auto inst, tx.view.get_record<hpchain::v1::Institution>(keys::institution(account.institution())));
  if (!inst || !sorted_contains(inst->admins(), bytes_of(tx.sender))) {
    return Verdict{TxCode::kNotAdmin, "the signer is not an admin of its institution"};
  }
  out = std::move(*inst);
  return Verdict::ok();
}

Status credit(StateView& view, const Address& to, uint64_t amount) {
  HPC_ASSIGN_OR_RETURN(auto account, view.account(to));
  // Total credits are below 2^62 (genesis bound) and conserved.
  HPC_ASSERT(account.balance() <= UINT64_MAX - amount);
  account.set_balance(account.balance() + amount);
  view.put_record(keys::account(to), account);
  return Status::ok();
}

Status add_unbonding(StateView& view, uint64_t height, const std::string& operator_bytes, uint64_t amount) {
  const Bytes key = keys::unbonding(height);
  HPC_ASSIGN_OR_RETURN(auto list, view.get_record<hpchain::v1::UnbondingList>(key));
  hpchain::v1::UnbondingList updated = list.value_or(hpchain::v1::UnbondingList{});
  auto* entry = updated.add_entries();
  entry->set_operator_(operator_bytes);
  entry->set_amount(amount);
  view.put_record(key, updated);
  return Status::ok();
}

Status adjust_credibility(StateView& view, const std::string& consensus_key, int64_t delta) {
  HPC_ASSIGN_OR_RETURN(auto v, view.get_record<Validator>(keys::validator(as_bytes(consensus_key))));
  if (!v) return Status::ok();  // removed meanwhile: nothing to adjust
  const int64_t now = static_cast<int64_t>(v->credibility());
  v->set_credibility(static_cast<uint64_t>(std::clamp<int64_t>(now + delta, 0, 1'000'000)));
  view.put_record(keys::validator(as_bytes(consensus_key)), *v);
  return Status::ok();
}

Status slash_stake(StateView& view, const hpchain::v1::Params& params, Validator& worker) {
  const auto amount = static_cast<uint64_t>(static_cast<Uint128>(worker.stake()) * params.worker_slash_ppm() / 1'000'000);
  worker.set_stake(worker.stake() - amount);
  return credit(view, kFeePoolAddress, amount);
}

Status change_load(StateView& view, const std::string& consensus_key, int delta) {
  HPC_ASSIGN_OR_RETURN(auto v, view.get_record<Validator>(keys::validator(as_bytes(consensus_key))));
  if (!v) return Status::ok();
  HPC_ASSERT(delta > 0 || v->assigned_units() > 0);
  v->set_assigned_units(delta > 0 ? v->assigned_units() + 1 : v->assigned_units() - 1);
  view.put_record(keys::validator(as_bytes(consensus_key)), *v);
  return Status::ok();
}

namespace {

Status update_consensus_set(StateView& view, const std::string& key, uint64_t power) {
  HPC_ASSIGN_OR_RETURN(ConsensusSet set, consensus_set(view));
  auto* members = set.mutable_members();
  auto it = std::lower_bound(members->begin(), members->end(), key,
                             [](const auto& m, const std::string& k) { return m.consensus_key() < k; });
  const bool present = it != members->end() && it->consensus_key() == key;
  if (present && power == 0) {
    members->erase(it);
  } else if (present) {
    it->set_power(power);
  } else if (power > 0) {
    const auto at = it - members->begin();
    auto* m = members->Add();
    m->set_consensus_key(key);
    m->set_power(power);
    std::rotate(members->begin() + at, members->end() - 1, members->end());
  } else {
    return Status::ok();
  }
  view.put_record(to_bytes_key(keys::kConsensusSet), set);
  return Status::ok();
}

Status update_index(StateView& view, const std::string& key, bool present) {
  HPC_ASSIGN_OR_RETURN(auto stored, view.get_record<KeyList>(to_bytes_key(keys::kValidatorIndex)));
  KeyList index = stored.value_or(KeyList{});
  const bool changed = present ? sorted_insert(*index.mutable_keys(), key) : sorted_erase(*index.mutable_keys(), key);
  if (changed) view.put_record(to_bytes_key(keys::kValidatorIndex), index);
  return Status::ok();
}

}  // namespace

Result<ConsensusSet> consensus_set(const StateView& view) {
  HPC_ASSIGN_OR_RETURN(auto stored, view.get_record<ConsensusSet>(to_bytes_key(keys::kConsensusSet)));
  return stored.value_or(ConsensusSet{});
}

Status set_validator(StateView& view, const Validator& v) {
  view.put_record(keys::validator(as_bytes(v.consensus_key())), v);
  HPC_TRY(update_index(view, v.consensus_key(), true));
  return update_consensus_set(view, v.consensus_key(), v.power());
}

Status remove_validator(StateView& view, const std::string& consensus_key) {
  view.erase(keys::validator(as_bytes(consensus_key)));
  HPC_TRY(update_index(view, consensus_key, false));
  return update_consensus_set(view, consensus_key, 0);
}

}  // namespace hpchain::ledger
