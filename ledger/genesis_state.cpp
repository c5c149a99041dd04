// The first state, from a GenesisDoc; params conversion; chain identity;
// and the stateless field checks of transactions.
#include "chain/check.h"
#include "chain/signing.h"
#include "compute/registry.h"
#include "compute/spec.h"
#include "ledger/jobs.h"

namespace hpchain::ledger {

using hpchain::v1::TxBody;

namespace {
// The Params record's uint64 field named like a numeric parameter
// (asserted: the record and genesis::numeric_params() must agree).
const google::protobuf::FieldDescriptor* params_field(std::string_view name) {
  const auto* f = hpchain::v1::Params::descriptor()->FindFieldByName(std::string(name));
  HPC_ASSERT(f != nullptr && f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT64 && !f->is_repeated());
  return f;
}
}  // namespace

hpchain::v1::Params to_params_record(const genesis::ChainParams& p) {
  hpchain::v1::Params r;
  const auto* reflection = r.GetReflection();
  for (const auto& n : genesis::numeric_params()) reflection->SetUInt64(&r, params_field(n.name), p.*n.field);
  for (const auto& k : p.accepted_kernels) r.add_accepted_kernels(k);
  r.set_compute_version(p.compute_version);
  return r;
}

genesis::ChainParams from_params_record(const hpchain::v1::Params& r) {
  genesis::ChainParams p;
  const auto* reflection = r.GetReflection();
  for (const auto& n : genesis::numeric_params()) p.*n.field = reflection->GetUInt64(r, params_field(n.name));
  p.accepted_kernels.assign(r.accepted_kernels().begin(), r.accepted_kernels().end());
  p.compute_version = r.compute_version();
  return p;
}

Hash32 chain_identity(std::string_view chain_id, const Hash32& genesis_root) {
  Sha256 h;
  h.update("hpchain genesis v1");
  const uint32_t n = static_cast<uint32_t>(chain_id.size());
  const uint8_t len[4] = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 8),
                          static_cast<uint8_t>(n)};
  return h.update(ByteSpan(len, 4)).update(chain_id).update(genesis_root.span()).finish();
}

namespace {

uint32_t role_bit(const std::string& role) {
  if (role == "submitter") return hpchain::v1::ROLE_SUBMITTER;
  if (role == "worker") return hpchain::v1::ROLE_WORKER;
  if (role == "operator") return hpchain::v1::ROLE_OPERATOR;
  return hpchain::v1::ROLE_INSTITUTION_ADMIN;  // "admin"; genesis validated the names
}

hpchain::v1::Capability to_capability(const genesis::Capability& c) {
  hpchain::v1::Capability r;
  r.set_cpu_threads(c.cpu_threads);
  r.set_gpu_model(c.gpu_model);
  r.set_gpu_count(c.gpu_count);
  for (const auto& rate : c.rates) {
    auto* k = r.add_rates();
    k->set_kernel(rate.kernel);
    k->set_samples_per_second(rate.samples_per_second);
  }
  return r;
}

Status join_institution(StateView& view, hpchain::v1::Institution& inst, const Address& a, uint32_t roles) {
  HPC_ASSIGN_OR_RETURN(auto account, view.account(a));
  account.set_institution(inst.id());
  account.set_roles(account.roles() | roles);
  view.put_record(keys::account(a), account);
  sorted_insert(*inst.mutable_members(), bytes_of(a));
  if (roles & hpchain::v1::ROLE_INSTITUTION_ADMIN) sorted_insert(*inst.mutable_admins(), bytes_of(a));
  return Status::ok();
}

}  // namespace

