// Standard normal variates by inversion: Z = Phi^-1(u) for one uniform u.
//
// Phi^-1 is Wichura's algorithm AS 241 (PPND16, Applied Statistics 37(3),
// 1988): a rational function of degree 7/7 in the centre (|u - 1/2| <=
// 0.425, 85% of draws, no transcendental function) and in sqrt(-log r) in
// the tails, relative error about 1e-16. It uses + - * / and dmath::log
// and dmath::sqrt only, so every CPU and GPU gets the same bits. Inversion
// takes exactly one uniform per variate (the VM's gas is static, so
// rejection methods are out), and replaced Box-Muller's log, sqrt and cos
// per variate (compute version 3).
//
// u = (2k + 1) 2^-53 with k the top 52 bits of two Philox words: every u is
// exact, 2^-53 <= u <= 1 - 2^-53, and u and 1 - u are both on the grid, so
// Z is exactly antisymmetric and |Z| <= Phi^-1(1 - 2^-53) ~ 8.21.
#pragma once

#include <cstdint>

#include "compute/math/dmath.h"
#include "compute/philox.h"

namespace hpchain::compute {

// A uniform in the open interval (0, 1), symmetric about 1/2.
HPC_HD inline double uniform_open_open(uint32_t high, uint32_t low) {
  const uint64_t k = top53(high, low) >> 1;
  return static_cast<double>(2 * k + 1) * kTwoPowMinus53;
}

namespace normal_detail {
// c[0] + c[1] x + ... + c[7] x^7 by Estrin's scheme: the same terms as
// Horner's rule in a fixed order, with a dependency chain of 4 multiplies
// instead of 7 (the quantile is latency-bound). No contraction: the build
// forbids FMA in compute code.
HPC_HD inline double poly7(const double* c, double x) {
  const double x2 = x * x;
  const double x4 = x2 * x2;
  const double low = (c[0] + c[1] * x) + x2 * (c[2] + c[3] * x);
  const double high = (c[4] + c[5] * x) + x2 * (c[6] + c[7] * x);
  return low + x4 * high;
}
}  // namespace normal_detail

// Phi^-1(p) for 0 < p < 1 (AS 241; coefficients in ascending powers).
HPC_HD inline double normal_quantile(double p) {
  constexpr double kA[8] = {3.3871328727963666080e+0, 1.3314166789178437745e+2, 1.9715909503065514427e+3,
                            1.3731693765509461125e+4, 4.5921953931549871457e+4, 6.7265770927008700853e+4,
                            3.3430575583588128105e+4, 2.5090809287301226727e+3};
  constexpr double kB[8] = {1.0,                      4.2313330701600911252e+1, 6.8718700749205790830e+2,
                            5.3941960214247511077e+3, 2.1213794301586595867e+4, 3.9307895800092710610e+4,
                            2.8729085735721942674e+4, 5.2264952788528545610e+3};
  constexpr double kC[8] = {1.42343711074968357734e+0, 4.63033784615654529590e+0, 5.76949722146069140550e+0,
                            3.64784832476320460504e+0, 1.27045825245236838258e+0, 2.41780725177450611770e-1,
                            2.27238449892691845833e-2, 7.74545014278341407640e-4};
  constexpr double kD[8] = {1.0,                       2.05319162663775882187e+0, 1.67638483018380384940e+0,
                            6.89767334985100004550e-1, 1.48103976427480074590e-1, 1.51986665636164571966e-2,
                            5.47593808499534494600e-4, 1.05075007164441684324e-9};
  constexpr double kE[8] = {6.65790464350110377720e+0, 5.46378491116411436990e+0, 1.78482653991729133580e+0,
                            2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
                            2.71155556874348757815e-5, 2.01033439929228813265e-7};
  constexpr double kF[8] = {1.0,                       5.99832206555887937690e-1, 1.36929880922735805310e-1,
                            1.48753612908506148525e-2, 7.86869131145613259100e-4, 1.84631831751005468180e-5,
                            1.42151175831644588870e-7, 2.04426310338993978564e-15};
  using normal_detail::poly7;
  const double q = p - 0.5;
  if (dmath::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * poly7(kA, r) / poly7(kB, r);
  }
  double r = dmath::sqrt(-dmath::log(q < 0.0 ? p : 1.0 - p));
  double z;
  if (r <= 5.0) {
    r -= 1.6;
    z = poly7(kC, r) / poly7(kD, r);
  } else {
    r -= 5.0;
    z = poly7(kE, r) / poly7(kF, r);
  }
  return q < 0.0 ? -z : z;
}

// Z for sample `index` of `stream`, from words 0..1 of Philox block
// `block`: the normal-variate construction shared by every kernel that
// needs one.
HPC_HD inline double sample_normal(PhiloxKey key, uint64_t index, uint32_t stream, uint32_t block) {
  const PhiloxCounter w = sample_words(key, index, stream, block);
  return normal_quantile(uniform_open_open(w.w[0], w.w[1]));
}

}  // namespace hpchain::compute
