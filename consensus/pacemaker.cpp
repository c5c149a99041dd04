#include "consensus/pacemaker.h"

#include <algorithm>

namespace hpchain::consensus {

bool Pacemaker::observe_tc(const TimeoutCert& tc) {
  if (high_tc_ && tc.round <= high_tc_->round) return false;
  high_tc_ = tc;
  return true;
}

bool Pacemaker::advance(uint64_t high_qc_round) {
  const uint64_t next = std::max(high_qc_round, high_tc_round()) + 1;
  if (next <= current_round_) return false;
  current_round_ = next;
  own_timeout_.reset();
  // Keep the previous round: a TC for it may still complete and help a
  // validator that lags one round behind.
  timeouts_.prune_below(next - 1);
  return true;
}

void Pacemaker::set_own_timeout(TimeoutMsg msg) {
  HPC_ASSERT(msg.round == current_round_);
  HPC_ASSERT(!own_timeout_.has_value());
  own_timeout_ = std::move(msg);
}

uint64_t Pacemaker::round_timeout_ms(uint64_t high_qc_round) const {
  HPC_ASSERT(current_round_ > high_qc_round);
  const uint64_t rounds_without_qc = current_round_ - high_qc_round - 1;
  const uint64_t exponent = std::min<uint64_t>(rounds_without_qc, config_.max_backoff_exponent);
  HPC_ASSERT(exponent < 32);
  return config_.base_timeout_ms << exponent;
}

std::optional<TimeoutCert> Pacemaker::entry_tc() const {
  if (high_tc_ && high_tc_->round + 1 == current_round_) return high_tc_;
  return std::nullopt;
}

}  // namespace hpchain::consensus
