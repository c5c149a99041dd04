#include "vm/cuda_runner.h"

namespace hpchain::vm {

decltype(compute::KernelDescriptor::run_cuda) program_cuda_runner() { return {}; }

}  // namespace hpchain::vm
