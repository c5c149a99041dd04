// Helpers shared by the compute tests: running a job range through the
// emulated CUDA grid (compute/grid.h) to get a "GPU" partial on the CPU.
#pragma once

#include <gtest/gtest.h>

#include "compute/backend.h"
#include "compute/grid.h"
#include "compute/job.h"
#include "compute/kernels/native_list.h"

namespace hpchain::compute::testing {

// The Partial the CUDA backend would return for `range` of a job of a
// native kernel, computed by the host emulation of a `threads`-thread grid.
inline Partial emulated_gpu_partial(const JobSpec& job, SampleRange range, uint64_t threads) {
  Partial result = empty_partial(job);
  result.covered.push_back(range);
  const PhiloxKey key = philox_key_for_seed(job.seed);
  bool native = false;
  for (const Segment& segment : split_into_segments(job, range)) {
    const JobPoint& point = job.points[segment.point];
    for_each_native_kernel([&](auto kernel) {
      using Kernel = decltype(kernel);
      if (Kernel::info().name != job.descriptor->info.name) return;
      native = true;
      const auto& params = native_args<Kernel>(point.instance);
      merge_into(result.points[segment.point],
                 emulate_grid<Kernel>(params, key, point.stream, segment.begin, segment.end, threads));
    });
  }
  EXPECT_TRUE(native) << job.descriptor->info.name << " is not a native kernel";
  return result;
}

// make_job that fails the test on error.
inline JobSpec must_make_job(std::string_view kernel, const RawParams& raw, uint64_t samples,
                             uint64_t seed) {
  auto job = make_job(kernel, raw, samples, seed);
  EXPECT_TRUE(job.is_ok()) << job.status().to_string();
  return std::move(job).value();
}

// The value of a scalar result field (fails the test when absent).
inline double field(const PointResult& point, std::string_view name) {
  for (const auto& f : point.fields) {
    if (f.name == name) return f.values.at(0);
  }
  ADD_FAILURE() << "no field " << name;
  return 0.0;
}

}  // namespace hpchain::compute::testing
