// Replicated jobs end to end on scripted blocks, on both state stores:
// honest workers, a liar, colluders, workers that never commit or reveal,
// a copy-cat, a stale worker, deadlines and cancels. Workers compute their
// units for real on the CPU backend.
#include <gtest/gtest.h>

#include <set>

#include "tests/unit/ledger/job_fixture.h"

namespace hpchain::ledger {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

class Jobs : public ::testing::TestWithParam<StoreKind> {};

TEST_P(Jobs, AnHonestReplicatedJobIsAcceptedWithTheSingleMachineDigestAndPaysItsWorkers) {
  JobChain c(GetParam(), 3, 6);
  const uint64_t before = c.account(1).balance();
  const auto id = c.submit(JobChain::spec(/*units=*/2, /*replicas=*/3, /*quorum=*/2));
  ASSERT_TRUE(id);
  EXPECT_EQ(c.account(1).balance(), before - c.job(*id).escrow() - 1000);
  c.run_until(*id, v1::JOB_ASSIGNED);
  for (uint32_t u = 0; u < 2; ++u) {
    const auto workers = c.workers_in(*id, u, v1::REPLICA_ASSIGNED);
    ASSERT_EQ(workers.size(), 3u);
    std::set<std::string> institutions;
    for (int w : workers) institutions.insert("i" + std::to_string(w % 3));
    EXPECT_EQ(institutions.size(), 3u);  // replicas in distinct institutions
  }
  commit_all(c, *id);
  EXPECT_EQ(c.job(*id).state(), v1::JOB_REVEALING);  // everyone committed: reveals open at once
  reveal_all(c, *id);
  const auto job = c.job(*id);
  ASSERT_EQ(job.state(), v1::JOB_PROVISIONAL);
  auto whole = compute::make_job("pi", {}, 4'000, 7).value();
  compute::CpuBackend cpu(1);
  EXPECT_EQ(hash_of(job.result_digest()), compute::run_job(whole, 1, cpu).value().digest);
  const int paid = c.workers_in(*id, 0, v1::REPLICA_REVEALED)[0];
  const uint64_t worker_balance = c.account(operator_of_worker(paid)).balance();
  uint64_t replicas = 0;  // the draw may give one worker a replica of each unit
  for (uint32_t u = 0; u < 2; ++u) {
    for (int w : c.workers_in(*id, u, v1::REPLICA_REVEALED)) replicas += w == paid ? 1 : 0;
  }
  c.run_until(*id, v1::JOB_ACCEPTED, 25);
  const auto final_job = c.job(*id);
  EXPECT_EQ(final_job.escrow(), 0u);
  EXPECT_EQ(c.account(operator_of_worker(paid)).balance(), worker_balance + replicas * final_job.replica_price());
  EXPECT_EQ(c.account(1).balance(), before - 1000 - 6 * final_job.replica_price());
  for (int w = 0; w < 6; ++w) EXPECT_EQ(c.validator(worker_key(w)).assigned_units(), 0u);
}

TEST_P(Jobs, ALyingReplicaIsOutvotedSlashedAndUnpaid) {
  JobChain c(GetParam(), 3, 6);
  const auto id = c.submit(JobChain::spec(1, 3, 2));
  c.run_until(*id, v1::JOB_ASSIGNED);
  const int liar = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED)[1];
  const auto stake = c.validator(worker_key(liar)).stake();
  const auto credibility = c.validator(worker_key(liar)).credibility();
  commit_all(c, *id, {{liar, 99}});
  reveal_all(c, *id, {{liar, 99}});
  ASSERT_EQ(c.job(*id).state(), v1::JOB_PROVISIONAL);
  EXPECT_EQ(hash_of(c.unit(*id, 0).accepted_digest()), compute::unit_digest(c.result(*id, 0)));
  EXPECT_LT(c.validator(worker_key(liar)).credibility(), credibility);
  EXPECT_EQ(c.validator(worker_key(liar)).stake(), stake - stake / 10);
  const uint64_t liar_balance = c.account(operator_of_worker(liar)).balance();
  c.run_until(*id, v1::JOB_ACCEPTED, 25);
  EXPECT_EQ(c.account(operator_of_worker(liar)).balance(), liar_balance);
}

TEST_P(Jobs, ColludersBelowTheQuorumLoseAndTheHonestResultWinsAfterEscalation) {
  // r = q = 3: two colluders with the same wrong result cannot reach 3; the
  // unit escalates until the honest result has three.
  JobChain c(GetParam(), 3, 9);
  const auto id = c.submit(JobChain::spec(1, 3, 3));
  c.run_until(*id, v1::JOB_ASSIGNED);
  const auto first = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED);
  const std::map<int, uint64_t> colluders = {{first[0], 99}, {first[1], 99}};
  commit_all(c, *id, colluders);
  reveal_all(c, *id, colluders);
  for (int round = 0; round < 4 && c.job(*id).state() == v1::JOB_ASSIGNED; ++round) {
    commit_all(c, *id);
    reveal_all(c, *id);
  }
  ASSERT_EQ(c.job(*id).state(), v1::JOB_PROVISIONAL);
  EXPECT_EQ(hash_of(c.unit(*id, 0).accepted_digest()), compute::unit_digest(c.result(*id, 0)));
  EXPECT_EQ(c.unit(*id, 0).replicas_size(), 5);  // 3 + 1 + 1: each escalation adds quorum - leading
}

