// CUDA benchmark, to run on a GPU machine: samples/s of a raw CUDA pi loop
// (Philox + hit test + one atomic add per thread, no framework) against the
// CUDA backend's pi kernel on the same GPU in the same run, and checks that
// both count the same hits. Usage: compute_cuda_bench [log2_samples=36].
#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "compute/backend.h"
#include "compute/grid.h"
#include "compute/kernels/pi.h"
#include "compute/planner.h"

namespace hpchain::compute {
namespace {

__global__ void raw_pi_kernel(PhiloxKey key, uint64_t n, unsigned long long* hits_out) {
  const uint64_t threads = uint64_t{gridDim.x} * blockDim.x;
  const uint64_t t = uint64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  uint64_t begin = 0, end = 0;
  thread_range(0, n, threads, t, &begin, &end);
  unsigned long long hits = 0;
  for (uint64_t i = begin; i < end; ++i) {
    const PhiloxCounter w = sample_words(key, i, 0, 0);
    const double x = uniform_closed_open(w.w[0], w.w[1]);
    const double y = uniform_closed_open(w.w[2], w.w[3]);
    hits += (x * x + y * y < 1.0) ? 1u : 0u;
  }
  atomicAdd(hits_out, hits);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run(int argc, char** argv) {
  const int log2_samples = argc > 1 ? std::atoi(argv[1]) : 36;
  if (log2_samples < 10 || log2_samples > 44) {
    std::fprintf(stderr, "log2_samples must be in [10, 44]\n");
    return 2;
  }
  const uint64_t n = uint64_t{1} << log2_samples;
  auto backend = make_backend(BackendKind::kCuda);
  if (!backend.is_ok()) {
    std::fprintf(stderr, "%s\n", backend.status().to_string().c_str());
    return 1;
  }
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  const auto job = make_job("pi", {}, n, 42);
  HPC_ASSERT(job.is_ok());
  const PhiloxKey key = philox_key_for_seed(42);
  unsigned long long* device_hits = nullptr;
  HPC_ASSERT(cudaMalloc(&device_hits, sizeof(unsigned long long)) == cudaSuccess);
  double best_raw = 1e30, best_backend = 1e30;
  unsigned long long raw_hits = 0;
  uint64_t backend_hits = 0;
  for (int repeat = 0; repeat < 3; ++repeat) {
    cudaMemset(device_hits, 0, sizeof(unsigned long long));
    const auto start = std::chrono::steady_clock::now();
    raw_pi_kernel<<<prop.multiProcessorCount * 16, 256>>>(key, n, device_hits);
    HPC_ASSERT(cudaMemcpy(&raw_hits, device_hits, sizeof(raw_hits), cudaMemcpyDeviceToHost) == cudaSuccess);
    best_raw = std::min(best_raw, seconds_since(start));
    const auto start_backend = std::chrono::steady_clock::now();
    auto partial = (*backend)->run(*job, {0, n}, nullptr);
    best_backend = std::min(best_backend, seconds_since(start_backend));
    HPC_ASSERT(partial.is_ok());
    backend_hits = partial->points[0].counts[PiKernel::kHitsCount];
  }
  cudaFree(device_hits);
  const double raw_rate = static_cast<double>(n) / best_raw;
  const double backend_rate = static_cast<double>(n) / best_backend;
  std::printf("device        %s\n", prop.name);
  std::printf("samples       2^%d = %llu (best of 3)\n", log2_samples, static_cast<unsigned long long>(n));
  std::printf("raw loop      %.4g samples/s\n", raw_rate);
  std::printf("backend       %.4g samples/s\n", backend_rate);
  std::printf("ratio         %.3f (backend / raw)\n", backend_rate / raw_rate);
  std::printf("hits agree    %s\n", raw_hits == backend_hits ? "yes" : "NO");
  return raw_hits == backend_hits ? 0 : 1;
}

}  // namespace
}  // namespace hpchain::compute

int main(int argc, char** argv) { return hpchain::compute::run(argc, argv); }
