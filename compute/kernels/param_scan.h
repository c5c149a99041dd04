// param_scan: a grid over one real parameter of any registered kernel.
// Point i runs that kernel at the i-th of `points` evenly spaced values
// between `from` and `to` (both exact), in its own Philox stream i; the
// other parameters pass through unchanged, and the range check of every
// grid value is the scanned kernel's own.
#pragma once

#include "compute/job.h"
#include "compute/registry.h"

namespace hpchain::compute {

// param_scan's own parameters: `kernel` and `scan` are names that
// expand_scan resolves against the registry.
KernelInfo param_scan_info(const KernelRegistry& registry);

// Fills job.params, scan_param, samples_per_point, descriptor and points of
// a param_scan job whose samples are set. InvalidArgument (naming the
// parameter or point) for an unknown kernel, a scan parameter that is not
// one of its real parameters, bad grid values and a sample count that is
// not a positive multiple of `points`.
Status expand_scan(const KernelRegistry& registry, JobSpec& job, const RawParams& raw);

}  // namespace hpchain::compute
