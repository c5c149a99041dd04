// pow(x, y): fdlibm e_pow.c (Sun, 2004). log2|x| is computed in two pieces
// (t1 + t2, t1 with 29 trailing zero bits) by simulated extra precision,
// multiplied by y split the same way, and 2^(y log2|x|) evaluated with the
// exp polynomial. No FMA is needed: every split product is exact by
// construction. fdlibm documents the result as "nearly rounded"; the
// measured error is in docs/math.md.
#pragma once

#include "compute/math/internal/bits.h"
#include "compute/math/internal/exp_log.h"

namespace hpchain::dmath::internal {

// e_pow.c constants, with the hexadecimal values fdlibm lists.
inline constexpr double kPowDpH = 5.84962487220764160156e-01;  // log2(1.5) high, 0x3FE2B803 40000000
inline constexpr double kPowDpL = 1.35003920212974897128e-08;  // log2(1.5) low, 0x3E4CFDEB 43CFD006
// Polynomial for (3/2)(log(x) - 2s - 2/3 s^3), 0x3FE33333 33333303, ...
inline constexpr double kPowL1 = 5.99999999999994648725e-01;
inline constexpr double kPowL2 = 4.28571428578550184252e-01;
inline constexpr double kPowL3 = 3.33333329818377432918e-01;
inline constexpr double kPowL4 = 2.72728123808534006489e-01;
inline constexpr double kPowL5 = 2.30660745775561754067e-01;
inline constexpr double kPowL6 = 2.06975017800338417784e-01;
inline constexpr double kPowLg2 = 6.93147180559945286227e-01;     // 0x3FE62E42 FEFA39EF
inline constexpr double kPowLg2H = 6.93147182464599609375e-01;    // 0x3FE62E43 00000000
inline constexpr double kPowLg2L = -1.90465429995776804525e-09;   // 0xBE205C61 0CA86C39
inline constexpr double kPowOvt = 8.0085662595372944372e-17;      // -(1024 - log2(ovfl + .5ulp))
inline constexpr double kPowCp = 9.61796693925975554329e-01;      // 2/(3 ln 2), 0x3FEEC709 DC3A03FD
inline constexpr double kPowCpH = 9.61796700954437255859e-01;     // 0x3FEEC709 E0000000
inline constexpr double kPowCpL = -7.02846165095275826516e-09;    // 0xBE3E2FE0 145B01F5
inline constexpr double kPowIvln2 = 1.44269504088896338700e+00;   // 0x3FF71547 652B82FE
inline constexpr double kPowIvln2H = 1.44269502162933349609e+00;  // 0x3FF71547 60000000
inline constexpr double kPowIvln2L = 1.92596299112661746887e-08;  // 0x3E54AE0B F85DDF44

// 0 if y is not an integer, 1 if odd, 2 if even (for |y| finite, nonzero).
inline HPC_HD int integer_kind(double y) {
  const uint32_t iy = high_word(y) & 0x7FFFFFFF, ly = low_word(y);
  if (iy >= 0x43400000) return 2;  // |y| >= 2^53: even
  if (iy < 0x3FF00000) return 0;
  const int k = static_cast<int>(iy >> 20) - 0x3FF;
  if (k > 20) {
    const uint32_t j = ly >> (52 - k);
    return (j << (52 - k)) == ly ? 2 - static_cast<int>(j & 1) : 0;
  }
  if (ly != 0) return 0;
  const uint32_t j = iy >> (20 - k);
  return (j << (20 - k)) == iy ? 2 - static_cast<int>(j & 1) : 0;
}

// log2(ax) = t1 + t2 for finite ax > 0, t1 with its low word cleared.
inline HPC_HD DoubleDouble pow_log2(double ax) {
  uint32_t ix = high_word(ax);
  int n = 0;
  if (ix < 0x00100000) {  // subnormal: scale by 2^53 exactly
    ax *= 9007199254740992.0;
    n -= 53;
    ix = high_word(ax);
  }
  n += static_cast<int>(ix >> 20) - 0x3FF;
  const uint32_t j = ix & 0x000FFFFF;
  ix = j | 0x3FF00000;
  int k;
  if (j <= 0x3988E) {
    k = 0;  // |x| < sqrt(3/2)
  } else if (j < 0xBB67A) {
    k = 1;  // |x| < sqrt(3)
  } else {
    k = 0;
    n += 1;
    ix -= 0x00100000;
  }
  ax = from_words(ix, low_word(ax));
  const double bp = k == 0 ? 1.0 : 1.5;
  const double dp_h = k == 0 ? 0.0 : kPowDpH, dp_l = k == 0 ? 0.0 : kPowDpL;
  // ss = s_h + s_l = (x - bp) / (x + bp)
  const double u = ax - bp;
  const double v = 1.0 / (ax + bp);
  const double ss = u * v;
  const double s_h = clear_low_word(ss);
  double t_h = from_words(((ix >> 1) | 0x20000000) + 0x00080000 + (static_cast<uint32_t>(k) << 18), 0);
  double t_l = ax - (t_h - bp);
  const double s_l = v * ((u - s_h * t_h) - s_h * t_l);
  // log(ax) in pieces
  double s2 = ss * ss;
  double r = s2 * s2 * (kPowL1 + s2 * (kPowL2 + s2 * (kPowL3 + s2 * (kPowL4 + s2 * (kPowL5 + s2 * kPowL6)))));
  r += s_l * (s_h + ss);
  s2 = s_h * s_h;
  t_h = clear_low_word(3.0 + s2 + r);
  t_l = r - ((t_h - 3.0) - s2);
  const double uu = s_h * t_h;
  const double vv = s_l * t_h + t_l * ss;
  const double p_h = clear_low_word(uu + vv);
  const double p_l = vv - (p_h - uu);
  const double z_h = kPowCpH * p_h;
  const double z_l = kPowCpL * p_h + p_l * kPowCp + dp_l;
  const double t = n;
  const double t1 = clear_low_word(((z_h + z_l) + dp_h) + t);
  return {t1, z_l - (((t1 - t) - dp_h) - z_h)};
}

// log2(ax) = t1 + t2 when |ax - 1| <= 2^-20, by a short series.
inline HPC_HD DoubleDouble pow_log2_near_one(double ax) {
  const double t = ax - 1.0;  // exact, with 20 trailing zeros
  const double w = (t * t) * (0.5 - t * (0.3333333333333333333333 - t * 0.25));
  const double u = kPowIvln2H * t;
  const double v = t * kPowIvln2L - w * kPowIvln2;
  const double t1 = clear_low_word(u + v);
  return {t1, v - (t1 - u)};
}

// sign * 2^(p_h + p_l) once the product y * log2|x| = p_h + p_l is known.
inline HPC_HD double pow_exp2(double p_h, double p_l, double sign) {
  const double z = p_l + p_h;
  const int32_t j = static_cast<int32_t>(high_word(z));
  const uint32_t i_low = low_word(z);
  if (j >= 0x40900000) {  // z >= 1024
    if (((static_cast<uint32_t>(j) - 0x40900000) | i_low) != 0) return sign * inf_value();
    if (p_l + kPowOvt > z - p_h) return sign * inf_value();
  } else if ((j & 0x7FFFFFFF) >= 0x4090CC00) {  // z <= -1075
    if (((static_cast<uint32_t>(j) - 0xC090CC00u) | i_low) != 0) return sign * 0.0;
    if (p_l <= z - p_h) return sign * 0.0;
  }
  const int32_t i = j & 0x7FFFFFFF;
  int k = (i >> 20) - 0x3FF;
  int32_t n = 0;
  if (i > 0x3FE00000) {  // |z| > 0.5: n = nearest integer to z
    n = j + (0x00100000 >> (k + 1));
    k = ((n & 0x7FFFFFFF) >> 20) - 0x3FF;
    const double t = from_words(static_cast<uint32_t>(n & ~(0x000FFFFF >> k)), 0);
    n = ((n & 0x000FFFFF) | 0x00100000) >> (20 - k);
    if (j < 0) n = -n;
    p_h -= t;
  }
  const double t = clear_low_word(p_l + p_h);
  const double u = t * kPowLg2H;
  const double v = (p_l - (t - p_h)) * kPowLg2 + t * kPowLg2L;
  const double zz = u + v;
  const double w = v - (zz - u);
  const double t2 = zz * zz;
  const double t1 = zz - t2 * (kExpP1 + t2 * (kExpP2 + t2 * (kExpP3 + t2 * (kExpP4 + t2 * kExpP5))));
  const double r = (zz * t1) / (t1 - 2.0) - (w + zz * w);
  const double result = 1.0 - (r - zz);
  const int32_t scaled_high = static_cast<int32_t>(high_word(result)) + n * (1 << 20);
  if ((scaled_high >> 20) <= 0) return sign * scale_by_pow2(result, n);  // subnormal output
  return sign * from_words(static_cast<uint32_t>(scaled_high), low_word(result));
}

// Special cases of C99 F.9.4.4 that the main path does not produce. Returns
// true with *result set when one applies.
inline HPC_HD bool pow_special(double x, double y, int y_kind, double* result) {
  const uint32_t ix = high_word(x) & 0x7FFFFFFF, iy = high_word(y) & 0x7FFFFFFF;
  const bool x_negative = (high_word(x) >> 31) != 0, y_negative = (high_word(y) >> 31) != 0;
  if ((to_bits(y) << 1) == 0 || to_bits(x) == 0x3FF0000000000000ULL) {
    *result = 1.0;  // x^0 = 1 and 1^y = 1, even for NaN
  } else if (is_nan(x) || is_nan(y)) {
    *result = nan_value();
  } else if (iy == 0x7FF00000 && low_word(y) == 0) {  // y = +-inf
    if (ix == 0x3FF00000 && low_word(x) == 0) {
      *result = 1.0;  // (-1)^+-inf = 1
    } else {
      const bool big = ix >= 0x3FF00000;  // |x| > 1
      *result = (big != y_negative) ? inf_value() : 0.0;
    }
  } else if ((to_bits(x) << 1) == 0 || ix == 0x7FF00000) {  // x = +-0 or +-inf
    // |x|^y is 0 or inf; the sign is x's only for odd integer y.
    const bool zero = (to_bits(x) << 1) == 0;
    double z = (zero != y_negative) ? 0.0 : inf_value();
    if (x_negative && y_kind == 1) z = -z;
    *result = z;
  } else if (to_bits(x) == 0xBFF0000000000000ULL && y_kind != 0) {
    *result = y_kind == 1 ? -1.0 : 1.0;  // (-1)^integer, even for |y| >= 2^64
  } else if (x_negative && y_kind == 0) {
    *result = nan_value();  // negative finite x to a non-integer power
  } else {
    return false;
  }
  return true;
}

inline HPC_HD double pow_impl(double x, double y) {
  const int y_kind = (to_bits(y) << 1) == 0 || is_nan(y) ? 0 : integer_kind(y);
  double special;
  if (pow_special(x, y, y_kind, &special)) return special;
  const uint32_t ix = high_word(x) & 0x7FFFFFFF, iy = high_word(y) & 0x7FFFFFFF;
  const bool y_negative = (high_word(y) >> 31) != 0;
  const double sign = ((high_word(x) >> 31) != 0 && y_kind == 1) ? -1.0 : 1.0;
  if (to_bits(y) == 0x3FF0000000000000ULL) return x;  // y == 1: exact
  if (to_bits(y) == 0xBFF0000000000000ULL) return 1.0 / x;  // y == -1: one rounding
  if (to_bits(y) == 0x4000000000000000ULL) return x * x;  // y == 2: one rounding
  if (to_bits(y) == 0x3FE0000000000000ULL && (high_word(x) >> 31) == 0) return sqrt_rn(x);  // y == 0.5
  const double ax = from_bits(to_bits(x) & ~(1ULL << 63));
  DoubleDouble log2x;
  if (iy > 0x41E00000) {  // |y| > 2^31
    if (iy > 0x43F00000) {  // |y| > 2^64: must over- or underflow
      if (ix <= 0x3FEFFFFF) return y_negative ? inf_value() : 0.0;
      if (ix >= 0x3FF00000) return y_negative ? 0.0 : inf_value();
    }
    if (ix < 0x3FEFFFFF) return y_negative ? sign * inf_value() : sign * 0.0;
    if (ix > 0x3FF00000) return y_negative ? sign * 0.0 : sign * inf_value();
    log2x = pow_log2_near_one(ax);
  } else {
    log2x = pow_log2(ax);
  }
  // (y1 + y2) * (t1 + t2) with y1 = y with its low word cleared.
  const double y1 = clear_low_word(y);
  const double p_l = (y - y1) * log2x.hi + y * log2x.lo;
  const double p_h = y1 * log2x.hi;
  return pow_exp2(p_h, p_l, sign);
}

}  // namespace hpchain::dmath::internal
