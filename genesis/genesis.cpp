#include "genesis/genesis.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "chain/check.h"
#include "genesis/field_error.h"

namespace hpchain::genesis {
namespace {

using nlohmann::json;

using detail::at_index;
using detail::field_error;

// Refuses members the schema does not name: a misspelt "powr" must not
// silently become the default.
Status check_members(const json& object, std::string_view where, std::initializer_list<std::string_view> allowed) {
  if (!object.is_object()) return field_error(where, "must be an object");
  for (const auto& item : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
      return field_error(std::string(where) + "." + item.key(), "unknown field");
    }
  }
  return Status::ok();
}

// Typed member readers: a missing `required` member, or a wrong type, is an
// error naming the member.
class Fields {
 public:
  Fields(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

  std::string path(std::string_view name) const { return where_.empty() ? std::string(name) : where_ + "." + std::string(name); }
  bool has(std::string_view name) const { return object_.contains(name); }

  Result<const json*> member(std::string_view name, bool required) const {
    auto it = object_.find(name);
    if (it == object_.end()) {
      if (required) return field_error(path(name), "missing");
      return static_cast<const json*>(nullptr);
    }
    return &*it;
  }

  Status get(std::string_view name, std::string& out, bool required = true) const {
    HPC_ASSIGN_OR_RETURN(const json* v, member(name, required));
    if (v == nullptr) return Status::ok();
    if (!v->is_string()) return field_error(path(name), "must be a string");
    out = v->get<std::string>();
    return Status::ok();
  }

  Status get(std::string_view name, uint64_t& out, bool required = true) const {
    HPC_ASSIGN_OR_RETURN(const json* v, member(name, required));
    if (v == nullptr) return Status::ok();
    if (!v->is_number_unsigned()) return field_error(path(name), "must be a non-negative integer");
    out = v->get<uint64_t>();
    return Status::ok();
  }

  Status get(std::string_view name, uint32_t& out, bool required = true) const {
    uint64_t wide = out;
    HPC_TRY(get(name, wide, required));
    if (wide > UINT32_MAX) return field_error(path(name), "must be below 2^32");
    out = static_cast<uint32_t>(wide);
    return Status::ok();
  }

  Status get_strings(std::string_view name, std::vector<std::string>& out, bool required = true) const {
    HPC_ASSIGN_OR_RETURN(const json* v, member(name, required));
    if (v == nullptr) return Status::ok();
    if (!v->is_array()) return field_error(path(name), "must be an array of strings");
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) return field_error(at_index(path(name), i), "must be a string");
      out.push_back((*v)[i].get<std::string>());
    }
    return Status::ok();
  }

  Result<const json*> array(std::string_view name, bool required = true) const {
    HPC_ASSIGN_OR_RETURN(const json* v, member(name, required));
    if (v != nullptr && !v->is_array()) return field_error(path(name), "must be an array");
    return v;
  }

 private:
  const json& object_;
  std::string where_;
};

Result<Address> parse_address(const std::string& text, std::string_view where) {
  auto a = Address::parse(text);
  if (!a.is_ok()) return field_error(where, "not an address (0x and 40 hex digits)");
  return a.value();
}

Result<Hash32> parse_hash(const std::string& text, std::string_view where) {
  auto h = Hash32::from_hex(text);
  if (!h.is_ok()) return field_error(where, "not a 32-byte hex value (64 hex digits)");
  return h.value();
}

Result<Bytes> parse_consensus_key(const std::string& text, std::string_view where) {
  auto bytes = hex_decode(text.starts_with("0x") ? std::string_view(text).substr(2) : std::string_view(text));
  if (!bytes.is_ok() || !PublicKey::parse(bytes.value()).is_ok()) {
    return field_error(where, "not a compressed secp256k1 public key (66 hex digits)");
  }
  return bytes.value();
}


