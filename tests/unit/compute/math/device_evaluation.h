// The one evaluation both sides of the device test run: every dmath
// function at one argument, compiled for host and device from this source.
#pragma once

#include "compute/math/dmath.h"

namespace hpchain::dmath::testing {

inline constexpr int kDeviceResultsPerPoint = 16;

inline HPC_HD void evaluate_all(double x, double* out) {
  out[0] = dmath::exp(x);
  out[1] = dmath::expm1(x);
  out[2] = dmath::log(x);
  out[3] = dmath::log1p(x);
  out[4] = dmath::sin(x);
  out[5] = dmath::cos(x);
  out[6] = dmath::atan2(x, 0.75);
  out[7] = dmath::pow(x, 1.37);
  out[8] = dmath::erf(x);
  out[9] = dmath::erfc(x);
  out[10] = dmath::normal_cdf(x);
  out[11] = dmath::floor(x);
  out[12] = dmath::ldexp(x, -1070);  // subnormal results
  out[13] = dmath::pow(-x, 3.0);
  out[14] = dmath::sin(x * 1e300);  // Payne-Hanek reduction
  out[15] = dmath::atan(x);
}

// Evaluates evaluate_all at each of `count` arguments on the first CUDA
// device, writing kDeviceResultsPerPoint results per point to `out`.
// Returns false (and writes nothing) when no CUDA device is usable.
bool evaluate_all_on_device(const double* arguments, double* out, int count);

}  // namespace hpchain::dmath::testing
