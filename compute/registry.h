// The kernel registry: what the engine can run, one descriptor per kernel.
//
// A descriptor is everything the engine knows of a kernel: its name and
// parameter spec, how validated parameters become device-ready arguments
// and a tally shape (instantiate), how a backend runs a range of samples
// (one runner per backend) and how an exact tally becomes named result
// fields (finalize). Jobs, backends, unit results and the CLI go through
// descriptors only, so adding a kernel touches no engine code.
//
// Registration is explicit: register_native_kernels() adds the built-in
// kernels (compute/kernels/native_list.h) to a registry, and a module
// above compute (the VM) adds its own to the same registry. Nothing is
// registered by static initialisers. `param_scan` is not a kernel but a
// grid over any registered kernel's real parameter (kernels/param_scan.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chain/status.h"
#include "compute/params.h"
#include "compute/philox.h"
#include "compute/tally.h"

namespace hpchain::compute {

// What the CLI's `kernels` listing shows of a kernel.
struct KernelInfo {
  std::string name;
  std::string summary;
  std::vector<ParamSpec> params;
  std::vector<std::string> result_fields;  // names, for the listing only
};

// One point's device-ready arguments and tally shape. `args` is opaque to
// everything but the descriptor that made it (its runners cast it back).
struct KernelInstance {
  std::shared_ptr<const void> args;
  TallyShape shape;
};

// A native kernel's arguments, for its own runners (and benchmarks): only
// valid on an instance that Kernel's descriptor made.
template <class Kernel>
const typename Kernel::Params& native_args(const KernelInstance& instance) {
  return *static_cast<const typename Kernel::Params*>(instance.args.get());
}

// What a CUDA runner needs to size its grid.
struct CudaDevice {
  unsigned multiprocessors = 0;
};

struct KernelDescriptor {
  KernelInfo info;
  // Arguments and tally shape for one point's validated parameters.
  // InvalidArgument for parameters the kernel cannot run with.
  std::function<Result<KernelInstance>(const ParamSet&)> instantiate;
  // Adds samples [begin, end) of `stream` exactly to `into` (shaped by
  // instance.shape), counting them in counts[0], on the calling thread,
  // which has pinned its floating-point environment (fp_env.h).
  std::function<void(const KernelInstance&, PhiloxKey, uint32_t stream, uint64_t begin, uint64_t end,
                     PointTally& into)>
      run_cpu;
  // The same on a CUDA device; empty when the kernel has no CUDA runner
  // (the CUDA backend then refuses the job). Internal on device errors.
  std::function<Status(const KernelInstance&, PhiloxKey, uint32_t stream, uint64_t begin, uint64_t end,
                       const CudaDevice&, PointTally& into)>
      run_cuda;
  // Result fields of a complete, checked tally (counts[0] >= 1, every sum
  // within range) of the point `instance` describes (a VM program's derived
  // results read its parameters). OutOfRange or InvalidArgument for tallies
  // no honest run can produce.
  std::function<Result<std::vector<ResultField>>(const KernelInstance&, const PointTally&)> finalize;
};

class KernelRegistry {
 public:
  // InvalidArgument for a name that is not [a-z0-9_]{1,64}, is reserved
  // ("param_scan") or lacks instantiate, run_cpu or finalize; AlreadyExists
  // for a name already registered.
  Status add(KernelDescriptor descriptor);
  // nullptr when no kernel has that name.
  std::shared_ptr<const KernelDescriptor> find(std::string_view name) const;
  // In registration order.
  const std::vector<std::shared_ptr<const KernelDescriptor>>& kernels() const { return kernels_; }

 private:
  std::vector<std::shared_ptr<const KernelDescriptor>> kernels_;
};

// Adds the native kernels (pi, eemumu, european_option) to `registry`.
// Asserts they are new to it.
void register_native_kernels(KernelRegistry& registry);

// A registry holding the native kernels only, built on first use: what
// make_job and the CLI use when no registry is given.
const KernelRegistry& native_kernels();

// The CUDA runner of native kernel `name` (cuda/cuda_backend.cu), or an
// empty function in builds without CUDA.
decltype(KernelDescriptor::run_cuda) native_cuda_runner(std::string_view name);

}  // namespace hpchain::compute