Result<ChangeSet> genesis_change_set(const StateReader& reader, const genesis::GenesisDoc& doc) {
  HPC_ASSIGN_OR_RETURN(auto meta, reader.get_meta());
  if (meta) return Status::failed_precondition("genesis needs an empty state store");
  if (doc.params.compute_version != compute::kComputeVersion) {
    return Status::invalid_argument("params.compute_version: this build computes version " +
                                    std::to_string(compute::kComputeVersion));
  }
  for (const auto& kernel : doc.params.accepted_kernels) {
    if (kernel != "param_scan" && kernel != kVmCapability && compute::native_kernels().find(kernel) == nullptr) {
      return Status::invalid_argument("params.accepted_kernels: this build has no kernel \"" + kernel + "\"");
    }
  }
  StateView view(reader);
  view.put_record(to_bytes_key(keys::kParams), to_params_record(doc.params));
  std::map<std::string, hpchain::v1::Institution> institutions;
  hpchain::v1::NameList index;
  for (const auto& i : doc.institutions) {
    auto& inst = institutions[i.id];
    inst.set_id(i.id);
    inst.set_name(i.name);
    sorted_insert(*index.mutable_names(), i.id);
    for (const auto& a : i.admins) HPC_TRY(join_institution(view, inst, a, hpchain::v1::ROLE_INSTITUTION_ADMIN));
  }
  for (const auto& a : doc.accounts) {
    uint32_t roles = 0;
    for (const auto& r : a.roles) roles |= role_bit(r);
    if (!a.institution.empty()) HPC_TRY(join_institution(view, institutions[a.institution], a.address, roles));
    HPC_TRY(credit(view, a.address, a.balance));
  }
  for (const auto& v : doc.validators) {
    HPC_TRY(join_institution(view, institutions[v.institution], v.operator_account, hpchain::v1::ROLE_OPERATOR));
    hpchain::v1::Validator r;
    r.set_consensus_key(std::string(v.consensus_key.begin(), v.consensus_key.end()));
    r.set_node_id(std::string(v.node_id.bytes.begin(), v.node_id.bytes.end()));
    r.set_institution(v.institution);
    r.set_power(v.power);
    r.set_operator_(bytes_of(v.operator_account));
    *r.mutable_capability() = to_capability(v.capability);
    r.set_credibility(kInitialCredibility);
    r.set_stake(v.stake);
    HPC_TRY(set_validator(view, r));
  }
  for (const auto& [id, inst] : institutions) view.put_record(keys::institution(id), inst);
  view.put_record(to_bytes_key(keys::kInstitutionIndex), index);
  view.put_record(to_bytes_key(keys::kBeacon), initial_beacon_state(doc.chain_id, doc.params.beacon_round_blocks));
  HPC_ASSIGN_OR_RETURN(auto writes, view.writes());
  return build_change_set(reader, 0, std::move(writes), doc.params.state_retention_heights);
}

