// erf, erfc and the standard normal CDF. erf and erfc are fdlibm s_erf.c
// (Sun, 1993): rational approximations on [0, 0.84375), [0.84375, 1.25)
// and, for erfc, exp(-x^2 - 0.5625 + R/S(1/x^2)) / x beyond, where -x^2 is
// kept exact by splitting x (fdlibm's own error bounds: 2^-57.90 for the
// first, 2^-59.06 for the second, 2^-62.57 and 2^-61.52 for the tails).
#pragma once

#include "compute/math/internal/bits.h"
#include "compute/math/internal/exp_log.h"

namespace hpchain::dmath::internal {

// s_erf.c: erx = (float)0.84506291151 (0x3FEB0AC1 60000000),
// efx = 2/sqrt(pi) - 1 (0x3FC06EBA 8214DB69).
inline constexpr double kErx = 8.45062911510467529297e-01;
inline constexpr double kEfx = 1.28379167095512586316e-01;
inline constexpr double kEfx8 = 1.02703333676410069053e+00;

// erf(x) - x = x * P(x^2) / Q(x^2) on [0, 0.84375).
inline HPC_HD double erf_small_ratio(double z) {
  const double r = 1.28379167095512558561e-01 + z * (-3.25042107247001499370e-01 + z * (-2.84817495755985104766e-02 +
                   z * (-5.77027029648944159157e-03 + z * -2.37630166566501626084e-05)));
  const double s = 1.0 + z * (3.97917223959155352819e-01 + z * (6.50222499887672944485e-02 +
                   z * (5.08130628187576562776e-03 + z * (1.32494738004321644526e-04 + z * -3.96022827877536812320e-06))));
  return r / s;
}

// erf(1 + s) - erx on [0.84375, 1.25), s = |x| - 1.
inline HPC_HD double erf_middle(double s) {
  const double p = -2.36211856075265944077e-03 + s * (4.14856118683748331666e-01 + s * (-3.72207876035701323847e-01 +
                   s * (3.18346619901161753674e-01 + s * (-1.10894694282396677476e-01 + s * (3.54783043256182359371e-02 +
                   s * -2.16637559486879084300e-03)))));
  const double q = 1.0 + s * (1.06420880400844228286e-01 + s * (5.40397917702171048937e-01 + s * (7.18286544141962662868e-02 +
                   s * (1.26171219808761642112e-01 + s * (1.36370839120290507362e-02 + s * 1.19844998467991074170e-02)))));
  return p / q;
}

// The same two rational functions evaluated in double-double, for erfc
// and the normal CDF, where erfc's cancellation near 1.25 (erfc = 0.1549 -
// P/Q = 0.077) would turn Horner's rounding errors into 2 ulp.
inline HPC_HD DoubleDouble dd_polynomial(const double* c, int degree, DoubleDouble s) {
  DoubleDouble acc = {c[degree], 0.0};
  for (int i = degree - 1; i >= 0; --i) acc = dd_multiply_add(acc, s, c[i]);
  return acc;
}

// P/Q at z = x^2 given exactly as a double-double. Rounding x^2 to a
// double first perturbs z by up to 2^-53 relative, and near x = 0.84375,
// where x P/Q is a third of erfc, that alone cost up to 0.4 ulp of erfc.
inline HPC_HD DoubleDouble erf_small_ratio_dd(DoubleDouble z) {
  const double p[5] = {1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
                       -5.77027029648944159157e-03, -2.37630166566501626084e-05};
  const double q[6] = {1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03,
                       1.32494738004321644526e-04, -3.96022827877536812320e-06};
  return dd_divide(dd_polynomial(p, 4, z), dd_polynomial(q, 5, z));
}

inline HPC_HD DoubleDouble erf_middle_dd(double s) {
  const double p[7] = {-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
                       3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
                       -2.16637559486879084300e-03};
  const double q[7] = {1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02,
                       1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02};
  return dd_divide(dd_polynomial(p, 6, {s, 0.0}), dd_polynomial(q, 6, {s, 0.0}));
}

// erfc(x) for |x| < 1.25 as a double-double whose error is that of
// fdlibm's approximations (2^-57.9 and 2^-59.06), not of its arithmetic.
inline HPC_HD DoubleDouble erfc_central_dd(double x) {
  const bool negative = (high_word(x) >> 31) != 0;
  const double ax = negative ? -x : x;
  if (ax < 0x1.0p-56) return two_sum(1.0, -x);
  if (ax < 0.84375) {  // 1 - x - x * P/Q(x^2), x^2 exact (no underflow: ax >= 2^-56)
    const DoubleDouble y = erf_small_ratio_dd(two_product(x, x));
    const DoubleDouble p = two_product(y.hi, x);
    const DoubleDouble xy = quick_two_sum(p.hi, p.lo + y.lo * x);
    const DoubleDouble one_minus_x = two_sum(1.0, -x);
    const DoubleDouble head = two_sum(one_minus_x.hi, -xy.hi);
    return quick_two_sum(head.hi, (head.lo + one_minus_x.lo) - xy.lo);
  }
  const DoubleDouble ratio = erf_middle_dd(ax - 1.0);  // (1 - erx) -+ P/Q, 1 + erx exact
  const DoubleDouble head = negative ? two_sum(1.0 + kErx, ratio.hi) : two_sum(1.0 - kErx, -ratio.hi);
  return quick_two_sum(head.hi, head.lo + (negative ? ratio.lo : -ratio.lo));
}

// R/S(s) with s = 1/x^2 for x in [1.25, 28): the tail exponent correction
// log(x erfc(x)) + x^2 + 0.5625, fdlibm's ra/sa below 1/0.35 and rb/sb
// above. Evaluated in double-double at a double-double s: in plain double
// its rounding errors alone cost 1.4 ulp of erfc.
inline HPC_HD DoubleDouble erfc_tail_ratio(double x, DoubleDouble s) {
  if (x < 2.85714285714285714286) {  // 1/0.35
    const double r[8] = {-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01,
                         -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02,
                         -8.12874355063065934246e+01, -9.81432934416914548592e+00};
    const double q[9] = {1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02,
                         6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02,
                         6.57024977031928170135e+00, -6.04244152148580987438e-02};
    return dd_divide(dd_polynomial(r, 7, s), dd_polynomial(q, 8, s));
  }
  const double r[7] = {-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01,
                       -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03,
                       -4.83519191608651397019e+02};
  const double q[8] = {1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03,
                       3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02,
                       -2.24409524465858183362e+01};
  return dd_divide(dd_polynomial(r, 6, s), dd_polynomial(q, 7, s));
}

// numerator / x^2 in double-double.
inline HPC_HD DoubleDouble divide_by_square(double numerator, double x) {
  return dd_divide({numerator, 0.0}, two_product(x, x));
}

// erfc(ax) for ax in [1.25, 28): exp(-z^2 - 0.5625 + (z - ax)(z + ax) + R/S) / ax
// with z = ax cut to 21 bits, so z^2 and the first sum are exact; the
// exponent is kept in double-double and the division is the one rounding.
inline HPC_HD double erfc_tail(double ax) {
  const double z = clear_low_word(ax);
  const DoubleDouble ratio = erfc_tail_ratio(ax, divide_by_square(1.0, ax));
  const DoubleDouble head = two_sum(-z * z - 0.5625, ratio.hi);
  const DoubleDouble exponent = two_sum(head.hi, head.lo + ((z - ax) * (z + ax) + ratio.lo));
  return scaled_quotient(exp_extended(exponent.hi, exponent.lo), {ax, 0.0});
}

inline HPC_HD double erf_impl(double x) {
  const uint32_t high = high_word(x), abs_high = high & 0x7FFFFFFF;
  const bool negative = (high >> 31) != 0;
  if (abs_high >= 0x7FF00000) {
    if (is_nan(x)) return nan_value();
    return negative ? -1.0 : 1.0;
  }
  if (abs_high < 0x3FEB0000) {  // |x| < 0.84375
    if (abs_high < 0x3E300000) {  // |x| < 2^-28: erf(x) = 2x/sqrt(pi)
      if (abs_high < 0x00800000) return (8.0 * x + kEfx8 * x) * 0.125;  // avoids underflow of efx*x
      return x + kEfx * x;
    }
    return x + x * erf_small_ratio(x * x);
  }
  if (abs_high < 0x3FF40000) {  // |x| < 1.25
    const double middle = erf_middle((negative ? -x : x) - 1.0);
    return negative ? -kErx - middle : kErx + middle;
  }
  if (abs_high >= 0x40180000) return negative ? -1.0 : 1.0;  // |x| >= 6: rounds to +-1
  const double r = erfc_tail(negative ? -x : x);
  return negative ? r - 1.0 : 1.0 - r;
}

inline HPC_HD double erfc_impl(double x) {
  const uint32_t high = high_word(x), abs_high = high & 0x7FFFFFFF;
  const bool negative = (high >> 31) != 0;
  if (abs_high >= 0x7FF00000) {
    if (is_nan(x)) return nan_value();
    return negative ? 2.0 : 0.0;
  }
  if (abs_high < 0x3FF40000) return erfc_central_dd(x).hi;  // |x| < 1.25
  if (abs_high < 0x403C0000) {  // |x| < 28
    if (negative && abs_high >= 0x40180000) return 2.0;  // x <= -6: rounds to 2
    const double r = erfc_tail(negative ? -x : x);
    return negative ? 2.0 - r : r;
  }
  return negative ? 2.0 : 0.0;  // erfc(x >= 28) < 2^-1100 rounds to 0
}

// 1/sqrt(2) = kInvSqrt2Hi + kInvSqrt2Lo (0x3FE6A09E 667F3BCD, 0xBC8BDD34 13B26456).
inline constexpr double kInvSqrt2Hi = 7.07106781186547572737e-01;
inline constexpr double kInvSqrt2Lo = -4.83364665672645672552e-17;
inline constexpr double kTwoOverSqrtPi = 1.12837916709551255856e+00;  // 0x3FF20DD7 50429B6D

// Phi(x) = erfc(t) / 2 with t = -x / sqrt(2). Rounding t to a double would
// cost up to 2 t^2 ulps in the lower tail (erfc falls like exp(-t^2)), so:
//  - for t >= 1.25 the tail formula is evaluated from x itself, with
//    -t^2 = -x^2/2 split exactly as erfc splits -x^2 and 1/t = sqrt(2)/|x|;
//  - below, t = t_hi + t_lo in double-double and erfc(t_hi) is corrected by
//    the first-order term -t_lo * 2/sqrt(pi) * exp(-t_hi^2).
inline HPC_HD double normal_cdf_impl(double x) {
  if (is_nan(x)) return nan_value();
  // Outside [-40, 8.5] Phi rounds to 0 or 1; this also keeps the Dekker
  // split below far from overflow.
  if (x < -40.0) return 0.0;
  if (x > 8.5) return 1.0;
  const DoubleDouble product = two_product(x, kInvSqrt2Hi);
  const double t_hi_unrounded = -product.hi;
  const DoubleDouble t = quick_two_sum(t_hi_unrounded, -(product.lo + x * kInvSqrt2Lo));
  if (t.hi >= 1.25) {
    if (t.hi >= 28.0) return 0.0;  // Phi(x) < 2^-1100 rounds to 0 (x -> -inf too)
    const double ax = -x;
    const double z = clear_low_word(ax);
    const DoubleDouble ratio = erfc_tail_ratio(t.hi, divide_by_square(2.0, ax));
    const DoubleDouble head = two_sum(-(0.5 * (z * z)) - 0.5625, ratio.hi);
    const DoubleDouble exponent = two_sum(head.hi, head.lo + (0.5 * ((z - ax) * (z + ax)) + ratio.lo));
    // Phi = exp(exponent) / (2t) = exp(exponent) / (sqrt(2) |x|).
    const DoubleDouble root2_x = two_product(ax, 2.0 * kInvSqrt2Hi);
    const DoubleDouble divisor = quick_two_sum(root2_x.hi, root2_x.lo + ax * (2.0 * kInvSqrt2Lo));
    return scaled_quotient(exp_extended(exponent.hi, exponent.lo), divisor);
  }
  if (t.hi <= -6.0) return 1.0;  // erfc(t) rounds to 2
  const double correction = t.lo * kTwoOverSqrtPi * exp_impl(-(t.hi * t.hi));
  if (t.hi > -1.25) {  // subtract the correction before the one rounding
    const DoubleDouble e = erfc_central_dd(t.hi);
    return 0.5 * (e.hi + (e.lo - correction));
  }
  return 0.5 * (erfc_impl(t.hi) - correction);
}

}  // namespace hpchain::dmath::internal
