// hpchain-jobsim: the job-market simulator (docs/jobs.md, "Partitioned
// mode: the figures"). Synthetic workers drive the real ledger rules over
// many seeds; --seed S replays one exactly.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/jobsim/market.h"

namespace {

using hpchain::jobsim::Config;
using hpchain::jobsim::Outcome;

constexpr const char* kUsage =
    "usage:\n"
    "  hpchain-jobsim --seeds N [--first S] [--threads T] [options]   N markets, seeds S..S+N-1\n"
    "  hpchain-jobsim --seed S [options]                             one market, replayable\n"
    "The last line reads exactly\n"
    "  jobs: J, units: U, cheated: C, caught: K, wrong_final: W, predicted_wrong_final: P, compute_overhead: X\n"
    "options (defaults: the issue's default mix):\n"
    "  --workers N (200) --institutions N (20) --jobs N (200) --units N (64 per job)\n"
    "  --samples-per-unit N (128) --job-every N (0: one job at a time) --max-blocks N (100000)\n"
    "  --cheat F (0.10 of workers) --cheat-p P (0.10 of their units) --always F (0.02)\n"
    "  --never-reveal F (0.05) --lazy F (0) --slow F (0) --false-accusers F (0)\n"
    "  --collude-same N (0 pairs) --collude-other N (0 pairs)\n"
    "  --floor PPM (50000) --new-rate PPM (250000) --halving N (2) --leaf N (16)\n";

struct Options {
  Config config;
  uint64_t seeds = 200;
  uint64_t first = 1;
  bool single = false;
  unsigned threads = 2;
};

bool parse_number(const char* text, double& out) {
  char* end = nullptr;
  out = std::strtod(text, &end);
  return end != text && *end == '\0' && out >= 0;
}

// Sets the option `name` from `value`; false when unknown or malformed.
bool set_option(Options& o, const std::string& name, double v) {
  Config& c = o.config;
  const auto n = static_cast<uint64_t>(v);
  if (name == "--seeds") o.seeds = n;
  else if (name == "--first") o.first = n;
  else if (name == "--seed") { o.first = n; o.seeds = 1; o.single = true; }
  else if (name == "--threads") o.threads = static_cast<unsigned>(std::max<uint64_t>(1, n));
  else if (name == "--workers") c.workers = static_cast<uint32_t>(n);
  else if (name == "--institutions") c.institutions = static_cast<uint32_t>(std::max<uint64_t>(1, n));
  else if (name == "--jobs") c.jobs = static_cast<uint32_t>(n);
  else if (name == "--units") c.units_per_job = static_cast<uint32_t>(n);
  else if (name == "--samples-per-unit") c.samples_per_unit = n;
  else if (name == "--job-every") c.job_every_blocks = static_cast<uint32_t>(n);
  else if (name == "--max-blocks") c.max_blocks = n;
  else if (name == "--cheat") c.cheat_fraction = v;
  else if (name == "--cheat-p") c.cheat_p = v;
  else if (name == "--always") c.always_fraction = v;
  else if (name == "--never-reveal") c.never_reveal_fraction = v;
  else if (name == "--lazy") c.lazy_fraction = v;
  else if (name == "--slow") c.slow_fraction = v;
  else if (name == "--false-accusers") c.false_accuser_fraction = v;
  else if (name == "--collude-same") c.colluding_pairs_same_institution = static_cast<uint32_t>(n);
  else if (name == "--collude-other") c.colluding_pairs_other_institution = static_cast<uint32_t>(n);
  else if (name == "--floor") c.spot_check_floor_ppm = n;
  else if (name == "--new-rate") c.spot_check_new_ppm = n;
  else if (name == "--halving") c.spot_check_halving_units = std::max<uint64_t>(1, n);
  else if (name == "--leaf") c.dispute_leaf_samples = std::max<uint64_t>(1, n);
  else return false;
  return true;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (name == "--help" || name == "-h") return false;
    double v = 0;
    if (i + 1 >= argc || !parse_number(argv[i + 1], v) || !set_option(o, name, v)) {
      std::fprintf(stderr, "hpchain-jobsim: bad or unknown option '%s'\n", name.c_str());
      return false;
    }
    ++i;
  }
  const Config& c = o.config;
  if (c.workers < 4 || c.units_per_job < 1 || c.samples_per_unit < 1 || c.cheat_p > 1) {
    std::fprintf(stderr, "hpchain-jobsim: need at least 4 workers, 1 unit, 1 sample per unit, and cheat-p <= 1\n");
    return false;
  }
  return true;
}

// Runs the seeds on `threads` threads; outcomes are summed in seed order.
std::vector<Outcome> run_all(const Options& o) {
  std::vector<Outcome> outcomes(o.seeds);
  std::atomic<uint64_t> next{0}, done{0};
  std::mutex print;
  auto work = [&] {
    for (uint64_t k = next++; k < o.seeds; k = next++) {
      outcomes[k] = hpchain::jobsim::run_market(o.config, o.first + k);
      const uint64_t finished = ++done;
      if (!o.single && (finished % 10 == 0 || finished == o.seeds)) {
        std::lock_guard lock(print);
        std::fprintf(stderr, "hpchain-jobsim: %llu of %llu seeds\n", static_cast<unsigned long long>(finished),
                     static_cast<unsigned long long>(o.seeds));
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < o.threads; ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  return outcomes;
}

void report(const Options& o, const std::vector<Outcome>& outcomes) {
  Outcome total;
  for (const auto& x : outcomes) total.add(x);
  // The statistical error of wrong_final - predicted: from the spread of
  // that difference over the seeds (one worker's units are correlated: one
  // catch re-runs them all, so the per-unit variance would understate it);
  // with one seed, the per-unit variance.
  double sd = std::sqrt(total.predicted_variance);
  if (outcomes.size() > 1) {
    const double n = static_cast<double>(outcomes.size());
    const double mean = (static_cast<double>(total.wrong_final) - total.predicted_wrong_final) / n;
    double sum_sq = 0;
    for (const auto& x : outcomes) {
      const double d = static_cast<double>(x.wrong_final) - x.predicted_wrong_final - mean;
      sum_sq += d * d;
    }
    sd = std::sqrt(sum_sq / (n - 1) * n);
  }
  std::printf("seeds: %llu (from %llu), blocks: %llu, failed_jobs: %llu\n", static_cast<unsigned long long>(o.seeds),
              static_cast<unsigned long long>(o.first), static_cast<unsigned long long>(total.blocks),
              static_cast<unsigned long long>(total.failed_jobs));
  std::printf("disputes: %llu, dispute splits: %llu, referee samples: %llu\n",
              static_cast<unsigned long long>(total.disputes), static_cast<unsigned long long>(total.dispute_rounds),
              static_cast<unsigned long long>(total.referee_samples));
  std::printf("wrong_final %llu against predicted %.1f +- %.1f (z = %.2f)\n",
              static_cast<unsigned long long>(total.wrong_final), total.predicted_wrong_final, sd,
              sd > 0 ? (static_cast<double>(total.wrong_final) - total.predicted_wrong_final) / sd : 0.0);
  if (total.always_cheaters > 0) {
    std::printf("always-cheaters caught within their first 100 cheated units: %llu of %llu\n",
                static_cast<unsigned long long>(total.always_caught_within_100),
                static_cast<unsigned long long>(total.always_cheaters));
  }
  std::printf("%s\n", hpchain::jobsim::summary_line(total).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  report(o, run_all(o));
  return 0;
}
