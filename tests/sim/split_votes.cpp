// The split-votes withholding plan (WithholdPlan::kSplitVotes), against a
// safety rule that lets a restarted validator vote again in a round it
// voted in (UnsafeVariants::skip_last_voted_round_check). With withholders
// leading rounds r, r+1 and r+2: the leader of r sends one block to half
// of the honest validators and a sibling to the other half; every honest
// instance crashes and restarts (the crash-recovery model allows it), and
// each half is then shown the other block. From the votes sent to them the
// withholders build a QC for each block and propose a child of each in
// round r+1, split and re-shown the same way; in round r+2 each child's QC
// goes to a different victim, and each commits its own block at one
// height. With the real rule a restarted validator replays its first vote,
// so the second QC never forms and the plan gives up.
#include <algorithm>

#include "consensus/codec.h"
#include "tests/sim/world.h"

namespace hpchain::sim {
namespace {

std::shared_ptr<const Bytes> share(Bytes b) { return std::make_shared<const Bytes>(std::move(b)); }

constexpr uint64_t kRestartAfterMs = 100;    // after the first votes left
constexpr uint64_t kShowOtherAfterMs = 300;  // after every honest instance is back
constexpr uint64_t kNextStepAfterMs = 500;   // after the second votes arrived

}  // namespace

bool World::leads_withholder(uint64_t round) const {
  return schedule_.roles[validators_->leader(round)] == Role::kWithholder;
}

void World::split_votes(uint32_t src, consensus::MessageBody& body, const Bytes& bytes) {
  SplitPlan& plan = split_;
  auto* p = std::get_if<consensus::Proposal>(&body);
  if (p == nullptr || p->tc) return send_to_all(src, share(bytes));
  const uint64_t round = p->block->round();
  // While the plan runs, the withholders' own proposals of its rounds stay home.
  if (plan.phase != 0 && round <= plan.round + 2) return;
  if (plan.phase != 0 || healed_ || round < quiet_until_round_ || !leads_withholder(round + 1) ||
      !leads_withholder(round + 2)) {
    return send_to_all(src, share(bytes));
  }
  plan.phase = 1;
  plan.round = round;
  Bytes other_payload = p->block->payload;
  other_payload.push_back('\'');
  split_send(src, *p, below_lock(src, *p, std::move(other_payload), p->block->parent_qc()));
}

consensus::Proposal World::withholder_proposal(uint64_t round, const consensus::Block& like,
                                               const consensus::QuorumCert& parent_qc, char tag) {
  const ValidatorIndex leader = validators_->leader(round);
  uint32_t src = 0;
  while (instances_[src].validator != leader) ++src;
  consensus::BlockFields fields = like.fields;
  fields.round = round;
  fields.proposer = leader;
  fields.parent_qc = parent_qc;
  fields.parent_id = parent_qc.block_id;
  fields.height = parent_qc.height + 1;
  Bytes payload = like.payload;
  payload.push_back(static_cast<uint8_t>(tag));
  fields.payload_hash = sha256(payload);
  consensus::Proposal out;
  out.block = std::make_shared<const consensus::Block>(consensus::make_block(chain_id_, fields, std::move(payload)));
  out.signature = instances_[src].signer->sign(SignDomain::kProposal,
                                               consensus::proposal_signing_bytes(epoch_, out.block->id, out.tc));
  return out;
}

void World::split_step() {
  SplitPlan& plan = split_;
  if (plan.phase == 0) return;
  auto qc_a = captured_qc(plan.pair[0]);
  auto qc_b = captured_qc(plan.pair[1]);
  if (!qc_a || !qc_b) {
    plan = SplitPlan{};  // the second votes did not come: the real rule held
    return;
  }
  const uint64_t round = plan.round + plan.phase;
  const consensus::Proposal a = withholder_proposal(round, *plan.pair[0], *qc_a, 'a');
  const consensus::Proposal b = withholder_proposal(round, *plan.pair[1], *qc_b, 'b');
  uint32_t src = 0;
  while (instances_[src].validator != validators_->leader(round)) ++src;
  if (plan.phase == 1) {
    plan.phase = 2;
    return split_send(src, a, b);
  }
  // Each child's QC to one victim of its half: each commits its own block.
  send(src, plan.halves[0][rng_.below(plan.halves[0].size())], share(consensus::encode_message(chain_id_, epoch_, a)));
  send(src, plan.halves[1][rng_.below(plan.halves[1].size())], share(consensus::encode_message(chain_id_, epoch_, b)));
  quiet_until_round_ = round + 10;
  plan = SplitPlan{};
}

void World::split_send(uint32_t src, const consensus::Proposal& a, const consensus::Proposal& b) {
  SplitPlan& plan = split_;
  plan.pair = {a.block, b.block};
  plan.votes.clear();
  plan.halves = {};
  for (ValidatorIndex v = 0; v < schedule_.validators; ++v) {
    if (honest(v)) plan.halves[rng_.below(2)].push_back(v);
  }
  plan.messages = {share(consensus::encode_message(chain_id_, epoch_, a)), share(consensus::encode_message(chain_id_, epoch_, b))};
  plan.sender = src;
  if (plan.halves[0].empty() || plan.halves[1].empty()) {
    plan = SplitPlan{};
    return send_to_all(src, share(consensus::encode_message(chain_id_, epoch_, a)));
  }
  for (int half = 0; half < 2; ++half) {
    for (ValidatorIndex v : plan.halves[half]) send(src, v, plan.messages[half]);
  }
  // Every honest instance restarts, then each half is shown the other block.
  for (uint32_t i = 0; i < instances_.size(); ++i) {
    if (!honest(instances_[i].validator) || is_observer(i)) continue;
    const uint64_t at = now_ms_ + kRestartAfterMs + rng_.below(20);
    push({at, 0, EventKind::kCrash, i, 0, 0, 0, false, {}});
    push({at + 50 + rng_.below(50), 0, EventKind::kRestart, i, 0, 0, 0, false, {}});
  }
  push({now_ms_ + kShowOtherAfterMs, 0, EventKind::kShowOther, src, 0, 0, 0, false, {}});
  push({now_ms_ + kNextStepAfterMs, 0, EventKind::kSplitStep, src, 0, 0, 0, false, {}});
}

void World::show_other() {
  SplitPlan& plan = split_;
  if (plan.phase == 0) return;
  for (int half = 0; half < 2; ++half) {
    for (ValidatorIndex v : plan.halves[half]) send(plan.sender, v, plan.messages[1 - half]);
  }
}

void World::capture_vote(const consensus::Vote& v) {
  SplitPlan& plan = split_;
  if (plan.phase == 0) return;
  for (const auto& block : plan.pair) {
    if (block && block->id == v.block_id) plan.votes[v.block_id][v.voter] = v.signature;
  }
}

std::optional<consensus::QuorumCert> World::captured_qc(const consensus::BlockPtr& block) {
  // The honest votes sent to the collector, and every withholder's own.
  std::map<ValidatorIndex, Signature> votes = split_.votes[block->id];
  for (const auto& inst : instances_) {
    if (inst.role != Role::kWithholder) continue;
    votes[inst.validator] = inst.signer->sign(
        SignDomain::kVote, consensus::vote_signing_bytes(epoch_, block->id, block->round(), block->height()));
  }
  consensus::QuorumCert qc{block->id, block->round(), block->height(), {}};
  uint64_t power = 0;
  for (const auto& [voter, signature] : votes) {
    qc.votes.push_back({voter, signature});
    power += validators_->power_of(voter);
  }
  if (!validators_->is_quorum(power)) return std::nullopt;
  return qc;
}

}  // namespace hpchain::sim