Status parse_params(const json& j, ChainParams& p) {
  if (!j.is_object()) return field_error("params", "must be an object");
  for (const auto& item : j.items()) {
    const auto& all = numeric_params();
    const bool numeric = std::any_of(all.begin(), all.end(), [&](const NumericParam& n) { return n.name == item.key(); });
    if (!numeric && item.key() != "accepted_kernels" && item.key() != "compute_version") {
      return field_error("params." + item.key(), "unknown field");
    }
  }
  Fields f(j, "params");
  for (const NumericParam& n : numeric_params()) HPC_TRY(f.get(n.name, p.*n.field, false));
  HPC_TRY(f.get_strings("accepted_kernels", p.accepted_kernels, false));
  HPC_TRY(f.get("compute_version", p.compute_version, false));
  return Status::ok();
}

Result<Capability> parse_capability(const json& j, const std::string& where) {
  HPC_TRY(check_members(j, where, {"cpu_threads", "gpu_model", "gpu_count", "rates"}));
  Fields f(j, where);
  Capability c;
  HPC_TRY(f.get("cpu_threads", c.cpu_threads, false));
  HPC_TRY(f.get("gpu_model", c.gpu_model, false));
  HPC_TRY(f.get("gpu_count", c.gpu_count, false));
  if (f.has("rates")) {
    const json& rates = j.at("rates");
    if (!rates.is_object()) return field_error(f.path("rates"), "must be an object of kernel: samples per second");
    for (const auto& item : rates.items()) {  // nlohmann's objects iterate in key order
      if (!item.value().is_number_unsigned()) {
        return field_error(f.path("rates") + "." + item.key(), "must be a non-negative integer");
      }
      c.rates.push_back({item.key(), item.value().get<uint64_t>()});
    }
  }
  return c;
}

Result<Institution> parse_institution(const json& j, const std::string& where) {
  HPC_TRY(check_members(j, where, {"id", "name", "admins"}));
  Fields f(j, where);
  Institution inst;
  HPC_TRY(f.get("id", inst.id));
  HPC_TRY(f.get("name", inst.name));
  std::vector<std::string> admins;
  HPC_TRY(f.get_strings("admins", admins));
  for (size_t i = 0; i < admins.size(); ++i) {
    HPC_ASSIGN_OR_RETURN(Address a, parse_address(admins[i], at_index(f.path("admins"), i)));
    inst.admins.push_back(a);
  }
  return inst;
}

Result<Validator> parse_validator(const json& j, const std::string& where) {
  HPC_TRY(check_members(j, where, {"consensus_key", "node_id", "institution", "power", "operator", "capability", "stake"}));
  Fields f(j, where);
  Validator v;
  std::string key, node_id, op;
  HPC_TRY(f.get("consensus_key", key));
  HPC_ASSIGN_OR_RETURN(v.consensus_key, parse_consensus_key(key, f.path("consensus_key")));
  HPC_TRY(f.get("node_id", node_id));
  HPC_ASSIGN_OR_RETURN(v.node_id, parse_hash(node_id, f.path("node_id")));
  HPC_TRY(f.get("institution", v.institution));
  HPC_TRY(f.get("power", v.power));
  HPC_TRY(f.get("operator", op));
  HPC_ASSIGN_OR_RETURN(v.operator_account, parse_address(op, f.path("operator")));
  HPC_TRY(f.get("stake", v.stake, false));
  if (f.has("capability")) {
    HPC_ASSIGN_OR_RETURN(v.capability, parse_capability(j.at("capability"), f.path("capability")));
  }
  return v;
}

Result<Account> parse_account(const json& j, const std::string& where) {
  HPC_TRY(check_members(j, where, {"address", "balance", "institution", "roles"}));
  Fields f(j, where);
  Account a;
  std::string address;
  HPC_TRY(f.get("address", address));
  HPC_ASSIGN_OR_RETURN(a.address, parse_address(address, f.path("address")));
  HPC_TRY(f.get("balance", a.balance));
  HPC_TRY(f.get("institution", a.institution, false));
  HPC_TRY(f.get_strings("roles", a.roles, false));
  return a;
}

