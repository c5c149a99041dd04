// Fault sets and the seeded fault schedule.
#include <algorithm>
#include <sstream>

#include "tests/sim/world.h"

namespace hpchain::sim {

FaultSet FaultSet::all() {
  FaultSet f;
  f.crash = f.partition = f.slow = f.drop = f.duplicate = true;
  f.equivocate = f.double_vote = f.twins = f.garbage = f.forge_tc = true;
  f.restart_all = f.withhold = f.unequal_power = f.laggard = f.observer = true;
  return f;
}

Result<FaultSet> FaultSet::parse(std::string_view text) {
  FaultSet f;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    const std::string_view word = text.substr(start, end - start);
    if (word == "all") {
      const bool lost = f.lost_disk;
      f = all();
      f.lost_disk = lost;
    } else if (word == "none" || word.empty()) {
    } else if (word == "crash") { f.crash = true;
    } else if (word == "lost-disk") { f.lost_disk = true;
    } else if (word == "partition") { f.partition = true;
    } else if (word == "slow") { f.slow = true;
    } else if (word == "drop") { f.drop = true;
    } else if (word == "duplicate") { f.duplicate = true;
    } else if (word == "equivocate") { f.equivocate = true;
    } else if (word == "double-vote") { f.double_vote = true;
    } else if (word == "twins") { f.twins = true;
    } else if (word == "garbage") { f.garbage = true;
    } else if (word == "forge-tc") { f.forge_tc = true;
    } else if (word == "restart-all") { f.restart_all = true;
    } else if (word == "withhold") { f.withhold = true;
    } else if (word == "unequal-power") { f.unequal_power = true;
    } else if (word == "laggard") { f.laggard = true;
    } else if (word == "observer") { f.observer = true;
    } else if (word == "epochs") { f.epochs = true;
    } else {
      return Status::invalid_argument("unknown fault kind '" + std::string(word) + "'");
    }
    start = end + 1;
  }
  return f;
}

std::string FaultSet::to_string() const {
  std::string out;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!out.empty()) out += ',';
    out += name;
  };
  add(crash, "crash"); add(lost_disk, "lost-disk"); add(partition, "partition");
  add(slow, "slow"); add(drop, "drop"); add(duplicate, "duplicate");
  add(equivocate, "equivocate"); add(double_vote, "double-vote"); add(twins, "twins");
  add(garbage, "garbage"); add(forge_tc, "forge-tc"); add(restart_all, "restart-all");
  add(withhold, "withhold"); add(unequal_power, "unequal-power"); add(laggard, "laggard");
  add(observer, "observer"); add(epochs, "epochs");
  return out.empty() ? "none" : out;
}

const char* role_name(Role role) {
  switch (role) {
    case Role::kHonest: return "honest";
    case Role::kEquivocator: return "equivocator";
    case Role::kDoubleVoter: return "double-voter";
    case Role::kTwin: return "twins";
    case Role::kGarbage: return "garbage";
    case Role::kTcForger: return "tc-forger";
    case Role::kWithholder: return "withholder";
  }
  return "?";
}

