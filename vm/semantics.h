// The VM's arithmetic, defined the same on every device (docs/kernel-language.md,
// "Semantics"). Hardware disagrees on corner cases: on x86 (int64)NaN and
// (int64)1e30 are both INT64_MIN and 1 << 64 is 1, PTX saturates and
// produces other NaN bits. The VM never leaves a corner to the hardware:
//   - every NaN a float operation produces is the one canonical quiet NaN;
//   - float to int saturates (NaN is 0);
//   - shift counts are masked to 0..63, and >> is arithmetic;
//   - integer + - * wrap (two's complement); x / 0 = 0 and x % 0 = x;
//     INT64_MIN / -1 = INT64_MIN and INT64_MIN % -1 = 0;
//   - min and max of a NaN are NaN, and -0 < +0 for them.
// Host and device compile this one source (HPC_HD); float operations are
// the correctly rounded IEEE ones (contraction is off for all our code)
// and the compute/math functions.
#pragma once

#include <cstdint>

#include "compute/math/dmath.h"
#include "compute/math/internal/bits.h"

namespace hpchain::vm::sem {

inline constexpr uint64_t kCanonicalNan = 0x7FF8000000000000ULL;

HPC_HD inline uint64_t bits(double x) { return dmath::internal::to_bits(x); }
HPC_HD inline double from_bits(uint64_t b) { return dmath::internal::from_bits(b); }
HPC_HD inline bool is_nan(double x) { return (bits(x) & 0x7FFFFFFFFFFFFFFFULL) > 0x7FF0000000000000ULL; }
HPC_HD inline double canon(double x) { return is_nan(x) ? from_bits(kCanonicalNan) : x; }

HPC_HD inline double fadd(double a, double b) { return canon(a + b); }
HPC_HD inline double fsub(double a, double b) { return canon(a - b); }
HPC_HD inline double fmul(double a, double b) { return canon(a * b); }
HPC_HD inline double fdiv(double a, double b) { return canon(a / b); }
HPC_HD inline double fneg(double a) { return canon(-a); }

// NaN if either is NaN; otherwise the smaller, with -0 below +0.
HPC_HD inline double fmin(double a, double b) {
  if (is_nan(a) || is_nan(b)) return from_bits(kCanonicalNan);
  if (a == b) return (bits(a) >> 63) != 0 ? a : b;  // -0 and +0: the negative one
  return a < b ? a : b;
}
HPC_HD inline double fmax(double a, double b) {
  if (is_nan(a) || is_nan(b)) return from_bits(kCanonicalNan);
  if (a == b) return (bits(a) >> 63) != 0 ? b : a;
  return a > b ? a : b;
}

// Saturating conversion: NaN -> 0, beyond the range -> INT64_MIN or
// INT64_MAX, otherwise truncation toward zero.
HPC_HD inline int64_t ftoi(double x) {
  if (is_nan(x)) return 0;
  if (x >= 9223372036854775808.0) return INT64_MAX;  // 2^63
  if (x < -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(x);  // in range: exact truncation on every device
}
// Round to nearest even, as every IEEE device converts.
HPC_HD inline double itof(int64_t x) { return static_cast<double>(x); }

HPC_HD inline int64_t wrap(uint64_t x) { return static_cast<int64_t>(x); }
HPC_HD inline int64_t iadd(int64_t a, int64_t b) { return wrap(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }
HPC_HD inline int64_t isub(int64_t a, int64_t b) { return wrap(static_cast<uint64_t>(a) - static_cast<uint64_t>(b)); }
HPC_HD inline int64_t imul(int64_t a, int64_t b) { return wrap(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)); }
HPC_HD inline int64_t ineg(int64_t a) { return wrap(0 - static_cast<uint64_t>(a)); }
HPC_HD inline int64_t iabs(int64_t a) { return a < 0 ? ineg(a) : a; }
HPC_HD inline int64_t idiv(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return ineg(a);  // INT64_MIN / -1 wraps to INT64_MIN
  return a / b;
}
HPC_HD inline int64_t imod(int64_t a, int64_t b) {
  if (b == 0) return a;
  if (b == -1) return 0;
  return a % b;  // the sign of the dividend, as C and PTX define it
}
HPC_HD inline int64_t ishl(int64_t a, int64_t n) { return wrap(static_cast<uint64_t>(a) << (n & 63)); }
HPC_HD inline int64_t ishr(int64_t a, int64_t n) {
  // Arithmetic shift written without relying on implementation-defined >>.
  const uint64_t u = static_cast<uint64_t>(a) >> (n & 63);
  const uint64_t fill = (a < 0 && (n & 63) != 0) ? ~(~uint64_t{0} >> (n & 63)) : 0;
  return wrap(u | fill);
}
HPC_HD inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
HPC_HD inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

}  // namespace hpchain::vm::sem
