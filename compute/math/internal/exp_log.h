// exp, expm1, log and log1p. The algorithms and coefficients are those of
// Sun's fdlibm 5.3 (e_exp.c, s_expm1.c, e_log.c, s_log1p.c, as maintained
// in FreeBSD msun and musl); they use only +, -, *, / and bit operations and
// are documented there to be within 1 ulp. Coefficients are given in decimal
// with enough digits to convert to the hexadecimal values fdlibm lists.
#pragma once

#include "compute/math/internal/bits.h"

namespace hpchain::dmath::internal {

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (kLn2Hi has 32
// significant bits). fdlibm: 0x3FE62E42 FEE00000 and 0x3DEA39EF 35793C76.
inline constexpr double kLn2Hi = 6.93147180369123816490e-01;
inline constexpr double kLn2Lo = 1.90821492927058770002e-10;
inline constexpr double kInvLn2 = 1.44269504088896338700e+00;  // 0x3FF71547 652B82FE

// exp(x) overflows above kExpOverflow (0x40862E42 FEFA39EF) and is below half
// the smallest subnormal under kExpUnderflow (0xC0874910 D52D3051).
inline constexpr double kExpOverflow = 7.09782712893383973096e+02;
inline constexpr double kExpUnderflow = -7.45133219101941108420e+02;

// fdlibm e_exp.c: minimax polynomial for r*(exp(r)+1)/(exp(r)-1) on
// [0, 0.34658], |error| < 2^-59.
inline constexpr double kExpP1 = 1.66666666666666019037e-01;
inline constexpr double kExpP2 = -2.77777777770155933842e-03;
inline constexpr double kExpP3 = 6.61375632143793436117e-05;
inline constexpr double kExpP4 = -1.65339022054652515390e-06;
inline constexpr double kExpP5 = 4.13813679705723846039e-08;

// exp(hi - lo) * 2^k for |hi - lo| <= 0.5 ln 2 (with lo the tail of the
// reduced argument), as in fdlibm's e_exp.c.
inline HPC_HD double exp_reduced(double hi, double lo, int k) {
  const double r = hi - lo;
  const double z = r * r;
  const double c = r - z * (kExpP1 + z * (kExpP2 + z * (kExpP3 + z * (kExpP4 + z * kExpP5))));
  if (k == 0) return 1.0 - ((r * c) / (c - 2.0) - r);
  const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  return scale_by_pow2(y, k);
}

inline HPC_HD double exp_impl(double x) {
  if (is_nan(x)) return nan_value();
  if (x > kExpOverflow) return inf_value();
  if (x < kExpUnderflow) return 0.0;
  const uint32_t abs_high = high_word(x) & 0x7FFFFFFF;
  if (abs_high < 0x3E300000) return 1.0 + x;  // |x| < 2^-28: exp(x) rounds to 1 + x
  if (abs_high <= 0x3FD62E42) return exp_reduced(x, 0.0, 0);  // |x| <= 0.5 ln 2
  int k;
  if (abs_high < 0x3FF0A2B2) {  // |x| < 1.5 ln 2
    k = x > 0 ? 1 : -1;
  } else {
    k = static_cast<int>(kInvLn2 * x + (x < 0 ? -0.5 : 0.5));
  }
  const double kd = k;
  return exp_reduced(x - kd * kLn2Hi, kd * kLn2Lo, k);
}

// 2^exponent * (mantissa.hi + mantissa.lo): a result too wide or too
// precise for one double, rounded once by the caller.
struct ScaledDoubleDouble {
  DoubleDouble mantissa;
  int exponent;
};

// exp(a_hi + a_lo) for a_hi in [-800, 709.8] and |a_lo| <= ulp(a_hi), with
// a relative error near 2^-57 instead of exp's 0.8 ulp: the same reduction
// and polynomial, but 1 + r + r*c/(2-c) is summed in double-double and the
// tail a_lo and the reduction error are carried, not rounded away. erfc and
// the normal CDF use it so that their final division is the only rounding.
inline HPC_HD ScaledDoubleDouble exp_extended(double a_hi, double a_lo) {
  const int k = static_cast<int>(kInvLn2 * a_hi + (a_hi < 0 ? -0.5 : 0.5));
  const double kd = k;
  const double hi = a_hi - kd * kLn2Hi;  // exact
  const DoubleDouble r = two_sum(hi, a_lo - kd * kLn2Lo);
  const double z = r.hi * r.hi;
  const double c = r.hi - z * (kExpP1 + z * (kExpP2 + z * (kExpP3 + z * (kExpP4 + z * kExpP5))));
  const double q = (r.hi * c) / (2.0 - c);  // exp(r) - 1 - r
  const DoubleDouble sum = two_sum(1.0, r.hi);
  return {quick_two_sum(sum.hi, sum.lo + (q + r.lo)), k};
}

// 2^e.exponent * e.mantissa / divisor, rounded once (twice when the
// result is subnormal: to 53 bits, then by the final scaling).
inline HPC_HD double scaled_quotient(const ScaledDoubleDouble& e, const DoubleDouble& divisor) {
  const double q = e.mantissa.hi / divisor.hi;
  const DoubleDouble p = two_product(q, divisor.hi);
  const double remainder = (((e.mantissa.hi - p.hi) - p.lo) + e.mantissa.lo) - q * divisor.lo;
  return scale_by_pow2(q + remainder / divisor.hi, e.exponent);
}

// fdlibm s_expm1.c: Q1..Q5 scaled by 2^i, |error| of R1 below 2^-61.
inline constexpr double kExpm1Q1 = -3.33333333333331316428e-02;
inline constexpr double kExpm1Q2 = 1.58730158725481460165e-03;
inline constexpr double kExpm1Q3 = -7.93650757867487942473e-05;
inline constexpr double kExpm1Q4 = 4.00821782732936239552e-06;
inline constexpr double kExpm1Q5 = -2.01099218183624371326e-07;

// expm1 once x = k ln 2 + r + c is reduced (|r| <= 0.5 ln 2, c the
// reduction's rounding error): the scale-back cases of fdlibm, chosen so that
// the subtraction of 1 never cancels catastrophically.
inline HPC_HD double expm1_scale_back(double r, double c, int k) {
  const double half_r = 0.5 * r;
  const double half_r2 = r * half_r;
  const double r1 = 1.0 + half_r2 * (kExpm1Q1 + half_r2 * (kExpm1Q2 + half_r2 * (kExpm1Q3 +
                          half_r2 * (kExpm1Q4 + half_r2 * kExpm1Q5))));
  const double t = 3.0 - r1 * half_r;
  double e = half_r2 * ((r1 - t) / (6.0 - r * t));
  if (k == 0) return r - (r * e - half_r2);
  e = r * (e - c) - c;
  e -= half_r2;
  if (k == -1) return 0.5 * (r - e) - 0.5;
  if (k == 1) {
    if (r < -0.25) return -2.0 * (e - (r + 0.5));
    return 1.0 + 2.0 * (r - e);
  }
  if (k < 0 || k > 56) {  // 1 is negligible against 2^k * exp(r), or the reverse
    const double y = r - e + 1.0;
    if (k == 1024) return y * 2.0 * pow2(1023);
    return y * pow2(k) - 1.0;
  }
  const double two_to_minus_k = pow2(-k);
  if (k < 20) return (r - e + (1.0 - two_to_minus_k)) * pow2(k);
  return (r - (e + two_to_minus_k) + 1.0) * pow2(k);
}

inline HPC_HD double expm1_impl(double x) {
  const uint32_t abs_high = high_word(x) & 0x7FFFFFFF;
  const bool negative = (high_word(x) >> 31) != 0;
  if (abs_high >= 0x4043687A) {  // |x| >= 56 ln 2, or not finite
    if (is_nan(x)) return nan_value();
    if (negative) return -1.0;  // exp(x) < 2^-56: the result rounds to -1
    if (x > kExpOverflow) return inf_value();
  }
  if (abs_high < 0x3C900000) return x;  // |x| < 2^-54: expm1(x) rounds to x
  if (abs_high <= 0x3FD62E42) return expm1_scale_back(x, 0.0, 0);
  double hi, lo;
  int k;
  if (abs_high < 0x3FF0A2B2) {  // |x| < 1.5 ln 2
    k = negative ? -1 : 1;
    hi = negative ? x + kLn2Hi : x - kLn2Hi;
    lo = negative ? -kLn2Lo : kLn2Lo;
  } else {
    k = static_cast<int>(kInvLn2 * x + (negative ? -0.5 : 0.5));
    const double kd = k;
    hi = x - kd * kLn2Hi;  // exact: kLn2Hi has 32 significant bits
    lo = kd * kLn2Lo;
  }
  const double r = hi - lo;
  return expm1_scale_back(r, (hi - r) - lo, k);
}

// fdlibm e_log.c / s_log1p.c: Remez polynomial for (log(1+f) - 2s)/s with
// s = f/(2+f) on [0, 0.1716], |error| < 2^-58.45.
inline constexpr double kLg1 = 6.666666666666735130e-01;
inline constexpr double kLg2 = 3.999999999940941908e-01;
inline constexpr double kLg3 = 2.857142874366239149e-01;
inline constexpr double kLg4 = 2.222219843214978396e-01;
inline constexpr double kLg5 = 1.818357216161805012e-01;
inline constexpr double kLg6 = 1.531383769920937332e-01;
inline constexpr double kLg7 = 1.479819860511658591e-01;

// s * (f^2/2 + R(s^2)) where log(1+f) = f - f^2/2 + s * (f^2/2 + R).
inline HPC_HD double log_series(double f, double half_f2) {
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  return s * (half_f2 + (t2 + t1));
}

inline HPC_HD double log_impl(double x) {
  uint64_t bits = to_bits(x);
  uint32_t high = static_cast<uint32_t>(bits >> 32);
  int k = 0;
  if (high < 0x00100000 || (high >> 31) != 0) {  // zero, subnormal or negative
    if ((bits << 1) == 0) return -inf_value();
    if ((high >> 31) != 0) return nan_value();
    k -= 54;  // subnormal: scale into the normal range, exactly
    bits = to_bits(x * pow2(54));
    high = static_cast<uint32_t>(bits >> 32);
  } else if (high >= 0x7FF00000) {
    return is_nan(x) ? nan_value() : x;  // +inf
  } else if (bits == 0x3FF0000000000000ULL) {
    return 0.0;
  }
  // Reduce x to 2^k * (1 + f) with sqrt(2)/2 < 1 + f < sqrt(2).
  high += 0x3FF00000 - 0x3FE6A09E;
  k += static_cast<int>(high >> 20) - 0x3FF;
  high = (high & 0x000FFFFF) + 0x3FE6A09E;
  const double f = from_words(high, static_cast<uint32_t>(bits)) - 1.0;
  const double half_f2 = 0.5 * f * f;
  const double kd = k;
  return log_series(f, half_f2) + kd * kLn2Lo - half_f2 + f + kd * kLn2Hi;
}

inline HPC_HD double log1p_impl(double x) {
  const uint32_t high = high_word(x);
  const uint32_t abs_high = high & 0x7FFFFFFF;
  int k = 1;
  double f = 0.0, c = 0.0;
  uint32_t reduced_high = 0;
  if (high < 0x3FDA827A || (high >> 31) != 0) {  // 1 + x < sqrt(2), or x negative
    if ((high >> 31) != 0 && abs_high >= 0x3FF00000) {  // x <= -1 or NaN
      if (x == -1.0) return -inf_value();
      return nan_value();
    }
    if (abs_high < 0x3E200000) {  // |x| < 2^-29
      if (abs_high < 0x3C900000) return x;  // log1p(x) rounds to x
      return x - x * x * 0.5;
    }
    if ((high >> 31) == 0 || high <= 0xBFD2BEC4) {  // sqrt(2)/2 <= 1 + x < sqrt(2)
      k = 0;
      f = x;
      reduced_high = 1;
    }
  }
  if (high >= 0x7FF00000 && (high >> 31) == 0) return is_nan(x) ? nan_value() : x;
  if (k != 0) {
    double u;
    if ((high >> 31) != 0 || high < 0x43400000) {  // x < 2^53: keep the error c of 1 + x
      u = 1.0 + x;
      k = static_cast<int>(high_word(u) >> 20) - 1023;
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0);
      c /= u;
    } else {
      u = x;
      k = static_cast<int>(high_word(u) >> 20) - 1023;
    }
    reduced_high = high_word(u) & 0x000FFFFF;
    if (reduced_high < 0x6A09E) {  // mantissa below sqrt(2): u / 2^k
      u = from_words(reduced_high | 0x3FF00000, low_word(u));
    } else {  // u / 2^(k+1)
      k += 1;
      u = from_words(reduced_high | 0x3FE00000, low_word(u));
      reduced_high = (0x00100000 - reduced_high) >> 2;
    }
    f = u - 1.0;
  }
  const double half_f2 = 0.5 * f * f;
  const double kd = k;
  if (reduced_high == 0) {  // |f| < 2^-20: a short series is enough
    if (f == 0.0) {
      if (k == 0) return 0.0;
      return kd * kLn2Hi + (c + kd * kLn2Lo);
    }
    const double r = half_f2 * (1.0 - 0.66666666666666666 * f);
    if (k == 0) return f - r;
    return kd * kLn2Hi - ((r - (kd * kLn2Lo + c)) - f);
  }
  const double s_term = log_series(f, half_f2);
  if (k == 0) return f - (half_f2 - s_term);
  return kd * kLn2Hi - ((half_f2 - (s_term + (kd * kLn2Lo + c))) - f);
}

}  // namespace hpchain::dmath::internal
