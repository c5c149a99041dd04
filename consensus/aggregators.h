// Vote and timeout aggregation: QC formation (votes from more than 2/3 of
// the power for one block in one round) and TC formation (timeouts from
// more than 2/3 of the power for one round). Inputs must already be
// verified; the aggregators only count.
//
// Bounded memory: the core admits only rounds within
// [current_round - 1, current_round + kMaxFutureRounds] and prunes older
// rounds on every round change, and each round keeps at most one entry per
// validator, so each aggregator holds at most
// (kMaxFutureRounds + 2) * validators entries.
#pragma once

#include <map>
#include <optional>

#include "consensus/types.h"
#include "consensus/validation.h"

namespace hpchain::consensus {

class VoteAggregator {
 public:
  explicit VoteAggregator(const ValidatorSet& validators) : validators_(validators) {}

  struct Added {
    Verdict verdict;                // kDuplicate / kEquivocation when not counted
    std::optional<QuorumCert> qc;   // set once, by the vote that completes the quorum
  };
  // Counts a verified vote. A second vote of one voter in one round is
  // rejected: kDuplicate when identical, kEquivocation when it differs.
  Added add(const Vote& vote);
  // True when exactly this vote is already counted: a repeat needs no
  // signature check.
  bool contains(const Vote& vote) const;
  // True when some vote of `voter` in `round` is already counted: another
  // one cannot be counted, so it needs no signature check either.
  bool has_voter(uint64_t round, ValidatorIndex voter) const;
  // Forgets rounds below `round`.
  void prune_below(uint64_t round);
  size_t rounds() const { return rounds_.size(); }

 private:
  struct RoundVotes {
    std::map<ValidatorIndex, Vote> by_voter;
    bool certified = false;
  };
  const ValidatorSet& validators_;
  std::map<uint64_t, RoundVotes> rounds_;
};

class TimeoutAggregator {
 public:
  explicit TimeoutAggregator(const ValidatorSet& validators) : validators_(validators) {}

  struct Added {
    Verdict verdict;               // kDuplicate when the signer already counted
    uint64_t round_power = 0;      // power that timed out in this round so far
    std::optional<TimeoutCert> tc; // set once, by the share that completes the quorum
  };
  // Counts a verified share whose sender's highest QC is `high_qc` (the QC
  // with round share.high_qc_round); the TC carries the highest of them.
  Added add(uint64_t round, const TimeoutShare& share, const QuorumCert& high_qc);
  // True when exactly this share is already counted: a repeat needs no
  // signature check.
  bool contains(uint64_t round, const TimeoutShare& share) const;
  // True when some share of `signer` in `round` is already counted.
  bool has_signer(uint64_t round, ValidatorIndex signer) const;
  void prune_below(uint64_t round);

 private:
  struct RoundShares {
    std::map<ValidatorIndex, TimeoutShare> by_signer;
    QuorumCert high_qc;  // the highest QC among the counted shares
    uint64_t power = 0;
    bool certified = false;
  };
  const ValidatorSet& validators_;
  std::map<uint64_t, RoundShares> rounds_;
};

}  // namespace hpchain::consensus
