// Partitioned jobs end to end on scripted blocks, on both state stores:
// one worker a unit, a spot-check set drawn from later beacon output,
// checkers of other institutions, and disputes bisected down to what the
// chain recomputes, with each side the liar in turn, a party that stops
// answering, and both parties silent. Workers compute for real.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "compute/planner.h"
#include "tests/common/run_command.h"
#include "tests/unit/ledger/job_fixture.h"

namespace hpchain::ledger {
namespace {

using namespace testing;  // NOLINT: the fixture's helpers

v1::JobSpec partitioned_spec(uint32_t units, uint64_t samples = 4'000) {
  v1::JobSpec s = JobChain::spec(1, 1, 1, samples);
  s.clear_replicated();
  s.mutable_partitioned()->set_units(units);
  s.set_budget(uint64_t{units} * 7 * 100 * 10);
  return s;
}

// Every unit checked (a spot-check "seeded to hit it"), disputes down to
// `leaf` samples.
std::function<void(genesis::GenesisDoc&)> always_checked(uint64_t leaf = 64) {
  return [=](genesis::GenesisDoc& d) {
    d.params.spot_check_floor_ppm = 1'000'000;
    d.params.dispute_leaf_samples = leaf;
  };
}

int worker_index(const std::string& key) {
  for (int w = 0; w < 64; ++w) {
    if (pub(worker_key(w)) == key) return w;
  }
  return -1;
}

// The unit's worker and its current checker (-1 when none).
std::pair<int, int> parties(JobChain& c, const Hash32& id, uint32_t u) {
  const v1::UnitRecord unit = c.unit(id, u);
  int worker = -1, checker = -1;
  for (const auto& r : unit.replicas()) {
    const bool current = r.state() != v1::REPLICA_MISSED_COMMIT && r.state() != v1::REPLICA_MISSED_REVEAL &&
                         r.state() != v1::REPLICA_REJECTED;
    if (current) (r.checker() ? checker : worker) = worker_index(r.worker());
  }
  return {worker, checker};
}

// Runs commit-reveal attempts (workers in `lies` lie with that seed) and
// empty blocks until the job leaves the commit-reveal phases.
void work_until_settled(JobChain& c, const Hash32& id, const std::map<int, uint64_t>& lies = {}, int max_blocks = 200) {
  for (int i = 0; i < max_blocks; ++i) {
    const auto state = c.job(id).state();
    if (state == v1::JOB_ASSIGNED) {
      commit_all(c, id, lies);
      reveal_all(c, id, lies);
    } else if (state == v1::JOB_PROVISIONAL || state == v1::JOB_ACCEPTED || state == v1::JOB_FAILED ||
               state == v1::JOB_DISPUTING) {
      return;
    } else {
      c.block({});
    }
  }
  FAIL() << "the job is still " << v1::JobState_Name(c.job(id).state());
}

Hash32 single_run_digest(const JobChain& c, const Hash32& id) {
  const auto whole = compute_job_of(c.job(id).spec()).value();
  compute::CpuBackend cpu(1);
  return compute::run_job(whole, 1, cpu).value().digest;
}

class PartitionedJobs : public ::testing::TestWithParam<StoreKind> {};

struct Disputed {
  Hash32 id;
  int worker;   // lied (seed 99)
  int checker;  // honest
};

// A one-unit job of 64 samples whose worker lies and whose honest checker
// disagrees: the job ends up disputing (every unit is checked).
Disputed dispute_a_lying_worker(JobChain& c) {
  const auto id = c.submit(partitioned_spec(1, 64));
  EXPECT_TRUE(id);
  c.run_until(*id, v1::JOB_ASSIGNED);
  const int worker = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED)[0];
  commit_all(c, *id, {{worker, 99}});
  reveal_all(c, *id, {{worker, 99}});
  c.run_until(*id, v1::JOB_ASSIGNED);
  const int checker = parties(c, *id, 0).second;
  commit_all(c, *id);
  reveal_all(c, *id);
  return {*id, worker, checker};
}

TEST_P(PartitionedJobs, AnHonestJobIsCheckedByOtherInstitutionsAndGivesTheSingleRunDigest) {
  JobChain c(GetParam(), 3, 6, always_checked());
  const auto id = c.submit(partitioned_spec(4));
  ASSERT_TRUE(id);
  c.run_until(*id, v1::JOB_ASSIGNED);
  for (uint32_t u = 0; u < 4; ++u) EXPECT_EQ(c.workers_in(*id, u, v1::REPLICA_ASSIGNED).size(), 1u);
  commit_all(c, *id);
  reveal_all(c, *id);
  // The check set waits for the beacon round after the reveals.
  EXPECT_EQ(c.job(*id).state(), v1::JOB_CHECK_DRAW);
  work_until_settled(c, *id);
  const auto job = c.job(*id);
  ASSERT_EQ(job.state(), v1::JOB_PROVISIONAL) << job.reason();
  EXPECT_EQ(hash_of(job.result_digest()), single_run_digest(c, *id));
  // The same spec run by hpchain-compute on one machine gives the same digest.
  const auto cli = hpchain::testing::run_command(std::string(HPCHAIN_COMPUTE_CLI) +
                                                 " run --kernel pi --samples 4000 --seed 7 --json 2>&1");
  ASSERT_EQ(cli.exit_code, 0) << cli.out;
  EXPECT_EQ(nlohmann::json::parse(cli.out)["digest"], hash_of(job.result_digest()).hex());
  for (uint32_t u = 0; u < 4; ++u) {
    const auto [worker, checker] = parties(c, *id, u);
    ASSERT_GE(checker, 0);
    EXPECT_NE(worker, checker);
    EXPECT_NE(worker % 3, checker % 3) << "a checker of another institution was available";
    EXPECT_GE(c.validator(worker_key(worker)).clean_checks(), 1u);
  }
  c.run_until(*id, v1::JOB_ACCEPTED, 25);
}

TEST_P(PartitionedJobs, AtTheDefaultRatesSomeUnitsAreCheckedAndTheRestStandUnchecked) {
  JobChain c(GetParam(), 3, 6);
  const auto id = c.submit(partitioned_spec(40, 40'000));
  ASSERT_TRUE(id);
  c.run_until(*id, v1::JOB_ASSIGNED);
  work_until_settled(c, *id);
  ASSERT_EQ(c.job(*id).state(), v1::JOB_PROVISIONAL);
  int checked = 0;
  for (uint32_t u = 0; u < 40; ++u) checked += c.unit(*id, u).checked() ? 1 : 0;
  // New workers are checked at 25%: 40 units give 10 on average; the
  // beacon output is fixed by the scripted chain, so this count is too.
  EXPECT_GT(checked, 2);
  EXPECT_LT(checked, 20);
  EXPECT_EQ(hash_of(c.job(*id).result_digest()), single_run_digest(c, *id));
}

// The liar is the unit's worker or its checker; the dispute is bisected
// down to one sample, which the chain recomputes.
void dispute_to_one_sample(StoreKind kind, bool worker_lies) {
  JobChain c(kind, 3, 4, always_checked(/*leaf=*/1));
  const auto id = c.submit(partitioned_spec(1, 64));
  ASSERT_TRUE(id);
  c.run_until(*id, v1::JOB_ASSIGNED);
  const int worker = c.workers_in(*id, 0, v1::REPLICA_ASSIGNED)[0];
  std::map<int, uint64_t> lies;
  if (worker_lies) lies[worker] = 99;
  commit_all(c, *id, lies);
  reveal_all(c, *id, lies);
  c.run_until(*id, v1::JOB_ASSIGNED);  // the checker's attempt
  const int checker = parties(c, *id, 0).second;
  if (!worker_lies) lies[checker] = 99;
  commit_all(c, *id, lies);
  reveal_all(c, *id, lies);
  ASSERT_EQ(c.job(*id).state(), v1::JOB_DISPUTING);
  const int liar = worker_lies ? worker : checker, honest = worker_lies ? checker : worker;
  const auto liar_stake = c.validator(worker_key(liar)).stake();
  int rounds = 0;
  while (c.job(*id).state() == v1::JOB_DISPUTING && rounds < 10) {
    auto out = c.block({c.split_tx(worker, *id, 0, lies.count(worker) ? std::optional<uint64_t>(99) : std::nullopt),
                        c.split_tx(checker, *id, 0, lies.count(checker) ? std::optional<uint64_t>(99) : std::nullopt)});
    for (const auto& o : out) ASSERT_EQ(o.code, TxCode::kOk) << o.detail;
    ++rounds;
  }
  EXPECT_EQ(rounds, 6);  // 64 samples halved to 1
  const v1::Dispute d = c.unit(*id, 0).dispute();
  EXPECT_EQ(d.end() - d.begin(), 1u);
  // The winner's result is re-checked by a fresh checker before it stands.
  ASSERT_EQ(c.job(*id).state(), v1::JOB_ASSIGNED) << c.job(*id).reason();
  const int rechecker = parties(c, *id, 0).second;
  EXPECT_NE(rechecker, worker);
  EXPECT_NE(rechecker, checker);
  EXPECT_EQ(parties(c, *id, 0).first, honest);
  work_until_settled(c, *id, lies);
  ASSERT_EQ(c.job(*id).state(), v1::JOB_PROVISIONAL) << c.job(*id).reason();
  EXPECT_EQ(hash_of(c.job(*id).result_digest()), single_run_digest(c, *id));
  const auto caught = c.validator(worker_key(liar));
  EXPECT_EQ(caught.stake(), liar_stake - liar_stake / 10);
  EXPECT_EQ(caught.status(), v1::VALIDATOR_JAILED);
  EXPECT_EQ(caught.credibility(), 0u);
  EXPECT_EQ(c.validator(worker_key(honest)).status(), v1::VALIDATOR_ACTIVE);
  const uint64_t liar_balance = c.account(operator_of_worker(liar)).balance();
  c.run_until(*id, v1::JOB_ACCEPTED, 25);
  EXPECT_EQ(c.account(operator_of_worker(liar)).balance(), liar_balance);  // unpaid
}

TEST_P(PartitionedJobs, ALyingWorkerLosesTheDisputeBisectedToOneSample) { dispute_to_one_sample(GetParam(), true); }
TEST_P(PartitionedJobs, ALyingCheckerLosesTheDisputeBisectedToOneSample) { dispute_to_one_sample(GetParam(), false); }

TEST_P(PartitionedJobs, APartyThatStopsAnsweringMidDisputeLoses) {
  JobChain c(GetParam(), 3, 4, always_checked(/*leaf=*/1));
  const auto [id, worker, checker] = dispute_a_lying_worker(c);
  ASSERT_EQ(c.job(id).state(), v1::JOB_DISPUTING);
  c.block({c.split_tx(worker, id, 0, 99), c.split_tx(checker, id, 0, std::nullopt)});
  ASSERT_EQ(c.unit(id, 0).dispute().round(), 2u);
  // Round 2: only the honest checker answers; the round runs out.
  EXPECT_EQ(c.block({c.split_tx(checker, id, 0, std::nullopt)})[0].code, TxCode::kOk);
  const auto wrong_round = c.block({c.split_tx(checker, id, 0, std::nullopt, 7)});
  EXPECT_EQ(wrong_round[0].code, TxCode::kWrongDisputeRound) << wrong_round[0].detail;
  c.run_until(id, v1::JOB_ASSIGNED, 10);  // the checker's result, re-checked
  work_until_settled(c, id);
  ASSERT_EQ(c.job(id).state(), v1::JOB_PROVISIONAL) << c.job(id).reason();
  EXPECT_EQ(c.validator(worker_key(worker)).status(), v1::VALIDATOR_JAILED);
  EXPECT_EQ(c.validator(worker_key(checker)).status(), v1::VALIDATOR_ACTIVE);
  EXPECT_EQ(hash_of(c.job(id).result_digest()), single_run_digest(c, id));
}

TEST_P(PartitionedJobs, BothPartiesSilentLoseAndTheUnitRunsAgainOnANewWorker) {
  JobChain c(GetParam(), 3, 5, always_checked(/*leaf=*/1));
  const auto [id, worker, checker] = dispute_a_lying_worker(c);
  ASSERT_EQ(c.job(id).state(), v1::JOB_DISPUTING);
  c.run_until(id, v1::JOB_ASSIGNED, 10);  // nobody splits: both lose, a new worker is drawn
  EXPECT_EQ(c.validator(worker_key(worker)).status(), v1::VALIDATOR_JAILED);
  EXPECT_EQ(c.validator(worker_key(checker)).status(), v1::VALIDATOR_JAILED);
  const auto [rerun, none] = parties(c, id, 0);
  EXPECT_NE(rerun, worker);
  EXPECT_NE(rerun, checker);
  EXPECT_TRUE(c.unit(id, 0).checked());  // checked for sure this time
  work_until_settled(c, id);
  ASSERT_EQ(c.job(id).state(), v1::JOB_PROVISIONAL) << c.job(id).reason();
  EXPECT_EQ(hash_of(c.job(id).result_digest()), single_run_digest(c, id));
}

TEST_P(PartitionedJobs, SplitsThatDoNotAddUpOrComeFromStrangersAreRefused) {
  JobChain c(GetParam(), 3, 4, always_checked(/*leaf=*/1));
  const auto [id, worker, checker] = dispute_a_lying_worker(c);
  ASSERT_EQ(c.job(id).state(), v1::JOB_DISPUTING);
  int stranger = 0;
  while (stranger == worker || stranger == checker) ++stranger;
  auto out = c.block({c.split_tx(worker, id, 0, std::nullopt),  // honest halves, but it claimed the lie
                      c.split_tx(stranger, id, 0, std::nullopt), c.split_tx(checker, id, 0, std::nullopt),
                      c.split_tx(checker, id, 0, std::nullopt)});
  EXPECT_EQ(out[0].code, TxCode::kBadSplit);
  EXPECT_NE(out[0].detail.find("not to your claim"), std::string::npos) << out[0].detail;
  EXPECT_EQ(out[1].code, TxCode::kNotInDispute);
  EXPECT_EQ(out[2].code, TxCode::kOk);
  EXPECT_EQ(out[3].code, TxCode::kSplitAlreadyPosted);
}

// Job A's units from worker X stand unchecked (no spot-checks yet) and
// wrong; governance then turns checks on, X is caught in job B, and A,
// still provisional, runs X's units again: its final digest is right.
TEST_P(PartitionedJobs, ACheaterCaughtInALaterJobHasItsProvisionalUnitsRerun) {
  JobChain c(GetParam(), 3, 4, [](genesis::GenesisDoc& d) {
    d.params.spot_check_floor_ppm = 0;
    d.params.spot_check_new_ppm = 0;
    d.params.job_challenge_blocks = 500;
    d.params.dispute_leaf_samples = 16;
  });
  const auto a = c.submit(partitioned_spec(4, 256));
  ASSERT_TRUE(a);
  c.run_until(*a, v1::JOB_ASSIGNED);
  const int cheat = c.workers_in(*a, 0, v1::REPLICA_ASSIGNED)[0];
  work_until_settled(c, *a, {{cheat, 99}});
  ASSERT_EQ(c.job(*a).state(), v1::JOB_PROVISIONAL);
  ASSERT_NE(hash_of(c.job(*a).result_digest()), single_run_digest(c, *a));  // wrong, for now

  auto params = c.record<v1::Params>(to_bytes_key(keys::kParams)).value();
  params.set_spot_check_floor_ppm(1'000'000);
  const auto proposal = pass(c, [&](v1::GovernanceAction& act) { *act.mutable_set_params()->mutable_params() = params; }, 3);
  ASSERT_EQ(proposal.status(), v1::PROPOSAL_PASSED);
  c.block({});

  // Job B: every unit checked; the cheater lies and loses its dispute.
  auto b_spec = partitioned_spec(4, 256);
  b_spec.mutable_compute()->set_seed(8);
  const auto b = c.submit(b_spec);
  ASSERT_TRUE(b);
  c.run_until(*b, v1::JOB_ASSIGNED);
  bool cheat_has_a_unit = false;
  for (uint32_t u = 0; u < 4; ++u) cheat_has_a_unit = cheat_has_a_unit || parties(c, *b, u).first == cheat;
  ASSERT_TRUE(cheat_has_a_unit) << "the draw gave the cheater no unit of job B";
  for (int i = 0; i < 100 && c.validator(worker_key(cheat)).status() != v1::VALIDATOR_JAILED; ++i) {
    work_until_settled(c, *b, {{cheat, 99}});
    if (c.job(*b).state() != v1::JOB_DISPUTING) break;
    std::vector<VerifiedTx> splits;
    for (uint32_t u = 0; u < 4; ++u) {
      if (c.unit(*b, u).state() != v1::UNIT_DISPUTED) continue;
      const auto [w, k] = parties(c, *b, u);
      splits.push_back(c.split_tx(w, *b, u, w == cheat ? std::optional<uint64_t>(99) : std::nullopt));
      splits.push_back(c.split_tx(k, *b, u, k == cheat ? std::optional<uint64_t>(99) : std::nullopt));
    }
    c.block(splits);
  }
  ASSERT_EQ(c.validator(worker_key(cheat)).status(), v1::VALIDATOR_JAILED);
  // A went back to work on the cheater's units, and gets them right.
  EXPECT_NE(c.job(*a).state(), v1::JOB_PROVISIONAL);
  work_until_settled(c, *a);
  ASSERT_EQ(c.job(*a).state(), v1::JOB_PROVISIONAL) << c.job(*a).reason();
  EXPECT_EQ(hash_of(c.job(*a).result_digest()), single_run_digest(c, *a));
  for (uint32_t u = 0; u < 4; ++u) EXPECT_NE(parties(c, *a, u).first, cheat);
}

INSTANTIATE_STORE_SUITE(PartitionedJobs);

}  // namespace
}  // namespace hpchain::ledger
