// The pacemaker on its own: rounds follow the highest QC or TC, the back-off
// is bounded, and our own timeout is recorded once per round and forgotten
// when the round changes.
#include <gtest/gtest.h>

#include "tests/unit/consensus/fixture.h"

namespace hpchain::consensus {
namespace {

using testing::Network;

TEST(PacemakerTest, RoundsFollowTheHighestCertificateAndBackOffIsBounded) {
  Network net{4};
  Pacemaker p(*net.validators, PacemakerConfig{.base_timeout_ms = 100, .max_backoff_exponent = 2});
  EXPECT_TRUE(p.advance(0));
  EXPECT_EQ(p.current_round(), 1u);
  EXPECT_FALSE(p.advance(0));
  EXPECT_EQ(p.round_timeout_ms(0), 100u);
  EXPECT_TRUE(p.observe_tc(net.tc(5, {{0, 0}, {1, 0}, {2, 0}})));
  EXPECT_TRUE(p.advance(0));
  EXPECT_EQ(p.current_round(), 6u);
  EXPECT_EQ(p.round_timeout_ms(0), 400u);  // 2^min(5, 2)
  ASSERT_TRUE(p.entry_tc().has_value());
  EXPECT_EQ(p.entry_tc()->round, 5u);
}

TEST(PacemakerTest, OwnTimeoutIsKeptForItsRoundOnly) {
  Network net{4};
  Pacemaker p(*net.validators, PacemakerConfig{});
  ASSERT_TRUE(p.advance(0));
  EXPECT_FALSE(p.own_timeout().has_value());
  p.set_own_timeout(TimeoutMsg{1, net.genesis_qc_of(), net.share(0, 1, 0), std::nullopt});
  ASSERT_TRUE(p.own_timeout().has_value());
  EXPECT_EQ(p.own_timeout()->round, 1u);
  ASSERT_TRUE(p.advance(1));
  EXPECT_FALSE(p.own_timeout().has_value());
}

TEST(PacemakerDeathTest, ATimeoutForAnotherRoundOrASecondOneIsABug) {
  Network net{4};
  Pacemaker p(*net.validators, PacemakerConfig{});
  ASSERT_TRUE(p.advance(0));
  const TimeoutMsg round2{2, net.genesis_qc_of(), net.share(0, 2, 0), std::nullopt};
  EXPECT_DEATH(p.set_own_timeout(round2), "");
  const TimeoutMsg round1{1, net.genesis_qc_of(), net.share(0, 1, 0), std::nullopt};
  p.set_own_timeout(round1);
  EXPECT_DEATH(p.set_own_timeout(round1), "");
}

}  // namespace
}  // namespace hpchain::consensus
