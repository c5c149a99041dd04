// The native kernels: one line each. A native kernel is one header under
// compute/kernels/ (its HPC_HD sample function and host half, see pi.h)
// plus its line here; the CPU runner (native.h) and the CUDA runner
// (cuda/cuda_backend.cu) are both built from that one sample function.
#pragma once

#include "compute/kernels/eemumu.h"
#include "compute/kernels/european_option.h"
#include "compute/kernels/pi.h"

namespace hpchain::compute {

// Calls f(Kernel{}) for every native kernel, in registration order.
template <class F>
void for_each_native_kernel(F&& f) {
  f(PiKernel{});
  f(EemumuKernel{});
  f(EuropeanOptionKernel{});
}

}  // namespace hpchain::compute
