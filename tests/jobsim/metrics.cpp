// The market's outcome, from the events of each block and the final state
// (docs/jobs.md, "Partitioned mode: the figures"):
// - cheated: units whose worker revealed a wrong result; caught: those
//   rejected by a lost dispute or backtracking;
// - wrong_final: units of accepted jobs whose result differs from the
//   honest one;
// - predicted_wrong_final: the sum over cheated units of the formula's
//   chance that each ends final and wrong (docs/jobs.md): with one job at
//   a time, that no cheated unit of its worker in its job's check draw met
//   a checker that disagrees, the product over them of (1 - r (1 - l)),
//   r being each draw's rate and l the chance a drawn checker passes a
//   wrong result (a lazy copier, or the colluding partner). A unit checked
//   for sure (a re-run) counts 0. With jobs overlapping (--job-every N),
//   a catch in another job can also re-run a provisional unit, so the
//   formula is an upper bound there.
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

// A cheated unit's worker draws: where (job hex, unit) and the draw.
using WorkerDraws = std::vector<std::pair<std::pair<std::string, uint32_t>, World::Draw>>;

// The formula's chance that a cheated unit of `job` ends final and wrong:
// no cheated unit of its worker in the same check draw (its job's, with
// one job at a time) meets a checker that disagrees. A check that does
// catches the worker before the job is final (the job waits for its
// disputes), and backtracking re-runs them all.
double predicted(const World& w, const Worker& worker, const JobRecord& job, uint32_t unit, const WorkerDraws& draws) {
  if (job.state() != hpchain::v1::JOB_ACCEPTED) return 0.0;
  const auto own = w.draws.find({hash_of(job.id()).hex(), unit, hex_encode(as_bytes(worker.key))});
  if (own == w.draws.end()) return 0.0;  // checked for sure (a re-run)
  const double pass = passing_checker_share(w, worker);
  double p = 1.0;
  for (const auto& [where, d] : draws) {
    if (d.height == own->second.height) p *= 1.0 - static_cast<double>(d.rate_ppm) / 1e6 * (1.0 - pass);
  }
  return p;
}

// Per worker, the draws of its cheated units (as a unit's worker).
std::map<int, WorkerDraws> cheated_draws(const World& w) {
  std::map<int, WorkerDraws> out;
  for (const auto& [key, d] : w.decisions) {
    if (d.checker || !d.lie) continue;
    const auto& worker = w.workers[static_cast<size_t>(std::get<2>(key))];
    const auto draw = w.draws.find({std::get<0>(key).hex(), std::get<1>(key), hex_encode(as_bytes(worker.key))});
    if (draw != w.draws.end()) out[worker.index].push_back({{std::get<0>(key).hex(), std::get<1>(key)}, draw->second});
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
                                   it == draws_of.end() ? WorkerDraws{} : it->second);
        o.predicted_wrong_final += p;
        o.predicted_variance += p * (1.0 - p);
      }
    }
  }
  measure_always_cheaters(w);
}

}  // namespace hpchain::jobsim
