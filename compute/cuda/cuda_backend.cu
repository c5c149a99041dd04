// The CUDA backend: a grid over sample ranges, per-thread exact tallies in
// global memory and an exact tree reduction over them. Everything but the
// launches themselves is the HPC_HD code of compute/grid.h and the kernels'
// headers, which the unit tests run on the CPU by emulating grids
// (grid_emulation_test.cpp).
#include <cuda_runtime.h>

#include <string>

#include "compute/backend.h"
#include "compute/cuda/device_buffer.h"
#include "compute/grid.h"
#include "compute/kernels/native_list.h"

namespace hpchain::compute {
namespace {

// One launch covers at most this many samples (well under a second on an
// H100), so progress is reported and no launch runs for long.
constexpr uint64_t kMaxLaunchSamples = uint64_t{1} << 34;

template <class Kernel>
__global__ void sample_kernel(typename Kernel::Params params, PhiloxKey key, uint32_t stream,
                              uint64_t begin, uint64_t end, typename Kernel::TallyType* slots) {
  const uint64_t threads = uint64_t{gridDim.x} * blockDim.x;
  const uint64_t t = uint64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  grid_sample_thread<Kernel>(params, key, stream, begin, end, threads, t, slots);
}

template <class TallyT>
__global__ void reduce_pass(TallyT* slots, uint64_t count, uint64_t stride) {
  tree_reduce_step(slots, count, stride, uint64_t{blockIdx.x} * blockDim.x + threadIdx.x);
}

// Runs samples [begin, end) of one point on the device; the exact tally
// comes back in *out.
template <class Kernel>
Status launch_range(const typename Kernel::Params& params, PhiloxKey key, uint32_t stream,
                    uint64_t begin, uint64_t end, const CudaDevice& device,
                    typename Kernel::TallyType* out) {
  using TallyT = typename Kernel::TallyType;
  const GridPlan plan = plan_grid(end - begin, sizeof(TallyT), device.multiprocessors);
  const uint64_t threads = plan.threads();
  DeviceBuffer<TallyT> slots;
  HPC_TRY(slots.allocate(threads));
  sample_kernel<Kernel><<<plan.blocks, kGridThreadsPerBlock>>>(params, key, stream, begin, end, slots.data);
  HPC_TRY(cuda_check(cudaGetLastError(), "sample kernel launch"));
  for (uint64_t stride = first_reduce_stride(threads); stride > 0; stride /= 2) {
    const auto blocks = static_cast<unsigned>((stride + kGridThreadsPerBlock - 1) / kGridThreadsPerBlock);
    reduce_pass<TallyT><<<blocks, kGridThreadsPerBlock>>>(slots.data, threads, stride);
    HPC_TRY(cuda_check(cudaGetLastError(), "reduce pass launch"));
  }
  return cuda_check(cudaMemcpy(out, slots.data, sizeof(TallyT), cudaMemcpyDeviceToHost),
                    "kernel execution or cudaMemcpy");
}

// The CUDA runner of a native kernel (registry.h).
template <class Kernel>
Status run_native_cuda(const KernelInstance& instance, PhiloxKey key, uint32_t stream, uint64_t begin,
                       uint64_t end, const CudaDevice& device, PointTally& into) {
  const auto& params = native_args<Kernel>(instance);
  for (uint64_t b = begin; b < end; b += kMaxLaunchSamples) {
    const uint64_t e = end - b > kMaxLaunchSamples ? b + kMaxLaunchSamples : end;
    typename Kernel::TallyType tally;
    HPC_TRY(launch_range<Kernel>(params, key, stream, b, e, device, &tally));
    merge_into(into, tally);
  }
  return Status::ok();
}

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(CudaDevice device) : device_(device) {}

  BackendKind kind() const override { return BackendKind::kCuda; }

  Result<Partial> run(const JobSpec& job, SampleRange range,
                      std::atomic<uint64_t>* progress) override {
    HPC_TRY(check_range(job, range));
    if (!job.descriptor->run_cuda) {
      return Status::failed_precondition("kernel '" + job.descriptor->info.name + "' has no CUDA runner");
    }
    const PhiloxKey key = philox_key_for_seed(job.seed);
    Partial result = empty_partial(job);
    result.covered.push_back(range);
    for (const Segment& segment : split_into_segments(job, range)) {
      const JobPoint& point = job.points[segment.point];
      // Launch by launch, so progress moves during a long segment.
      for (uint64_t b = segment.begin; b < segment.end; b += kMaxLaunchSamples) {
        const uint64_t e = segment.end - b > kMaxLaunchSamples ? b + kMaxLaunchSamples : segment.end;
        HPC_TRY(job.descriptor->run_cuda(point.instance, key, point.stream, b, e, device_,
                                         result.points[segment.point]));
        if (progress != nullptr) progress->fetch_add(e - b, std::memory_order_relaxed);
      }
    }
    return result;
  }

 private:
  CudaDevice device_;
};

}  // namespace

decltype(KernelDescriptor::run_cuda) native_cuda_runner(std::string_view name) {
  decltype(KernelDescriptor::run_cuda) runner;
  for_each_native_kernel([&](auto kernel) {
    using Kernel = decltype(kernel);
    if (Kernel::info().name == name) runner = &run_native_cuda<Kernel>;
  });
  return runner;
}

Result<std::unique_ptr<Backend>> make_cuda_backend() {
  int devices = 0;
  const cudaError_t error = cudaGetDeviceCount(&devices);
  if (error != cudaSuccess || devices == 0) {
    return Status::unavailable(std::string("no CUDA device: ") +
                               (error != cudaSuccess ? cudaGetErrorString(error) : "none found"));
  }
  int multiprocessors = 0;
  HPC_TRY(cuda_check(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, 0),
                     "cudaDeviceGetAttribute"));
  return std::unique_ptr<Backend>(
      std::make_unique<CudaBackend>(CudaDevice{static_cast<unsigned>(multiprocessors)}));
}

}  // namespace hpchain::compute
