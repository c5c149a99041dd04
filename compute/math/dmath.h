// hpchain::dmath: deterministic elementary functions for IEEE-754 binary64.
//
// Why: results of compute jobs must be bit-identical on every CPU and GPU
// (DESIGN.md section 6), and the platform libm (glibc, CUDA's libdevice)
// differs between vendors and versions. These functions are built only from
// correctly rounded +, -, *, /, sqrt, integer and bit operations, with
// compile-time constants and no tables in memory, and are compiled from this
// one source for host and device (HPC_HD). With contraction off
// (-ffp-contract=off, nvcc -fmad=false) every device computes the same bits.
//
// Accuracy: each function's maximum error measured against MPFR is listed in
// docs/math.md (all within 2 ulp unless stated there). Results are faithful,
// not correctly rounded: they are deterministic, not equal to glibc's.
//
// Special values follow C99 Annex F. Every NaN result is the one quiet NaN
// 0x7FF8000000000000 (input payloads and signs are not propagated, because
// hardware propagates them differently). Subnormal inputs and outputs are
// handled in full (no flush to zero).
//
// Thread-safety: pure functions of their arguments; callable from any thread
// and from CUDA device code. No errors are reported other than through the
// returned value (NaN, infinity, zero) as listed for each function.
#pragma once

#if defined(__FAST_MATH__) || defined(__USE_FAST_MATH__)
#error "compute/math must not be compiled with fast-math: results would differ between devices"
#endif

#include "compute/math/host_device.h"
#include "compute/math/internal/bits.h"
#include "compute/math/internal/atan.h"
#include "compute/math/internal/erf.h"
#include "compute/math/internal/exp_log.h"
#include "compute/math/internal/pow.h"
#include "compute/math/internal/trig.h"

namespace hpchain::dmath {

// e^x. exp(+inf) = +inf, exp(-inf) = +0; overflows to +inf for
// x > 709.782712893384, underflows through the subnormals to +0 below
// -745.1332191019411.
inline HPC_HD double exp(double x) { return internal::exp_impl(x); }

// e^x - 1, accurate for tiny x (expm1(x) = x for |x| < 2^-54, keeping -0).
// expm1(+inf) = +inf, expm1(-inf) = -1; overflows like exp.
inline HPC_HD double expm1(double x) { return internal::expm1_impl(x); }

// Natural logarithm. log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf,
// log(1) = +0. Subnormal arguments are exact-scaled before reduction.
inline HPC_HD double log(double x) { return internal::log_impl(x); }

// log(1 + x), accurate for tiny x. log1p(-1) = -inf, log1p(x < -1) = NaN,
// log1p(+inf) = +inf, log1p(+-0) = +-0.
inline HPC_HD double log1p(double x) { return internal::log1p_impl(x); }

// Sine and cosine of x in radians, accurate for every finite x including
// huge ones (exact Payne-Hanek reduction above 2^20 * pi/2).
// sin(+-0) = +-0; sin(+-inf) = cos(+-inf) = NaN.
inline HPC_HD double sin(double x) { return internal::sin_impl(x); }
inline HPC_HD double cos(double x) { return internal::cos_impl(x); }

// Arc tangent in [-pi/2, pi/2]. atan(+-0) = +-0, atan(+-inf) = +-pi/2.
inline HPC_HD double atan(double x) {
  if (internal::is_nan(x)) return internal::nan_value();
  return internal::atan_impl(x);
}

// The angle of the point (x, y) in [-pi, pi], with the C99 special cases:
// atan2(+-0, +0 or x > 0) = +-0, atan2(+-0, -0 or x < 0) = +-pi,
// atan2(y != 0, +-0) = +-pi/2, atan2(+-inf, +inf) = +-pi/4,
// atan2(+-inf, -inf) = +-3pi/4; NaN in either argument gives NaN.
inline HPC_HD double atan2(double y, double x) { return internal::atan2_impl(y, x); }

// x^y with the C99 special cases: pow(x, +-0) = 1 and pow(1, y) = 1 for
// any x, y (NaN included); pow(-1, +-inf) = 1; pow(x < 0 finite,
// non-integer y) = NaN; +-0 and +-inf bases give 0 or inf, negative for an
// odd integer y; overflow gives +-inf and underflow +-0. y = 1, -1, 2 and
// 0.5 are computed as x, 1/x, x*x and sqrt(x) (correctly rounded).
inline HPC_HD double pow(double x, double y) { return internal::pow_impl(x, y); }

// The error function. erf(+-0) = +-0, erf(+-inf) = +-1.
inline HPC_HD double erf(double x) { return internal::erf_impl(x); }

// The complementary error function 1 - erf(x), accurate in the tail (it
// underflows to +0 only for x >= 27.3). erfc(+inf) = +0, erfc(-inf) = 2.
inline HPC_HD double erfc(double x) { return internal::erfc_impl(x); }

// The standard normal cumulative distribution function
// Phi(x) = erfc(-x / sqrt(2)) / 2, accurate in the lower tail down to the
// subnormals (see internal/erf.h for how the division by sqrt(2) is kept
// from costing accuracy). normal_cdf(-inf) = +0, normal_cdf(+inf) = 1.
inline HPC_HD double normal_cdf(double x) { return internal::normal_cdf_impl(x); }

// Correctly rounded square root (IEEE-754 requires it, so host and device
// agree); sqrt(-0) = -0, sqrt(x < 0) = NaN, sqrt(+inf) = +inf.
inline HPC_HD double sqrt(double x) {
  if (internal::is_nan(x) || x < 0.0) return internal::nan_value();
  return internal::sqrt_rn(x);
}

// |x| by clearing the sign bit (exact). A NaN gives the canonical NaN:
// NaN payloads from hardware arithmetic differ between x86 and CUDA.
inline HPC_HD double fabs(double x) {
  if (internal::is_nan(x)) return internal::nan_value();
  return internal::from_bits(internal::to_bits(x) & ~(1ULL << 63));
}

// The largest integer not greater than x (exact). floor(+-0) = +-0,
// floor(+-inf) = +-inf, floor(-0.5) = -1.
inline HPC_HD double floor(double x) {
  const uint64_t bits = internal::to_bits(x);
  const int exponent = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
  if (exponent >= 52) return internal::is_nan(x) ? internal::nan_value() : x;  // integral
  if (exponent < 0) {  // |x| < 1
    if ((bits >> 63) == 0 || (bits << 1) == 0) return internal::from_bits(bits & (1ULL << 63));
    return -1.0;
  }
  const uint64_t fraction_mask = 0x000FFFFFFFFFFFFFULL >> exponent;
  if ((bits & fraction_mask) == 0) return x;
  uint64_t result = bits;
  if ((bits >> 63) != 0) result += (1ULL << 52) >> exponent;  // round away from 0
  return internal::from_bits(result & ~fraction_mask);
}

// x * 2^n with one rounding (gradual underflow, overflow to +-inf).
inline HPC_HD double ldexp(double x, int n) {
  if (internal::is_nan(x)) return internal::nan_value();
  return internal::scale_by_pow2(x, n);
}

}  // namespace hpchain::dmath
