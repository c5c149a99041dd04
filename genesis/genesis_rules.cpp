// The rules of a genesis document beyond its syntax: bounds, references,
// duplicates. Each error names the field (docs/genesis.md).
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "chain/check.h"
#include "genesis/field_error.h"
#include "genesis/genesis.h"

namespace hpchain::genesis {
namespace {

using detail::at_index;
using detail::field_error;

bool is_id_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

Status check_range(std::string_view name, uint64_t value, uint64_t lo, uint64_t hi) {
  if (value < lo || value > hi) {
    return field_error("params." + std::string(name),
                       "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return Status::ok();
}

// Roles by name, as genesis.json and the CLI spell them.
bool known_role(std::string_view role) {
  return role == "submitter" || role == "worker" || role == "operator" || role == "admin";
}

Status check_institutions(const GenesisDoc& doc, std::set<std::string>& ids) {
  if (doc.institutions.empty()) return field_error("institutions", "at least one institution is required");
  std::map<Address, std::string> admin_of;
  for (size_t i = 0; i < doc.institutions.size(); ++i) {
    const auto& inst = doc.institutions[i];
    const std::string where = at_index("institutions", i);
    if (auto s = validate_institution_id(inst.id); !s.is_ok()) return field_error(where + ".id", s.message());
    if (inst.name.empty() || inst.name.size() > 128) return field_error(where + ".name", "must be 1 to 128 characters");
    if (!ids.insert(inst.id).second) return field_error(where + ".id", "duplicate institution \"" + inst.id + "\"");
    if (inst.admins.empty()) return field_error(where + ".admins", "at least one admin is required");
    for (size_t k = 0; k < inst.admins.size(); ++k) {
      auto [it, fresh] = admin_of.emplace(inst.admins[k], inst.id);
      if (!fresh) {
        return field_error(at_index(where + ".admins", k),
                           inst.admins[k].to_string() + " is already an admin of \"" + it->second + "\"");
      }
    }
  }
  return Status::ok();
}

Status check_validators(const GenesisDoc& doc, const std::set<std::string>& institutions, uint64_t& stakes) {
  std::set<Bytes> keys;
  std::set<Hash32> nodes;
  size_t voters = 0;
  for (size_t i = 0; i < doc.validators.size(); ++i) {
    const auto& v = doc.validators[i];
    const std::string where = at_index("validators", i);
    if (!keys.insert(v.consensus_key).second) return field_error(where + ".consensus_key", "duplicate consensus key");
    if (!nodes.insert(v.node_id).second) return field_error(where + ".node_id", "duplicate node id");
    if (!institutions.contains(v.institution)) {
      return field_error(where + ".institution", "unknown institution \"" + v.institution + "\"");
    }
    if (v.power > kPowerMax) return field_error(where + ".power", "must be at most " + std::to_string(kPowerMax));
    HPC_TRY(validate(v.capability, where + ".capability"));
    if (v.stake > kCreditsMax - stakes) return field_error(where + ".stake", "credits in all exceed 2^62");
    stakes += v.stake;
    if (v.power > 0) ++voters;
  }
  if (voters == 0) return field_error("validators", "at least one validator must have power > 0");
  if (voters > kVotersMax) return field_error("validators", "more than 1024 validators with power > 0");
  // Total power is at most 1024 × kPowerMax < 2^62, consensus' bound, by construction.
  return Status::ok();
}

// An account named both as an admin or operator of one institution and as
// a member of another is a contradiction, not a choice.
Status check_accounts(const GenesisDoc& doc, const std::set<std::string>& institutions, uint64_t credits) {
  std::map<Address, std::string> bound_to;
  for (const auto& inst : doc.institutions) {
    for (const auto& a : inst.admins) bound_to.emplace(a, inst.id);
  }
  for (size_t i = 0; i < doc.validators.size(); ++i) {
    const auto& v = doc.validators[i];
    auto [it, fresh] = bound_to.emplace(v.operator_account, v.institution);
    if (!fresh && it->second != v.institution) {
      return field_error(at_index("validators", i) + ".operator",
                         v.operator_account.to_string() + " belongs to institution \"" + it->second + "\"");
    }
  }
  std::set<Address> seen;
  for (size_t i = 0; i < doc.accounts.size(); ++i) {
    const auto& a = doc.accounts[i];
    const std::string where = at_index("accounts", i);
    if (!seen.insert(a.address).second) return field_error(where + ".address", "duplicate account");
    if (a.balance > kCreditsMax - credits) return field_error(where + ".balance", "credits in all exceed 2^62");
    credits += a.balance;
    if (!a.institution.empty() && !institutions.contains(a.institution)) {
      return field_error(where + ".institution", "unknown institution \"" + a.institution + "\"");
    }
    if (a.institution.empty() && !a.roles.empty()) return field_error(where + ".roles", "roles need an institution");
    for (size_t r = 0; r < a.roles.size(); ++r) {
      if (!known_role(a.roles[r])) {
        return field_error(at_index(where + ".roles", r),
                           "unknown role \"" + a.roles[r] + "\" (submitter, worker, operator, admin)");
      }
      if (a.roles[r] == "admin") return field_error(at_index(where + ".roles", r), "admins are listed under institutions[].admins");
    }
    auto it = bound_to.find(a.address);
    if (it != bound_to.end() && it->second != a.institution) {
      return field_error(where + ".institution", a.address.to_string() + " belongs to institution \"" + it->second + "\"");
    }
  }
  return Status::ok();
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

Status validate_chain_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return Status::invalid_argument("must be 1 to 64 characters");
  if (!std::all_of(id.begin(), id.end(), is_id_char)) return Status::invalid_argument("may use only a-z, 0-9 and '-'");
  if (id.front() == '-' || id.back() == '-') return Status::invalid_argument("may not start or end with '-'");
  return Status::ok();
}

Status validate_institution_id(std::string_view id) {
  if (id.empty() || id.size() > 32) return Status::invalid_argument("must be 1 to 32 characters");
  if (!std::all_of(id.begin(), id.end(), is_id_char)) return Status::invalid_argument("may use only a-z, 0-9 and '-'");
  return Status::ok();
}

std::span<const NumericParam> numeric_params() {
  using P = ChainParams;
  static constexpr NumericParam kParams[] = {
      {"max_block_bytes", &P::max_block_bytes, 64 * 1024, 4 * 1024 * 1024},
      {"max_block_gas", &P::max_block_gas, 100'000, uint64_t{1} << 50},
      {"fee_base", &P::fee_base, 0, uint64_t{1} << 40},
      {"fee_per_byte", &P::fee_per_byte, 0, uint64_t{1} << 20},
      {"proposal_max_blocks", &P::proposal_max_blocks, 1, 10'000'000},
      {"unbonding_blocks", &P::unbonding_blocks, 1, 10'000'000},
      {"state_retention_heights", &P::state_retention_heights, 1, 1'000'000},
      {"max_tally_bytes_per_unit", &P::max_tally_bytes_per_unit, 64, 48 * 1024},
      {"max_job_gas", &P::max_job_gas, 1, uint64_t{1} << 50},
      {"beacon_round_blocks", &P::beacon_round_blocks, 2, 10'000},
      {"job_commit_blocks", &P::job_commit_blocks, 1, 1'000'000},
      {"job_reveal_blocks", &P::job_reveal_blocks, 1, 1'000'000},
      {"job_challenge_blocks", &P::job_challenge_blocks, 0, 10'000'000},
      {"job_replicas_max", &P::job_replicas_max, 1, 64},
      {"job_units_max", &P::job_units_max, 1, 4096},
      {"job_unit_price_min", &P::job_unit_price_min, 0, uint64_t{1} << 40},
      {"job_deadline_blocks_max", &P::job_deadline_blocks_max, 1, 10'000'000},
      {"worker_slash_ppm", &P::worker_slash_ppm, 0, 1'000'000},
      {"spot_check_floor_ppm", &P::spot_check_floor_ppm, 0, 1'000'000},
      {"spot_check_new_ppm", &P::spot_check_new_ppm, 0, 1'000'000},
      {"spot_check_halving_units", &P::spot_check_halving_units, 1, 1'000'000},
      {"dispute_leaf_samples", &P::dispute_leaf_samples, 1, 65'536},
      {"dispute_round_blocks", &P::dispute_round_blocks, 1, 10'000},
      {"worker_jail_blocks", &P::worker_jail_blocks, 0, 10'000'000},
  };
  return kParams;
}

Status validate(const ChainParams& p) {
  for (const NumericParam& n : numeric_params()) HPC_TRY(check_range(n.name, p.*n.field, n.min, n.max));
  if (p.accepted_kernels.empty()) return field_error("params.accepted_kernels", "at least one kernel is required");
  for (size_t i = 0; i < p.accepted_kernels.size(); ++i) {
    const auto& k = p.accepted_kernels[i];
    if (k.empty() || k.size() > 64) return field_error(at_index("params.accepted_kernels", i), "must be 1 to 64 characters");
    if (i > 0 && !(p.accepted_kernels[i - 1] < k)) {
      return field_error(at_index("params.accepted_kernels", i), "must be sorted and unique");
    }
  }
  if (p.compute_version == 0) return field_error("params.compute_version", "must be at least 1");
  return Status::ok();
}

Status validate(const Capability& c, std::string_view where) {
  const std::string w(where);
  if (c.cpu_threads > 65'536) return field_error(w + ".cpu_threads", "must be at most 65536");
  if (c.gpu_count > 1'024) return field_error(w + ".gpu_count", "must be at most 1024");
  if (c.gpu_model.size() > 64) return field_error(w + ".gpu_model", "must be at most 64 characters");
  if ((c.gpu_count == 0) != c.gpu_model.empty()) return field_error(w + ".gpu_model", "is set exactly when gpu_count > 0");
  if (c.rates.size() > 64) return field_error(w + ".rates", "at most 64 kernels");
  for (size_t i = 0; i < c.rates.size(); ++i) {
    const auto& r = c.rates[i];
    if (r.kernel.empty() || r.kernel.size() > 64) return field_error(w + ".rates", "kernel names are 1 to 64 characters");
    if (i > 0 && !(c.rates[i - 1].kernel < r.kernel)) return field_error(w + ".rates", "kernels must be sorted and unique");
  }
  return Status::ok();
}

Status validate_doc(const GenesisDoc& doc) {
  if (auto s = validate_chain_id(doc.chain_id); !s.is_ok()) return field_error("chain_id", s.message());
  std::set<std::string> institutions;
  HPC_TRY(check_institutions(doc, institutions));
  uint64_t stakes = 0;
  HPC_TRY(check_validators(doc, institutions, stakes));
  HPC_TRY(check_accounts(doc, institutions, stakes));
  return validate(doc.params);
}

Result<uint64_t> parse_rfc3339_utc(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.mmm]Z
  auto digits = [&](size_t at, size_t n, unsigned& out) {
    out = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (i >= t.size() || t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + static_cast<unsigned>(t[i] - '0');
    }
    return true;
  };
  unsigned y, mo, d, h, mi, s, ms = 0;
  const bool shape = t.size() >= 20 && digits(0, 4, y) && t[4] == '-' && digits(5, 2, mo) && t[7] == '-' &&
                     digits(8, 2, d) && t[10] == 'T' && digits(11, 2, h) && t[13] == ':' && digits(14, 2, mi) &&
                     t[16] == ':' && digits(17, 2, s);
  const bool tail = shape && ((t.size() == 20 && t[19] == 'Z') ||
                              (t.size() == 24 && t[19] == '.' && digits(20, 3, ms) && t[23] == 'Z'));
  if (!tail) return Status::invalid_argument("must be RFC 3339 UTC, e.g. 2026-12-02T18:00:00Z");
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || s > 59) {
    return Status::invalid_argument("is not a valid date and time after 1970");
  }
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return Status::invalid_argument("is not a valid date and time after 1970");
  const int64_t days = days_from_civil(y, mo, d);
  return static_cast<uint64_t>(((days * 24 + h) * 60 + mi) * 60 + s) * 1000 + ms;
}

std::string format_rfc3339_utc(uint64_t unix_ms) {
  const int64_t secs = static_cast<int64_t>(unix_ms / 1000);
  const int64_t z = secs / 86400 + 719468;
  const int64_t era = z / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  const int64_t rem = secs % 86400;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  std::string out(buf);
  if (unix_ms % 1000 != 0) {
    std::snprintf(buf, sizeof buf, ".%03u", static_cast<unsigned>(unix_ms % 1000));
    out += buf;
  }
  return out + "Z";
}

}  // namespace hpchain::genesis
