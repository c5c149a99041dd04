// Status, Result and logging configuration: each behaviour checked on
// small direct examples.
#include <gtest/gtest.h>

#include "chain/log.h"
#include "chain/status.h"

namespace hpchain {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Status::invalid_argument("not positive: " + std::to_string(v));
  return v;
}

Result<int> doubled(int v) {
  HPC_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

Status check_both(int a, int b) {
  HPC_TRY(parse_positive(a));
  HPC_TRY(parse_positive(b).status().with_context("second"));
  return Status::ok();
}

TEST(Status, OkByDefaultAndErrorsCarryCodeAndMessage) {
  EXPECT_TRUE(Status().is_ok());
  EXPECT_EQ(Status().to_string(), "OK");
  const Status s = Status::corruption("bad block");
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.to_string(), "Corruption: bad block");
  EXPECT_EQ(s.with_context("height 7").message(), "height 7: bad block");
  EXPECT_TRUE(Status::ok().with_context("x").is_ok());
}

TEST(Result, PropagatesValuesAndErrors) {
  EXPECT_EQ(*doubled(4), 8);
  const auto bad = doubled(-1);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "not positive: -1");
  EXPECT_TRUE(check_both(1, 2).is_ok());
  EXPECT_EQ(check_both(1, -2).message(), "second: not positive: -2");
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  const Result<int> r = Status::not_found("x");
  EXPECT_DEATH({ (void)r.value(); }, "assertion failed");
}

TEST(Logging, ConfigureParsesSpecsAndRejectsUnknownNamesWithoutChanges) {
  ASSERT_TRUE(configure_logging("warn,consensus=debug").is_ok());
  EXPECT_EQ(category_logger(LogCategory::kConsensus).level(), spdlog::level::debug);
  EXPECT_EQ(category_logger(LogCategory::kP2p).level(), spdlog::level::warn);
  const Status bad = configure_logging("p2p=trace,nosuch=info");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("nosuch"), std::string::npos);
  EXPECT_EQ(category_logger(LogCategory::kP2p).level(), spdlog::level::warn);  // unchanged
  EXPECT_FALSE(configure_logging("consensus=loud").is_ok());
  ASSERT_TRUE(configure_logging("info").is_ok());
}

TEST(Logging, DisabledCategoryDoesNotEvaluateArguments) {
  ASSERT_TRUE(configure_logging("store=off").is_ok());
  int evaluated = 0;
  HPC_LOG(kStore, info, "{}", ++evaluated);
  EXPECT_EQ(evaluated, 0);
  ASSERT_TRUE(configure_logging("store=info").is_ok());
}

TEST(Logging, RateLimitAllowsBoundedLinesPerWindow) {
  std::atomic<int64_t> window{0};
  std::atomic<int> count{0};
  int allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += detail::rate_limit_allows(window, count, 20) ? 1 : 0;
  EXPECT_EQ(allowed, 20);
}

}  // namespace
}  // namespace hpchain
