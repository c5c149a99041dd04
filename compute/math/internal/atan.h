// atan and atan2: fdlibm s_atan.c / e_atan2.c. The argument is reduced to
// |t| <= 7/16 around one of atan(0.5), atan(1), atan(1.5), atan(inf), whose
// values are kept in two pieces; a degree-22 odd polynomial does the rest.
#pragma once

#include "compute/math/internal/bits.h"

namespace hpchain::dmath::internal {

// atan(x + tail) for x not NaN and |tail| <= ulp(x): the tail (atan2's
// rounding error of y/x) enters as tail / (1 + x^2) before the last
// rounding instead of being lost.
inline HPC_HD double atan_impl(double x, double tail = 0.0) {
  // atan(0.5), atan(1), atan(1.5), atan(inf) as hi + lo
  // (0x3FDDAC67 0561BB4F / 0x3C7A2B7F 222F65E2, ...).
  const double atan_hi[4] = {4.63647609000806093515e-01, 7.85398163397448278999e-01,
                             9.82793723247329054082e-01, 1.57079632679489655800e+00};
  const double atan_lo[4] = {2.26987774529616870924e-17, 3.06161699786838301793e-17,
                             1.39033110312309984516e-17, 6.12323399573676603587e-17};
  // s_atan.c polynomial coefficients aT[0..10] (0x3FD55555 5555550D, ...).
  const double a[11] = {3.33333333333329318027e-01, -1.99999999998764832476e-01, 1.42857142725034663711e-01,
                        -1.11111104054623557880e-01, 9.09088713343650656196e-02, -7.69187620504482999495e-02,
                        6.66107313738753120669e-02, -5.83357013379057348645e-02, 4.97687799461593236017e-02,
                        -3.65315727442169155270e-02, 1.62858201153657823623e-02};
  const bool negative = (high_word(x) >> 31) != 0;
  const uint32_t abs_high = high_word(x) & 0x7FFFFFFF;
  if (abs_high >= 0x44100000) {  // |x| >= 2^66: atan(x) rounds to +-pi/2
    const double z = atan_hi[3] + atan_lo[3];
    return negative ? -z : z;
  }
  // The tail's contribution, for |x| (the result's sign is applied last).
  const double correction = tail == 0.0 ? 0.0 : (negative ? -tail : tail) / (1.0 + x * x);
  int id;
  if (abs_high < 0x3FDC0000) {  // |x| < 7/16
    if (abs_high < 0x3E400000) return tail == 0.0 ? x : x + tail;  // |x| < 2^-27 (keeps -0)
    id = -1;
  } else {
    x = negative ? -x : x;
    if (abs_high < 0x3FF30000) {  // |x| < 19/16
      if (abs_high < 0x3FE60000) {  // 7/16 <= |x| < 11/16
        id = 0;
        x = (2.0 * x - 1.0) / (2.0 + x);
      } else {  // 11/16 <= |x| < 19/16
        id = 1;
        x = (x - 1.0) / (x + 1.0);
      }
    } else if (abs_high < 0x40038000) {  // |x| < 39/16
      id = 2;
      x = (x - 1.5) / (1.0 + 1.5 * x);
    } else {  // 39/16 <= |x| < 2^66
      id = 3;
      x = -1.0 / x;
    }
  }
  const double z = x * x;
  const double w = z * z;
  // Odd and even halves of the polynomial, evaluated in parallel.
  const double s1 = z * (a[0] + w * (a[2] + w * (a[4] + w * (a[6] + w * (a[8] + w * a[10])))));
  const double s2 = w * (a[1] + w * (a[3] + w * (a[5] + w * (a[7] + w * a[9]))));
  if (id < 0) return x - (x * (s1 + s2) - (negative ? -correction : correction));
  const double result = atan_hi[id] - ((x * (s1 + s2) - (atan_lo[id] + correction)) - x);
  return negative ? -result : result;
}

// pi (0x400921FB 54442D18) and its tail (0x3CA1A626 33145C07).
inline constexpr double kPi = 3.1415926535897931160e+00;
inline constexpr double kPiLo = 1.2246467991473531772e-16;

// atan2 for x = +-inf, by quadrant (2 * sign(x) + sign(y)).
inline HPC_HD double atan2_infinite_x(int quadrant, bool y_infinite) {
  if (y_infinite) {
    switch (quadrant) {
      case 0: return 0.25 * kPi;
      case 1: return -0.25 * kPi;
      case 2: return 0.75 * kPi;  // rounds like fdlibm's 3*pi/4 (both are 3 * pi / 4)
      default: return -0.75 * kPi;
    }
  }
  switch (quadrant) {
    case 0: return 0.0;
    case 1: return -0.0;
    case 2: return kPi;
    default: return -kPi;
  }
}

// True when |v| lies in [2^-911, 2^913). When y and x both do and
// |y/x| < 2^65, Dekker's product q*x cannot overflow (its split needs
// operands below 2^995) and its partial products, multiples of about
// 2^-104 |y|, are exact.
inline HPC_HD bool in_division_tail_window(double v) {
  const uint32_t high = high_word(v) & 0x7FFFFFFF;
  return high >= 0x07000000 && high < 0x78F00000;
}

// The rounding error of q = y/x for finite, non-zero y and x with
// |y/x| < 2^65: y/x = q + (y - q*x)/x exactly.
//  - For |q| < 2^-900 the tail is dropped: atan(y/x) is y/x to a relative
//    2^-1800, so q = fl(y/x) is within half an ulp of it (up to that). Kept,
//    the tail (below 2^-953) would be rounded to a multiple of 2^-1074 for
//    |q| < 2^-969, where it can reach half an ulp of q and move a good q.
//  - Otherwise y and x are brought into the window above, if not there
//    yet, by the same power of two: 2^-512 when one is at least 2^913,
//    2^512 when one is below 2^-911. With 2^-900 <= |y/x| < 2^65 both land
//    inside, so the scaling is exact and leaves y/x, hence q, unchanged.
//    The check after it only guards that argument.
inline HPC_HD double atan2_division_tail(double y, double x, double q) {
  if ((high_word(q) & 0x7FFFFFFF) < 0x07B00000) return 0.0;  // |q| < 2^-900
  if (!in_division_tail_window(y) || !in_division_tail_window(x)) {
    const uint32_t ix = high_word(x) & 0x7FFFFFFF, iy = high_word(y) & 0x7FFFFFFF;
    const double scale = (ix >= 0x78F00000 || iy >= 0x78F00000) ? pow2(-512) : pow2(512);
    y *= scale;
    x *= scale;
    if (!in_division_tail_window(y) || !in_division_tail_window(x)) return 0.0;
  }
  const DoubleDouble p = two_product(q, x);
  return ((y - p.hi) - p.lo) / x;
}

inline HPC_HD double atan2_impl(double y, double x) {
  if (is_nan(x) || is_nan(y)) return nan_value();
  if (to_bits(x) == 0x3FF0000000000000ULL) return atan_impl(y);  // x == 1
  // quadrant = 2 * sign(x) + sign(y)
  const int quadrant = static_cast<int>((high_word(y) >> 31) | ((high_word(x) >> 30) & 2));
  const uint32_t ix = high_word(x) & 0x7FFFFFFF, iy = high_word(y) & 0x7FFFFFFF;
  const bool x_zero = (to_bits(x) << 1) == 0, y_zero = (to_bits(y) << 1) == 0;
  if (y_zero) {
    switch (quadrant) {
      case 0:
      case 1: return y;  // atan2(+-0, +anything) = +-0
      case 2: return kPi;  // atan2(+0, -anything) = pi
      default: return -kPi;  // atan2(-0, -anything) = -pi
    }
  }
  const double half_pi = 0.5 * kPi;
  if (x_zero) return (quadrant & 1) != 0 ? -half_pi : half_pi;
  if (ix == 0x7FF00000) return atan2_infinite_x(quadrant, iy == 0x7FF00000);
  if (ix + (64u << 20) < iy || iy == 0x7FF00000) {  // |y/x| > 2^64
    return (quadrant & 1) != 0 ? -half_pi : half_pi;
  }
  double z;
  if ((quadrant & 2) != 0 && iy + (64u << 20) < ix) {
    z = 0.0;  // |y/x| < 2^-64 with x < 0: the result rounds to +-pi
  } else {
    // |y/x| by clearing the sign bit (y/x may underflow to -0), and the
    // rounding error of the division, which atan adds before its last rounding.
    const double q = y / x;
    const double tail = atan2_division_tail(y, x, q);
    const bool q_negative = (high_word(q) >> 31) != 0;
    z = atan_impl(from_bits(to_bits(q) & ~(1ULL << 63)), q_negative ? -tail : tail);
  }
  switch (quadrant) {
    case 0: return z;
    case 1: return -z;
    case 2: {  // pi - z with pi in two parts and one final rounding
      const DoubleDouble d = two_sum(kPi, -z);
      return d.hi + (d.lo + kPiLo);
    }
    default: {
      const DoubleDouble d = two_sum(z, -kPi);
      return d.hi + (d.lo - kPiLo);
    }
  }
}

}  // namespace hpchain::dmath::internal
