// Pacemaker: rounds, round timeouts with exponential back-off, and timeout
// certificates (Jolteon section 5; DiemBFT v4 section 4.3). Liveness only:
// nothing here signs or decides safety.
//
// The current round is always max(highest QC round, highest TC round) + 1,
// so a QC or a TC for round r moves every validator that sees it to r + 1.
#pragma once

#include <optional>

#include "consensus/aggregators.h"
#include "consensus/types.h"

namespace hpchain::consensus {

struct PacemakerConfig {
  uint64_t base_timeout_ms = 1000;
  // The timeout of a round is base * 2^min(rounds since the last QC,
  // max_backoff_exponent): one crashed leader costs one base timeout, and a
  // long outage does not leave validators waiting minutes after it heals.
  uint32_t max_backoff_exponent = 3;
};

class Pacemaker {
 public:
  Pacemaker(const ValidatorSet& validators, PacemakerConfig config)
      : config_(config), timeouts_(validators) {}

  uint64_t current_round() const { return current_round_; }
  const std::optional<TimeoutCert>& high_tc() const { return high_tc_; }
  uint64_t high_tc_round() const { return high_tc_ ? high_tc_->round : 0; }

  // Keeps `tc` (already verified) if it is the highest seen. True if kept.
  bool observe_tc(const TimeoutCert& tc);

  // Moves to max(high_qc_round, high TC round) + 1 if that is above the
  // current round. True if a new round was entered.
  bool advance(uint64_t high_qc_round);

  // The timeout of the current round given the highest QC round.
  uint64_t round_timeout_ms(uint64_t high_qc_round) const;

  // The TC that justifies being in the current round, if we got here by one.
  std::optional<TimeoutCert> entry_tc() const;

  // Counts a verified timeout share (see TimeoutAggregator).
  TimeoutAggregator::Added add_timeout(uint64_t round, const TimeoutShare& share,
                                       const QuorumCert& high_qc) {
    return timeouts_.add(round, share, high_qc);
  }
  bool has_timeout(uint64_t round, const TimeoutShare& share) const {
    return timeouts_.contains(round, share);
  }
  bool has_timeout_signer(uint64_t round, ValidatorIndex signer) const {
    return timeouts_.has_signer(round, signer);
  }

  // Our own timeout message of the current round, re-sent on every timer
  // firing until the round changes; empty until we time out.
  const std::optional<TimeoutMsg>& own_timeout() const { return own_timeout_; }
  // Records our signed timeout for the current round. Asserts that `msg`
  // is for the current round and that none was recorded in it yet (a second
  // one would be a second signature for the round).
  void set_own_timeout(TimeoutMsg msg);

 private:
  PacemakerConfig config_;
  uint64_t current_round_ = 0;
  std::optional<TimeoutCert> high_tc_;
  std::optional<TimeoutMsg> own_timeout_;
  TimeoutAggregator timeouts_;
};

}  // namespace hpchain::consensus
