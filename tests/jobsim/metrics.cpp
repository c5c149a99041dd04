// The market's outcome, from the events of each block and the final state
// (docs/jobs.md, "Partitioned mode: the figures"):
// - cheated: units whose worker revealed a wrong result; caught: those
//   rejected by a lost dispute or backtracking;
// - wrong_final: units of accepted jobs whose result differs from the
//   honest one;
// - predicted_wrong_final: the sum over cheated units of the chance the
//   formula gives each to end final and wrong: the chance that none of its
//   worker's cheated units drawn for checks up to the job's final height
//   was checked by a checker that disagrees, the product over those draws
//   of (1 - r (1 - l)), r being the rate of the draw and l the chance its
//   checker passes a wrong result (a lazy copier, or the colluding
//   partner). A check catches the worker `delay` blocks after its draw
//   (the checker's commit and reveal, then the dispute: the median delay
//   of the seed's catches), and backtracking then re-runs every cheated
//   unit not yet final; so the draws that count for a unit are those
//   drawn by its job's final height less that delay. A unit checked for
//   sure (a re-run) has r = 1.
#include <algorithm>

#include "chain/check.h"
#include "compute/planner.h"
#include "tests/jobsim/world.h"

namespace hpchain::jobsim {

using hpchain::v1::JobRecord;

namespace {

std::string attribute(const ledger::Event& e, std::string_view name) {
  for (const auto& [k, v] : e.attributes) {
    if (k == name) return v;
  }
  return "";
}

std::string key_of_hex(const std::string& hex) {
  const Bytes b = hex_decode(hex).value();
  return std::string(b.begin(), b.end());
}

// The chance that a checker drawn for `worker`'s unit passes a wrong
// result: lazy copiers, and the partner of a colluder.
double passing_checker_share(const World& w, const Worker& worker) {
  double passing = 0;
  for (const Worker& other : w.workers) {
    if (other.index == worker.index) continue;
    if (other.strategy == Strategy::kLazyCopier || other.index == worker.partner) passing += 1;
  }
  return passing / static_cast<double>(w.workers.size() - 1);
}

// The formula's chance that a cheated unit of `job` ends final and wrong.
double predicted(const World& w, const Worker& worker, const JobRecord& job, uint32_t unit,
                 const std::vector<World::Draw>& cheated_draws, uint64_t delay) {
  if (job.state() != hpchain::v1::JOB_ACCEPTED) return 0.0;
  if (w.draws.count({hash_of(job.id()).hex(), unit, hex_encode(as_bytes(worker.key))}) == 0) return 0.0;  // checked for sure
  const double passing = passing_checker_share(w, worker);
  double p = 1.0;
  for (const World::Draw& d : cheated_draws) {
    if (d.height + delay <= job.final_height()) p *= 1.0 - static_cast<double>(d.rate_ppm) / 1e6 * (1.0 - passing);
  }
  return p;
}

// The median, over the seed's caught workers, of the blocks from the draw
// of the unit that caught them to the catch.
uint64_t median_catch_delay(const World& w) {
  std::vector<uint64_t> delays;
  for (const auto& [key, c] : w.first_catch) {
    for (const auto& [where, d] : w.draws) {
      if (std::get<0>(where) == c.job_hex && std::get<1>(where) == c.unit && c.height >= d.height) {
        delays.push_back(c.height - d.height);
      }
    }
  }
  if (delays.empty()) return 0;
  std::sort(delays.begin(), delays.end());
  return delays[delays.size() / 2];
}

// Per worker, the draws of its cheated units (as a unit's worker).
std::map<int, std::vector<World::Draw>> cheated_draws(const World& w) {
  std::map<int, std::vector<World::Draw>> out;
  for (const auto& [key, d] : w.decisions) {
    if (d.checker || !d.lie) continue;
    const auto& worker = w.workers[static_cast<size_t>(std::get<2>(key))];
    const auto draw = w.draws.find({std::get<0>(key).hex(), std::get<1>(key), hex_encode(as_bytes(worker.key))});
    if (draw != w.draws.end()) out[worker.index].push_back(draw->second);
  }
  return out;
}

void measure_always_cheaters(World& w) {
  for (const Worker& worker : w.workers) {
    if (worker.strategy != Strategy::kAlwaysCheat) continue;
    std::vector<uint64_t> reveal_heights;
    for (const auto& [key, d] : w.decisions) {
      if (std::get<2>(key) == worker.index && !d.checker && d.lie && d.reveal_height > 0) reveal_heights.push_back(d.reveal_height);
    }
    std::sort(reveal_heights.begin(), reveal_heights.end());
    const auto caught = w.first_catch.find(worker.key);
    if (caught == w.first_catch.end()) {
      if (reveal_heights.size() >= 100) ++w.outcome.always_cheaters;  // never caught in 100: a miss
      continue;
    }
    const auto before = std::upper_bound(reveal_heights.begin(), reveal_heights.end(), caught->second.height);
    ++w.outcome.always_cheaters;
    if (before - reveal_heights.begin() <= 100) ++w.outcome.always_caught_within_100;
  }
}

}  // namespace

void observe_events(World& w, const std::vector<ledger::Event>& events) {
  for (const auto& e : events) {
    if (e.type == "unit_check_draw") {
      w.draws[{attribute(e, "job"), static_cast<uint32_t>(std::stoul(attribute(e, "unit"))), attribute(e, "worker")}] =
          World::Draw{std::stoull(attribute(e, "rate_ppm")), std::stoull(attribute(e, "height"))};
    } else if (e.type == "worker_caught") {
      w.first_catch.emplace(key_of_hex(attribute(e, "worker")),
                            CatchRecord{w.height + 1, attribute(e, "job"), static_cast<uint32_t>(std::stoul(attribute(e, "unit")))});
    } else if (e.type == "unit_disputed") {
      ++w.outcome.disputes;
    }
  }
}

void measure(World& w) {
  Outcome& o = w.outcome;
  const auto draws_of = cheated_draws(w);
  const uint64_t delay = median_catch_delay(w);
  for (const Hash32& id : w.jobs) {
    const auto job = w.job(id);
    if (!job || (job->state() != hpchain::v1::JOB_ACCEPTED && job->state() != hpchain::v1::JOB_FAILED)) continue;
    ++o.jobs;
    o.failed_jobs += job->state() == hpchain::v1::JOB_FAILED;
    const uint32_t units = job->spec().partitioned().units();
    o.units += units;
    for (uint32_t u = 0; u < units; ++u) {
      const auto unit = w.unit(id, u);
      if (unit.has_dispute() && unit.dispute().end() - unit.dispute().begin() <= w.config.dispute_leaf_samples) {
        o.referee_samples += unit.dispute().end() - unit.dispute().begin();
      }
      if (job->state() == hpchain::v1::JOB_ACCEPTED) {
        const auto range = compute::unit_range(job->spec().compute().samples(), units, u);
        const Hash32 honest = compute::unit_digest(w.result(id, range, std::nullopt));
        o.wrong_final += hash_of(unit.accepted_digest()) != honest;
      }
      for (const auto& r : unit.replicas()) {
        const int index = w.worker_by_key.at(r.worker());
        const auto d = w.decisions.find({id, u, index});
        if (r.checker() || d == w.decisions.end() || !d->second.lie || r.digest().empty()) continue;
        ++o.cheated;
        o.caught += r.state() == hpchain::v1::REPLICA_REJECTED;
        const auto it = draws_of.find(index);
        const double p = predicted(w, w.workers[static_cast<size_t>(index)], *job, u,
                                   it == draws_of.end() ? std::vector<World::Draw>{} : it->second, delay);
        o.predicted_wrong_final += p;
        o.predicted_variance += p * (1.0 - p);
      }
    }
  }
  measure_always_cheaters(w);
}

}  // namespace hpchain::jobsim