namespace {

// Voting powers: all 1, or (unequal-power, 40% of seeds) drawn in [1, 100].
// A fifth of the unequal seeds give one validator just under a third of
// the total, and make it byzantine (draw_roles).
void draw_powers(Rng& rng, const FaultSet& faults, Schedule& s) {
  s.powers.assign(s.validators, 1);
  if (!faults.unequal_power || !rng.chance(40)) return;
  for (auto& p : s.powers) p = rng.between(1, 100);
  if (!rng.chance(20)) return;
  const ValidatorIndex heavy = static_cast<ValidatorIndex>(rng.below(s.validators));
  uint64_t others = 0;
  for (ValidatorIndex v = 0; v < s.validators; ++v) others += v == heavy ? 0 : s.powers[v];
  s.powers[heavy] = (others - 1) / 2;  // 3p < p + others, and no more
  s.heavy_byzantine = heavy;
}

void draw_roles(Rng& rng, const FaultSet& faults, Schedule& s) {
  std::vector<Role> kinds;
  if (faults.equivocate) kinds.push_back(Role::kEquivocator);
  if (faults.double_vote) kinds.push_back(Role::kDoubleVoter);
  if (faults.twins) kinds.push_back(Role::kTwin);
  if (faults.garbage) kinds.push_back(Role::kGarbage);
  if (faults.forge_tc) kinds.push_back(Role::kTcForger);
  if (faults.withhold) kinds.push_back(Role::kWithholder);
  // Byzantine power stays under a third of the total (3B < T), counting
  // the validators the config made byzantine already.
  uint64_t total = 0;
  uint64_t byzantine = 0;
  for (ValidatorIndex v = 0; v < s.validators; ++v) {
    total += s.powers[v];
    byzantine += s.roles[v] == Role::kHonest ? 0 : s.powers[v];
  }
  if (!kinds.empty() && s.heavy_byzantine && byzantine == 0) {
    s.roles[*s.heavy_byzantine] = kinds[rng.below(kinds.size())];
    byzantine = s.powers[*s.heavy_byzantine];
  }
  const uint32_t f = (s.validators - 1) / 3;
  const uint32_t count = kinds.empty() || s.heavy_byzantine ? 0 : static_cast<uint32_t>(rng.between(0, f));
  // Withholding takes several withholders in the right rounds, so a third
  // of the seeds make every byzantine validator one (a coalition).
  const bool coalition = faults.withhold && rng.chance(35);
  for (uint32_t k = 0; k < count; ++k) {
    ValidatorIndex v = static_cast<ValidatorIndex>(rng.below(s.validators));
    while (s.roles[v] != Role::kHonest) v = (v + 1) % s.validators;
    if (3 * (byzantine + s.powers[v]) >= total) break;
    byzantine += s.powers[v];
    s.roles[v] = coalition ? Role::kWithholder : kinds[rng.below(kinds.size())];
  }
  for (ValidatorIndex v = 0; v < s.validators; ++v) s.instance_of.push_back(v);
  for (ValidatorIndex v = 0; v < s.validators; ++v) {
    if (s.roles[v] == Role::kTwin) s.instance_of.push_back(v);
  }
  if (std::find(s.roles.begin(), s.roles.end(), Role::kWithholder) != s.roles.end()) {
    static constexpr WithholdPlan kPlans[] = {WithholdPlan::kForkBelowLock, WithholdPlan::kHiddenSibling,
                                              WithholdPlan::kSplitVotes};
    s.withhold_plan = kPlans[rng.below(3)];
  }
}

// An observer gets the peer id `validators` (after every validator index)
// and joins at a random time with nothing but genesis.
void draw_observer(Rng& rng, const SimConfig& config, Schedule& s) {
  if (!config.faults.observer || !rng.chance(30)) return;
  s.observer_instance = static_cast<uint32_t>(s.instance_of.size());
  s.instance_of.push_back(s.validators);
  s.observer_join_ms = rng.below(config.fault_phase_ms);
}

// The laggard: an observer, or the lightest honest validator when the
// rest still hold a quorum without it (and without the byzantine ones).
void draw_laggard(Rng& rng, const SimConfig& config, Schedule& s) {
  if (!config.faults.laggard || !rng.chance(4)) return;
  // Half the time an observer, when there is one: it must sync to follow.
  if (s.observer_instance && rng.chance(50)) {
    s.laggard = LaggardFault{*s.observer_instance, rng.below(config.fault_phase_ms)};
    return;
  }
  uint64_t total = 0;
  uint64_t byzantine = 0;
  std::optional<ValidatorIndex> lightest;
  for (ValidatorIndex v = 0; v < s.validators; ++v) {
    total += s.powers[v];
    if (s.roles[v] != Role::kHonest) {
      byzantine += s.powers[v];
    } else if (!lightest || s.powers[v] < s.powers[*lightest]) {
      lightest = v;
    }
  }
  if (!lightest || 3 * (byzantine + s.powers[*lightest]) >= total) return;
  s.laggard = LaggardFault{*lightest, rng.below(config.fault_phase_ms)};
}

void draw_crashes(Rng& rng, const SimConfig& config, Schedule& s) {
  const FaultSet& faults = config.faults;
  if (!faults.crash && !faults.lost_disk) return;
  const uint64_t count = faults.lost_disk ? rng.between(1, 3) : rng.between(0, 2);
  for (uint64_t k = 0; k < count; ++k) {
    CrashFault c;
    c.instance = static_cast<uint32_t>(rng.below(s.validators));
    if (s.roles[c.instance] != Role::kHonest) continue;
    c.at_ms = rng.below(config.fault_phase_ms);
    c.lost_disk = faults.lost_disk && (!faults.crash || rng.chance(50));
    // A lost disk matters when the validator comes back within the round it
    // voted in, so those restarts are quick.
    c.restart_ms = c.at_ms + (c.lost_disk ? rng.between(20, 500) : rng.between(100, 2500));
    s.crashes.push_back(c);
  }
}

void draw_restart_all(Rng& rng, const SimConfig& config, Schedule& s) {
  // Every instance at once, or all but one: the moment some blocks are
  // voted for but not committed anywhere. Only the saved tree brings them
  // back (tree_storage.h).
  if (!config.faults.restart_all || !rng.chance(30)) return;
  const uint64_t at = rng.below(config.fault_phase_ms);
  const uint32_t instances = static_cast<uint32_t>(s.instance_of.size());
  const uint32_t spared = rng.chance(50) ? static_cast<uint32_t>(rng.below(instances)) : instances;
  for (uint32_t i = 0; i < instances; ++i) {
    if (i == spared) continue;
    CrashFault c;
    c.instance = i;
    c.at_ms = at + rng.below(40);
    c.restart_ms = c.at_ms + rng.between(100, 1500);
    s.crashes.push_back(c);
  }
}

void draw_network(Rng& rng, const SimConfig& config, Schedule& s) {
  const FaultSet& faults = config.faults;
  if (faults.partition && rng.chance(60)) {
    PartitionFault p;
    p.from_ms = rng.below(config.fault_phase_ms);
    p.to_ms = p.from_ms + rng.between(300, 3000);
    for (size_t i = 0; i < s.instance_of.size(); ++i) p.side.push_back(static_cast<uint8_t>(rng.below(2)));
    s.partitions.push_back(p);
  }
  if (faults.slow && rng.chance(60)) {
    SlowFault f;
    f.validator = static_cast<ValidatorIndex>(rng.below(s.validators));
    f.from_ms = rng.below(config.fault_phase_ms);
    f.to_ms = f.from_ms + rng.between(500, 3000);
    f.extra_ms = rng.between(200, 1200);
    s.slows.push_back(f);
  }
  if (faults.drop) s.drop_percent = rng.between(1, 10);
  if (faults.duplicate) s.duplicate_percent = rng.between(1, 5);
}

// An epoch run keeps one byzantine validator (when a byzantine kind is
// enabled): it stays in every set, so it leads rounds on both sides of
// every boundary.
void ensure_byzantine(Rng& rng, const FaultSet& faults, Schedule& s) {
  std::vector<Role> kinds;
  if (faults.equivocate) kinds.push_back(Role::kEquivocator);
  if (faults.double_vote) kinds.push_back(Role::kDoubleVoter);
  if (faults.garbage) kinds.push_back(Role::kGarbage);
  if (kinds.empty() || std::any_of(s.roles.begin(), s.roles.end(), [](Role r) { return r != Role::kHonest; })) return;
  const ValidatorIndex v = static_cast<ValidatorIndex>(rng.below(s.validators));
  uint64_t total = 0;
  for (uint64_t p : s.powers) total += p;
  if (3 * s.powers[v] < total) s.roles[v] = kinds[rng.below(kinds.size())];
}

// The next set, from `power` (per member, 0 outside the set): byzantine
// members stay, an honest one stays (80%) or joins (50%), one power may
// change; then honest power is added until byzantine power is under a
// third, and the set differs from the last.
std::vector<uint64_t> draw_next_set(Rng& rng, const Schedule& s, bool unequal, const std::vector<uint64_t>& power) {
  auto fresh_power = [&] { return unequal ? rng.between(1, 100) : 1; };
  std::vector<uint64_t> next(power.size(), 0);
  std::vector<uint32_t> honest;
  for (uint32_t m = 0; m < power.size(); ++m) {
    if (s.roles[m] != Role::kHonest) {
      next[m] = power[m];
      continue;
    }
    honest.push_back(m);
    if (rng.chance(power[m] ? 80 : 50)) next[m] = power[m] ? power[m] : fresh_power();
  }
  if (rng.chance(40)) {
    const uint32_t m = honest[rng.below(honest.size())];
    if (next[m]) next[m] = unequal ? rng.between(1, 100) : rng.between(1, 3);
  }
  auto balanced = [&] {
    uint64_t total = 0;
    uint64_t byzantine = 0;
    for (uint32_t m = 0; m < next.size(); ++m) {
      total += next[m];
      byzantine += s.roles[m] == Role::kHonest ? 0 : next[m];
    }
    return total > byzantine && 3 * byzantine < total;
  };
  while (!balanced() || next == power) {
    const uint32_t m = honest[rng.below(honest.size())];
    next[m] = next[m] ? next[m] + 1 : fresh_power();
  }
  return next;
}

// The member that leads round 1 (the first proposal) of the set `power`.
uint32_t first_leader(const std::vector<uint64_t>& power) {
  const auto& keys = sim_validator_keys(power.size());
  std::vector<consensus::ValidatorInfo> entries;
  std::vector<uint32_t> members;
  for (uint32_t m = 0; m < power.size(); ++m) {
    if (power[m] == 0) continue;
    entries.push_back({keys[m].public_key(), power[m]});
    members.push_back(m);
  }
  return members[consensus::ValidatorSet::create(std::move(entries))->leader(1)];
}

// Makes a byzantine member lead the new epoch's first round, when a few
// more units of honest power (which keep the set balanced) find such a set:
// the boundary's first proposal is then a byzantine one.
void byzantine_first_leader(Rng& rng, const Schedule& s, const std::vector<uint64_t>& prev,
                            std::vector<uint64_t>& power) {
  std::vector<uint32_t> honest;
  for (uint32_t m = 0; m < power.size(); ++m) {
    if (s.roles[m] == Role::kHonest && power[m] > 0) honest.push_back(m);
  }
  const std::vector<uint64_t> drawn = power;
  for (int attempt = 0; attempt < 16; ++attempt) {
    // (Never the previous set again: the ledger reports a set only when it changed.)
    if (power != prev && s.roles[first_leader(power)] != Role::kHonest) return;
    power[honest[rng.below(honest.size())]] += 1;
  }
  power = drawn;  // none found: keep the drawn set
}

// Epoch runs: up to three joiners (members after the validators, observers
// until a set names them), then one to three set changes, each at a block
// 3 to 40 heights into its epoch.
void draw_epochs(Rng& rng, const FaultSet& faults, Schedule& s) {
  ensure_byzantine(rng, faults, s);
  const uint32_t joiners = static_cast<uint32_t>(rng.between(0, 3));
  for (uint32_t k = 0; k < joiners; ++k) {
    s.instance_of.push_back(s.validators + k);
    s.roles.push_back(Role::kHonest);
  }
  const bool unequal = std::any_of(s.powers.begin(), s.powers.end(), [](uint64_t p) { return p != 1; });
  std::vector<uint64_t> power(s.validators + joiners, 0);
  std::copy(s.powers.begin(), s.powers.end(), power.begin());
  const uint64_t changes = rng.between(1, 3);
  for (uint64_t k = 0; k < changes; ++k) {
    Reconfig r;
    r.gap = rng.between(3, 40);
    const std::vector<uint64_t> prev = power;
    power = draw_next_set(rng, s, unequal, prev);
    const bool has_byzantine = std::any_of(s.roles.begin(), s.roles.end(), [](Role role) { return role != Role::kHonest; });
    if (has_byzantine && rng.chance(50)) byzantine_first_leader(rng, s, prev, power);
    HPC_ASSERT(power != prev);
    r.byzantine_first_leader = s.roles[first_leader(power)] != Role::kHonest;
    for (uint32_t m = 0; m < power.size(); ++m) {
      if (power[m] == 0) continue;
      r.members.push_back(m);
      r.powers.push_back(power[m]);
    }
    s.reconfigs.push_back(std::move(r));
  }
}

// What an epoch run leaves out: kinds whose code assumes epoch 0
// (withholders, TC forgers, twins), the legacy observer (joiners observe
// instead), the laggard, and lost disks (unsafe by design).
FaultSet without_epoch_incompatible(FaultSet f) {
  f.twins = f.forge_tc = f.withhold = f.lost_disk = f.laggard = f.observer = false;
  return f;
}

}  // namespace

