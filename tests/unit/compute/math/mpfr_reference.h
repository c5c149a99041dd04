// MPFR references for the dmath accuracy tests: the exact value of each
// function at 128 bits, and the distance of a double result from it in ulps.
#pragma once

#include <mpfr.h>

#include <cstdint>

namespace hpchain::dmath::testing {

using MpfrUnary = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
using MpfrBinary = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_srcptr, mpfr_rnd_t);

// Phi(x) = erfc(-x / sqrt(2)) / 2, evaluated at the precision of `result`.
int mpfr_normal_cdf(mpfr_ptr result, mpfr_srcptr x, mpfr_rnd_t rounding);

// |computed - f(x)| in units of the last place of f(x) as a binary64 number
// (the ulp of the nearest subnormal spacing below 2^-1022). Returns 0 when
// both are the same NaN / infinity / overflowing value, and +inf when they
// disagree in kind (a NaN or an infinity where the other is finite).
double ulp_error(MpfrUnary f, double x, double computed);
double ulp_error(MpfrBinary f, double x, double y, double computed);

// f(x) correctly rounded to binary64 (with gradual underflow and overflow).
double correctly_rounded(MpfrUnary f, double x);
double correctly_rounded(MpfrBinary f, double x, double y);

}  // namespace hpchain::dmath::testing
