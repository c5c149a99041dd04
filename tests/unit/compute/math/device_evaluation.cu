#include <cuda_runtime.h>

#include "tests/unit/compute/math/device_evaluation.h"

namespace hpchain::dmath::testing {
namespace {

__global__ void evaluate_kernel(const double* arguments, double* out, int count) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < count) evaluate_all(arguments[i], out + kDeviceResultsPerPoint * i);
}

}  // namespace

DeviceRun evaluate_all_on_device(const double* arguments, double* out, int count, const char** error) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) return DeviceRun::kNoDevice;
  const size_t in_bytes = sizeof(double) * count, out_bytes = in_bytes * kDeviceResultsPerPoint;
  double* device_in = nullptr;
  double* device_out = nullptr;
  cudaError_t status = cudaMalloc(&device_in, in_bytes);
  if (status == cudaSuccess) status = cudaMalloc(&device_out, out_bytes);
  if (status == cudaSuccess) status = cudaMemcpy(device_in, arguments, in_bytes, cudaMemcpyHostToDevice);
  if (status == cudaSuccess) {
    evaluate_kernel<<<(count + 255) / 256, 256>>>(device_in, device_out, count);
    status = cudaGetLastError();  // launch errors, e.g. no kernel image for this GPU
  }
  if (status == cudaSuccess) status = cudaDeviceSynchronize();
  if (status == cudaSuccess) status = cudaMemcpy(out, device_out, out_bytes, cudaMemcpyDeviceToHost);
  cudaFree(device_in);
  cudaFree(device_out);
  if (status != cudaSuccess) {
    *error = cudaGetErrorString(status);
    return DeviceRun::kFailed;
  }
  return DeviceRun::kOk;
}

}  // namespace hpchain::dmath::testing