namespace {

Status check_len(const std::string& field, size_t n, std::string_view what) {
  if (field.size() != n) return Status::invalid_argument(std::string(what) + " must be " + std::to_string(n) + " bytes");
  return Status::ok();
}

Status check_key(const std::string& key) {
  if (!PublicKey::parse(as_bytes(key)).is_ok()) return Status::invalid_argument("consensus_key is not a compressed secp256k1 key");
  return Status::ok();
}

Status check_action(const hpchain::v1::GovernanceAction& a) {
  using A = hpchain::v1::GovernanceAction;
  switch (a.action_case()) {
    case A::kAddInstitution: {
      const auto& x = a.add_institution();
      HPC_TRY(genesis::validate_institution_id(x.id()));
      if (x.name().empty() || x.name().size() > 128) return Status::invalid_argument("name must be 1 to 128 characters");
      if (x.admins_size() == 0 || x.admins_size() > 16) return Status::invalid_argument("1 to 16 admins");
      for (const auto& ad : x.admins()) HPC_TRY(check_len(ad, 20, "admin"));
      return Status::ok();
    }
    case A::kRemoveInstitution: return genesis::validate_institution_id(a.remove_institution().id());
    case A::kAddValidator: {
      const auto& x = a.add_validator();
      HPC_TRY(check_key(x.consensus_key()));
      HPC_TRY(check_len(x.node_id(), 32, "node_id"));
      HPC_TRY(check_len(x.operator_(), 20, "operator"));
      if (x.power() > genesis::kPowerMax) return Status::invalid_argument("power above the maximum");
      return genesis::validate_institution_id(x.institution());
    }
    case A::kRemoveValidator: return check_key(a.remove_validator().consensus_key());
    case A::kSetPower:
      if (a.set_power().power() > genesis::kPowerMax) return Status::invalid_argument("power above the maximum");
      return check_key(a.set_power().consensus_key());
    case A::kSetParams: return Status::ok();  // bounds are a stateful check (bad_params), at submission
    case A::ACTION_NOT_SET: break;
  }
  return Status::invalid_argument("governance action has no kind");
}

genesis::Capability from_capability(const hpchain::v1::Capability& c) {
  genesis::Capability g{c.cpu_threads(), c.gpu_model(), c.gpu_count(), {}};
  for (const auto& r : c.rates()) g.rates.push_back({r.kernel(), r.samples_per_second()});
  return g;
}

constexpr uint32_t kAllRoles = 15;

Status check_possession(const VerifiedTx& tx) {
  const auto& w = tx.body.worker_register();
  auto sig = Signature::from_bytes(as_bytes(w.possession_signature()));
  if (!sig.is_ok()) return Status::invalid_argument("possession_signature must be 64 bytes");
  const PublicKey key = PublicKey::parse(as_bytes(w.consensus_key())).value();  // checked before
  if (!verify_message(key, SignDomain::kKeyPossession, tx.body.chain_id(), tx.sender.span(), sig.value()).is_ok()) {
    return Status::invalid_argument("possession_signature is not the consensus key's signature of the sender's address");
  }
  return Status::ok();
}

}  // namespace

Signature key_possession_signature(const PrivateKey& consensus_key, std::string_view chain_id,
                                   const Address& operator_account) {
  return sign_message(consensus_key, SignDomain::kKeyPossession, chain_id, operator_account.span());
}

Status check_tx_fields(const VerifiedTx& tx) {
  const TxBody& b = tx.body;
  switch (b.kind_case()) {
    case TxBody::kTransfer: return check_len(b.transfer().to(), 20, "to");
    case TxBody::kProposal: return check_action(b.proposal().action());
    case TxBody::kVote: return Status::ok();
    case TxBody::kMemberAdmit: {
      const auto& m = b.member_admit();
      if (m.account().empty() == m.node_id().empty()) return Status::invalid_argument("set exactly one of account and node_id");
      if (!m.node_id().empty()) return m.roles() == 0 ? check_len(m.node_id(), 32, "node_id") : Status::invalid_argument("a node has no roles");
      if (m.roles() == 0 || (m.roles() & ~kAllRoles) != 0) return Status::invalid_argument("roles must be known, non-zero role bits");
      return check_len(m.account(), 20, "account");
    }
    case TxBody::kMemberRevoke: {
      const auto& m = b.member_revoke();
      if (m.account().empty() == m.node_id().empty()) return Status::invalid_argument("set exactly one of account and node_id");
      return m.node_id().empty() ? check_len(m.account(), 20, "account") : check_len(m.node_id(), 32, "node_id");
    }
    case TxBody::kWorkerRegister:
      HPC_TRY(check_key(b.worker_register().consensus_key()));
      HPC_TRY(check_len(b.worker_register().node_id(), 32, "node_id"));
      HPC_TRY(genesis::validate(from_capability(b.worker_register().capability()), "capability"));
      return check_possession(tx);
    case TxBody::kStakeBond: return check_key(b.stake_bond().consensus_key());
    case TxBody::kStakeUnbond: return check_key(b.stake_unbond().consensus_key());
    case TxBody::kJobSubmit:
    case TxBody::kJobCancel:
    case TxBody::kResultCommit:
    case TxBody::kResultReveal:
    case TxBody::kBeaconReveal:
    case TxBody::kDisputeSplit: return check_job_tx_fields(b);
    case TxBody::KIND_NOT_SET: break;
  }
  return Status::invalid_argument("transaction has no kind");
}

}  // namespace hpchain::ledger
