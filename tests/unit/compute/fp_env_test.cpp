// The pinned floating-point environment: a run started from a thread in
// FE_UPWARD or FE_TOWARDZERO with flush-to-zero and denormals-are-zero on
// (the state a -ffast-math library leaves behind) gives the reference digest,
// while the same arithmetic left unpinned gives other bits; the caller's
// environment is restored afterwards.
#include <gtest/gtest.h>

#if defined(__x86_64__)
#include <bit>
#include <cfenv>
#include <xmmintrin.h>

#include "compute/cpu_backend.h"
#include "compute/fp_env.h"
#include "compute/math/dmath.h"
#include "compute/planner.h"
#include "test_support.h"

namespace hpchain::compute {
namespace {

using testing::must_make_job;

constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;

uint64_t bits(double v) { return std::bit_cast<uint64_t>(v); }

// Puts this thread (and threads it creates, which inherit it) in a hostile
// environment for its lifetime.
class HostileEnvironment {
 public:
  explicit HostileEnvironment(int rounding) {
    std::fegetenv(&saved_);
    saved_csr_ = _mm_getcsr();
    std::fesetround(rounding);
    _mm_setcsr(_mm_getcsr() | kFlushToZero | kDenormalsAreZero);
  }
  ~HostileEnvironment() {
    std::fesetenv(&saved_);
    _mm_setcsr(saved_csr_);
  }

 private:
  std::fenv_t saved_;
  unsigned saved_csr_;
};

// 3 units run on the pool's workers; 1000 units of 200 samples each run
// inline on the calling thread. Both paths must pin.
Hash32 option_digest(unsigned threads, uint64_t units) {
  const JobSpec job = must_make_job("european_option", {{"strike", "105"}}, 200000, 7);
  CpuBackend cpu(threads);
  auto result = run_job(job, units, cpu);
  EXPECT_TRUE(result.is_ok()) << result.status().to_string();
  return result->digest;
}

TEST(FpEnvironment, HostileModesInTheCallerAndItsWorkersStillGiveTheReferenceDigest) {
  ASSERT_TRUE(fp_environment_is_pinned());
  const Hash32 reference = option_digest(2, 3);
  EXPECT_EQ(option_digest(2, 1000), reference);
  for (int rounding : {FE_UPWARD, FE_TOWARDZERO, FE_DOWNWARD}) {
    HostileEnvironment hostile(rounding);
    ASSERT_FALSE(fp_environment_is_pinned());
    // The backend is created here, so its threads inherit the hostile modes.
    EXPECT_EQ(option_digest(2, 3), reference) << "rounding mode " << rounding;
    EXPECT_EQ(option_digest(2, 1000), reference) << "inline units, rounding mode " << rounding;
    EXPECT_FALSE(fp_environment_is_pinned()) << "the caller's environment was not restored";
  }
}

TEST(FpEnvironment, TheModesReallyChangeUnpinnedArithmetic) {
  // Without pinning, the hostile modes change exactly the values the review
  // found: the option payoff's exp and log of subnormals.
  volatile double tiny = 1e-310, big = -740.0;
  const double log_tiny = dmath::log(tiny), exp_big = dmath::exp(big);
  const JobSpec job = must_make_job("european_option", {{"strike", "105"}}, 20000, 7);
  const Partial reference = testing::emulated_gpu_partial(job, {0, 20000}, 8);
  {
    HostileEnvironment hostile(FE_UPWARD);
    // Compared as bits: under DAZ a comparison itself reads subnormals as 0.
    EXPECT_NE(bits(dmath::log(tiny)), bits(log_tiny));  // DAZ reads 1e-310 as 0
    EXPECT_NE(bits(dmath::exp(big)), bits(exp_big));    // FTZ flushes the subnormal result
    // The payoff sums (run on this thread, not through a backend) differ.
    const Partial upward = testing::emulated_gpu_partial(job, {0, 20000}, 8);
    EXPECT_FALSE(upward.points[0].sums == reference.points[0].sums);
    const ScopedFpEnvironment pinned;
    ASSERT_TRUE(pinned.status().is_ok());
    EXPECT_EQ(bits(dmath::log(tiny)), bits(log_tiny));
    EXPECT_EQ(bits(dmath::exp(big)), bits(exp_big));
    EXPECT_TRUE(testing::emulated_gpu_partial(job, {0, 20000}, 8).points[0].sums ==
                reference.points[0].sums);
  }
  EXPECT_TRUE(fp_environment_is_pinned());
}

TEST(FpEnvironment, PinningSetsNearestAndKeepsSubnormals) {
  HostileEnvironment hostile(FE_TOWARDZERO);
  ASSERT_TRUE(pin_fp_environment().is_ok());
  EXPECT_TRUE(fp_environment_is_pinned());
  EXPECT_EQ(std::fegetround(), FE_TONEAREST);
  EXPECT_EQ(_mm_getcsr() & (kFlushToZero | kDenormalsAreZero), 0u);
}

}  // namespace
}  // namespace hpchain::compute

#else
TEST(FpEnvironment, NeedsX86) { GTEST_SKIP() << "the hostile-mode tests set MXCSR bits (x86-64 only)"; }
#endif