TEST_P(Jobs, ColludersReachingTheQuorumWinWhichIsWhatQuorumMeans) {
  // Documented limit (docs/jobs.md): q colluding replicas decide the unit.
  JobChain c(GetParam(), 3, 6);
  const auto id = c.submit(JobChain::spec(1, 3, 2));
  c.run_until(*id, v1::JOB_ASSIGNED);
  const auto first = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED);
  const std::map<int, uint64_t> colluders = {{first[0], 99}, {first[1], 99}};
  commit_all(c, *id, colluders);
  reveal_all(c, *id, colluders);
  EXPECT_EQ(hash_of(c.unit(*id, 0).accepted_digest()), compute::unit_digest(c.result(*id, 0, 99)));
}

TEST_P(Jobs, AWorkerThatNeverRevealsIsMissedAndTheUnitEscalatesToAFreshWorker) {
  JobChain c(GetParam(), 3, 6);
  const auto id = c.submit(JobChain::spec(1, 3, 3));
  c.run_until(*id, v1::JOB_ASSIGNED);
  const int silent = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED)[0];
  const auto credibility = c.validator(worker_key(silent)).credibility();
  commit_all(c, *id);
  reveal_all(c, *id, {}, {silent});
  EXPECT_EQ(c.job(*id).state(), v1::JOB_REVEALING);  // waits for the reveal deadline
  c.run_until(*id, v1::JOB_ASSIGNED, 15);
  EXPECT_EQ(c.workers_in(*id, 0, v1::REPLICA_MISSED_REVEAL), std::vector<int>{silent});
  EXPECT_LT(c.validator(worker_key(silent)).credibility(), credibility);
  EXPECT_EQ(c.validator(worker_key(silent)).assigned_units(), 0u);
  const auto fresh = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_NE(fresh[0], silent);
  commit_all(c, *id);
  reveal_all(c, *id);
  EXPECT_EQ(c.job(*id).state(), v1::JOB_PROVISIONAL);
}

TEST_P(Jobs, AWorkerThatNeverCommitsIsReplacedAndItsLateMessagesAreRefused) {
  JobChain c(GetParam(), 3, 6);
  const auto id = c.submit(JobChain::spec(1, 3, 2));
  c.run_until(*id, v1::JOB_ASSIGNED);
  const auto first = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED);
  const int lost = first[2];
  std::vector<VerifiedTx> two;
  for (int w : {first[0], first[1]}) two.push_back(c.commit_tx(w, *id, 0, c.result(*id, 0)));
  c.block(two);
  EXPECT_EQ(c.job(*id).state(), v1::JOB_COMMITTING);
  c.run_until(*id, v1::JOB_ASSIGNED, 15);  // the commit deadline passed: a replacement is drawn
  EXPECT_EQ(c.workers_in(*id, 0, v1::REPLICA_MISSED_COMMIT), std::vector<int>{lost});
  // The stale worker wakes up: its commit names a replica it no longer has.
  auto late = c.block({c.commit_tx(lost, *id, 0, c.result(*id, 0))});
  EXPECT_EQ(late[0].code, TxCode::kNotAssigned);
  commit_all(c, *id);
  ASSERT_EQ(c.job(*id).state(), v1::JOB_REVEALING);
  late = c.block({c.reveal_tx(lost, *id, 0, c.result(*id, 0))});
  EXPECT_EQ(late[0].code, TxCode::kNotAssigned);
  reveal_all(c, *id);
  EXPECT_EQ(c.job(*id).state(), v1::JOB_PROVISIONAL);
  EXPECT_EQ(c.unit(*id, 0).replicas_size(), 4);
}

