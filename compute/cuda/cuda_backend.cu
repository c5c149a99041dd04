// The CUDA backend: a grid over sample ranges, per-thread exact tallies and
// an exact block and grid reduction. Everything but the launches themselves
// is the HPC_HD code of compute/grid.h and the kernels' headers, which the
// unit tests run on the CPU by emulating grids (grid_emulation_test.cpp).
#include <cuda_runtime.h>

#include <string>

#include "compute/backend.h"
#include "compute/grid.h"

namespace hpchain::compute {
namespace {

constexpr unsigned kMaxThreadsPerBlock = 256;
// Static shared memory every sm_90 block may use without opting in.
constexpr size_t kSharedBytesPerBlock = 48 * 1024;
// Samples per thread below which more blocks would not pay for themselves.
constexpr uint64_t kMinSamplesPerThread = 256;
// One launch covers at most this many samples (well under a second on an
// H100), so progress is reported and no launch runs for long.
constexpr uint64_t kMaxLaunchSamples = uint64_t{1} << 34;
constexpr unsigned kBlocksPerMultiprocessor = 16;

Status cuda_check(cudaError_t error, const char* what) {
  if (error == cudaSuccess) return Status::ok();
  return Status::internal(std::string("CUDA ") + what + ": " + cudaGetErrorString(error));
}

// Device memory freed on scope exit, so every error path releases it.
template <class T>
struct DeviceBuffer {
  T* data = nullptr;
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (data != nullptr) cudaFree(data);
  }
  Status allocate(size_t count) {
    HPC_ASSERT(data == nullptr);
    return cuda_check(cudaMalloc(&data, count * sizeof(T)), "cudaMalloc");
  }
};

// Largest power of two <= kMaxThreadsPerBlock whose tallies fit in shared
// memory (tree reduction needs a power of two).
template <class TallyT>
unsigned threads_per_block() {
  unsigned threads = kMaxThreadsPerBlock;
  while (threads > 1 && threads * sizeof(TallyT) > kSharedBytesPerBlock) threads /= 2;
  return threads;
}

template <class Kernel>
__global__ void sample_kernel(typename Kernel::Params params, PhiloxKey key, uint32_t stream,
                              uint64_t begin, uint64_t end,
                              typename Kernel::TallyType* block_tallies) {
  using TallyT = typename Kernel::TallyType;
  extern __shared__ __align__(16) unsigned char shared_bytes[];
  TallyT* slots = reinterpret_cast<TallyT*>(shared_bytes);
  const uint64_t total_threads = uint64_t{gridDim.x} * blockDim.x;
  const uint64_t t = uint64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  uint64_t first = 0, last = 0;
  thread_range(begin, end, total_threads, t, &first, &last);
  TallyT local;
  local.clear();
  run_samples<Kernel>(params, key, stream, first, last, local);
  slots[threadIdx.x] = local;
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
    block_reduce_step(slots, threadIdx.x, stride);
    __syncthreads();
  }
  if (threadIdx.x == 0) block_tallies[blockIdx.x] = slots[0];
}

template <class TallyT>
__global__ void reduce_kernel(const TallyT* block_tallies, unsigned blocks, TallyT* out) {
  extern __shared__ __align__(16) unsigned char shared_bytes[];
  TallyT* slots = reinterpret_cast<TallyT*>(shared_bytes);
  TallyT local;
  grid_reduce_thread(block_tallies, blocks, threadIdx.x, blockDim.x, local);
  slots[threadIdx.x] = local;
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
    block_reduce_step(slots, threadIdx.x, stride);
    __syncthreads();
  }
  if (threadIdx.x == 0) *out = slots[0];
}

// Runs samples [begin, end) of one point on the device; the exact tally
// comes back in *out.
template <class Kernel>
Status launch_range(const typename Kernel::Params& params, PhiloxKey key, uint32_t stream,
                    uint64_t begin, uint64_t end, unsigned multiprocessors,
                    typename Kernel::TallyType* out) {
  using TallyT = typename Kernel::TallyType;
  const unsigned threads = threads_per_block<TallyT>();
  const uint64_t wanted = (end - begin + threads * kMinSamplesPerThread - 1) / (threads * kMinSamplesPerThread);
  const uint64_t cap = uint64_t{multiprocessors} * kBlocksPerMultiprocessor;
  const unsigned blocks = static_cast<unsigned>(wanted < 1 ? 1 : (wanted < cap ? wanted : cap));
  DeviceBuffer<TallyT> device_blocks, device_out;
  HPC_TRY(device_blocks.allocate(blocks));
  HPC_TRY(device_out.allocate(1));
  const size_t shared = threads * sizeof(TallyT);
  sample_kernel<Kernel><<<blocks, threads, shared>>>(params, key, stream, begin, end, device_blocks.data);
  HPC_TRY(cuda_check(cudaGetLastError(), "sample kernel launch"));
  reduce_kernel<TallyT><<<1, threads, shared>>>(device_blocks.data, blocks, device_out.data);
  HPC_TRY(cuda_check(cudaGetLastError(), "reduce kernel launch"));
  return cuda_check(cudaMemcpy(out, device_out.data, sizeof(TallyT), cudaMemcpyDeviceToHost),
                    "kernel execution or cudaMemcpy");
}

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(unsigned multiprocessors) : multiprocessors_(multiprocessors) {}

  BackendKind kind() const override { return BackendKind::kCuda; }

  Result<Partial> run(const JobSpec& job, SampleRange range,
                      std::atomic<uint64_t>* progress) override {
    HPC_TRY(check_range(job, range));
    const PhiloxKey key = philox_key_for_seed(job.seed);
    Partial result = empty_partial(job);
    result.covered.push_back(range);
    for (const Segment& segment : split_into_segments(job, range)) {
      const JobPoint& point = job.points[segment.point];
      for (uint64_t b = segment.begin; b < segment.end; b += kMaxLaunchSamples) {
        const uint64_t e = segment.end - b > kMaxLaunchSamples ? b + kMaxLaunchSamples : segment.end;
        Status status = visit_kernel(point.params, [&](auto kernel, const auto& params) {
          using Kernel = decltype(kernel);
          typename Kernel::TallyType tally;
          HPC_TRY(launch_range<Kernel>(params, key, point.stream, b, e, multiprocessors_, &tally));
          merge_into(result.points[segment.point], tally);
          return Status::ok();
        });
        HPC_TRY(status);
        if (progress != nullptr) progress->fetch_add(e - b, std::memory_order_relaxed);
      }
    }
    return result;
  }

 private:
  unsigned multiprocessors_;
};

}  // namespace

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
  return std::unique_ptr<Backend>(std::make_unique<CudaBackend>(static_cast<unsigned>(multiprocessors)));
}

}  // namespace hpchain::compute
