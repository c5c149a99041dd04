// What every worker sends in the next block, by strategy: commitments for
// replicas drawn, reveals of what it committed, and its halves in each
// dispute it is party to (consistent with what it claimed, so a liar
// defends its lie to the leaf).
#include <algorithm>

#include "chain/check.h"
#include "compute/planner.h"
#include "tests/jobsim/world.h"

namespace hpchain::jobsim {

using hpchain::v1::JobRecord;
using hpchain::v1::Replica;
using hpchain::v1::UnitRecord;

namespace {

std::string bytes_of(const Hash32& h) { return std::string(h.bytes.begin(), h.bytes.end()); }

std::string salt_of(const Hash32& id, uint32_t unit, const std::string& worker) {
  Sha256 h;
  return bytes_of(h.update("jobsim salt").update(id.span()).update_u32_be(unit).update(as_bytes(worker)).finish());
}

// A slow worker acts only in a phase's last block, and misses one phase in
// five (decided by hash, so a replay misses the same ones).
bool acts_now(const World& w, const Worker& worker, const Hash32& id, uint32_t unit, uint64_t phase_end, uint64_t marker) {
  if (worker.strategy != Strategy::kSlow) return true;
  if (w.height + 1 < phase_end) return false;
  Sha256 h;
  const Hash32 d = h.update("jobsim slow").update(id.span()).update_u32_be(unit).update_u64_be(marker).finish();
  return d.bytes[0] % 5 != 0;
}

compute::SampleRange unit_range_of(const JobRecord& job, uint32_t unit) {
  return compute::unit_range(job.spec().compute().samples(), job.spec().partitioned().units(), unit);
}

// A lie is another seed's result, the first from `seed` on that differs
// from the honest one: a small unit's tally (pi's hit count) can coincide,
// and a coincident "lie" is a right answer.
uint64_t wrong_seed(World& w, const JobRecord& job, uint32_t unit, uint64_t seed) {
  const Hash32 id = hash_of(job.id());
  const auto range = unit_range_of(job, unit);
  const Hash32 honest = compute::unit_digest(w.result(id, range, std::nullopt));
  while (compute::unit_digest(w.result(id, range, seed)) == honest) seed += 7'919;
  return seed;
}

// A replica's choice, made when it is first seen assigned.
Decision decide(World& w, const Worker& worker, const JobRecord& job, const UnitRecord& unit, const Replica& r) {
  Decision d;
  d.checker = r.checker();
  const uint64_t seed = job.spec().compute().seed();
  const uint64_t own_lie = seed + 1'000'003 + static_cast<uint64_t>(worker.index);
  switch (worker.strategy) {
    // Cheaters lie on the units they run; their checks are honest (a
    // false accusation only gets them caught).
    case Strategy::kAlwaysCheat:
      if (!d.checker) d.lie = own_lie;
      break;
    case Strategy::kCheatSome:
      if (!d.checker && w.chance(w.config.cheat_p)) d.lie = own_lie;
      break;
    case Strategy::kLazyCopier: d.copy = d.checker; break;
    case Strategy::kFalseAccuser:
      if (d.checker) d.lie = own_lie;
      break;
    case Strategy::kColluder: {
      const uint64_t pair_lie = seed + 2'000'003 + static_cast<uint64_t>(std::min(worker.index, worker.partner));
      if (!d.checker) {
        if (w.chance(w.config.cheat_p)) d.lie = pair_lie;
        break;
      }
      // Checking a unit whose result is the partner's: agree with its lie.
      const auto partner = w.decisions.find({hash_of(job.id()), unit.unit(), worker.partner});
      if (partner == w.decisions.end() || !partner->second.lie) break;
      for (const auto& other : unit.replicas()) {
        if (!other.checker() && w.worker_by_key[other.worker()] == worker.partner) d.lie = pair_lie;
      }
      break;
    }
    default: break;
  }
  if (d.lie) d.lie = wrong_seed(w, job, unit.unit(), *d.lie);
  d.computed = !d.copy;
  return d;
}

// The result a replica committed to.
compute::UnitResult committed_result(World& w, const JobRecord& job, const UnitRecord& unit, const Decision& d) {
  const Hash32 id = hash_of(job.id());
  if (d.copy) {
    for (const auto& r : unit.replicas()) {
      if (r.checker() || r.state() != hpchain::v1::REPLICA_REVEALED) continue;
      const auto bytes = ledger::StateView(w.store).get(ledger::keys::unit_data(id, unit.unit(), hash_of(r.digest()))).value();
      hpchain::v1::UnitResult proto;
      HPC_ASSERT(bytes.has_value() && proto.ParseFromArray(bytes->data(), static_cast<int>(bytes->size())));
      return compute::unit_from_proto(proto).value();
    }
  }
  return w.result(id, unit_range_of(job, unit.unit()), d.lie);
}

struct Batches {
  std::map<int, std::vector<hpchain::v1::UnitCommitment>> commits;
  std::map<int, std::vector<hpchain::v1::UnitReveal>> reveals;
  std::vector<VerifiedTx> splits;
};

void commit_or_reveal(World& w, const JobRecord& job, const UnitRecord& unit, Batches& out) {
  const Hash32 id = hash_of(job.id());
  const bool revealing = job.state() == hpchain::v1::JOB_REVEALING;
  for (const auto& r : unit.replicas()) {
    if (r.state() != (revealing ? hpchain::v1::REPLICA_COMMITTED : hpchain::v1::REPLICA_ASSIGNED)) continue;
    const Worker& worker = w.workers[static_cast<size_t>(w.worker_by_key.at(r.worker()))];
    if (!acts_now(w, worker, id, unit.unit(), job.phase_end(), job.attempt() * 2 + (revealing ? 1 : 0))) continue;
    const ReplicaKey key{id, unit.unit(), worker.index};
    auto it = w.decisions.find(key);
    if (it == w.decisions.end()) it = w.decisions.emplace(key, decide(w, worker, job, unit, r)).first;
    const compute::UnitResult result = committed_result(w, job, unit, it->second);
    const std::string salt = salt_of(id, unit.unit(), worker.key);
    if (!revealing) {
      hpchain::v1::UnitCommitment c;
      c.set_job_id(job.id());
      c.set_unit(unit.unit());
      c.set_commitment(bytes_of(ledger::unit_commitment(compute::unit_digest(result), as_bytes(worker.key), as_bytes(salt))));
      out.commits[worker.index].push_back(c);
      if (it->second.computed) ++w.outcome.executed;
      continue;
    }
    if (worker.strategy == Strategy::kNeverReveal) continue;
    hpchain::v1::UnitReveal reveal;
    reveal.set_job_id(job.id());
    reveal.set_unit(unit.unit());
    reveal.set_salt(salt);
    *reveal.mutable_result() = compute::unit_to_proto(result);
    out.reveals[worker.index].push_back(reveal);
    it->second.reveal_height = w.height + 1;
  }
}

// A dispute party's halves, consistent with what it claimed. A copier has
// nothing to split from: it stays silent.
void split(World& w, const JobRecord& job, const UnitRecord& unit, Batches& out) {
  const Hash32 id = hash_of(job.id());
  const auto& d = unit.dispute();
  const uint64_t mid = d.begin() + (d.end() - d.begin()) / 2;
  for (const std::string& party : {d.worker(), d.checker()}) {
    if (!(party == d.worker() ? d.worker_split() : d.checker_split()).empty()) continue;
    const Worker& worker = w.workers[static_cast<size_t>(w.worker_by_key.at(party))];
    const auto it = w.decisions.find({id, unit.unit(), worker.index});
    if (it == w.decisions.end() || it->second.copy) continue;
    if (!acts_now(w, worker, id, unit.unit(), job.phase_end(), 1'000 + d.round())) continue;
    hpchain::v1::TxBody body;
    auto* s = body.mutable_dispute_split();
    s->set_worker(worker.key);
    s->set_job_id(job.id());
    s->set_unit(unit.unit());
    s->set_round(d.round());
    *s->mutable_left() = compute::unit_to_proto(w.result(id, {d.begin(), mid}, it->second.lie));
    *s->mutable_right() = compute::unit_to_proto(w.result(id, {mid, d.end()}, it->second.lie));
    out.splits.push_back(w.sign(*worker.operator_key, std::move(body)));
    ++w.outcome.dispute_rounds;
  }
}

template <typename Entry, typename Fill>
void batched(World& w, std::map<int, std::vector<Entry>>& by_worker, size_t max, Fill fill, std::vector<VerifiedTx>& txs) {
  for (auto& [index, entries] : by_worker) {
    const Worker& worker = w.workers[static_cast<size_t>(index)];
    for (size_t from = 0; from < entries.size(); from += max) {
      hpchain::v1::TxBody body;
      fill(body, worker, std::span<const Entry>(entries).subspan(from, std::min(max, entries.size() - from)));
      txs.push_back(w.sign(*worker.operator_key, std::move(body)));
    }
  }
}

}  // namespace

std::vector<VerifiedTx> worker_actions(World& w) {
  Batches out;
  for (const Hash32& id : w.active) {
    const auto job = w.job(id);
    if (!job) continue;
    const auto state = job->state();
    const bool work = state == hpchain::v1::JOB_ASSIGNED || state == hpchain::v1::JOB_COMMITTING ||
                      state == hpchain::v1::JOB_REVEALING;
    if (!work && state != hpchain::v1::JOB_DISPUTING) continue;
    for (uint32_t u = 0; u < job->spec().partitioned().units(); ++u) {
      const UnitRecord unit = w.unit(id, u);
      if (work) commit_or_reveal(w, *job, unit, out);
      else if (unit.state() == hpchain::v1::UNIT_DISPUTED) split(w, *job, unit, out);
    }
  }
  std::vector<VerifiedTx> txs;
  batched(w, out.commits, 256, [](hpchain::v1::TxBody& b, const Worker& worker, std::span<const hpchain::v1::UnitCommitment> e) {
    b.mutable_result_commit()->set_worker(worker.key);
    for (const auto& c : e) *b.mutable_result_commit()->add_commitments() = c;
  }, txs);
  batched(w, out.reveals, 64, [](hpchain::v1::TxBody& b, const Worker& worker, std::span<const hpchain::v1::UnitReveal> e) {
    b.mutable_result_reveal()->set_worker(worker.key);
    for (const auto& r : e) *b.mutable_result_reveal()->add_reveals() = r;
  }, txs);
  txs.insert(txs.end(), out.splits.begin(), out.splits.end());
  return txs;
}

}  // namespace hpchain::jobsim
