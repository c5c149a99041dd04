// hpchain-sim: runs the consensus simulator (docs/consensus.md section 6).
//
//   hpchain-sim --seed S [options]          one seed, replayable; prints its trace hash
//   hpchain-sim --seeds N [--first S] ...   N seeds; last line "seeds: N, violations: V, stalls: L"
//   hpchain-sim --bench --n N --run-ms MS   no faults; prints committed blocks/s and messages/s
//   hpchain-sim --leader-stats --n N --withhold-at L   the leader-schedule measurement
// Options: --n N (validators; default drawn in [4, --max-n]), --max-n N,
//   --faults LIST (default all; see FaultSet::parse), --real-crypto, --no-saved-tree,
//   --broken skip-last-voted-round|skip-tc-lock|commit-non-consecutive, --trace, --quiet.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/sim/simulator.h"

namespace {

using hpchain::sim::SimConfig;

struct Options {
  SimConfig config;
  bool single = false;
  bool bench = false;
  bool leader_stats = false;
  bool quiet = false;
  uint64_t seeds = 0;
  uint64_t first = 1;
};

constexpr const char* kUsage =
    "usage:\n"
    "  hpchain-sim --seed S [options]         run one seed (replayable); prints its trace hash\n"
    "  hpchain-sim --seeds N [--first S] ...  run seeds S..S+N-1; the last line reads\n"
    "                                         'seeds: N, violations: V, stalls: L'\n"
    "  hpchain-sim --bench --n N [--run-ms MS] no faults; committed blocks/s, messages/s and\n"
    "                                         committed blocks per round\n"
    "  hpchain-sim --leader-stats --n N --withhold-at L\n"
    "                                         rounds opening three honest leaders, round-robin\n"
    "                                         order against the permuted schedule\n"
    "options:\n"
    "  --n N            validators (default: drawn per seed in [4, --max-n])\n"
    "  --max-n N        upper bound for the drawn validator count\n"
    "  --faults LIST    comma-separated: all (default: every kind but lost-disk), none, crash,\n"
    "                   lost-disk, partition, slow, drop, duplicate, equivocate, double-vote,\n"
    "                   twins, garbage, forge-tc, restart-all (all or most instances crash at\n"
    "                   once), withhold (leaders that show their proposal to one validator\n"
    "                   and fork below the TC lock), unequal-power (powers in [1, 100],\n"
    "                   sometimes one byzantine just under a third), laggard, observer,\n"
    "                   epochs (not in all: the validator set changes 1 to 3 times while the\n"
    "                   other faults run; validators join, leave and change power, one\n"
    "                   byzantine validator stays in every set; state certificates on;\n"
    "                   leaves out twins, forge-tc, withhold, lost-disk, laggard, observer)\n"
    "  --real-crypto    secp256k1 signatures instead of the fast simulated ones\n"
    "  --no-saved-tree  cores keep no saved block tree (a restart-all can then halt the chain)\n"
    "  --withhold-at L  make validators L (comma list) withholders whatever the seed draws\n"
    "  --diverge V@H    validator V computes wrong state roots from height H on: it must halt\n"
    "                   with the state divergence error while the others go on\n"
    "  --broken KIND    test-only unsafe variant: skip-last-voted-round | skip-tc-lock |\n"
    "                   commit-non-consecutive (a broken 2-chain commit rule)\n"
    "  --trace          print every delivered event\n"
    "  --quiet          only the summary line\n"
    "Exit codes: 0 no violation or stall, 1 a violation or stall, 2 bad arguments.\n"
    "See docs/consensus.md for the faults, invariants and replay.\n";

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "hpchain-sim: %s\n%s", why, kUsage);
  std::exit(2);
}

