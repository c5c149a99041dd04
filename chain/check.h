// Checks for programmer errors (never for bad input: that is a Status).
//
//   HPC_ASSERT(cond)  always aborts when false, in every build. Use it in
//                     consensus, ledger and compute code, where continuing
//                     with a broken invariant would be worse than stopping.
//   HPC_ASSUME(cond)  aborts in debug and fuzz builds; in release builds it
//                     logs the failed condition (at most a few times per call
//                     site) and carries on. Use it in node plumbing.
//
// Both print the condition, file, line and function before aborting.
#pragma once

namespace hpchain::detail {
[[noreturn]] void assert_failed(const char* cond, const char* file, int line, const char* func);
void assume_failed(const char* cond, const char* file, int line, const char* func);
}  // namespace hpchain::detail

#define HPC_ASSERT(cond)                                                         \
  ((cond) ? static_cast<void>(0)                                                 \
          : ::hpchain::detail::assert_failed(#cond, __FILE__, __LINE__, __func__))

#if !defined(NDEBUG) || defined(HPCHAIN_FUZZ)
#define HPC_ASSUME(cond) HPC_ASSERT(cond)
#else
#define HPC_ASSUME(cond)                                                         \
  ((cond) ? static_cast<void>(0)                                                 \
          : ::hpchain::detail::assume_failed(#cond, __FILE__, __LINE__, __func__))
#endif
