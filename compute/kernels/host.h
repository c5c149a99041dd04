// Host-side halves of the native kernels: parameter specs, conversion of
// validated parameters to device-ready ones, and turning an exact tally into
// result fields. The per-sample physics lives in the kernels' HPC_HD headers.
//
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "compute/job.h"
#include "compute/params.h"

namespace hpchain::compute {

struct KernelInfo {
  std::string name;
  std::string summary;
  std::vector<ParamSpec> params;
  std::vector<std::string> result_fields;
};

// pi (kernels/pi.cpp)
KernelInfo pi_info();
PiKernel::Params pi_params(const ParamSet& params);
std::vector<ResultField> pi_fields(const PointTally& tally);

// eemumu (kernels/eemumu.cpp)
KernelInfo eemumu_info();
EemumuKernel::Params eemumu_params(const ParamSet& params);
// OutOfRange when the combined sums (all bins, both w^2 slots) of an
// inconsistent tally overflow the exact accumulator; honest ones cannot.
Result<std::vector<ResultField>> eemumu_fields(const PointTally& tally);

// european_option (kernels/european_option.cpp)
KernelInfo european_option_info();
EuropeanOptionKernel::Params european_option_params(const ParamSet& params);
std::vector<ResultField> european_option_fields(const PointTally& tally);

// param_scan's own parameters (kernels/param_scan.cpp); the inner kernel's
// parameters are passed through to it.
KernelInfo param_scan_info();

// Every kernel, in a fixed order: pi, eemumu, european_option, param_scan.
const std::vector<KernelInfo>& kernel_catalog();
// nullptr when no kernel has that name.
const KernelInfo* find_kernel_info(std::string_view name);

// Mean and standard error of the mean from sum x, sum x^2 and n >= 1 (the
// error is 0 for n == 1). Shared by the kernels' result code.
struct MeanAndError {
  double mean;
  double error;
};
MeanAndError mean_and_error(double sum, double sum_squares, uint64_t n);

}  // namespace hpchain::compute
