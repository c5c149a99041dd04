// Withholding leaders (FaultSet::withhold): the attacks the TC lock and the
// consecutive-round commit rule exist for. Each seed with withholders runs
// one of three plans (Schedule::withhold_plan; split-votes lives in
// split_votes.cpp); each is valid behaviour for a byzantine coalition with
// a network that may delay messages before the heal, so the real protocol
// must pass them all.
#include <algorithm>

#include "consensus/codec.h"
#include "tests/sim/world.h"

namespace hpchain::sim {
namespace {

std::shared_ptr<const Bytes> share(Bytes b) { return std::make_shared<const Bytes>(std::move(b)); }

}  // namespace

consensus::Proposal World::below_lock(uint32_t src, const consensus::Proposal& p, Bytes payload,
                                      const consensus::QuorumCert& qc) {
  consensus::BlockFields fields = p.block->fields;
  fields.parent_qc = qc;
  fields.parent_id = qc.block_id;
  fields.height = qc.height + 1;
  fields.payload_hash = sha256(payload);
  consensus::Proposal out = p;
  out.block = std::make_shared<const consensus::Block>(consensus::make_block(chain_id_, fields, std::move(payload)));
  out.signature = instances_[src].signer->sign(SignDomain::kProposal,
                                               consensus::proposal_signing_bytes(epoch_, out.block->id, out.tc));
  return out;
}

consensus::TimeoutMsg World::timeout_claiming(uint32_t src, consensus::TimeoutMsg t, const consensus::QuorumCert& qc) {
  t.high_qc = qc;
  t.share = {instances_[src].validator, qc.round,
             instances_[src].signer->sign(SignDomain::kTimeout, consensus::timeout_signing_bytes(epoch_, t.round, qc.round))};
  return t;
}

ValidatorIndex World::random_honest_validator() {
  std::vector<ValidatorIndex> honest_ones;
  for (ValidatorIndex v = 0; v < schedule_.validators; ++v) {
    if (honest(v)) honest_ones.push_back(v);
  }
  return honest_ones[rng_.below(honest_ones.size())];
}

void World::show_to_victim_only(uint32_t src, const Bytes& bytes) {
  // Before the heal the network also delays the victim, so that the next
  // TC forms without its share (which would carry what it was shown).
  const ValidatorIndex victim = random_honest_validator();
  if (!healed_) {
    const uint64_t mute_ms = 16 * config_.base_timeout_ms;  // past the backed-off timeouts
    schedule_.slows.push_back({victim, now_ms_, now_ms_ + mute_ms, mute_ms});
  }
  send(src, victim, share(bytes));
}

void World::withhold(uint32_t src, std::optional<ValidatorIndex> dst, const Bytes& bytes) {
  if (dst) return send(src, *dst, share(bytes));
  auto decoded = consensus::decode_message(bytes);
  if (decoded.is_ok() && schedule_.withhold_plan == WithholdPlan::kHiddenSibling) {
    return hidden_sibling(src, decoded->body, bytes);
  }
  if (decoded.is_ok() && schedule_.withhold_plan == WithholdPlan::kSplitVotes) {
    return split_votes(src, decoded->body, bytes);
  }
  if (decoded.is_ok()) return fork_below_lock(src, decoded->body, bytes);
  send_to_all(src, share(bytes));
}

void World::fork_below_lock(uint32_t src, consensus::MessageBody& body, const Bytes& bytes) {
  // The attack the TC lock exists for. A proposal that follows a QC goes to
  // one honest validator only, the victim: it learns the QC and commits the
  // QC's parent G; the rest time out without it. The next withholder to
  // lead after that TC proposes a sibling of G: voters that skip the TC
  // lock vote for it, and commit it later.
  if (auto* t = std::get_if<consensus::TimeoutMsg>(&body)) {
    // Our timeouts must not reveal the hidden QC either: they claim G's.
    if (fork_base_ && t->high_qc.round > hidden_low_qc_.round) {
      return send_to_all(src, share(consensus::encode_message(chain_id_, epoch_, timeout_claiming(src, *t, hidden_low_qc_))));
    }
  }
  const auto* proposal = std::get_if<consensus::Proposal>(&body);
  if (proposal == nullptr || proposal->block->round() < quiet_until_round_) return send_to_all(src, share(bytes));
  if (proposal->tc) {
    if (!fork_base_ || proposal->tc->round < hidden_round_) return send_to_all(src, share(bytes));
    const consensus::Proposal low = below_lock(src, *proposal, proposal->block->payload, *fork_base_);
    // Every withholder votes for the fork: with the honest voters that
    // skip the TC lock, a quorum.
    const consensus::Block& fork = *low.block;
    const ValidatorIndex collector = validators_->leader(fork.round() + 1);
    for (uint32_t i = 0; i < instances_.size(); ++i) {
      if (instances_[i].role != Role::kWithholder || !instances_[i].up) continue;
      consensus::Vote v{fork.id, fork.round(), fork.height(), instances_[i].validator, {}};
      v.signature = instances_[i].signer->sign(
          SignDomain::kVote, consensus::vote_signing_bytes(epoch_, fork.id, fork.round(), fork.height()));
      send(i, collector, share(consensus::encode_message(chain_id_, epoch_, v)));
    }
    fork_base_.reset();
    // Let the fork grow (its next proposals are shown to everyone) until
    // it commits.
    quiet_until_round_ = proposal->block->round() + 8;
    return send_to_all(src, share(consensus::encode_message(chain_id_, epoch_, low)));
  }
  // Our core formed the QC of the proposal's parent and so committed G:
  // our root. Its sibling extends G's parent.
  const consensus::Block& g = instances_[src].core->committed_root();
  if (g.height() > 0) {
    fork_base_ = g.parent_qc();
    hidden_low_qc_ = instances_[src].core->committed_root_qc();
    hidden_round_ = proposal->block->round();
  }
  show_to_victim_only(src, bytes);
}

// The hidden-sibling plan, against a commit rule that ignores whether the
// two rounds are consecutive (docs/consensus.md section 6). P is certified
// at round r; a withholder collecting its votes hides QC(P). After the TC
// a sibling X of P (on P's parent) is certified, and a withholder hides
// QC(X), handing QC(P) to the next leader. After that TC the leader
// proposes Z on P; a withholder collecting Z's votes shows QC(Z) to one
// victim only (under the broken rule it commits P) and hands QC(X) to the
// next leader, which proposes Y on X after the TC: QC(Y) commits X under
// the broken rule, beside the victim's P. The real rule commits neither.
void World::hidden_sibling(uint32_t src, consensus::MessageBody& body, const Bytes& bytes) {
  SiblingPlan& plan = sibling_;
  if (auto* t = std::get_if<consensus::TimeoutMsg>(&body)) {
    // Until Z, timeouts claim P's parent's QC; then QC(P): never a hidden one.
    const consensus::QuorumCert* claim = plan.phase == 0 ? nullptr : plan.phase <= 3 ? &plan.low_qc : &plan.qc_p;
    if (claim != nullptr && t->high_qc.round > claim->round) {
      return send_to_all(src, share(consensus::encode_message(chain_id_, epoch_, timeout_claiming(src, *t, *claim))));
    }
    return send_to_all(src, share(bytes));
  }
  auto* p = std::get_if<consensus::Proposal>(&body);
  if (p == nullptr) return send_to_all(src, share(bytes));
  const consensus::Block& b = *p->block;
  const auto publish = [&](const consensus::Proposal& out) {
    watch_sibling_plan(out, true);
    send_to_all(src, share(consensus::encode_message(chain_id_, epoch_, out)));
  };
  auto recent = recent_blocks_.find(b.parent_qc().block_id);
  if (plan.phase == 0 && !p->tc && b.round() >= quiet_until_round_ && recent != recent_blocks_.end() &&
      recent->second->height() > 0) {
    const consensus::Block& certified = *recent->second;
    plan = SiblingPlan{1, certified.parent_qc(), b.parent_qc(), {}, certified.parent_id(), {}, {}};
    return;  // QC(P) hidden from everyone
  }
  if (plan.phase == 1 && p->tc && b.parent_id() != plan.p_parent) {
    return publish(below_lock(src, *p, b.payload, plan.low_qc));  // X, on P's parent
  }
  if (plan.phase == 2 && !p->tc && b.parent_qc().block_id == plan.x_id) {
    plan.qc_x = b.parent_qc();
    plan.phase = 3;
    return hand_qc(src, plan.qc_p, b.round());  // QC(X) hidden; QC(P) to the next leader
  }
  if (plan.phase == 3 && p->tc && b.parent_id() != plan.qc_p.block_id) {
    return publish(below_lock(src, *p, b.payload, plan.qc_p));  // Z, on P
  }
  if (plan.phase == 4 && !p->tc && b.parent_qc().block_id == plan.z_id) {
    plan.phase = 5;
    hand_qc(src, plan.qc_x, b.round());
    return show_to_victim_only(src, bytes);
  }
  if (plan.phase == 5 && p->tc && b.parent_id() != plan.qc_x.block_id) {
    return publish(below_lock(src, *p, b.payload, plan.qc_x));  // Y, on X
  }
  publish(*p);
}

void World::hand_qc(uint32_t src, const consensus::QuorumCert& qc, uint64_t round) {
  // A timeout of this round from us, whose high QC the next leader learns
  // (and proposes on after the TC). A withholder leading needs no help.
  const ValidatorIndex next = validators_->leader(round + 1);
  if (!honest(next)) return;
  consensus::TimeoutMsg t;
  t.round = round;
  send(src, next, share(consensus::encode_message(chain_id_, epoch_, timeout_claiming(src, t, qc))));
}

void World::watch_sibling_plan(const consensus::Proposal& p, bool from_withholder) {
  const consensus::BlockPtr& b = p.block;
  recent_blocks_[b->id] = b;
  recent_order_.push_back(b->id);
  if (recent_order_.size() > 256) {
    recent_blocks_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
  SiblingPlan& plan = sibling_;
  const auto fail = [&] { plan = SiblingPlan{}; };
  switch (plan.phase) {
    case 1:  // waiting for X, the first proposal after the TC
      if (p.tc && b->parent_id() == plan.p_parent) {
        plan.x_id = b->id;
        plan.phase = 2;
      } else if (p.tc) {
        fail();
      }
      break;
    case 2:  // X's collector must hide QC(X)
    case 4:  // Z's collector must show QC(Z) to one victim only
      if (!from_withholder || p.tc) fail();
      break;
    case 3:  // waiting for Z, on P
      if (p.tc && b->parent_id() == plan.qc_p.block_id) {
        plan.z_id = b->id;
        plan.phase = 4;
      } else if (p.tc) {
        fail();
      }
      break;
    case 5:  // waiting for Y, on X: then the plan is done
      if (p.tc) {
        plan = SiblingPlan{};
        quiet_until_round_ = b->round() + 10;
      }
      break;
    default:
      break;
  }
}

}  // namespace hpchain::sim
