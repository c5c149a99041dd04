// Governance: proposals, votes by institution, and the actions a passed
// proposal applies. Passes when the institutions voting yes are more than
// 2/3 of all institutions (counted when each vote lands; votes of removed
// institutions no longer count).
#include "chain/check.h"
#include "genesis/genesis.h"
#include "ledger/execute.h"

namespace hpchain::ledger {

using hpchain::v1::GovernanceAction;
using hpchain::v1::Institution;
using hpchain::v1::NameList;
using hpchain::v1::ProposalRecord;
using hpchain::v1::Validator;

namespace {

Result<NameList> institution_index(const StateView& view) {
  HPC_ASSIGN_OR_RETURN(auto stored, view.get_record<NameList>(to_bytes_key(keys::kInstitutionIndex)));
  return stored.value_or(NameList{});
}

Result<Verdict> add_institution(StateView& view, const hpchain::v1::AddInstitution& a) {
  HPC_ASSIGN_OR_RETURN(NameList index, institution_index(view));
  if (sorted_contains(index.names(), a.id())) return Verdict{TxCode::kInstitutionExists, "institution exists"};
  Institution inst;
  inst.set_id(a.id());
  inst.set_name(a.name());
  for (const auto& admin : a.admins()) {
    HPC_ASSIGN_OR_RETURN(auto account, view.account(address_of(admin)));
    if (!account.institution().empty()) return Verdict{TxCode::kMemberOfOther, "an admin is a member of another institution"};
    account.set_institution(a.id());
    account.set_roles(hpchain::v1::ROLE_INSTITUTION_ADMIN);
    view.put_record(keys::account(address_of(admin)), account);
    sorted_insert(*inst.mutable_admins(), admin);
    sorted_insert(*inst.mutable_members(), admin);
  }
  sorted_insert(*index.mutable_names(), a.id());
  view.put_record(to_bytes_key(keys::kInstitutionIndex), index);
  view.put_record(keys::institution(a.id()), inst);
  return Verdict::ok();
}

Result<Verdict> remove_institution(StateView& view, const std::string& id) {
  HPC_ASSIGN_OR_RETURN(NameList index, institution_index(view));
  if (!sorted_contains(index.names(), id)) return Verdict{TxCode::kUnknownInstitution, "no such institution"};
  if (index.names_size() == 1) return Verdict{TxCode::kLastInstitution, "the last institution cannot be removed"};
  HPC_ASSIGN_OR_RETURN(auto stored, view.get_record<hpchain::v1::KeyList>(to_bytes_key(keys::kValidatorIndex)));
  // Named, not iterated as value_or(...).keys(): the temporary would die
  // before the loop body runs.
  const hpchain::v1::KeyList keys_list = stored.value_or(hpchain::v1::KeyList{});
  for (const auto& key : keys_list.keys()) {
    HPC_ASSIGN_OR_RETURN(auto v, view.get_record<Validator>(keys::validator(as_bytes(key))));
    if (v && v->institution() == id) {
      return Verdict{TxCode::kInstitutionHasValidators, "remove the institution's validators first"};
    }
  }
  HPC_ASSIGN_OR_RETURN(auto inst, view.get_record<Institution>(keys::institution(id)));
  HPC_ASSERT(inst.has_value());
  for (const auto& member : inst->members()) {
    HPC_ASSIGN_OR_RETURN(auto account, view.account(address_of(member)));
    account.set_institution("");
    account.set_roles(0);
    view.put_record(keys::account(address_of(member)), account);
  }
  sorted_erase(*index.mutable_names(), id);
  view.put_record(to_bytes_key(keys::kInstitutionIndex), index);
  view.erase(keys::institution(id));
  return Verdict::ok();
}

// The consensus set after a change must stay non-empty and within bounds.
Result<Verdict> check_voters(const StateView& view) {
  HPC_ASSIGN_OR_RETURN(auto set, consensus_set(view));
  if (set.members_size() == 0) return Verdict{TxCode::kEmptyConsensusSet, "no validator with power would remain"};
  if (static_cast<size_t>(set.members_size()) > genesis::kVotersMax) {
    return Verdict{TxCode::kTooManyVoters, "more than 1024 validators with power"};
  }
  return Verdict::ok();
}

Result<Verdict> add_validator(StateView& view, const hpchain::v1::AddValidator& a) {
  HPC_ASSIGN_OR_RETURN(auto existing, view.get(keys::validator(as_bytes(a.consensus_key()))));
  if (existing) return Verdict{TxCode::kValidatorExists, "the consensus key is registered"};
  HPC_ASSIGN_OR_RETURN(auto op, view.account(address_of(a.operator_())));
  if (op.institution() != a.institution() || (op.roles() & hpchain::v1::ROLE_OPERATOR) == 0) {
    return Verdict{TxCode::kWrongRole, "the operator needs the operator role in the validator's institution"};
  }
  Validator v;
  v.set_consensus_key(a.consensus_key());
  v.set_node_id(a.node_id());
  v.set_institution(a.institution());
  v.set_power(a.power());
  v.set_operator_(a.operator_());
  v.set_credibility(kInitialCredibility);
  HPC_TRY(set_validator(view, v));
  return check_voters(view);
}

Result<Verdict> change_validator(StateView& view, const std::string& key, std::optional<uint64_t> power,
                                 uint64_t unbond_height) {
  HPC_ASSIGN_OR_RETURN(auto v, view.get_record<Validator>(keys::validator(as_bytes(key))));
  if (!v) return Verdict{TxCode::kUnknownValidator, "no registry entry for the consensus key"};
  if (power) {
    v->set_power(*power);
    HPC_TRY(set_validator(view, *v));
  } else {
    if (v->stake() > 0) HPC_TRY(add_unbonding(view, unbond_height, v->operator_(), v->stake()));
    HPC_TRY(remove_validator(view, key));
  }
  return check_voters(view);
}

Result<Verdict> apply_action(TxContext& tx, const GovernanceAction& action) {
  switch (action.action_case()) {
    case GovernanceAction::kAddInstitution: return add_institution(tx.view, action.add_institution());
    case GovernanceAction::kRemoveInstitution: return remove_institution(tx.view, action.remove_institution().id());
    case GovernanceAction::kAddValidator: return add_validator(tx.view, action.add_validator());
    case GovernanceAction::kRemoveValidator:
      return change_validator(tx.view, action.remove_validator().consensus_key(), std::nullopt,
                              tx.block.height + tx.params.unbonding_blocks());
    case GovernanceAction::kSetPower:
      return change_validator(tx.view, action.set_power().consensus_key(), action.set_power().power(), 0);
    case GovernanceAction::kSetParams:
      // Bounds were checked when the proposal was submitted: validity is
      // decided once, by the rules of that height, so a replay agrees.
      tx.view.put_record(to_bytes_key(keys::kParams), action.set_params().params());
      return Verdict::ok();
    case GovernanceAction::ACTION_NOT_SET: break;
  }
  HPC_ASSERT(false);  // check_tx_fields refuses an empty action
  return Verdict::ok();
}

Status add_to_expiry_list(StateView& view, uint64_t height, uint64_t id) {
  HPC_ASSIGN_OR_RETURN(auto list, view.get_record<hpchain::v1::ProposalIdList>(keys::expiring(height)));
  auto updated = list.value_or(hpchain::v1::ProposalIdList{});
  updated.add_ids(id);
  view.put_record(keys::expiring(height), updated);
  return Status::ok();
}

// Counts the votes of institutions that still exist; decides the proposal
// when it can: passed (and its action applied) or rejected.
Status tally(TxContext& tx, ProposalRecord& p) {
  HPC_ASSIGN_OR_RETURN(NameList index, institution_index(tx.view));
  const uint64_t total = static_cast<uint64_t>(index.names_size());
  uint64_t yes = 0, no = 0;
  for (const auto& i : p.yes()) yes += sorted_contains(index.names(), i) ? 1 : 0;
  for (const auto& i : p.no()) no += sorted_contains(index.names(), i) ? 1 : 0;
  if (3 * yes > 2 * total) {
    // The action runs in its own journal scope: a failed precondition
    // undoes it, while the vote itself stands.
    const size_t mark = tx.view.mark();
    HPC_ASSIGN_OR_RETURN(Verdict v, apply_action(tx, p.action()));
    if (v.code == TxCode::kOk) {
      p.set_status(hpchain::v1::PROPOSAL_PASSED);
    } else {
      tx.view.rollback(mark);
      p.set_status(hpchain::v1::PROPOSAL_FAILED);
      p.set_outcome(std::string(tx_code_name(v.code)) + ": " + v.detail);
    }
  } else if (3 * (total - no) <= 2 * total) {
    p.set_status(hpchain::v1::PROPOSAL_REJECTED);
  } else {
    return Status::ok();
  }
  p.set_decided_height(tx.block.height);
  tx.events.push_back({"proposal_decided", {{"id", std::to_string(p.id())},
                                            {"status", hpchain::v1::ProposalStatus_Name(p.status())}}});
  return Status::ok();
}

}  // namespace

Result<Verdict> execute_proposal(TxContext& tx, const hpchain::v1::ProposalSubmit& p) {
  Institution inst;
  HPC_ASSIGN_OR_RETURN(Verdict admin, require_admin(tx, inst));
  if (admin.code != TxCode::kOk) return admin;
  if (p.action().has_set_params()) {
    if (auto s = genesis::validate(from_params_record(p.action().set_params().params())); !s.is_ok()) {
      return Verdict{TxCode::kBadParams, s.message()};
    }
  }
  const uint64_t h = tx.block.height;
  if (p.expiry_height() <= h || p.expiry_height() - h > tx.params.proposal_max_blocks()) {
    return Verdict{TxCode::kBadExpiry, "expiry must be after this height and at most proposal_max_blocks ahead"};
  }
  HPC_ASSIGN_OR_RETURN(auto next, tx.view.get_record<hpchain::v1::ProposalIdList>(to_bytes_key(keys::kNextProposalId)));
  const uint64_t id = next && next->ids_size() > 0 ? next->ids(0) : 1;
  hpchain::v1::ProposalIdList bumped;
  bumped.add_ids(id + 1);
  tx.view.put_record(to_bytes_key(keys::kNextProposalId), bumped);
  ProposalRecord record;
  record.set_id(id);
  record.set_proposer(bytes_of(tx.sender));
  record.set_proposer_institution(inst.id());
  *record.mutable_action() = p.action();
  record.set_expiry_height(p.expiry_height());
  tx.view.put_record(keys::proposal(id), record);
  HPC_TRY(add_to_expiry_list(tx.view, p.expiry_height(), id));
  tx.events.push_back({"proposal_submitted", {{"id", std::to_string(id)}}});
  return Verdict::ok();
}

Result<Verdict> execute_vote(TxContext& tx, const hpchain::v1::ProposalVote& v) {
  Institution inst;
  HPC_ASSIGN_OR_RETURN(Verdict admin, require_admin(tx, inst));
  if (admin.code != TxCode::kOk) return admin;
  HPC_ASSIGN_OR_RETURN(auto p, tx.view.get_record<ProposalRecord>(keys::proposal(v.proposal_id())));
  if (!p) return Verdict{TxCode::kUnknownProposal, "no proposal " + std::to_string(v.proposal_id())};
  if (p->status() != hpchain::v1::PROPOSAL_OPEN) return Verdict{TxCode::kProposalClosed, "the proposal is decided"};
  if (sorted_contains(p->yes(), inst.id()) || sorted_contains(p->no(), inst.id())) {
    return Verdict{TxCode::kAlreadyVoted, "institution \"" + inst.id() + "\" has voted"};
  }
  sorted_insert(v.approve() ? *p->mutable_yes() : *p->mutable_no(), inst.id());
  HPC_TRY(tally(tx, *p));
  tx.view.put_record(keys::proposal(p->id()), *p);
  return Verdict::ok();
}

Status expire_proposals(StateView& view, uint64_t height, std::vector<Event>& events) {
  HPC_ASSIGN_OR_RETURN(auto list, view.get_record<hpchain::v1::ProposalIdList>(keys::expiring(height)));
  if (!list) return Status::ok();
  for (uint64_t id : list->ids()) {
    HPC_ASSIGN_OR_RETURN(auto p, view.get_record<ProposalRecord>(keys::proposal(id)));
    if (!p || p->status() != hpchain::v1::PROPOSAL_OPEN) continue;
    p->set_status(hpchain::v1::PROPOSAL_EXPIRED);
    p->set_decided_height(height);
    view.put_record(keys::proposal(id), *p);
    events.push_back({"proposal_decided", {{"id", std::to_string(id)}, {"status", "PROPOSAL_EXPIRED"}}});
  }
  view.erase(keys::expiring(height));
  return Status::ok();
}

}  // namespace hpchain::ledger