// Parses list `name` of the top object with `parse_one` for each element.
template <typename T, typename Fn>
Status parse_list(const Fields& top, std::string_view name, bool required, Fn parse_one, std::vector<T>& out) {
  HPC_ASSIGN_OR_RETURN(const json* list, top.array(name, required));
  if (list == nullptr) return Status::ok();
  for (size_t i = 0; i < list->size(); ++i) {
    HPC_ASSIGN_OR_RETURN(T item, parse_one((*list)[i], at_index(name, i)));
    out.push_back(std::move(item));
  }
  return Status::ok();
}

}  // namespace

// Cross-field rules (genesis_rules.cpp).
Status validate_doc(const GenesisDoc& doc);

Result<GenesisDoc> parse_genesis(std::string_view json_text) {
  if (json_text.size() > kGenesisBytesMax) return Status::resource_exhausted("genesis file larger than 16 MiB");
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::invalid_argument("genesis: not valid JSON");
  HPC_TRY(check_members(j, "genesis", {"chain_id", "genesis_time", "institutions", "validators", "accounts", "params"}));
  Fields top(j, "");
  GenesisDoc doc;
  HPC_TRY(top.get("chain_id", doc.chain_id));
  std::string time;
  HPC_TRY(top.get("genesis_time", time));
  auto ms = parse_rfc3339_utc(time);
  if (!ms.is_ok()) return field_error("genesis_time", ms.status().message());
  doc.genesis_time_ms = ms.value();
  HPC_TRY(parse_list(top, "institutions", true, parse_institution, doc.institutions));
  HPC_TRY(parse_list(top, "validators", true, parse_validator, doc.validators));
  HPC_TRY(parse_list(top, "accounts", false, parse_account, doc.accounts));
  if (top.has("params")) HPC_TRY(parse_params(j.at("params"), doc.params));
  HPC_TRY(validate_doc(doc));
  return doc;
}

Result<GenesisDoc> load_genesis(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return Status::not_found(path.string() + ": no such file");
    return Status::io_error(path.string() + ": " + ec.message());
  }
  if (size > kGenesisBytesMax) return Status::resource_exhausted(path.string() + ": genesis file larger than 16 MiB");
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::io_error(path.string() + ": read failed");
  auto doc = parse_genesis(text.str());
  if (!doc.is_ok()) return Status::invalid_argument(path.string() + ": " + doc.status().message());
  return doc;
}

std::string to_json(const GenesisDoc& doc) {
  json j;
  j["chain_id"] = doc.chain_id;
  j["genesis_time"] = format_rfc3339_utc(doc.genesis_time_ms);
  j["institutions"] = json::array();
  for (const auto& inst : doc.institutions) {
    json admins = json::array();
    for (const auto& a : inst.admins) admins.push_back(a.to_string());
    j["institutions"].push_back({{"id", inst.id}, {"name", inst.name}, {"admins", admins}});
  }
  j["validators"] = json::array();
  for (const auto& v : doc.validators) {
    json rates = json::object();
    for (const auto& r : v.capability.rates) rates[r.kernel] = r.samples_per_second;
    json cap = {{"cpu_threads", v.capability.cpu_threads}, {"gpu_model", v.capability.gpu_model},
                {"gpu_count", v.capability.gpu_count}, {"rates", rates}};
    j["validators"].push_back({{"consensus_key", hex_encode(v.consensus_key)}, {"node_id", v.node_id.hex()},
                               {"institution", v.institution}, {"power", v.power},
                               {"operator", v.operator_account.to_string()}, {"capability", cap},
                               {"stake", v.stake}});
  }
  j["accounts"] = json::array();
  for (const auto& a : doc.accounts) {
    j["accounts"].push_back({{"address", a.address.to_string()}, {"balance", a.balance},
                             {"institution", a.institution}, {"roles", a.roles}});
  }
  const ChainParams& p = doc.params;
  j["params"] = json::object();
  for (const NumericParam& n : numeric_params()) j["params"][std::string(n.name)] = p.*n.field;
  j["params"]["accepted_kernels"] = p.accepted_kernels;
  j["params"]["compute_version"] = p.compute_version;
  return j.dump(2) + "\n";
}

}  // namespace hpchain::genesis
