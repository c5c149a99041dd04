// StateView: one block's writes over a StateReader, with a journal so a
// failed transaction can be rolled back to just after its fee was charged.
//
// Typed access to the state records (ledger.proto) lives here too, so every
// key layout is in one place (docs/ledger.md, "State keys").
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "chain/keys.h"
#include "hpchain/v1/ledger.pb.h"
#include "ledger/state_store.h"

namespace hpchain::ledger {

namespace keys {
Bytes account(const Address& a);                 // "acct/" ‖ 20 bytes
Bytes institution(std::string_view id);          // "inst/" ‖ id
Bytes validator(ByteSpan consensus_key);         // "val/" ‖ 33 bytes
Bytes proposal(uint64_t id);                     // "prop/" ‖ be64
Bytes unbonding(uint64_t height);                // "unbond/" ‖ be64
Bytes expiring(uint64_t height);                 // "expire/" ‖ be64
Bytes job(const Hash32& id);                               // "job/" ‖ 32 bytes
Bytes job_unit(const Hash32& id, uint32_t unit);           // "junit/" ‖ 32 ‖ be32
Bytes unit_data(const Hash32& id, uint32_t unit, const Hash32& digest);  // "udata/" ‖ 32 ‖ be32 ‖ 32
Bytes job_result(const Hash32& id);                        // "jresult/" ‖ 32 bytes
Bytes jobs_due(uint64_t height);                           // "jdue/" ‖ be64
Bytes assign_due(uint64_t beacon_round);                   // "adue/" ‖ be64
Bytes beacon_output(uint64_t round);                       // "bout/" ‖ be64
Bytes worker_jobs(ByteSpan consensus_key);                 // "wjobs/" ‖ 33 bytes
inline constexpr std::string_view kBeacon = "beacon";
inline constexpr std::string_view kParams = "params";
inline constexpr std::string_view kConsensusSet = "consensus-set";
inline constexpr std::string_view kValidatorIndex = "validator-index";
inline constexpr std::string_view kInstitutionIndex = "institution-index";
inline constexpr std::string_view kNextProposalId = "next-proposal-id";
}  // namespace keys

class StateView {
 public:
  explicit StateView(const StateReader& base) : base_(base) {}

  Result<std::optional<Bytes>> get(const Bytes& key) const;
  void put(const Bytes& key, Bytes value);
  void erase(const Bytes& key);

  // A journal position; rollback(mark) undoes every put and erase after it.
  size_t mark() const { return journal_.size(); }
  void rollback(size_t mark);

  // The writes that differ from the base, sorted by key.
  Result<std::vector<std::pair<Bytes, std::optional<Bytes>>>> writes() const;

  // Typed records: absent records read as nullopt; a stored record that does
  // not decode is Corruption.
  template <typename Message>
  Result<std::optional<Message>> get_record(const Bytes& key) const;
  void put_record(const Bytes& key, const google::protobuf::MessageLite& record);

  // An account reads as a fresh one (balance 0, nonce 0) when absent.
  Result<hpchain::v1::Account> account(const Address& a) const;
  Result<hpchain::v1::Params> params() const;

 private:
  struct BytesHash {
    size_t operator()(const Bytes& b) const noexcept { return std::hash<std::string_view>{}(as_string_view(b)); }
  };
  const StateReader& base_;
  // Hashed for O(1) reads and writes (ordered lookups of keys sharing a
  // prefix were a tenth of a transfer); writes() sorts, so no iteration
  // order of this map reaches a change set or a root.
  std::unordered_map<Bytes, std::optional<Bytes>, BytesHash> overlay_;
  // What the base held for each key read through it, so writes() need not
  // read those again (on RocksDB, half of a transfer block's reads).
  mutable std::unordered_map<Bytes, std::optional<Bytes>, BytesHash> base_reads_;
  Result<std::optional<Bytes>> base_value(const Bytes& key) const;
  // Each change, with what the overlay held for its key before it.
  struct Undo {
    Bytes key;
    std::optional<std::optional<Bytes>> before;  // outer nullopt: not in the overlay
  };
  std::vector<Undo> journal_;
  void record_undo(const Bytes& key);
};

// Corruption "state record under key <hex> does not decode" for bad bytes.
Status parse_record_bytes(const Bytes& key, ByteSpan bytes, google::protobuf::Message& out);

template <typename Message>
Result<std::optional<Message>> StateView::get_record(const Bytes& key) const {
  HPC_ASSIGN_OR_RETURN(std::optional<Bytes> bytes, get(key));
  if (!bytes) return std::optional<Message>{};
  Message m;
  HPC_TRY(parse_record_bytes(key, *bytes, m));
  return std::optional<Message>(std::move(m));
}

}  // namespace hpchain::ledger
