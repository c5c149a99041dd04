// The simulator's run loop: event dispatch, the heal and liveness check, and
// the result.
#include <sstream>

#include "tests/sim/world.h"

namespace hpchain::sim {

namespace {
// A runaway run (a livelock flooding messages) ends here and is a stall.
constexpr uint64_t kMaxEvents = 3'000'000;
}  // namespace

void World::process(const Event& e) {
  now_ms_ = e.time_ms;
  trace_.update_u64_be(e.time_ms).update_u64_be(static_cast<uint64_t>(e.kind));
  trace_.update_u64_be(e.instance).update_u64_be(e.from).update_u64_be(e.round);
  if (e.bytes) trace_.update(*e.bytes);
  Instance& inst = instances_[e.instance];
  switch (e.kind) {
    case EventKind::kDeliver:
      if (!inst.up) return;
      ++result_.messages_delivered;
      return apply(e.instance, inst.core->on_message(peer_id(inst.epoch, e.from), *e.bytes));
    case EventKind::kStateDeliver:
      return deliver_state(e);
    case EventKind::kEpochSync:
      return epoch_sync(e.instance, e.generation);
    case EventKind::kStateResend:
      return resend_end_vote(e.instance, e.generation);
    case EventKind::kStatus:
      return status(e.instance);
    case EventKind::kTimer:
      if (!inst.up || e.generation != inst.generation) return;
      return apply(e.instance, inst.core->on_timer(e.round));
    case EventKind::kPayload: {
      if (!inst.up || e.generation != inst.generation) return;
      // After the reconfiguration block, the epoch's suffix carries nothing.
      if (certifying() && inst.chain.size() >= epoch_of(e.instance).end_height) {
        return apply(e.instance, inst.core->on_payload_ready(e.round, {}, now_ms_));
      }
      // A garbage validator's payloads are often invalid: no honest vote.
      const bool invalid = inst.role == Role::kGarbage && rng_.chance(50);
      const std::string payload = std::string(invalid ? "invalid " : "") + "round " + std::to_string(e.round) +
                                  " instance " + std::to_string(e.instance) + " nonce " +
                                  std::to_string(rng_.next());
      return apply(e.instance, inst.core->on_payload_ready(e.round, to_bytes(payload), now_ms_));
    }
    case EventKind::kCrash:
      if (!inst.up) return;
      inst.up = false;
      ++inst.generation;
      inst.core.reset();
      if (e.lost_disk) {
        inst.storage.lose();
        inst.tree.lose();
      }
      return;
    case EventKind::kRestart:
      if (inst.up || inst.halted) return;
      start_instance(e.instance);
      // Still waiting for the reconfiguration block's certificate: ask again.
      if (inst.end_vote) resend_end_vote(e.instance, inst.generation);
      return;
    case EventKind::kValidate: {
      if (!inst.up || e.generation != inst.generation) return;
      Hash32 id;
      std::copy(e.bytes->begin(), e.bytes->end(), id.bytes.begin());
      return apply(e.instance, inst.core->on_payload_validated(id, e.round == 1));
    }
    case EventKind::kShowOther:
      return show_other();
    case EventKind::kSplitStep:
      return split_step();
    case EventKind::kSync:
      if (!inst.up || e.generation != inst.generation) return;
      return state_sync(e.instance);
    case EventKind::kHeal:
      if (schedule_.laggard && !laggard_back_) {
        // The laggard is still cut off: the heal (and the liveness window)
        // waits for it.
        push({now_ms_ + 1000, 0, EventKind::kHeal, 0, 0, 0, 0, false, {}});
        end_ms_ = std::max(end_ms_, now_ms_ + 1000 + config_.liveness_window_ms);
        return;
      }
      healed_ = true;
      for (auto& i : instances_) i.height_at_heal = i.chain.size();
      return;
  }
}

bool World::live() const {
  if (!healed_) return false;
  // Every honest instance that runs (a diverged one has stopped) commits K
  // blocks after the heal, in the last epoch.
  for (const auto& inst : instances_) {
    if (!honest(inst.validator) || inst.halted) continue;
    if (inst.chain.size() < inst.height_at_heal + config_.liveness_blocks) return false;
    if (inst.epoch < schedule_.reconfigs.size()) return false;
  }
  return true;
}

SeedResult World::run() {
  for (uint32_t i = 0; i < instances_.size(); ++i) {
    if (!is_observer(i)) start_instance(i);
  }
  if (schedule_.observer_instance) {
    push({schedule_.observer_join_ms, 0, EventKind::kRestart, *schedule_.observer_instance, 0, 0, 0, false, {}});
  }
  if (epoch_run()) {
    for (uint32_t i = 0; i < instances_.size(); ++i) push({kStatusMs + 7 * i, 0, EventKind::kStatus, i, 0, 0, 0, false, {}});
  }
  for (const auto& c : schedule_.crashes) {
    push({c.at_ms, 0, EventKind::kCrash, c.instance, 0, 0, 0, c.lost_disk, {}});
    push({c.restart_ms, 0, EventKind::kRestart, c.instance, 0, 0, 0, false, {}});
  }
  const bool check_liveness = config_.run_ms == 0;
  end_ms_ = check_liveness ? schedule_.heal_ms + config_.liveness_window_ms : config_.run_ms;
  push({check_liveness ? schedule_.heal_ms : end_ms_ + 1, 0, EventKind::kHeal, 0, 0, 0, 0, false, {}});
  uint64_t events = 0;
  bool shown_live = false;
  while (!queue_.empty() && queue_.top().time_ms <= end_ms_ && events < kMaxEvents) {
    const Event e = queue_.top();
    queue_.pop();
    ++events;
    process(e);
    if (config_.trace) {
      std::fprintf(stderr, "%8llu ms kind=%d inst=%u from=%u round=%llu\n",
                   static_cast<unsigned long long>(e.time_ms), static_cast<int>(e.kind), e.instance,
                   e.from, static_cast<unsigned long long>(e.round));
    }
    if (check_liveness && live()) {
      shown_live = true;
      if (config_.stop_when_live) break;
    }
  }
  result_.stalled = check_liveness && !shown_live;
  if (config_.trace) {
    for (uint32_t i = 0; i < instances_.size(); ++i) {
      const Instance& inst = instances_[i];
      std::fprintf(stderr, "instance %u member %u %s epoch %llu index %d height %zu%s round %llu\n", i,
                   inst.validator, role_name(inst.role), static_cast<unsigned long long>(inst.epoch),
                   static_cast<int>(inst.index), inst.chain.size(), inst.up ? "" : " down",
                   static_cast<unsigned long long>(inst.up ? inst.core->current_round() : 0));
    }
  }
  result_.virtual_ms = now_ms_;
  result_.trace_hash = trace_.finish();
  result_.min_committed_height = UINT64_MAX;
  result_.epochs = schedule_.reconfigs.size();
  result_.certified_heights = certified_.size();
  for (const auto& inst : instances_) {
    if (honest(inst.validator) && !inst.halted) {
      result_.epochs = std::min(result_.epochs, inst.epoch);
      result_.min_committed_height = std::min<uint64_t>(result_.min_committed_height, inst.chain.size());
      if (inst.up) result_.max_round = std::max(result_.max_round, inst.core->current_round());
    }
  }
  return result_;
}

SeedResult run_seed(const SimConfig& config) {
  World world(config);
  return world.run();
}

std::string describe(const SeedResult& r) {
  std::ostringstream out;
  out << "seed " << r.seed << " n " << r.validators << " trace " << r.trace_hash.hex().substr(0, 16)
      << " virtual " << r.virtual_ms << "ms messages " << r.messages_delivered << " heights "
      << r.min_committed_height << ".." << r.max_committed_height << ": ";
  if (r.violations.empty() && !r.stalled) out << "ok";
  for (const auto& v : r.violations) out << "VIOLATION " << v << "; ";
  if (r.stalled) out << "STALL (no liveness within the window)";
  return out.str();
}

}  // namespace hpchain::sim
