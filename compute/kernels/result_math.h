// Host-side statistics shared by the kernels' finalize code. Results are
// covered by the digest, so they use the deterministic math library too.
#pragma once

#include <cstdint>

#include "chain/check.h"
#include "compute/math/dmath.h"

namespace hpchain::compute {

struct MeanAndError {
  double mean;
  double error;
};

// Mean and standard error of the mean from sum x, sum x^2 and n >= 1 (the
// error is 0 for n == 1).
inline MeanAndError mean_and_error(double sum, double sum_squares, uint64_t n) {
  HPC_ASSERT(n > 0);
  const double count = static_cast<double>(n);
  const double mean = sum / count;
  if (n == 1) return {mean, 0.0};
  const double variance = (sum_squares / count - mean * mean) * (count / (count - 1.0));
  return {mean, dmath::sqrt(variance > 0.0 ? variance / count : 0.0)};
}

}  // namespace hpchain::compute
