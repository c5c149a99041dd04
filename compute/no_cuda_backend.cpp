// The CUDA backend's factory in builds configured without a CUDA toolkit
// (HPCHAIN_HAVE_CUDA off): asking for CUDA is a clear, recoverable error,
// and no kernel has a CUDA runner.
#include "compute/backend.h"

namespace hpchain::compute {

Result<std::unique_ptr<Backend>> make_cuda_backend() {
  return Status::unavailable(
      "no CUDA device: this build has no CUDA backend (configured without a CUDA toolkit)");
}

decltype(KernelDescriptor::run_cuda) native_cuda_runner(std::string_view) { return {}; }

}  // namespace hpchain::compute
