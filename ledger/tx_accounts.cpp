// Handlers of the account, membership and staking transactions.
#include "chain/check.h"
#include "ledger/execute.h"

namespace hpchain::ledger {

using hpchain::v1::Account;
using hpchain::v1::Institution;
using hpchain::v1::Validator;

Result<Verdict> execute_transfer(TxContext& tx, const hpchain::v1::Transfer& t) {
  HPC_ASSIGN_OR_RETURN(Account from, tx.view.account(tx.sender));
  if (from.balance() < t.amount()) {
    return Verdict{TxCode::kInsufficientBalance, "balance " + std::to_string(from.balance()) + " is below the amount " +
                                                     std::to_string(t.amount())};
  }
  from.set_balance(from.balance() - t.amount());
  tx.view.put_record(keys::account(tx.sender), from);
  HPC_TRY(credit(tx.view, address_of(t.to()), t.amount()));
  return Verdict::ok();
}

namespace {

Result<Verdict> admit_account(TxContext& tx, Institution& inst, const hpchain::v1::MemberAdmit& m) {
  const Address member = address_of(m.account());
  HPC_ASSIGN_OR_RETURN(Account account, tx.view.account(member));
  if (!account.institution().empty() && account.institution() != inst.id()) {
    return Verdict{TxCode::kMemberOfOther, "the account is a member of \"" + account.institution() + "\""};
  }
  // Re-admitting a member sets its roles anew; the last admin may not drop
  // its own admin role that way.
  const bool admin = (m.roles() & hpchain::v1::ROLE_INSTITUTION_ADMIN) != 0;
  if (!admin && sorted_contains(inst.admins(), m.account()) && inst.admins_size() == 1) {
    return Verdict{TxCode::kLastAdmin, "the institution's last admin keeps its admin role"};
  }
  account.set_institution(inst.id());
  account.set_roles(m.roles());
  tx.view.put_record(keys::account(member), account);
  sorted_insert(*inst.mutable_members(), m.account());
  if (admin) {
    sorted_insert(*inst.mutable_admins(), m.account());
  } else {
    sorted_erase(*inst.mutable_admins(), m.account());
  }
  return Verdict::ok();
}

}  // namespace

Result<Verdict> execute_member_admit(TxContext& tx, const hpchain::v1::MemberAdmit& m) {
  Institution inst;
  HPC_ASSIGN_OR_RETURN(Verdict admin, require_admin(tx, inst));
  if (admin.code != TxCode::kOk) return admin;
  if (!m.node_id().empty()) {
    if (!sorted_insert(*inst.mutable_node_ids(), m.node_id())) {
      return Verdict{TxCode::kAlreadyMember, "the node is already admitted"};
    }
  } else {
    HPC_ASSIGN_OR_RETURN(Verdict v, admit_account(tx, inst, m));
    if (v.code != TxCode::kOk) return v;
  }
  tx.view.put_record(keys::institution(inst.id()), inst);
  tx.events.push_back({"member_admitted", {{"institution", inst.id()}}});
  return Verdict::ok();
}

Result<Verdict> execute_member_revoke(TxContext& tx, const hpchain::v1::MemberRevoke& m) {
  Institution inst;
  HPC_ASSIGN_OR_RETURN(Verdict admin, require_admin(tx, inst));
  if (admin.code != TxCode::kOk) return admin;
  if (!m.node_id().empty()) {
    if (!sorted_erase(*inst.mutable_node_ids(), m.node_id())) return Verdict{TxCode::kNotMember, "the node is not admitted"};
  } else {
    if (!sorted_contains(inst.members(), m.account())) {
      return Verdict{TxCode::kNotMember, "the account is not a member of \"" + inst.id() + "\""};
    }
    if (sorted_contains(inst.admins(), m.account()) && inst.admins_size() == 1) {
      return Verdict{TxCode::kLastAdmin, "the institution's last admin cannot be revoked (governance can remove the institution)"};
    }
    sorted_erase(*inst.mutable_members(), m.account());
    sorted_erase(*inst.mutable_admins(), m.account());
    const Address member = address_of(m.account());
    HPC_ASSIGN_OR_RETURN(Account account, tx.view.account(member));
    account.set_institution("");
    account.set_roles(0);
    tx.view.put_record(keys::account(member), account);
  }
  tx.view.put_record(keys::institution(inst.id()), inst);
  tx.events.push_back({"member_revoked", {{"institution", inst.id()}}});
  return Verdict::ok();
}

Result<Verdict> execute_worker_register(TxContext& tx, const hpchain::v1::WorkerRegister& w) {
  HPC_ASSIGN_OR_RETURN(Account account, tx.view.account(tx.sender));
  if ((account.roles() & hpchain::v1::ROLE_OPERATOR) == 0) {
    return Verdict{TxCode::kWrongRole, "WorkerRegister needs the operator role"};
  }
  HPC_ASSIGN_OR_RETURN(auto stored, tx.view.get_record<Validator>(keys::validator(as_bytes(w.consensus_key()))));
  Validator v;
  if (stored) {
    if (stored->operator_() != bytes_of(tx.sender)) {
      return Verdict{TxCode::kValidatorExists, "the consensus key is registered to another operator"};
    }
    v = std::move(*stored);
  } else {
    v.set_consensus_key(w.consensus_key());
    v.set_institution(account.institution());
    v.set_operator_(bytes_of(tx.sender));
    v.set_credibility(kInitialCredibility);
  }
  v.set_node_id(w.node_id());
  *v.mutable_capability() = w.capability();
  HPC_TRY(set_validator(tx.view, v));
  tx.events.push_back({"worker_registered", {{"consensus_key", hex_encode(as_bytes(w.consensus_key()))}}});
  return Verdict::ok();
}

namespace {
// The registry entry the sender operates, or the verdict why not.
Result<Verdict> operated_validator(const TxContext& tx, const std::string& key, Validator& out) {
  HPC_ASSIGN_OR_RETURN(auto stored, tx.view.get_record<Validator>(keys::validator(as_bytes(key))));
  if (!stored) return Verdict{TxCode::kUnknownValidator, "no registry entry for the consensus key"};
  if (stored->operator_() != bytes_of(tx.sender)) return Verdict{TxCode::kNotOperator, "the signer is not the entry's operator"};
  out = std::move(*stored);
  return Verdict::ok();
}
}  // namespace

Result<Verdict> execute_stake_bond(TxContext& tx, const hpchain::v1::StakeBond& s) {
  Validator v;
  HPC_ASSIGN_OR_RETURN(Verdict ok, operated_validator(tx, s.consensus_key(), v));
  if (ok.code != TxCode::kOk) return ok;
  HPC_ASSIGN_OR_RETURN(Account account, tx.view.account(tx.sender));
  if (account.balance() < s.amount()) return Verdict{TxCode::kInsufficientBalance, "balance is below the amount to bond"};
  account.set_balance(account.balance() - s.amount());
  v.set_stake(v.stake() + s.amount());
  tx.view.put_record(keys::account(tx.sender), account);
  HPC_TRY(set_validator(tx.view, v));
  return Verdict::ok();
}

Result<Verdict> execute_stake_unbond(TxContext& tx, const hpchain::v1::StakeUnbond& s) {
  Validator v;
  HPC_ASSIGN_OR_RETURN(Verdict ok, operated_validator(tx, s.consensus_key(), v));
  if (ok.code != TxCode::kOk) return ok;
  if (v.stake() < s.amount()) return Verdict{TxCode::kInsufficientStake, "the stake is below the amount to unbond"};
  v.set_stake(v.stake() - s.amount());
  HPC_TRY(set_validator(tx.view, v));
  HPC_TRY(add_unbonding(tx.view, tx.block.height + tx.params.unbonding_blocks(), v.operator_(), s.amount()));
  return Verdict::ok();
}

Status release_unbondings(StateView& view, uint64_t height, std::vector<Event>& events) {
  const Bytes key = keys::unbonding(height);
  HPC_ASSIGN_OR_RETURN(auto list, view.get_record<hpchain::v1::UnbondingList>(key));
  if (!list) return Status::ok();
  for (const auto& entry : list->entries()) {
    HPC_TRY(credit(view, address_of(entry.operator_()), entry.amount()));
    events.push_back({"stake_released", {{"operator", address_of(entry.operator_()).to_string()},
                                         {"amount", std::to_string(entry.amount())}}});
  }
  view.erase(key);
  return Status::ok();
}

}  // namespace hpchain::ledger
