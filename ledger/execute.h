// Internal to ledger/: the per-transaction handlers apply_block dispatches to.
// Each returns a Verdict; on any code but kOk, apply_block rolls the view
// back to just after the fee, so a handler may stop half-way.
#pragma once

#include <string>
#include <vector>

#include "hpchain/v1/tx.pb.h"
#include "ledger/ledger.h"
#include "ledger/state_view.h"

namespace hpchain::ledger {

struct Verdict {
  TxCode code = TxCode::kOk;
  std::string detail;
  static Verdict ok() { return {}; }
};

struct TxContext {
  StateView& view;
  const BlockContext& block;
  const hpchain::v1::Params& params;  // as of the block's start
  const Address& sender;
  std::vector<Event>& events;
  uint64_t nonce = 0;  // the transaction's nonce
};

Result<Verdict> execute_transfer(TxContext& tx, const hpchain::v1::Transfer& t);
Result<Verdict> execute_member_admit(TxContext& tx, const hpchain::v1::MemberAdmit& m);
Result<Verdict> execute_member_revoke(TxContext& tx, const hpchain::v1::MemberRevoke& m);
Result<Verdict> execute_worker_register(TxContext& tx, const hpchain::v1::WorkerRegister& w);
Result<Verdict> execute_stake_bond(TxContext& tx, const hpchain::v1::StakeBond& s);
Result<Verdict> execute_stake_unbond(TxContext& tx, const hpchain::v1::StakeUnbond& s);
Result<Verdict> execute_proposal(TxContext& tx, const hpchain::v1::ProposalSubmit& p);
Result<Verdict> execute_vote(TxContext& tx, const hpchain::v1::ProposalVote& v);

// End of block: expires the open proposals whose expiry is this height.
Status expire_proposals(StateView& view, uint64_t height, std::vector<Event>& events);
// Start of block: returns the unbonded stake due at this height.
Status release_unbondings(StateView& view, uint64_t height, std::vector<Event>& events);

// Shared record helpers.
Bytes to_bytes_key(std::string_view s);
// Inserts into / erases from a sorted repeated field; false if already
// present / absent.
bool sorted_insert(google::protobuf::RepeatedPtrField<std::string>& field, const std::string& value);
bool sorted_erase(google::protobuf::RepeatedPtrField<std::string>& field, const std::string& value);
bool sorted_contains(const google::protobuf::RepeatedPtrField<std::string>& field, const std::string& value);
std::string bytes_of(const Address& a);
Address address_of(const std::string& bytes);  // 20 bytes (checked by check_tx_fields)

// The admin's institution, or kNotAdmin.
Result<Verdict> require_admin(const TxContext& tx, hpchain::v1::Institution& out);
Status credit(StateView& view, const Address& to, uint64_t amount);
Status add_unbonding(StateView& view, uint64_t height, const std::string& operator_bytes, uint64_t amount);

// The validator index and consensus set records, kept in step with the
// registry entries by set_validator / remove_validator.
Status set_validator(StateView& view, const hpchain::v1::Validator& v);
Status remove_validator(StateView& view, const std::string& consensus_key);
Result<hpchain::v1::ConsensusSet> consensus_set(const StateView& view);

}  // namespace hpchain::ledger
