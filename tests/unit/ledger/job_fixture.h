// A chain with workers for job tests (label `jobs`): the ledger fixture's
// genesis plus `workers` compute-only registry entries that declare a rate
// for "pi", and account 1 as a submitter. Workers compute their unit
// results for real, on the CPU backend; a lying worker runs the same unit
// with another seed, which gives a well-formed result of the wrong value.
//
// Worker w (0-based) has consensus key 200+w, operator account 60+w, and
// belongs to institution i{w % institutions}.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "compute/cpu_backend.h"
#include "compute/planner.h"
#include "compute/spec.h"
#include "compute/unit_result.h"
#include "ledger/jobs.h"
#include "tests/unit/ledger/ledger_fixture.h"

namespace hpchain::ledger::testing {

inline uint32_t worker_key(int w) { return static_cast<uint32_t>(200 + w); }
inline uint32_t operator_of_worker(int w) { return static_cast<uint32_t>(60 + w); }

inline std::function<void(genesis::GenesisDoc&)> with_workers(int institutions, int workers,
                                                             std::function<void(genesis::GenesisDoc&)> more = {}) {
  return [=](genesis::GenesisDoc& d) {
    for (auto& a : d.accounts) {
      if (a.address != addr(1)) continue;
      a.institution = "i0";
      a.roles = {"submitter"};
    }
    for (int w = 0; w < workers; ++w) {
      genesis::Capability cap{8, "", 0, {{"pi", 1'000'000}}};
      d.validators.push_back({pub_bytes(worker_key(w)), sha256("worker"), "i" + std::to_string(w % institutions), 0,
                              addr(operator_of_worker(w)), cap, 10'000});
      d.accounts.push_back({addr(operator_of_worker(w)), 1'000'000, "", {}});
    }
    if (more) more(d);
  };
}

struct JobChain : Chain {
  std::unique_ptr<compute::Backend> cpu = std::make_unique<compute::CpuBackend>(1);

  JobChain(StoreKind kind, int institutions, int workers, std::function<void(genesis::GenesisDoc&)> more = {})
      : Chain(kind, institutions, with_workers(institutions, workers, std::move(more))) {}

  static v1::JobSpec spec(uint32_t units, uint32_t replicas, uint32_t quorum, uint64_t samples = 4'000,
                          uint64_t seed = 7) {
    v1::JobSpec s;
    *s.mutable_compute() = compute::spec_to_proto(compute::make_job("pi", {}, samples, seed).value());
    s.mutable_replicated()->set_units(units);
    s.mutable_replicated()->set_replicas(replicas);
    s.mutable_replicated()->set_quorum(quorum);
    s.set_budget(uint64_t{units} * 7 * 100 * 10);  // ten times the minimum
    s.set_deadline_blocks(200);
    return s;
  }

  VerifiedTx submit_tx(const v1::JobSpec& s, uint32_t from = 1) {
    return tx(from, [&](v1::TxBody& b) { *b.mutable_job_submit()->mutable_spec() = s; });
  }
  // Submits in a block of its own; returns the job id (nullopt if refused).
  std::optional<Hash32> submit(const v1::JobSpec& s) {
    const uint64_t nonce = nonces[1];
    auto out = block({submit_tx(s)});
    if (out[0].code != TxCode::kOk) return std::nullopt;
    return job_id(addr(1), nonce, compute::compute_spec_id(compute_job_of(s).value()));
  }

  v1::JobRecord job(const Hash32& id) const { return record<v1::JobRecord>(keys::job(id)).value(); }
  v1::UnitRecord unit(const Hash32& id, uint32_t u) const { return record<v1::UnitRecord>(keys::job_unit(id, u)).value(); }
  v1::Validator validator(uint32_t key_n) const { return record<v1::Validator>(keys::validator(pub_bytes(key_n))).value(); }

  // Workers (by index) holding a replica of the unit in `state`.
  std::vector<int> workers_in(const Hash32& id, uint32_t u, v1::ReplicaState state) const {
    std::vector<int> out;
    const v1::UnitRecord record = unit(id, u);
    for (const auto& r : record.replicas()) {
      for (int w = 0; w < 64; ++w) {
        if (r.state() == state && r.worker() == pub(worker_key(w))) out.push_back(w);
      }
    }
    return out;
  }

  // Empty blocks until the job is in `state` (at most `max_blocks`).
  void run_until(const Hash32& id, v1::JobState state, int max_blocks = 100) {
    for (int i = 0; i < max_blocks && job(id).state() != state; ++i) block({});
    ASSERT_EQ(job(id).state(), state) << "at height " << height;
  }

  // The unit's result, honest (the job's own seed) or wrong (`lie_seed`).
  compute::UnitResult result(const Hash32& id, uint32_t u, std::optional<uint64_t> lie_seed = std::nullopt) {
    const v1::JobRecord j = job(id);
    const auto range = compute::unit_range(j.spec().compute().samples(), mode_of(j.spec()).units, u);
    return range_result(id, range, lie_seed);
  }
  // The result of any range of the job's samples, honest or wrong.
  compute::UnitResult range_result(const Hash32& id, compute::SampleRange range,
                                   std::optional<uint64_t> lie_seed = std::nullopt) {
    const v1::JobRecord j = job(id);
    const compute::JobSpec real = compute_job_of(j.spec()).value();
    v1::JobSpec lie = j.spec();
    if (lie_seed) lie.mutable_compute()->set_seed(*lie_seed);
    const compute::JobSpec run = lie_seed ? compute_job_of(lie).value() : real;
    return compute::make_unit_result(real, id, cpu->run(run, range, nullptr).value());
  }

  static std::string salt_of(int w) { return std::string(32, static_cast<char>('a' + w)); }

  VerifiedTx commit_tx(int w, const Hash32& id, uint32_t u, const compute::UnitResult& r) {
    const Hash32 c = unit_commitment(compute::unit_digest(r), as_bytes(pub(worker_key(w))), as_bytes(salt_of(w)));
    return commit_raw(w, id, u, std::string(c.bytes.begin(), c.bytes.end()));
  }
  VerifiedTx commit_raw(int w, const Hash32& id, uint32_t u, const std::string& commitment) {
    return tx(operator_of_worker(w), [&](v1::TxBody& b) {
      b.mutable_result_commit()->set_worker(pub(worker_key(w)));
      auto* c = b.mutable_result_commit()->add_commitments();
      c->set_job_id(std::string(id.bytes.begin(), id.bytes.end()));
      c->set_unit(u);
      c->set_commitment(commitment);
    });
  }
  VerifiedTx reveal_tx(int w, const Hash32& id, uint32_t u, const compute::UnitResult& r,
                       const std::string& salt = "") {
    return tx(operator_of_worker(w), [&](v1::TxBody& b) {
      b.mutable_result_reveal()->set_worker(pub(worker_key(w)));
      auto* e = b.mutable_result_reveal()->add_reveals();
      e->set_job_id(std::string(id.bytes.begin(), id.bytes.end()));
      e->set_unit(u);
      e->set_salt(salt.empty() ? salt_of(w) : salt);
      *e->mutable_result() = compute::unit_to_proto(r);
    });
  }
  // Party w's split of the unit's dispute in its current round (or `round`).
  VerifiedTx split_tx(int w, const Hash32& id, uint32_t u, std::optional<uint64_t> lie_seed,
                      std::optional<uint32_t> round = std::nullopt) {
    const v1::Dispute d = unit(id, u).dispute();
    const uint64_t mid = d.begin() + (d.end() - d.begin()) / 2;
    return tx(operator_of_worker(w), [&](v1::TxBody& b) {
      auto* s = b.mutable_dispute_split();
      s->set_worker(pub(worker_key(w)));
      s->set_job_id(std::string(id.bytes.begin(), id.bytes.end()));
      s->set_unit(u);
      s->set_round(round.value_or(d.round()));
      *s->mutable_left() = compute::unit_to_proto(range_result(id, {d.begin(), mid}, lie_seed));
      *s->mutable_right() = compute::unit_to_proto(range_result(id, {mid, d.end()}, lie_seed));
    });
  }
};

// Every live replica of every unit commits and then reveals; `lies` maps a
// worker to the seed it lies with.
inline void commit_all(JobChain& c, const Hash32& id, const std::map<int, uint64_t>& lies = {}) {
  std::vector<VerifiedTx> txs;
  for (uint32_t u = 0; u < mode_of(c.job(id).spec()).units; ++u) {
    for (int w : c.workers_in(id, u, v1::REPLICA_ASSIGNED)) {
      auto lie = lies.find(w);
      txs.push_back(c.commit_tx(w, id, u, c.result(id, u, lie == lies.end() ? std::nullopt : std::optional(lie->second))));
    }
  }
  for (const auto& o : c.block(txs)) ASSERT_EQ(o.code, TxCode::kOk) << o.detail;
}
inline void reveal_all(JobChain& c, const Hash32& id, const std::map<int, uint64_t>& lies = {}, std::set<int> silent = {}) {
  std::vector<VerifiedTx> txs;
  for (uint32_t u = 0; u < mode_of(c.job(id).spec()).units; ++u) {
    for (int w : c.workers_in(id, u, v1::REPLICA_COMMITTED)) {
      if (silent.count(w)) continue;
      auto lie = lies.find(w);
      txs.push_back(c.reveal_tx(w, id, u, c.result(id, u, lie == lies.end() ? std::nullopt : std::optional(lie->second))));
    }
  }
  for (const auto& o : c.block(txs)) ASSERT_EQ(o.code, TxCode::kOk) << o.detail;
}

}  // namespace hpchain::ledger::testing
