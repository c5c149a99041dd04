#include "node/chain/executor.h"

#include "chain/log.h"
#include "hpchain/v1/ledger.pb.h"
#include "ledger/state_view.h"

namespace hpchain::node {
namespace {

hpchain::v1::TxRecord tx_record(const consensus::Block& block, uint32_t index, const ledger::TxOutcome& o) {
  hpchain::v1::TxRecord r;
  r.set_height(block.height());
  r.set_block_id(block.id.bytes.data(), block.id.bytes.size());
  r.set_index(index);
  r.set_code(static_cast<uint32_t>(o.code));
  r.set_code_name(std::string(ledger::tx_code_name(o.code)));
  r.set_detail(o.detail);
  r.set_fee_paid(o.fee_paid);
  return r;
}

// The parent the block must name: the tip's id, or the genesis block's.
Status check_follows(const ExecutionContext& ctx, const consensus::Block& block, uint64_t state_version) {
  if (block.height() != state_version + 1) {
    return Status::failed_precondition("block at height " + std::to_string(block.height()) +
                                       " does not follow the stored state of height " + std::to_string(state_version));
  }
  HPC_ASSIGN_OR_RETURN(auto tip, ctx.chain.tip());
  if (tip && Hash32::from_bytes(as_bytes(tip->block_id())).value() != block.parent_id()) {
    return Status::failed_precondition("block at height " + std::to_string(block.height()) +
                                       " does not extend the stored tip " + hex_encode(as_bytes(tip->block_id())));
  }
  return Status::ok();
}

}  // namespace

Result<consensus::ValidatorSet> validator_set_of(const hpchain::v1::ConsensusSet& set) {
  std::vector<consensus::ValidatorInfo> members;
  for (const auto& m : set.members()) {
    HPC_ASSIGN_OR_RETURN(PublicKey key, PublicKey::parse(as_bytes(m.consensus_key())));
    members.push_back({key, m.power()});
  }
  return consensus::ValidatorSet::create(std::move(members));
}

Result<ExecutedBlock> execute_block(const ExecutionContext& ctx, const consensus::CommittedBlock& committed,
                                    const std::vector<VerifiedTx>* checked) {
  const consensus::Block& block = *committed.block;
  HPC_ASSIGN_OR_RETURN(auto meta, ctx.state.get_meta());
  if (!meta) return Status::failed_precondition("the state store has no genesis state");
  HPC_TRY(check_follows(ctx, block, meta->latest_version));

  ExecutedBlock out;
  out.height = block.height();
  out.block_id = block.id;
  if (checked != nullptr) {
    out.txs = *checked;
  } else if (!block.payload.empty()) {
    auto txs = ledger::check_payload(block.payload, ctx.chain_id);
    if (txs.is_ok()) {
      out.txs = std::move(*txs);
    } else {
      HPC_LOG(kNode, err, "committed block {} at height {} has an invalid payload ({}): executed as empty",
              block.id.hex(), block.height(), txs.status().message());
    }
  }
  ledger::BlockContext bctx;
  bctx.height = block.height();
  if (block.round() > 0 && block.fields.proposer < ctx.validators.size()) {  // an epoch's start block has no proposer
    const auto& key = ctx.validators.at(block.fields.proposer).key.compressed();
    bctx.proposer_key.assign(key.begin(), key.end());
  }
  HPC_ASSIGN_OR_RETURN(ledger::BlockResult result, ledger::apply_block(ctx.state, bctx, out.txs));

  storage::WriteBatch batch;
  HPC_TRY(ctx.state.stage(result.changes, batch));
  std::vector<std::pair<Hash32, hpchain::v1::TxRecord>> records;
  records.reserve(out.txs.size());
  for (size_t i = 0; i < out.txs.size(); ++i) {
    records.emplace_back(out.txs[i].id, tx_record(block, static_cast<uint32_t>(i), result.outcomes[i]));
  }
  out.state_root = result.changes.root_hash();
  ctx.chain.stage_block(committed, out.state_root, records, block.fields.epoch, result.new_consensus_set.has_value(),
                        batch);
  if (ctx.starts_epoch != nullptr) ctx.chain.stage_epoch(*ctx.starts_epoch, batch);
  HPC_TRY(ctx.store.write(batch));
  out.outcomes = std::move(result.outcomes);
  out.new_consensus_set = std::move(result.new_consensus_set);
  return out;
}

Result<std::vector<Hash32>> chain_node_ids(const ledger::StateReader& state) {
  ledger::StateView view(state);
  std::vector<Hash32> ids;
  auto add = [&](const std::string& bytes) {
    if (bytes.size() == Hash32::kSize) ids.push_back(Hash32::from_bytes(as_bytes(bytes)).value());
  };
  HPC_ASSIGN_OR_RETURN(auto stored_keys, view.get_record<hpchain::v1::KeyList>(to_bytes(ledger::keys::kValidatorIndex)));
  const auto validators = stored_keys.value_or(hpchain::v1::KeyList{});
  for (const auto& key : validators.keys()) {
    HPC_ASSIGN_OR_RETURN(auto v, view.get_record<hpchain::v1::Validator>(ledger::keys::validator(as_bytes(key))));
    if (v) add(v->node_id());
  }
  HPC_ASSIGN_OR_RETURN(auto stored_names, view.get_record<hpchain::v1::NameList>(to_bytes(ledger::keys::kInstitutionIndex)));
  const auto institutions = stored_names.value_or(hpchain::v1::NameList{});
  for (const auto& id : institutions.names()) {
    HPC_ASSIGN_OR_RETURN(auto inst, view.get_record<hpchain::v1::Institution>(ledger::keys::institution(id)));
    if (inst) {
      for (const auto& n : inst->node_ids()) add(n);
    }
  }
  return ids;
}

}  // namespace hpchain::node
