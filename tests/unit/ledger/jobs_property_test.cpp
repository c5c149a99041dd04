// Random job streams: replicated and partitioned jobs submitted and
// cancelled at random, workers that commit and reveal honestly, lie, fall
// silent or send garbage, and dispute parties that split, fall silent or
// split their lie, checked after every block against the invariants of
// docs/jobs.md: credits are conserved (balances, stakes, unbonding,
// escrow), final states never change, a worker's load equals its live
// replicas, a caught worker's result never becomes final, the index of
// each worker's unfinished partitioned jobs names no final job, and every
// job ends final with no replica left working. Both state stores run the same
// stream in lockstep and must agree on the root after every block.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "chain/codec.h"
#include "tests/unit/ledger/job_fixture.h"

namespace hpchain::ledger {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

constexpr int kWorkers = 8;

struct Driver {
  JobChain& c;
  std::mt19937_64 rng;
  std::vector<Hash32> jobs;
  std::map<std::tuple<Hash32, uint32_t, int>, std::optional<uint64_t>> committed;  // what each replica computed

  bool chance(int percent) { return static_cast<int>(rng() % 100) < percent; }

  void maybe_submit(std::vector<VerifiedTx>& txs) {
    if (!chance(20)) return;
    const uint32_t r = 1 + static_cast<uint32_t>(rng() % 4);
    auto spec = JobChain::spec(1 + static_cast<uint32_t>(rng() % 3), r, r / 2 + 1, 600 + rng() % 2'000, rng() % 5);
    if (chance(50)) {
      const uint32_t units = spec.replicated().units();
      spec.clear_replicated();
      spec.mutable_partitioned()->set_units(units);
    }
    spec.set_deadline_blocks(30 + rng() % 60);
    const uint64_t nonce = c.nonces[1];
    txs.push_back(c.submit_tx(spec));
    jobs.push_back(job_id(addr(1), nonce, compute::compute_spec_id(compute_job_of(spec).value())));
  }

  void act_on(const Hash32& id, std::vector<VerifiedTx>& txs) {
    const auto job = c.record<v1::JobRecord>(keys::job(id));
    if (!job) return;  // its submission was refused
    if (job->state() == v1::JOB_SUBMITTED && chance(3)) {
      txs.push_back(c.tx(1, [&](v1::TxBody& b) { b.mutable_job_cancel()->set_job_id(std::string(id.bytes.begin(), id.bytes.end())); }));
    }
    const bool committing = job->state() == v1::JOB_ASSIGNED || job->state() == v1::JOB_COMMITTING;
    const bool revealing = job->state() == v1::JOB_REVEALING;
    for (uint32_t u = 0; u < mode_of(job->spec()).units && (committing || revealing); ++u) {
      for (int w : c.workers_in(id, u, committing ? v1::REPLICA_ASSIGNED : v1::REPLICA_COMMITTED)) {
        if (!chance(40)) continue;  // not this block (some never act at all)
        if (committing) {
          const std::optional<uint64_t> lie = chance(15) ? std::optional<uint64_t>(100 + w % 2) : std::nullopt;
          committed[{id, u, w}] = lie;
          txs.push_back(c.commit_tx(w, id, u, c.result(id, u, lie)));
        } else {
          txs.push_back(c.reveal_tx(w, id, u, c.result(id, u, committed[{id, u, w}]), chance(5) ? std::string(32, 'z') : ""));
        }
      }
    }
    if (chance(5)) txs.push_back(c.commit_tx(static_cast<int>(rng() % kWorkers), id, 0, c.result(id, 0)));  // garbage
    if (job->state() == v1::JOB_DISPUTING) split(id, *job, txs);
  }

  // Each party of each dispute posts what it computed (its lie included),
  // most of the time; now and then the honest halves of a lie (refused).
  void split(const Hash32& id, const v1::JobRecord& job, std::vector<VerifiedTx>& txs) {
    for (uint32_t u = 0; u < mode_of(job.spec()).units; ++u) {
      const v1::UnitRecord unit = c.unit(id, u);
      if (unit.state() != v1::UNIT_DISPUTED) continue;
      const v1::Dispute& d = unit.dispute();
      for (const std::string& party : {d.worker(), d.checker()}) {
        const bool posted = !(party == d.worker() ? d.worker_split() : d.checker_split()).empty();
        int w = 0;
        while (w < kWorkers && pub(worker_key(w)) != party) ++w;
        if (w == kWorkers || !chance(posted ? 5 : 70)) continue;
        txs.push_back(c.split_tx(w, id, u, chance(25) ? std::nullopt : committed[{id, u, w}]));
      }
    }
  }

  std::vector<VerifiedTx> next_block() {
    std::vector<VerifiedTx> txs;
    maybe_submit(txs);
    for (const Hash32& id : jobs) act_on(id, txs);
    return txs;
  }
};

bool is_final(v1::JobState s) { return s == v1::JOB_ACCEPTED || s == v1::JOB_FAILED; }

struct Audit {
  uint64_t credits = 0;
  uint64_t live_replicas = 0;
  uint64_t load = 0;
  std::set<Hash32> indexed_jobs;  // named by some worker's unfinished-jobs index
};

// A caught worker's revealed result is never the accepted result of a job
// that became final after it was caught.
void check_no_caught_result_is_final(const JobChain& c, const Hash32& id, const v1::JobRecord& job,
                                     const std::map<std::string, uint64_t>& caught_at) {
  if (job.state() != v1::JOB_ACCEPTED || !mode_of(job.spec()).partitioned) return;
  for (uint32_t u = 0; u < mode_of(job.spec()).units; ++u) {
    const v1::UnitRecord unit = c.unit(id, u);
    for (const auto& r : unit.replicas()) {
      auto it = caught_at.find(r.worker());
      // A rejected replica (backtracked) did not make the result.
      if (r.state() != v1::REPLICA_REVEALED || r.digest() != unit.accepted_digest() || it == caught_at.end()) continue;
      EXPECT_GT(it->second, job.final_height()) << "job " << id.hex() << " unit " << u << " stands on a caught worker";
    }
  }
}

Audit audit(const StateReader& store) {
  Audit a;
  auto starts = [](ByteSpan key, std::string_view prefix) { return as_string_view(key).starts_with(prefix); };
  EXPECT_TRUE(store.for_each_value([&](ByteSpan key, ByteSpan value) {
    if (starts(key, "acct/")) {
      v1::Account x;
      EXPECT_TRUE(parse_proto(value, x, "account").is_ok());
      a.credits += x.balance();
    } else if (starts(key, "val/")) {
      v1::Validator x;
      EXPECT_TRUE(parse_proto(value, x, "validator").is_ok());
      a.credits += x.stake();
      a.load += x.assigned_units();
    } else if (starts(key, "unbond/")) {
      v1::UnbondingList x;
      EXPECT_TRUE(parse_proto(value, x, "unbonding").is_ok());
      for (const auto& e : x.entries()) a.credits += e.amount();
    } else if (starts(key, "job/")) {
      v1::JobRecord x;
      EXPECT_TRUE(parse_proto(value, x, "job").is_ok());
      a.credits += x.escrow();
      EXPECT_TRUE(!is_final(x.state()) || x.escrow() == 0);
    } else if (starts(key, "wjobs/")) {
      v1::JobIdList x;
      EXPECT_TRUE(parse_proto(value, x, "worker jobs").is_ok());
      for (const auto& id : x.ids()) a.indexed_jobs.insert(hash_of(id));
    } else if (starts(key, "junit/")) {
      v1::UnitRecord x;
      EXPECT_TRUE(parse_proto(value, x, "unit").is_ok());
      for (const auto& r : x.replicas()) {
        a.live_replicas += r.state() == v1::REPLICA_ASSIGNED || r.state() == v1::REPLICA_COMMITTED;
      }
    }
    return true;
  }).is_ok());
  return a;
}

TEST(JobsProperty, RandomJobStreamsKeepEveryInvariantAndBothStoresAgree) {
  JobChain memory(StoreKind::kMemory, 3, kWorkers);
  JobChain rocks(StoreKind::kRocksDb, 3, kWorkers);
  Driver a{memory, std::mt19937_64(11), {}, {}}, b{rocks, std::mt19937_64(11), {}, {}};
  const uint64_t credits = audit(memory.store()).credits;
  std::map<Hash32, std::string> finals;
  std::map<TxCode, int> codes;
  std::map<std::string, uint64_t> caught_at;  // worker key -> first height it was caught
  for (int block = 0; block < 400; ++block) {
    const bool quiet = block >= 250;  // the last blocks let every job run out
    auto txs_a = quiet ? std::vector<VerifiedTx>{} : a.next_block();
    auto txs_b = quiet ? std::vector<VerifiedTx>{} : b.next_block();
    for (const auto& o : memory.block(txs_a)) ++codes[o.code];
    rocks.block(txs_b);
    ASSERT_EQ(memory.root(), rocks.root()) << "block " << memory.height;
    for (const Event& e : memory.last.events) {
      if (e.type != "worker_caught") continue;
      const Bytes key = hex_decode(e.attributes[0].second).value();
      caught_at.emplace(std::string(key.begin(), key.end()), memory.height);
    }
    for (uint32_t u : {1u, 60u, 61u, 62u, 63u, 64u, 65u, 66u, 67u}) {
      memory.nonces[u] = memory.account(u).nonce();
      rocks.nonces[u] = rocks.account(u).nonce();
    }
    const Audit now = audit(memory.store());
    ASSERT_EQ(now.credits, credits) << "block " << memory.height;
    ASSERT_EQ(now.load, now.live_replicas) << "block " << memory.height;
    for (const Hash32& id : a.jobs) {
      const auto job = memory.record<v1::JobRecord>(keys::job(id));
      if (!job || !is_final(job->state())) continue;
      EXPECT_EQ(now.indexed_jobs.count(id), 0u) << "a final job is still in a worker's index";
      auto [it, fresh] = finals.emplace(id, job->SerializeAsString());
      if (fresh) check_no_caught_result_is_final(memory, id, *job, caught_at);
      ASSERT_TRUE(fresh || it->second == job->SerializeAsString()) << "a final job changed: " << id.hex();
    }
  }
  size_t submitted = 0;
  for (const Hash32& id : a.jobs) {
    const auto job = memory.record<v1::JobRecord>(keys::job(id));
    if (!job) continue;
    ++submitted;
    EXPECT_TRUE(is_final(job->state())) << id.hex() << " is " << v1::JobState_Name(job->state());
  }
  EXPECT_EQ(audit(memory.store()).live_replicas, 0u);
  // The stream reaches accepted and failed jobs and a spread of rejections.
  int accepted = 0;
  for (const auto& [id, bytes] : finals) {
    v1::JobRecord j;
    j.ParseFromString(bytes);
    accepted += j.state() == v1::JOB_ACCEPTED;
  }
  EXPECT_GE(submitted, 30u);
  EXPECT_GE(accepted, 5);
  EXPECT_LT(accepted, static_cast<int>(submitted));
  EXPECT_GE(codes[TxCode::kRevealMismatch], 1);
  // Partitioned jobs reached disputes, with splits accepted and refused,
  // and caught workers.
  EXPECT_GE(codes[TxCode::kOk], 1);
  EXPECT_GE(codes[TxCode::kBadSplit], 1);
  EXPECT_GE(caught_at.size(), 1u);
  EXPECT_GE(codes[TxCode::kNotAssigned] + codes[TxCode::kAlreadyCommitted] + codes[TxCode::kCommitClosed], 1);
}

}  // namespace
}  // namespace hpchain::ledger
