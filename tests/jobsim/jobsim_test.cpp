// The job-market simulator on small markets (label jobs): a seed replays
// exactly; an honest market has nothing to catch and nothing wrong; cheaters
// are caught and their wrong results counted; the summary line has the
// documented form.
#include <gtest/gtest.h>

#include <regex>

#include "tests/jobsim/market.h"

namespace hpchain::jobsim {
namespace {

Config small() {
  Config c;
  c.workers = 30;
  c.institutions = 5;
  c.jobs = 12;
  c.units_per_job = 16;
  c.samples_per_unit = 64;
  return c;
}

TEST(JobSim, ASeedReplaysExactly) {
  const Config c = small();
  EXPECT_EQ(summary_line(run_market(c, 7)), summary_line(run_market(c, 7)));
  EXPECT_NE(summary_line(run_market(c, 7)), summary_line(run_market(c, 8)));
}

TEST(JobSim, AnHonestMarketCatchesNobodyAndAcceptsEveryJobRight) {
  Config c = small();
  c.cheat_fraction = c.always_fraction = c.never_reveal_fraction = 0;
  const Outcome o = run_market(c, 3);
  EXPECT_EQ(o.jobs, 12u);
  EXPECT_EQ(o.failed_jobs, 0u);
  EXPECT_EQ(o.units, 12u * 16u);
  EXPECT_EQ(o.cheated, 0u);
  EXPECT_EQ(o.wrong_final, 0u);
  EXPECT_EQ(o.disputes, 0u);
  EXPECT_GT(o.overhead(), 1.0);  // the spot-checks
  EXPECT_LT(o.overhead(), 1.3);
}

TEST(JobSim, CheatersAreCaughtAndTheSummaryLineHasItsForm) {
  Config c = small();
  c.always_fraction = 0.1;  // 3 always-cheaters
  const Outcome o = run_market(c, 5);
  EXPECT_GT(o.cheated, 0u);
  EXPECT_GT(o.caught, 0u);
  EXPECT_GT(o.disputes, 0u);
  EXPECT_LE(o.wrong_final + o.caught, o.cheated);
  EXPECT_GE(o.always_cheaters, 1u);
  const std::regex form(
      "jobs: [0-9]+, units: [0-9]+, cheated: [0-9]+, caught: [0-9]+, wrong_final: [0-9]+, "
      "predicted_wrong_final: [0-9]+\\.[0-9], compute_overhead: [0-9]+\\.[0-9]{3}");
  EXPECT_TRUE(std::regex_match(summary_line(o), form)) << summary_line(o);
}

TEST(JobSim, EveryUnitCheckedLeavesNoWrongResultUnlessCheckersCopy) {
  Config c = small();
  c.spot_check_floor_ppm = 1'000'000;
  c.always_fraction = 0.1;
  const Outcome strict = run_market(c, 9);
  EXPECT_GT(strict.cheated, 0u);
  EXPECT_EQ(strict.wrong_final, 0u);
  EXPECT_EQ(strict.caught, strict.cheated);
  EXPECT_NEAR(strict.predicted_wrong_final, 0.0, 1e-9);
  // Most checkers copy what they check, so they pass the lies they are
  // given (docs/jobs.md, "Known limits"); the formula counts them (l).
  c.lazy_fraction = 0.85;
  const Outcome lazy = run_market(c, 9);
  EXPECT_GT(lazy.wrong_final, 0u);
  EXPECT_GT(lazy.predicted_wrong_final, 0.0);
  EXPECT_LT(lazy.caught, lazy.cheated);
}

}  // namespace
}  // namespace hpchain::jobsim
