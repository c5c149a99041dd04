#include "consensus/aggregators.h"

namespace hpchain::consensus {

VoteAggregator::Added VoteAggregator::add(const Vote& vote) {
  HPC_ASSERT(vote.voter < validators_.size());
  RoundVotes& rv = rounds_[vote.round];
  auto [it, inserted] = rv.by_voter.emplace(vote.voter, vote);
  if (!inserted) {
    if (it->second == vote) return {Verdict::reject(RejectReason::kDuplicate, "vote seen before"), {}};
    return {Verdict::reject(RejectReason::kEquivocation,
                            "validator " + std::to_string(vote.voter) + " voted twice in round " +
                                std::to_string(vote.round)),
            {}};
  }
  if (rv.certified) return {Verdict::accept(), {}};
  uint64_t power = 0;
  for (const auto& [voter, v] : rv.by_voter) {
    if (v.block_id == vote.block_id && v.height == vote.height) power += validators_.power_of(voter);
  }
  if (!validators_.is_quorum(power)) return {Verdict::accept(), {}};
  rv.certified = true;
  QuorumCert qc;
  qc.block_id = vote.block_id;
  qc.round = vote.round;
  qc.height = vote.height;
  // std::map iterates by voter index, so the certificate's bytes do not
  // depend on the order in which votes arrived.
  for (const auto& [voter, v] : rv.by_voter) {
    if (v.block_id == vote.block_id && v.height == vote.height) qc.votes.push_back({voter, v.signature});
  }
  return {Verdict::accept(), std::move(qc)};
}

void VoteAggregator::prune_below(uint64_t round) {
  rounds_.erase(rounds_.begin(), rounds_.lower_bound(round));
}

bool VoteAggregator::contains(const Vote& vote) const {
  auto round = rounds_.find(vote.round);
  if (round == rounds_.end()) return false;
  auto it = round->second.by_voter.find(vote.voter);
  return it != round->second.by_voter.end() && it->second == vote;
}

bool VoteAggregator::has_voter(uint64_t round, ValidatorIndex voter) const {
  auto r = rounds_.find(round);
  return r != rounds_.end() && r->second.by_voter.count(voter) != 0;
}

TimeoutAggregator::Added TimeoutAggregator::add(uint64_t round, const TimeoutShare& share,
                                                const QuorumCert& high_qc) {
  HPC_ASSERT(share.signer < validators_.size());
  HPC_ASSERT(share.high_qc_round == high_qc.round);
  RoundShares& rs = rounds_[round];
  auto [it, inserted] = rs.by_signer.emplace(share.signer, share);
  if (!inserted) {
    return {Verdict::reject(RejectReason::kDuplicate, "timeout seen before"), rs.power, {}};
  }
  if (rs.by_signer.size() == 1 || high_qc.round > rs.high_qc.round) rs.high_qc = high_qc;
  rs.power += validators_.power_of(share.signer);
  if (rs.certified || !validators_.is_quorum(rs.power)) return {Verdict::accept(), rs.power, {}};
  rs.certified = true;
  TimeoutCert tc;
  tc.round = round;
  for (const auto& [signer, s] : rs.by_signer) tc.shares.push_back(s);
  tc.high_qc = rs.high_qc;
  return {Verdict::accept(), rs.power, std::move(tc)};
}

bool TimeoutAggregator::contains(uint64_t round, const TimeoutShare& share) const {
  auto r = rounds_.find(round);
  if (r == rounds_.end()) return false;
  auto it = r->second.by_signer.find(share.signer);
  return it != r->second.by_signer.end() && it->second == share;
}

bool TimeoutAggregator::has_signer(uint64_t round, ValidatorIndex signer) const {
  auto r = rounds_.find(round);
  return r != rounds_.end() && r->second.by_signer.count(signer) != 0;
}

void TimeoutAggregator::prune_below(uint64_t round) {
  rounds_.erase(rounds_.begin(), rounds_.lower_bound(round));
}

}  // namespace hpchain::consensus
