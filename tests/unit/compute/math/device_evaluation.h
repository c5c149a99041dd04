// The one evaluation both sides of the device test run: every dmath
// function at one argument, compiled for host and device from this source.
#pragma once

#include "compute/math/dmath.h"

namespace hpchain::dmath::testing {

inline constexpr int kDeviceResultsPerPoint = 27;

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
  out[16] = dmath::atan2(0.75, x);   // x < 0 and x = +-0 branches
  out[17] = dmath::atan2(x, -0.75);
  out[18] = dmath::pow(1.0 + x * 0x1p-40, 0x1p40);  // |y| > 2^31 path
  out[19] = dmath::pow(x, -1.0);
  out[20] = dmath::pow(x, 0.5);
  out[21] = dmath::pow(x, -2.5);
  out[22] = dmath::sqrt(x);
  out[23] = dmath::fabs(x);
  out[24] = dmath::ldexp(x, 37);
  out[25] = dmath::sin(x * 1.5707963267948966);  // near multiples of pi/2
  out[26] = dmath::atan2(0.8 * x, -x);  // rescaled division tail for huge and tiny x
}

enum class DeviceRun { kOk, kNoDevice, kFailed };

// Evaluates evaluate_all at each of `count` arguments on the first CUDA
// device, writing kDeviceResultsPerPoint results per point to `out`.
// kNoDevice when no CUDA device exists; kFailed (with `error` set) when a
// device exists but an allocation, copy or the launch failed, which a test
// must report as a failure, not a skip.
DeviceRun evaluate_all_on_device(const double* arguments, double* out, int count, const char** error);

}  // namespace hpchain::dmath::testing