Schedule draw_schedule(Rng& rng, const SimConfig& given) {
  SimConfig config = given;
  if (config.faults.epochs) {
    config.faults = without_epoch_incompatible(config.faults);
    config.withholders.clear();
  }
  Schedule s;
  s.validators = config.validators != 0
                     ? config.validators
                     : static_cast<uint32_t>(rng.between(4, std::max<uint32_t>(4, config.max_validators)));
  s.roles.assign(s.validators, Role::kHonest);
  for (uint32_t v : config.withholders) {
    if (v < s.validators) s.roles[v] = Role::kWithholder;
  }
  draw_powers(rng, config.faults, s);
  draw_roles(rng, config.faults, s);
  if (config.faults.epochs) draw_epochs(rng, config.faults, s);
  draw_observer(rng, config, s);
  draw_crashes(rng, config, s);
  draw_network(rng, config, s);
  draw_restart_all(rng, config, s);
  draw_laggard(rng, config, s);
  s.members = *std::max_element(s.instance_of.begin(), s.instance_of.end()) + 1;
  for (const auto& c : s.crashes) s.heal_ms = std::max(s.heal_ms, c.restart_ms);
  for (const auto& p : s.partitions) s.heal_ms = std::max(s.heal_ms, p.to_ms);
  for (const auto& f : s.slows) s.heal_ms = std::max(s.heal_ms, f.to_ms);
  if (s.drop_percent > 0) s.heal_ms = std::max(s.heal_ms, rng.between(500, config.fault_phase_ms));
  // Withholders attack before the heal (when the network may delay their
  // victims): give them the whole fault phase, and the six-round
  // hidden-sibling plan three times as long.
  if (std::find(s.roles.begin(), s.roles.end(), Role::kWithholder) != s.roles.end()) {
    const uint64_t phases = s.withhold_plan == WithholdPlan::kForkBelowLock ? 1 : 3;
    s.heal_ms = std::max(s.heal_ms, phases * config.fault_phase_ms);
  }
  return s;
}

