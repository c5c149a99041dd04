// Bit-level helpers for the deterministic math library: reinterpreting a
// double as its IEEE-754 bits, exact scaling by powers of two, and the exact
// (error-free) transformations that double-double arithmetic is built from.
// Everything here is an implementation detail of compute/math/dmath.h.
#pragma once

#include <cstdint>
#include <cstring>

#if !defined(__CUDA_ARCH__)
#include <cmath>
#endif

#include "compute/math/host_device.h"

namespace hpchain::dmath::internal {

// The one quiet NaN every function returns. Hardware NaNs differ (x86 makes
// 0xFFF8..., CUDA makes 0x7FFFFFFF...), so no NaN produced by arithmetic is
// ever returned: the bits of every result are the same on every device.
inline constexpr uint64_t kNanBits = 0x7FF8000000000000ULL;
inline constexpr uint64_t kInfBits = 0x7FF0000000000000ULL;

inline HPC_HD uint64_t to_bits(double x) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint64_t>(__double_as_longlong(x));
#else
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
#endif
}

inline HPC_HD double from_bits(uint64_t bits) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(bits));
#else
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
#endif
}

inline HPC_HD double nan_value() { return from_bits(kNanBits); }
inline HPC_HD double inf_value() { return from_bits(kInfBits); }

// High 32 bits (sign, exponent, top 20 mantissa bits): fdlibm's algorithms
// classify arguments by this word, and so do ours.
inline HPC_HD uint32_t high_word(double x) { return static_cast<uint32_t>(to_bits(x) >> 32); }
inline HPC_HD uint32_t low_word(double x) { return static_cast<uint32_t>(to_bits(x)); }

// x with its low 32 bits cleared: at most 21 significant bits remain, so the
// product of two such numbers is exact. fdlibm calls this SET_LOW_WORD(x, 0).
inline HPC_HD double clear_low_word(double x) {
  return from_bits(to_bits(x) & 0xFFFFFFFF00000000ULL);
}

inline HPC_HD double from_words(uint32_t high, uint32_t low) {
  return from_bits((static_cast<uint64_t>(high) << 32) | low);
}

inline HPC_HD bool is_nan(double x) { return (to_bits(x) & ~(1ULL << 63)) > kInfBits; }

// Correctly rounded square root: IEEE-754 requires it of every conforming
// implementation, so it is one of the basic operations DESIGN.md allows.
inline HPC_HD double sqrt_rn(double x) {
#if defined(__CUDA_ARCH__)
  return __dsqrt_rn(x);
#else
  return std::sqrt(x);
#endif
}

// 2^n for -1022 <= n <= 1023, built from its bits (exact).
inline HPC_HD double pow2(int n) { return from_bits(static_cast<uint64_t>(0x3FF + n) << 52); }

// x * 2^n with a single rounding. When the result is subnormal, the
// pre-scaling by 2^(-1022+53) keeps the intermediate normal so the only
// rounding is the last multiplication (the method of musl's scalbn).
inline HPC_HD double scale_by_pow2(double x, int n) {
  if (n > 1023) {
    x *= pow2(1023);
    n -= 1023;
    if (n > 1023) {
      x *= pow2(1023);
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    x *= pow2(-1022 + 53);
    n += 1022 - 53;
    if (n < -1022) {
      x *= pow2(-1022 + 53);
      n += 1022 - 53;
      if (n < -1022) n = -1022;
    }
  }
  return x * pow2(n);
}

// Leading zero count of a non-zero 64-bit word.
inline HPC_HD int count_leading_zeros(uint64_t v) {
#if defined(__CUDA_ARCH__)
  return __clzll(static_cast<long long>(v));
#else
  return __builtin_clzll(v);
#endif
}

// Full 128-bit product of two 64-bit words from 32-bit halves, so the same
// code runs where no 128-bit integer type exists.
inline HPC_HD void multiply_64x64(uint64_t a, uint64_t b, uint64_t* high, uint64_t* low) {
  const uint64_t a_lo = a & 0xFFFFFFFFULL, a_hi = a >> 32;
  const uint64_t b_lo = b & 0xFFFFFFFFULL, b_hi = b >> 32;
  const uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  const uint64_t middle = (ll >> 32) + (lh & 0xFFFFFFFFULL) + (hl & 0xFFFFFFFFULL);
  *low = (middle << 32) | (ll & 0xFFFFFFFFULL);
  *high = hh + (lh >> 32) + (hl >> 32) + (middle >> 32);
}

// An unevaluated sum hi + lo with |lo| <= ulp(hi)/2: about 106 bits.
struct DoubleDouble {
  double hi;
  double lo;
};

// Knuth's TwoSum: s + e == a + b exactly, for any ordering of |a|, |b|.
inline HPC_HD DoubleDouble two_sum(double a, double b) {
  const double s = a + b;
  const double b_virtual = s - a;
  const double a_virtual = s - b_virtual;
  return {s, (a - a_virtual) + (b - b_virtual)};
}

// Fast TwoSum, valid when |a| >= |b| (or a == 0).
inline HPC_HD DoubleDouble quick_two_sum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}

// Dekker's split: a == hi + lo with both halves of at most 26 significant
// bits, so their pairwise products are exact. Valid for |a| < 2^995.
inline HPC_HD DoubleDouble split(double a) {
  const double c = 134217729.0 * a;  // 2^27 + 1
  const double hi = c - (c - a);
  return {hi, a - hi};
}

// Dekker's TwoProduct without FMA: p + e == a * b exactly (no overflow or
// underflow assumed).
inline HPC_HD DoubleDouble two_product(double a, double b) {
  const double p = a * b;
  const DoubleDouble as = split(a);
  const DoubleDouble bs = split(b);
  const double e = ((as.hi * bs.hi - p) + as.hi * bs.lo + as.lo * bs.hi) + as.lo * bs.lo;
  return {p, e};
}

// acc * s + c in double-double (one Horner step without rounding errors
// beyond ~2^-100 relative).
inline HPC_HD DoubleDouble dd_multiply_add(DoubleDouble acc, DoubleDouble s, double c) {
  const DoubleDouble p = two_product(acc.hi, s.hi);
  const DoubleDouble t = two_sum(c, p.hi);
  return quick_two_sum(t.hi, t.lo + (p.lo + (acc.lo * s.hi + acc.hi * s.lo)));
}

// n / d in double-double (relative error ~2^-100).
inline HPC_HD DoubleDouble dd_divide(DoubleDouble n, DoubleDouble d) {
  const double q = n.hi / d.hi;
  const DoubleDouble p = two_product(q, d.hi);
  const double remainder = (((n.hi - p.hi) - p.lo) + n.lo) - q * d.lo;
  return quick_two_sum(q, remainder / d.hi);
}

}  // namespace hpchain::dmath::internal
