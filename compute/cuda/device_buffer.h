// Device memory and CUDA error checks shared by the CUDA runners (the
// native kernels' in cuda_backend.cu, the VM's in vm/cuda_runner.cu).
// Include from .cu files only.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "chain/check.h"
#include "chain/status.h"

namespace hpchain::compute {

inline Status cuda_check(cudaError_t error, const char* what) {
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
    return cuda_check(cudaMalloc(&data, (count > 0 ? count : 1) * sizeof(T)), "cudaMalloc");
  }
  // Allocates and copies `count` host values.
  Status upload(const T* host, size_t count) {
    HPC_TRY(allocate(count));
    if (count == 0) return Status::ok();
    return cuda_check(cudaMemcpy(data, host, count * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy to device");
  }
};

}  // namespace hpchain::compute
