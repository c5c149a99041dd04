// Partitioned mode (docs/jobs.md, "Partitioned mode"): each unit runs on
// one worker; when every unit is revealed, a spot-check set is drawn from
// beacon output that did not exist at reveal time, and each checked unit
// is re-run by a checker of another institution where possible. A checker
// that agrees verifies the unit; one that disagrees opens a dispute the
// chain referees (job_disputes.cpp).
#include <algorithm>

#include "chain/check.h"
#include "chain/uint128.h"
#include "ledger/job_step.h"

namespace hpchain::ledger {

using hpchain::v1::Replica;
using hpchain::v1::UnitRecord;

const Replica* revealed_worker(const UnitRecord& unit) {
  for (const auto& r : unit.replicas()) {
    if (!r.checker() && r.state() == hpchain::v1::REPLICA_REVEALED) return &r;
  }
  return nullptr;
}

const Replica* current_checker(const UnitRecord& unit) {
  for (auto it = unit.replicas().rbegin(); it != unit.replicas().rend(); ++it) {
    if (it->checker() && (is_live(*it) || it->state() == hpchain::v1::REPLICA_REVEALED)) return &*it;
  }
  return nullptr;
}

uint64_t check_rate_ppm(const hpchain::v1::Params& params, uint64_t clean_checks) {
  const Uint128 h = params.spot_check_halving_units();
  const auto decayed = static_cast<uint64_t>(static_cast<Uint128>(params.spot_check_new_ppm()) * h / (h + clean_checks));
  return std::max(params.spot_check_floor_ppm(), decayed);
}

bool in_check_set(const Hash32& beacon, const Hash32& job_id, uint32_t unit, uint64_t rate_ppm) {
  Sha256 h;
  const Hash32 draw = h.update("hpchain spot-check v1").update(beacon.span()).update(job_id.span()).update_u32_be(unit).finish();
  uint64_t x = 0;
  for (int i = 0; i < 8; ++i) x = (x << 8) | draw.bytes[i];
  return x % 1'000'000 < rate_ppm;
}

Status add_clean_check(StateView& view, const std::string& worker) {
  HPC_ASSIGN_OR_RETURN(auto v, view.get_record<hpchain::v1::Validator>(keys::validator(as_bytes(worker))));
  if (!v) return Status::ok();
  v->set_clean_checks(v->clean_checks() + 1);
  view.put_record(keys::validator(as_bytes(worker)), *v);
  return Status::ok();
}

namespace {

// The unit stands with its worker's result, checked or not.
Status accept_worker_result(Step& s, UnitRecord& unit, bool checked) {
  const Replica* worker = revealed_worker(unit);
  HPC_ASSERT(worker != nullptr);
  if (checked) HPC_TRY(add_clean_check(s.view, worker->worker()));
  HPC_TRY(verify_unit(s, unit, worker->digest()));
  s.job.set_units_open(s.job.units_open() - 1);
  return Status::ok();
}

}  // namespace

// Draws what open units lack (a worker for a unit whose worker is gone, a
// checker for a checked unit without one), then moves the job on: a new
// commit phase, the dispute rounds, the spot-check draw, or the result.
Status resume_partitioned(Step& s, std::vector<UnitRecord>& units) {
  HPC_ASSIGN_OR_RETURN(auto candidates, candidates_of(s));
  HPC_ASSIGN_OR_RETURN(const Hash32 beacon, latest_beacon_output(s.view));
  const uint64_t attempt = s.job.attempt() + 1;
  uint32_t drawn = 0;
  bool disputed = false, awaiting_draw = false;
  for (auto& unit : units) {
    disputed = disputed || unit.state() == hpchain::v1::UNIT_DISPUTED;
    if (unit.state() != hpchain::v1::UNIT_OPEN) continue;
    if (revealed_worker(unit) == nullptr) {
      HPC_ASSIGN_OR_RETURN(uint32_t n, draw_replicas(s, unit, candidates, beacon, attempt, 1, false));
      if (n == 0) return fail(s, units, "unit " + std::to_string(unit.unit()) + ": no eligible worker left to run it");
      drawn += n;
    } else if (unit.checked() && current_checker(unit) == nullptr) {
      HPC_ASSIGN_OR_RETURN(uint32_t n, draw_replicas(s, unit, candidates, beacon, attempt, 1, true));
      if (n == 0) {
        unit_event(s, "unit_unchecked", unit.unit(), {{"reason", "no eligible checker left"}});
        HPC_TRY(accept_worker_result(s, unit, false));
      }
      drawn += n;
    } else if (!unit.checked()) {
      awaiting_draw = true;
    }
  }
  store_units(s, units);
  if (drawn > 0) return start_attempt(s, attempt, drawn);
  if (disputed) return start_disputes(s, units);
  if (awaiting_draw) {
    // The set is drawn from the output of the round after this one: it
    // did not exist when the results were revealed.
    HPC_ASSIGN_OR_RETURN(auto round, beacon_state(s.view));
    s.job.set_assign_round(round.round() + 1);
    set_state(s, hpchain::v1::JOB_CHECK_DRAW);
    return add_to_id_list(s.view, keys::assign_due(s.job.assign_round()), s.id);
  }
  return conclude(s, units);
}

Status close_partitioned_reveal(Step& s) {
  set_state(s, hpchain::v1::JOB_VERIFYING);
  HPC_ASSIGN_OR_RETURN(auto units, load_units(s));
  for (auto& unit : units) {
    if (unit.state() != hpchain::v1::UNIT_OPEN) continue;
    HPC_TRY(miss_unrevealed(s, unit));
    const Replica* worker = revealed_worker(unit);
    const Replica* checker = current_checker(unit);
    if (worker == nullptr || checker == nullptr || checker->state() != hpchain::v1::REPLICA_REVEALED) continue;
    if (checker->digest() == worker->digest()) {
      unit_event(s, "unit_check_passed", unit.unit(), {{"checker", hex_encode(as_bytes(checker->worker()))}});
      HPC_TRY(accept_worker_result(s, unit, true));
    } else {
      HPC_TRY(open_dispute(s, unit, *worker, *checker));
    }
  }
  return resume_partitioned(s, units);
}

Status draw_spot_checks(Step& s, const Hash32& beacon) {
  HPC_ASSIGN_OR_RETURN(auto units, load_units(s));
  for (auto& unit : units) {
    if (unit.state() != hpchain::v1::UNIT_OPEN || unit.checked()) continue;
    const Replica* worker = revealed_worker(unit);
    HPC_ASSERT(worker != nullptr);  // the draw waits for every unit's result
    HPC_ASSIGN_OR_RETURN(auto v, s.view.get_record<hpchain::v1::Validator>(keys::validator(as_bytes(worker->worker()))));
    const uint64_t rate = check_rate_ppm(s.params, v ? v->clean_checks() : 0);
    const bool checked = in_check_set(beacon, s.id, unit.unit(), rate);
    unit_event(s, "unit_check_draw", unit.unit(),
               {{"worker", hex_encode(as_bytes(worker->worker()))}, {"rate_ppm", std::to_string(rate)},
                {"checked", checked ? "true" : "false"}});
    if (checked) {
      unit.set_checked(true);
    } else {
      HPC_TRY(accept_worker_result(s, unit, false));
    }
  }
  return resume_partitioned(s, units);
}


}  // namespace hpchain::ledger
