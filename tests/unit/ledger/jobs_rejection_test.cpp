// Every rejection of the job transactions has its own code and a message
// that names the problem: at submission, at commit and at reveal.
#include <gtest/gtest.h>

#include "tests/unit/ledger/job_fixture.h"

namespace hpchain::ledger {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

class JobRejections : public ::testing::TestWithParam<StoreKind> {};

TEST_P(JobRejections, ASubmissionIsRefusedWithItsReason) {
  JobChain c(GetParam(), 3, 3, [](genesis::GenesisDoc& d) {
    d.params.accepted_kernels = {"eemumu", "pi"};
    d.accounts.push_back({addr(5), 1'000, "i0", {"submitter"}});
  });
  struct Case {
    std::function<void(v1::JobSpec&)> change;
    TxCode code;
    std::string detail_part;
  };
  const std::vector<Case> cases = {
      {[](v1::JobSpec& s) { s.mutable_compute()->set_kernel("european_option"); }, TxCode::kKernelNotAccepted,
       "not accepted"},
      {[](v1::JobSpec& s) { s.mutable_compute()->set_compute_version(2); }, TxCode::kBadComputeSpec, "compute_version 2"},
      {[](v1::JobSpec& s) { s.mutable_compute()->mutable_params()->Add()->set_name("bogus"); }, TxCode::kBadComputeSpec, ""},
      {[](v1::JobSpec& s) { s.clear_replicated(); }, TxCode::kBadJobMode, "no mode"},
      {[](v1::JobSpec& s) { s.mutable_replicated()->set_quorum(1); }, TxCode::kBadJobMode, "more than half"},
      {[](v1::JobSpec& s) { s.mutable_replicated()->set_replicas(8); }, TxCode::kBadJobMode, "replicas must be 1 to 7"},
      {[](v1::JobSpec& s) { s.mutable_replicated()->set_units(257); }, TxCode::kBadJobMode, "units must be 1 to 256"},
      {[](v1::JobSpec& s) { s.set_deadline_blocks(29); }, TxCode::kBadDeadline, "30 to 100000"},
      {[](v1::JobSpec& s) { s.set_budget(2099); }, TxCode::kBudgetTooLow, "= 2100"},
      {[](v1::JobSpec& s) { s.set_budget(100'000'000); }, TxCode::kInsufficientBalance, ""},
      {[](v1::JobSpec& s) {
         s.mutable_replicated()->set_replicas(5);
         s.mutable_replicated()->set_quorum(3);
       }, TxCode::kTooFewWorkers, "3 eligible workers for kernel \"pi\", 5 replicas asked"},
  };
  for (const auto& k : cases) {
    v1::JobSpec spec = JobChain::spec(3, 3, 2);
    k.change(spec);
    const auto out = c.block({c.submit_tx(spec)});
    EXPECT_EQ(out[0].code, k.code) << out[0].detail;
    EXPECT_NE(out[0].detail.find(k.detail_part), std::string::npos) << out[0].detail;
  }
  const auto by_non_submitter = c.block({c.submit_tx(JobChain::spec(1, 3, 2), /*from=*/50)});
  EXPECT_EQ(by_non_submitter[0].code, TxCode::kWrongRole);
}

TEST_P(JobRejections, AUnitResultAboveTheByteCapIsRefusedAtSubmission) {
  JobChain c(GetParam(), 3, 3, [](genesis::GenesisDoc& d) { d.params.max_tally_bytes_per_unit = 64; });
  const auto out = c.block({c.submit_tx(JobChain::spec(1, 3, 2))});
  EXPECT_EQ(out[0].code, TxCode::kTallyTooLarge);
  EXPECT_NE(out[0].detail.find("max_tally_bytes_per_unit is 64"), std::string::npos) << out[0].detail;
}

TEST_P(JobRejections, CommitsAndRevealsOutsideTheirPhaseOrPlaceAreRefused) {
  JobChain c(GetParam(), 3, 4);
  const auto id = c.submit(JobChain::spec(2, 3, 2));
  const Hash32 unknown = sha256(to_bytes("no such job"));
  auto early = c.block({c.commit_tx(0, *id, 0, c.result(*id, 0)), c.commit_tx(0, unknown, 0, c.result(*id, 0))});
  EXPECT_EQ(early[0].code, TxCode::kCommitClosed);  // not assigned yet
  EXPECT_EQ(early[1].code, TxCode::kUnknownJob);
  c.run_until(*id, v1::JOB_ASSIGNED);
  const auto w = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED);
  int outsider = 0;
  while (std::find(w.begin(), w.end(), outsider) != w.end()) ++outsider;
  auto stranger = c.tx(50, [&](v1::TxBody& b) {  // signed by someone who does not operate the worker
    b.mutable_result_commit()->set_worker(pub(worker_key(w[0])));
    auto* e = b.mutable_result_commit()->add_commitments();
    e->set_job_id(std::string(id->bytes.begin(), id->bytes.end()));
    e->set_commitment(std::string(32, 'x'));
  });
  auto out = c.block({c.commit_tx(outsider, *id, 0, c.result(*id, 0)), c.commit_tx(w[0], *id, 0, c.result(*id, 0)),
                      c.commit_tx(w[0], *id, 0, c.result(*id, 0)), c.commit_tx(w[0], *id, 9, c.result(*id, 0)),
                      stranger, c.reveal_tx(w[0], *id, 0, c.result(*id, 0))});
  EXPECT_EQ(out[0].code, TxCode::kNotAssigned);
  EXPECT_EQ(out[1].code, TxCode::kOk);
  EXPECT_EQ(out[2].code, TxCode::kAlreadyCommitted);
  EXPECT_EQ(out[3].code, TxCode::kNotAssigned);  // no unit 9
  EXPECT_EQ(out[4].code, TxCode::kNotOperator);
  EXPECT_EQ(out[5].code, TxCode::kRevealClosed);  // reveals open only after the commit phase
  // The rest of both units commit; reveals open.
  std::vector<VerifiedTx> rest;
  for (uint32_t u = 0; u < 2; ++u) {
    for (int x : c.workers_in(*id, u, v1::REPLICA_ASSIGNED)) rest.push_back(c.commit_tx(x, *id, u, c.result(*id, u)));
  }
  c.block(rest);
  ASSERT_EQ(c.job(*id).state(), v1::JOB_REVEALING);
  out = c.block({c.commit_tx(w[1], *id, 1, c.result(*id, 1)), c.reveal_tx(w[0], *id, 0, c.result(*id, 1)),
                 c.reveal_tx(w[0], *id, 0, c.result(*id, 0, /*lie_seed=*/5)), c.reveal_tx(w[0], *id, 0, c.result(*id, 0)),
                 c.reveal_tx(w[0], *id, 0, c.result(*id, 0))});
  EXPECT_EQ(out[0].code, TxCode::kCommitClosed);
  EXPECT_EQ(out[1].code, TxCode::kBadUnitResult);   // unit 1's samples for unit 0
  EXPECT_NE(out[1].detail.find("does not cover exactly"), std::string::npos);
  EXPECT_EQ(out[2].code, TxCode::kRevealMismatch);  // not the result it committed to
  EXPECT_EQ(out[3].code, TxCode::kOk);
  EXPECT_EQ(out[4].code, TxCode::kAlreadyRevealed);
}

TEST_P(JobRejections, ABatchAppliesWholeOrNotAtAll) {
  JobChain c(GetParam(), 3, 3);
  const auto id = c.submit(JobChain::spec(2, 3, 2));
  c.run_until(*id, v1::JOB_ASSIGNED);
  auto batch = c.tx(operator_of_worker(0), [&](v1::TxBody& b) {
    b.mutable_result_commit()->set_worker(pub(worker_key(0)));
    for (uint32_t u : {0u, 1u, 7u}) {  // unit 7 does not exist: the whole batch fails
      auto* e = b.mutable_result_commit()->add_commitments();
      e->set_job_id(std::string(id->bytes.begin(), id->bytes.end()));
      e->set_unit(u);
      e->set_commitment(std::string(32, 'c'));
    }
  });
  const auto out = c.block({batch});
  EXPECT_EQ(out[0].code, TxCode::kNotAssigned);
  EXPECT_TRUE(c.workers_in(*id, 0, v1::REPLICA_COMMITTED).empty());
  EXPECT_EQ(c.job(*id).state(), v1::JOB_ASSIGNED);
}

TEST(JobFields, MalformedJobTransactionsAreStatelessFailures) {
  Chain c(StoreKind::kMemory, 1);
  auto check = [&](const std::function<void(v1::TxBody&)>& fill) { return check_tx_fields(c.tx(1, fill)).message(); };
  EXPECT_EQ(check([](v1::TxBody& b) { b.mutable_job_cancel()->set_job_id("short"); }), "job_id must be 32 bytes");
  EXPECT_EQ(check([](v1::TxBody& b) { b.mutable_job_submit(); }), "the job names no kernel");
  EXPECT_EQ(check([](v1::TxBody& b) { b.mutable_result_commit()->set_worker(pub(3)); }), "commitments: 1 to 256 entries");
  EXPECT_EQ(check([](v1::TxBody& b) {
              b.mutable_result_reveal()->set_worker(pub(3));
              for (int i = 0; i < 2; ++i) {
                auto* r = b.mutable_result_reveal()->add_reveals();
                r->set_job_id(std::string(32, 'j'));
                r->set_salt(std::string(32, 's'));
                r->mutable_result();
              }
            }),
            "reveals names a unit twice");
  EXPECT_EQ(check([](v1::TxBody& b) {
              b.mutable_beacon_reveal()->set_validator(pub(3));
              b.mutable_beacon_reveal()->set_secret("x");
            }),
            "secret must be 32 bytes");
}

INSTANTIATE_STORE_SUITE(JobRejections);

}  // namespace
}  // namespace hpchain::ledger
