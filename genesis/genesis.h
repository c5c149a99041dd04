// genesis.json: the document every node of a chain starts from (docs/genesis.md).
//
// This module parses and validates the file into a plain GenesisDoc; it
// knows nothing of the ledger, which builds its first state from the doc
// (ledger/genesis_state.h). Every error names the field and what is wrong,
// e.g. `validators[2].power: must be at most 1000000000000`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chain/hash.h"
#include "chain/keys.h"
#include "chain/status.h"

namespace hpchain::genesis {

// Chain parameters with their defaults (docs/ledger.md, "Parameters"). The
// ledger stores them (as the Params record) and changes them by governance.
// Adding a numeric parameter: a member here, a row in numeric_params(),
// and a field of the same name in the Params record (ledger.proto); parsing,
// printing, bounds and the record conversion all follow the table.
struct ChainParams {
  uint64_t max_block_bytes = 240 * 1024;
  uint64_t max_block_gas = 50'000'000;
  uint64_t fee_base = 10;
  uint64_t fee_per_byte = 1;
  uint64_t proposal_max_blocks = 100'000;
  uint64_t unbonding_blocks = 1'000;
  uint64_t state_retention_heights = 1'024;
  uint64_t max_tally_bytes_per_unit = 16 * 1024;
  uint64_t max_job_gas = 1'000'000'000'000;  // a VM job's gas (docs/kernel-language.md)
  // Jobs (docs/jobs.md).
  uint64_t beacon_round_blocks = 5;
  uint64_t job_commit_blocks = 10;
  uint64_t job_reveal_blocks = 10;
  uint64_t job_challenge_blocks = 20;
  uint64_t job_replicas_max = 7;
  uint64_t job_units_max = 256;
  uint64_t job_unit_price_min = 100;
  uint64_t job_deadline_blocks_max = 100'000;
  uint64_t worker_slash_ppm = 100'000;
  // Partitioned mode: spot-checks and disputes (docs/jobs.md).
  uint64_t spot_check_floor_ppm = 50'000;
  uint64_t spot_check_new_ppm = 250'000;
  uint64_t spot_check_halving_units = 2;
  uint64_t dispute_leaf_samples = 64;
  uint64_t dispute_round_blocks = 5;
  uint64_t worker_jail_blocks = 1'000;
  std::vector<std::string> accepted_kernels = {"eemumu", "european_option", "param_scan", "pi", "vm"};
  uint32_t compute_version = 4;  // compute::kComputeVersion (genesis cannot include compute; genesis_state checks)
  friend bool operator==(const ChainParams&, const ChainParams&) = default;
};

// One numeric parameter: its name in genesis.json, SetParams and the Params
// record, its member, and its bounds (inclusive).
struct NumericParam {
  std::string_view name;
  uint64_t ChainParams::*field;
  uint64_t min;
  uint64_t max;
};
// Every numeric parameter, in the Params record's field order.
std::span<const NumericParam> numeric_params();

// InvalidArgument "params.<field>: <what is wrong>" for the first parameter
// out of bounds.
Status validate(const ChainParams& params);

struct KernelRate {
  std::string kernel;
  uint64_t samples_per_second = 0;
  friend bool operator==(const KernelRate&, const KernelRate&) = default;
};

struct Capability {
  uint32_t cpu_threads = 0;
  std::string gpu_model;
  uint32_t gpu_count = 0;
  std::vector<KernelRate> rates;  // sorted by kernel, unique
  friend bool operator==(const Capability&, const Capability&) = default;
};

// "<where>: <what>" for an out-of-bounds capability (shared with the
// ledger's WorkerRegister check).
Status validate(const Capability& capability, std::string_view where);

struct Institution {
  std::string id;
  std::string name;
  std::vector<Address> admins;
};

struct Validator {
  Bytes consensus_key;  // 33 bytes, a valid compressed secp256k1 key
  Hash32 node_id;
  std::string institution;
  uint64_t power = 0;
  Address operator_account;
  Capability capability;
  uint64_t stake = 0;  // bonded at genesis, out of nobody's balance
};

struct Account {
  Address address;
  uint64_t balance = 0;
  std::string institution;         // empty: no institution
  std::vector<std::string> roles;  // "submitter", "worker", "operator", "admin"
};

struct GenesisDoc {
  std::string chain_id;
  uint64_t genesis_time_ms = 0;  // from "genesis_time", RFC 3339 UTC
  std::vector<Institution> institutions;
  std::vector<Validator> validators;
  std::vector<Account> accounts;
  ChainParams params;
};

inline constexpr size_t kGenesisBytesMax = 16 * 1024 * 1024;
inline constexpr size_t kVotersMax = 1024;                // consensus' kMaxValidators
inline constexpr uint64_t kPowerMax = 1'000'000'000'000;  // per validator
inline constexpr uint64_t kCreditsMax = uint64_t{1} << 62;  // all balances and stakes together

// Ok for a chain id of 1..64 characters from [a-z0-9-], not starting or
// ending with '-'.
Status validate_chain_id(std::string_view chain_id);
// Ok for an institution id of 1..32 characters from [a-z0-9-].
Status validate_institution_id(std::string_view id);

// Parses and validates genesis JSON. InvalidArgument with the field's path
// for: malformed JSON, unknown or missing fields, wrong types, bad hex or
// keys, duplicates, references to unknown institutions, no validator with
// power, bounds (above), roles outside an institution.
Result<GenesisDoc> parse_genesis(std::string_view json_text);
// Reads and parses a file: NotFound / IoError for the file, ResourceExhausted
// above kGenesisBytesMax, else as parse_genesis (prefixed with the path).
Result<GenesisDoc> load_genesis(const std::filesystem::path& path);

// The JSON text of a doc (2-space indented; what `hpchaind testnet` writes).
// parse_genesis(to_json(doc)) gives the doc back.
std::string to_json(const GenesisDoc& doc);

// Parses "YYYY-MM-DDTHH:MM:SS[.mmm]Z" to Unix milliseconds.
Result<uint64_t> parse_rfc3339_utc(std::string_view text);
std::string format_rfc3339_utc(uint64_t unix_ms);

}  // namespace hpchain::genesis
