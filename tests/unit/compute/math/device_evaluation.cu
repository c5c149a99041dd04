#include <cuda_runtime.h>

#include "tests/unit/compute/math/device_evaluation.h"

namespace hpchain::dmath::testing {
namespace {

__global__ void evaluate_kernel(const double* arguments, double* out, int count) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < count) evaluate_all(arguments[i], out + kDeviceResultsPerPoint * i);
}

}  // namespace

bool evaluate_all_on_device(const double* arguments, double* out, int count) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) return false;
  const size_t in_bytes = sizeof(double) * count, out_bytes = in_bytes * kDeviceResultsPerPoint;
  double* device_in = nullptr;
  double* device_out = nullptr;
  bool ok = cudaMalloc(&device_in, in_bytes) == cudaSuccess && cudaMalloc(&device_out, out_bytes) == cudaSuccess &&
            cudaMemcpy(device_in, arguments, in_bytes, cudaMemcpyHostToDevice) == cudaSuccess;
  if (ok) {
    evaluate_kernel<<<(count + 255) / 256, 256>>>(device_in, device_out, count);
    ok = cudaDeviceSynchronize() == cudaSuccess &&
         cudaMemcpy(out, device_out, out_bytes, cudaMemcpyDeviceToHost) == cudaSuccess;
  }
  cudaFree(device_in);
  cudaFree(device_out);
  return ok;
}

}  // namespace hpchain::dmath::testing
