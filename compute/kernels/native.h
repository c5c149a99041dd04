// Builds a registry descriptor from a native kernel type: a struct with
//   struct Params;                      device-ready, trivially copyable
//   using TallyType = Tally<S, C>;      its fixed tally shape
//   template <class TallyT> HPC_HD static void sample(const Params&,
//       PhiloxKey, uint64_t index, uint32_t stream, TallyT&);
//   static KernelInfo info();
//   static Params make_params(const ParamSet&);
//   static Result<std::vector<ResultField>> fields(const PointTally&);
// (see kernels/pi.h). The CPU runner stages the kernel's exact tally
// (staged_tally.h); the CUDA runner comes from cuda/cuda_backend.cu.
#pragma once

#include <memory>
#include <type_traits>

#include "compute/grid.h"
#include "compute/registry.h"
#include "compute/staged_tally.h"

namespace hpchain::compute {

namespace native_detail {
// A chunk's working set: the kernel's fixed tally and its staging buckets.
template <class Kernel>
struct ChunkState {
  using TallyT = typename Kernel::TallyType;
  TallyT tally{};  // zeroed, as clear() does
  StagedTally<TallyT> staged{tally};
};

template <class Kernel>
void run_chunk(const typename Kernel::Params& params, PhiloxKey key, uint32_t stream, uint64_t begin,
               uint64_t end, ChunkState<Kernel>& state, PointTally& into) {
  run_samples<Kernel>(params, key, stream, begin, end, state.staged);
  state.staged.fold();
  merge_into(into, state.tally);
}

// Above this, a chunk's state goes on the heap rather than a worker's stack
// (76 buckets of 8 bytes per sum: a 256-sum tally stages in 160 KB).
constexpr size_t kMaxStackState = 32 * 1024;
}  // namespace native_detail

// The CPU runner of a native kernel.
template <class Kernel>
void run_native_cpu(const KernelInstance& instance, PhiloxKey key, uint32_t stream, uint64_t begin,
                    uint64_t end, PointTally& into) {
  using State = native_detail::ChunkState<Kernel>;
  const auto& params = native_args<Kernel>(instance);
  if constexpr (sizeof(State) > native_detail::kMaxStackState) {
    auto state = std::make_unique<State>();
    native_detail::run_chunk<Kernel>(params, key, stream, begin, end, *state, into);
  } else {
    State state;
    native_detail::run_chunk<Kernel>(params, key, stream, begin, end, state, into);
  }
}

template <class Kernel>
KernelDescriptor native_descriptor() {
  using TallyT = typename Kernel::TallyType;
  static_assert(std::is_trivially_copyable_v<typename Kernel::Params>);
  static_assert(TallyT::kSums <= static_cast<int>(kMaxTallySlots) &&
                TallyT::kCounts <= static_cast<int>(kMaxTallySlots));
  KernelDescriptor d;
  d.info = Kernel::info();
  d.instantiate = [](const ParamSet& params) -> Result<KernelInstance> {
    return KernelInstance{std::make_shared<const typename Kernel::Params>(Kernel::make_params(params)),
                          TallyShape{TallyT::kSums, TallyT::kCounts}};
  };
  d.run_cpu = &run_native_cpu<Kernel>;
  d.run_cuda = native_cuda_runner(d.info.name);
  d.finalize = [](const KernelInstance&, const PointTally& tally) { return Kernel::fields(tally); };
  return d;
}

}  // namespace hpchain::compute