uint64_t number(const char* text) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') usage("expected a number");
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(("missing value for " + arg).c_str());
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg == "--seed") { o.single = true; o.config.seed = number(value()); }
    else if (arg == "--seeds") o.seeds = number(value());
    else if (arg == "--first") o.first = number(value());
    else if (arg == "--n") o.config.validators = static_cast<uint32_t>(number(value()));
    else if (arg == "--max-n") o.config.max_validators = static_cast<uint32_t>(number(value()));
    else if (arg == "--run-ms") o.config.run_ms = number(value());
    else if (arg == "--bench") o.bench = true;
    else if (arg == "--leader-stats") o.leader_stats = true;
    else if (arg == "--real-crypto") o.config.real_crypto = true;
    else if (arg == "--no-saved-tree") o.config.saved_tree = false;
    else if (arg == "--withhold-at") {
      const std::string list = value();
      for (size_t start = 0; start < list.size();) {
        const size_t end = std::min(list.find(',', start), list.size());
        o.config.withholders.push_back(static_cast<uint32_t>(number(list.substr(start, end - start).c_str())));
        start = end + 1;
      }
    }
    else if (arg == "--diverge") {
      const std::string spec = value();
      const size_t at = spec.find('@');
      if (at == std::string::npos) usage("--diverge takes V@H");
      o.config.diverge_validator = static_cast<uint32_t>(number(spec.substr(0, at).c_str()));
      o.config.diverge_height = number(spec.substr(at + 1).c_str());
      if (o.config.diverge_height == 0) usage("--diverge height must be at least 1");
    }
    else if (arg == "--trace") o.config.trace = true;
    else if (arg == "--quiet") o.quiet = true;
    else if (arg == "--faults") {
      auto faults = hpchain::sim::FaultSet::parse(value());
      if (!faults.is_ok()) usage(faults.status().message().c_str());
      o.config.faults = *faults;
    } else if (arg == "--broken") {
      const std::string kind = value();
      if (kind == "skip-last-voted-round") o.config.broken.skip_last_voted_round_check = true;
      else if (kind == "skip-tc-lock") o.config.broken.skip_tc_lock_check = true;
      else if (kind == "commit-non-consecutive") o.config.broken.commit_non_consecutive = true;
      else usage("unknown --broken kind");
    } else {
      usage(("unknown argument " + arg).c_str());
    }
  }
  if (o.bench && o.config.run_ms == 0) o.config.run_ms = 20000;
  if (o.bench) o.config.faults = hpchain::sim::FaultSet::none();  // --withhold-at still applies
  if (!o.single && !o.bench && !o.leader_stats && o.seeds == 0) {
    usage("give --seed, --seeds, --bench or --leader-stats");
  }
  return o;
}

// The share of rounds that open a run of three honest leaders (what a
// 2-chain commit needs when byzantine leaders withhold), for the old
// round-robin order (r mod n) and for ValidatorSet::leader.
int run_leader_stats(const Options& o) {
  const uint32_t n = o.config.validators;
  if (n == 0) usage("--leader-stats needs --n");
  std::vector<bool> byzantine(n, false);
  for (uint32_t v : o.config.withholders) {
    if (v < n) byzantine[v] = true;
  }
  constexpr uint64_t kRounds = 100000;
  const auto leaders = hpchain::sim::sim_leaders(n, kRounds + 2);
  uint64_t round_robin = 0;
  uint64_t permuted = 0;
  for (uint64_t r = 0; r < kRounds; ++r) {
    round_robin += !byzantine[r % n] && !byzantine[(r + 1) % n] && !byzantine[(r + 2) % n];
    permuted += !byzantine[leaders[r]] && !byzantine[leaders[r + 1]] && !byzantine[leaders[r + 2]];
  }
  std::printf("n %u, %zu withholding: rounds opening three honest leaders: round-robin %.4f, permuted %.4f\n",
              n, o.config.withholders.size(), static_cast<double>(round_robin) / kRounds,
              static_cast<double>(permuted) / kRounds);
  return 0;
}

int run_bench(const Options& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = hpchain::sim::run_seed(o.config);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("n %u virtual %.1f s wall %.3f s committed %llu blocks (%.0f blocks/s) messages %llu (%.0f messages/s)\n",
              r.validators, r.virtual_ms / 1000.0, wall_s,
              static_cast<unsigned long long>(r.max_committed_height), r.max_committed_height / wall_s,
              static_cast<unsigned long long>(r.messages_delivered), r.messages_delivered / wall_s);
  std::printf("rounds %llu, committed blocks per round %.3f\n", static_cast<unsigned long long>(r.max_round),
              r.max_round ? static_cast<double>(r.min_committed_height) / static_cast<double>(r.max_round) : 0.0);
  return r.violations.empty() ? 0 : 1;
}

