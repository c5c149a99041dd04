// The VM's CUDA runner (cuda_runner.cu): the interpreter kernel over the
// grid of vm/grid.h. Empty in builds without CUDA (no_cuda_runner.cpp),
// where the CUDA backend refuses VM jobs as it does any kernel without a
// CUDA runner.
#pragma once

#include "compute/registry.h"

namespace hpchain::vm {

decltype(compute::KernelDescriptor::run_cuda) program_cuda_runner();

}  // namespace hpchain::vm