std::string Schedule::describe() const {
  std::ostringstream out;
  out << "n=" << validators << " roles=[";
  for (ValidatorIndex v = 0; v < validators; ++v) out << (v ? "," : "") << role_name(roles[v]);
  out << "]";
  if (std::any_of(powers.begin(), powers.end(), [](uint64_t p) { return p != 1; })) {
    out << " powers=[";
    for (ValidatorIndex v = 0; v < validators; ++v) out << (v ? "," : "") << powers[v];
    out << "]";
  }
  for (const auto& c : crashes) {
    out << " crash(i" << c.instance << " " << c.at_ms << "-" << c.restart_ms << "ms"
        << (c.lost_disk ? " lost-disk" : "") << ")";
  }
  for (const auto& p : partitions) {
    out << " partition(" << p.from_ms << "-" << p.to_ms << "ms sides=";
    for (uint8_t side : p.side) out << int{side};
    out << ")";
  }
  for (const auto& f : slows) {
    out << " slow(v" << f.validator << " " << f.from_ms << "-" << f.to_ms << "ms +" << f.extra_ms << "ms)";
  }
  if (drop_percent) out << " drop=" << drop_percent << "%";
  if (duplicate_percent) out << " dup=" << duplicate_percent << "%";
  if (std::find(roles.begin(), roles.end(), Role::kWithholder) != roles.end()) {
    static constexpr const char* kNames[] = {" plan=fork-below-lock", " plan=hidden-sibling", " plan=split-votes"};
    out << kNames[static_cast<int>(withhold_plan)];
  }
  if (laggard) out << " laggard(i" << laggard->instance << " from " << laggard->from_ms << "ms)";
  if (observer_instance) out << " observer(i" << *observer_instance << " joins " << observer_join_ms << "ms)";
  if (members > validators && !reconfigs.empty()) out << " joiners=" << members - validators;
  for (const auto& r : reconfigs) {
    out << " reconfig(+" << r.gap << " set=";
    for (size_t k = 0; k < r.members.size(); ++k) out << (k ? "," : "") << r.members[k] << ":" << r.powers[k];
    out << (r.byzantine_first_leader ? " byzantine-first-leader)" : ")");
  }
  out << " heal=" << heal_ms << "ms";
  return out.str();
}

}  // namespace hpchain::sim
