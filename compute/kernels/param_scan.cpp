#include <cmath>

#include "compute/kernels/host.h"

namespace hpchain::compute {

// param_scan runs one native kernel at `points` evenly spaced values of one
// of its real parameters; the other parameters pass through unchanged. The
// range check of `from` and `to` is the inner kernel's own.
KernelInfo param_scan_info() {
  return KernelInfo{
      "param_scan",
      "a grid over one parameter of another kernel, each point its own Philox stream; "
      "other parameters pass through to that kernel",
      {
          {"kernel", ParamType::kChoice, true, 0.0, 0.0, 0.0, {"eemumu", "european_option"},
           "the kernel to scan"},
          {"scan", ParamType::kChoice, true, 0.0, 0.0, 0.0,
           {"sqrt_s", "alpha", "mz", "gz", "sin2w", "s0", "strike", "rate", "sigma", "maturity"},
           "the real parameter of that kernel to vary"},
          {"from", ParamType::kReal, true, 0.0, -1e6, 1e6, {}, "first grid value"},
          {"to", ParamType::kReal, true, 0.0, -1e6, 1e6, {}, "last grid value"},
          {"points", ParamType::kInteger, false, 24.0, 2.0, 4096.0, {},
           "number of grid points; samples must be a multiple of it"},
      },
      {"points: [{value, result}]"}};
}

const std::vector<KernelInfo>& kernel_catalog() {
  static const std::vector<KernelInfo> catalog = {pi_info(), eemumu_info(),
                                                  european_option_info(), param_scan_info()};
  return catalog;
}

const KernelInfo* find_kernel_info(std::string_view name) {
  for (const auto& info : kernel_catalog()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

MeanAndError mean_and_error(double sum, double sum_squares, uint64_t n) {
  HPC_ASSERT(n > 0);
  const double count = static_cast<double>(n);
  const double mean = sum / count;
  if (n == 1) return {mean, 0.0};
  const double variance = (sum_squares / count - mean * mean) * (count / (count - 1.0));
  return {mean, std::sqrt(variance > 0.0 ? variance / count : 0.0)};
}

}  // namespace hpchain::compute