TEST_P(Jobs, ACopyCatCanNeitherRevealAnothersResultNorReuseItsCommitment) {
  JobChain c(GetParam(), 3, 6);
  const auto id = c.submit(JobChain::spec(1, 3, 2));
  c.run_until(*id, v1::JOB_ASSIGNED);
  const auto w = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED);
  const auto honest = c.result(*id, 0);
  // The copier commits the honest worker's commitment bytes.
  const Hash32 theirs = unit_commitment(compute::unit_digest(honest), as_bytes(pub(worker_key(w[0]))),
                                        as_bytes(JobChain::salt_of(w[0])));
  c.block({c.commit_tx(w[0], *id, 0, honest), c.commit_tx(w[1], *id, 0, honest),
           c.commit_raw(w[2], *id, 0, std::string(theirs.bytes.begin(), theirs.bytes.end()))});
  ASSERT_EQ(c.job(*id).state(), v1::JOB_REVEALING);
  c.block({c.reveal_tx(w[0], *id, 0, honest)});
  // It now knows the result and the salt, but its commitment binds w[0]'s key.
  auto out = c.block({c.reveal_tx(w[2], *id, 0, honest, JobChain::salt_of(w[0]))});
  EXPECT_EQ(out[0].code, TxCode::kRevealMismatch);
  out = c.block({c.reveal_tx(w[2], *id, 0, honest)});
  EXPECT_EQ(out[0].code, TxCode::kRevealMismatch);
}

TEST_P(Jobs, AJobNobodyCommitsToFailsAtItsDeadlineAndRefundsTheBudget) {
  JobChain c(GetParam(), 3, 9);
  auto spec = JobChain::spec(1, 3, 2);
  spec.set_deadline_blocks(30);  // the minimum: 2 beacon rounds + commit + reveal
  const uint64_t before = c.account(1).balance();
  const auto id = c.submit(spec);
  c.run_until(*id, v1::JOB_FAILED, 40);
  const auto job = c.job(*id);
  EXPECT_EQ(job.reason(), "the deadline passed before every unit was committed");
  EXPECT_EQ(job.escrow(), 0u);
  EXPECT_EQ(c.account(1).balance(), before - 1000);
  EXPECT_LE(job.final_height(), job.deadline_height());
  for (int w = 0; w < 9; ++w) EXPECT_EQ(c.validator(worker_key(w)).assigned_units(), 0u);
  const auto frozen = c.job(*id).SerializeAsString();
  for (int i = 0; i < 5; ++i) c.block({});
  EXPECT_EQ(c.job(*id).SerializeAsString(), frozen);  // final states never change
}

TEST_P(Jobs, OnlyTheSubmitterCancelsAndOnlyBeforeAssignment) {
  JobChain c(GetParam(), 3, 6);
  const uint64_t before = c.account(1).balance();
  const auto id = c.submit(JobChain::spec(1, 3, 2));
  auto cancel = [&](uint32_t who) {
    return c.tx(who, [&](v1::TxBody& b) { b.mutable_job_cancel()->set_job_id(std::string(id->bytes.begin(), id->bytes.end())); });
  };
  auto out = c.block({cancel(2), cancel(1)});
  EXPECT_EQ(out[0].code, TxCode::kFeeUnpaid);  // 2 has no credits at all
  EXPECT_EQ(out[1].code, TxCode::kOk);
  EXPECT_EQ(c.job(*id).state(), v1::JOB_FAILED);
  EXPECT_EQ(c.job(*id).reason(), "cancelled by the submitter");
  EXPECT_EQ(c.account(1).balance(), before - 2000);
  for (int i = 0; i < 12; ++i) c.block({});
  EXPECT_EQ(c.job(*id).state(), v1::JOB_FAILED);  // never assigned after all
  const auto started = c.submit(JobChain::spec(1, 3, 2));
  c.run_until(*started, v1::JOB_ASSIGNED);
  out = c.block({c.tx(1, [&](v1::TxBody& b) {
                   b.mutable_job_cancel()->set_job_id(std::string(started->bytes.begin(), started->bytes.end()));
                 }),
                 c.tx(50, [&](v1::TxBody& b) {
                   b.mutable_job_cancel()->set_job_id(std::string(started->bytes.begin(), started->bytes.end()));
                 })});
  EXPECT_EQ(out[0].code, TxCode::kJobStarted);
  EXPECT_EQ(out[1].code, TxCode::kNotSubmitter);
}

INSTANTIATE_STORE_SUITE(Jobs);

}  // namespace
}  // namespace hpchain::ledger
