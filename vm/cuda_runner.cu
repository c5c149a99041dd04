// The VM on a CUDA device: the program is copied to device memory, every
// thread interprets its slice of the samples into its own exact tally
// (program_grid_thread), and exact reduction passes fold the tallies
// (program_reduce_step). Both steps are the HPC_HD code of vm/grid.h that
// the unit tests run on the CPU (emulate_program_grid); only the launches
// are here.
#include <cuda_runtime.h>

#include "compute/cuda/device_buffer.h"
#include "vm/cuda_runner.h"
#include "vm/grid.h"
#include "vm/kernel.h"

namespace hpchain::vm {
namespace {

using compute::cuda_check;
using compute::DeviceBuffer;

__global__ void program_sample_kernel(ProgramView view, compute::PhiloxKey key, uint32_t stream, uint64_t begin,
                                      uint64_t end, ThreadTallies all) {
  Value frame[kMaxRegisters];  // per-thread local memory, 2 KiB
  const uint64_t threads = uint64_t{gridDim.x} * blockDim.x;
  const uint64_t t = uint64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  program_grid_thread(view, frame, key, stream, begin, end, threads, t, all);
}

__global__ void program_reduce_kernel(ThreadTallies all, uint64_t count, uint64_t stride) {
  program_reduce_step(all, count, stride, uint64_t{blockIdx.x} * blockDim.x + threadIdx.x);
}

// The program's arrays in device memory, and the view over them.
struct DeviceProgram {
  DeviceBuffer<Instr> code;
  DeviceBuffer<double> f64_consts;
  DeviceBuffer<int64_t> i64_consts;
  DeviceBuffer<OutputView> outputs;
  DeviceBuffer<Value> initial;
  ProgramView view;

  Status upload(const ProgramArgs& args) {
    const Program& p = args.program->program;
    HPC_TRY(code.upload(p.code.data(), p.code.size()));
    HPC_TRY(f64_consts.upload(p.f64_consts.data(), p.f64_consts.size()));
    HPC_TRY(i64_consts.upload(p.i64_consts.data(), p.i64_consts.size()));
    HPC_TRY(outputs.upload(args.outputs.data(), args.outputs.size()));
    HPC_TRY(initial.upload(args.initial.data(), args.initial.size()));
    view = ProgramView{code.data, static_cast<uint32_t>(p.code.size()), f64_consts.data, i64_consts.data,
                       outputs.data, initial.data, static_cast<uint32_t>(p.registers.size()), 0};
    return Status::ok();
  }
};

Status run_program_cuda(const compute::KernelInstance& instance, compute::PhiloxKey key, uint32_t stream,
                        uint64_t begin, uint64_t end, const compute::CudaDevice& device, compute::PointTally& into) {
  const auto& args = *static_cast<const ProgramArgs*>(instance.args.get());
  const compute::TallyShape shape = args.program->shape;
  DeviceProgram program;
  HPC_TRY(program.upload(args));
  const uint64_t tally_bytes = shape.sums * sizeof(compute::ExactSum) + shape.counts * sizeof(uint64_t) + 12;
  const compute::GridPlan plan = compute::plan_grid(end - begin, tally_bytes, device.multiprocessors);
  const uint64_t threads = plan.threads();
  DeviceBuffer<compute::ExactSum> sums;
  DeviceBuffer<uint64_t> counts, vanished;
  DeviceBuffer<uint32_t> flags;
  HPC_TRY(sums.allocate(threads * shape.sums));
  HPC_TRY(counts.allocate(threads * shape.counts));
  HPC_TRY(vanished.allocate(threads));
  HPC_TRY(flags.allocate(threads));
  const ThreadTallies all{sums.data, counts.data, flags.data, vanished.data, shape.sums, shape.counts};
  program_sample_kernel<<<plan.blocks, compute::kGridThreadsPerBlock>>>(program.view, key, stream, begin, end, all);
  HPC_TRY(cuda_check(cudaGetLastError(), "VM sample kernel launch"));
  for (uint64_t stride = compute::first_reduce_stride(threads); stride > 0; stride /= 2) {
    const auto blocks = static_cast<unsigned>((stride + compute::kGridThreadsPerBlock - 1) / compute::kGridThreadsPerBlock);
    program_reduce_kernel<<<blocks, compute::kGridThreadsPerBlock>>>(all, threads, stride);
    HPC_TRY(cuda_check(cudaGetLastError(), "VM reduce pass launch"));
  }
  compute::PointTally tally = compute::empty_tally(shape);
  HPC_TRY(cuda_check(cudaMemcpy(tally.sums.data(), sums.data, shape.sums * sizeof(compute::ExactSum),
                                cudaMemcpyDeviceToHost), "VM kernel execution or cudaMemcpy"));
  HPC_TRY(cuda_check(cudaMemcpy(tally.counts.data(), counts.data, shape.counts * sizeof(uint64_t), cudaMemcpyDeviceToHost),
                     "cudaMemcpy"));
  HPC_TRY(cuda_check(cudaMemcpy(&tally.flags, flags.data, sizeof(uint32_t), cudaMemcpyDeviceToHost), "cudaMemcpy"));
  HPC_TRY(cuda_check(cudaMemcpy(&tally.vanished, vanished.data, sizeof(uint64_t), cudaMemcpyDeviceToHost), "cudaMemcpy"));
  compute::merge_point_tally(into, tally);
  return Status::ok();
}

}  // namespace

decltype(compute::KernelDescriptor::run_cuda) program_cuda_runner() { return &run_program_cuda; }

}  // namespace hpchain::vm
