// sin and cos: fdlibm's kernels on [-pi/4, pi/4] (k_sin.c, k_cos.c, degree
// 13 and 14 polynomials with |error| < 2^-58) after the reduction of
// rem_pio2.h. fdlibm documents both as within 1 ulp.
#pragma once

#include "compute/math/internal/bits.h"
#include "compute/math/internal/rem_pio2.h"

namespace hpchain::dmath::internal {

// k_sin.c coefficients (0xBFC55555 55555549, ...).
inline constexpr double kSinS1 = -1.66666666666666324348e-01;
inline constexpr double kSinS2 = 8.33333333332248946124e-03;
inline constexpr double kSinS3 = -1.98412698298579493134e-04;
inline constexpr double kSinS4 = 2.75573137070700676789e-06;
inline constexpr double kSinS5 = -2.50507602534068634195e-08;
inline constexpr double kSinS6 = 1.58969099521155010221e-10;

// k_cos.c coefficients (0x3FA55555 5555554C, ...).
inline constexpr double kCosC1 = 4.16666666666666019037e-02;
inline constexpr double kCosC2 = -1.38888888888741095749e-03;
inline constexpr double kCosC3 = 2.48015872894767294178e-05;
inline constexpr double kCosC4 = -2.75573143513906633035e-07;
inline constexpr double kCosC5 = 2.08757232129817482790e-09;
inline constexpr double kCosC6 = -1.13596475577881948265e-11;

// sin(x + y) for |x + y| <= ~pi/4, y the tail of x; has_tail selects
// fdlibm's formula with the tail correction (used after every reduction).
inline HPC_HD double sin_kernel(double x, double y, bool has_tail = true) {
  const double z = x * x;
  const double w = z * z;
  const double r = kSinS2 + z * (kSinS3 + z * kSinS4) + z * w * (kSinS5 + z * kSinS6);
  const double v = z * x;
  if (!has_tail) return x + v * (kSinS1 + z * r);
  return x - ((z * (0.5 * y - v * r) - y) - v * kSinS1);
}

// cos(x + y) for |x + y| <= ~pi/4. 1 - x^2/2 is split into w + ((1-w) - hz)
// exactly, which keeps the result within 1 ulp near pi/4.
inline HPC_HD double cos_kernel(double x, double y) {
  const double z = x * x;
  const double w = z * z;
  const double r = z * (kCosC1 + z * (kCosC2 + z * kCosC3)) + w * w * (kCosC4 + z * (kCosC5 + z * kCosC6));
  const double half_z = 0.5 * z;
  const double one_minus = 1.0 - half_z;
  return one_minus + (((1.0 - one_minus) - half_z) + (z * r - x * y));
}

inline HPC_HD double sin_impl(double x) {
  const uint32_t abs_high = high_word(x) & 0x7FFFFFFF;
  if (abs_high <= 0x3FE921FB) {  // |x| <= ~pi/4
    if (abs_high < 0x3E500000) return x;  // |x| < 2^-26: sin(x) rounds to x (keeps -0)
    return sin_kernel(x, 0.0, /*has_tail=*/false);
  }
  if (abs_high >= 0x7FF00000) return nan_value();  // sin(inf), sin(NaN)
  DoubleDouble y;
  switch (rem_pio2(x, &y) & 3) {
    case 0: return sin_kernel(y.hi, y.lo);
    case 1: return cos_kernel(y.hi, y.lo);
    case 2: return -sin_kernel(y.hi, y.lo);
    default: return -cos_kernel(y.hi, y.lo);
  }
}

inline HPC_HD double cos_impl(double x) {
  const uint32_t abs_high = high_word(x) & 0x7FFFFFFF;
  if (abs_high <= 0x3FE921FB) {
    if (abs_high < 0x3E46A09E) return 1.0;  // |x| < 2^-27 sqrt(2): rounds to 1
    return cos_kernel(x, 0.0);
  }
  if (abs_high >= 0x7FF00000) return nan_value();
  DoubleDouble y;
  switch (rem_pio2(x, &y) & 3) {
    case 0: return cos_kernel(y.hi, y.lo);
    case 1: return -sin_kernel(y.hi, y.lo);
    case 2: return -cos_kernel(y.hi, y.lo);
    default: return sin_kernel(y.hi, y.lo);
  }
}

}  // namespace hpchain::dmath::internal