// The flags that, with --seed, replay a run of `config`.
std::string replay_flags(const SimConfig& c) {
  std::string out = std::string("--faults ").append(c.faults.to_string());
  if (c.validators) out.append(" --n ").append(std::to_string(c.validators));
  else out.append(" --max-n ").append(std::to_string(c.max_validators));
  if (!c.saved_tree) out.append(" --no-saved-tree");
  if (c.real_crypto) out.append(" --real-crypto");
  if (c.diverge_height) {
    out.append(" --diverge ").append(std::to_string(c.diverge_validator)).append("@").append(std::to_string(c.diverge_height));
  }
  if (c.broken.skip_last_voted_round_check) out.append(" --broken skip-last-voted-round");
  if (c.broken.skip_tc_lock_check) out.append(" --broken skip-tc-lock");
  if (c.broken.commit_non_consecutive) out.append(" --broken commit-non-consecutive");
  return out;
}

// Epoch changes and state-certificate latency, summed over seeds.
struct EpochTally {
  uint64_t epochs = 0;
  uint64_t epoch_syncs = 0;
  uint64_t certified = 0;
  uint64_t samples = 0;
  uint64_t latency_sum_ms = 0;
  uint64_t latency_max_ms = 0;
  void add(const hpchain::sim::SeedResult& r) {
    epochs += r.epochs;
    epoch_syncs += r.epoch_syncs;
    certified += r.certified_heights;
    samples += r.cert_latency_samples;
    latency_sum_ms += r.cert_latency_sum_ms;
    latency_max_ms = std::max(latency_max_ms, r.cert_latency_max_ms);
  }
  void print() const {
    if (samples == 0) return;
    std::printf("epoch changes: %llu (%llu by proof), certified heights: %llu, state certificate latency: "
                "mean %.1f ms, max %llu ms (virtual, commit to certificate, %llu samples)\n",
                static_cast<unsigned long long>(epochs), static_cast<unsigned long long>(epoch_syncs),
                static_cast<unsigned long long>(certified), static_cast<double>(latency_sum_ms) / samples,
                static_cast<unsigned long long>(latency_max_ms), static_cast<unsigned long long>(samples));
  }
};

int run_many(const Options& o) {
  uint64_t violations = 0;
  uint64_t forks = 0;
  uint64_t stalls = 0;
  EpochTally epochs;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t k = 0; k < o.seeds; ++k) {
    SimConfig config = o.config;
    config.seed = o.first + k;
    const auto r = hpchain::sim::run_seed(config);
    violations += r.violations.empty() ? 0 : 1;
    forks += r.forked ? 1 : 0;
    stalls += r.stalled ? 1 : 0;
    epochs.add(r);
    if (!r.violations.empty() || r.stalled) {
      std::printf("%s\n  schedule: %s\n  replay: hpchain-sim --seed %llu %s\n",
                  hpchain::sim::describe(r).c_str(), r.schedule.c_str(),
                  static_cast<unsigned long long>(config.seed), replay_flags(config).c_str());
    }
    if (!o.quiet && (k + 1) % 1000 == 0) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("progress: %llu seeds in %.0f s, violations %llu, stalls %llu\n",
                  static_cast<unsigned long long>(k + 1), s, static_cast<unsigned long long>(violations),
                  static_cast<unsigned long long>(stalls));
      std::fflush(stdout);
    }
  }
  if (violations > 0) {
    std::printf("agreement or prefix violations: %llu of %llu seeds\n", static_cast<unsigned long long>(forks),
                static_cast<unsigned long long>(o.seeds));
  }
  epochs.print();
  std::printf("seeds: %llu, violations: %llu, stalls: %llu\n", static_cast<unsigned long long>(o.seeds),
              static_cast<unsigned long long>(violations), static_cast<unsigned long long>(stalls));
  return violations + stalls == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  if (o.leader_stats) return run_leader_stats(o);
  if (o.bench) return run_bench(o);
  if (o.single) {
    const auto r = hpchain::sim::run_seed(o.config);
    std::printf("schedule: %s\n%s\nstate syncs: %llu (largest %llu heights)\ntrace hash: %s\n", r.schedule.c_str(),
                hpchain::sim::describe(r).c_str(), static_cast<unsigned long long>(r.state_syncs),
                static_cast<unsigned long long>(r.max_sync_jump), r.trace_hash.hex().c_str());
    EpochTally epochs;
    epochs.add(r);
    epochs.print();
    for (const auto& h : r.halts) std::printf("halted: %s\n", h.c_str());
    return r.violations.empty() && !r.stalled ? 0 : 1;
  }
  return run_many(o);
}
