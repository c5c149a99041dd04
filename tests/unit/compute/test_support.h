// Helpers shared by the compute tests: running a job range through the
// emulated CUDA grid (compute/grid.h) to get a "GPU" partial on the CPU.
#pragma once

#include <gtest/gtest.h>

#include "compute/backend.h"
#include "compute/grid.h"
#include "compute/job.h"

namespace hpchain::compute::testing {

// The Partial the CUDA backend would return for `range`, computed by the
// host emulation of its grid with the given shape.
inline Partial emulated_gpu_partial(const JobSpec& job, SampleRange range, unsigned blocks,
                                    unsigned threads, unsigned reduce_threads) {
  Partial result = empty_partial(job);
  result.covered.push_back(range);
  const PhiloxKey key = philox_key_for_seed(job.seed);
  for (const Segment& segment : split_into_segments(job, range)) {
    const JobPoint& point = job.points[segment.point];
    visit_kernel(point.params, [&](auto kernel, const auto& params) {
      using Kernel = decltype(kernel);
      const auto tally = emulate_grid<Kernel>(params, key, point.stream, segment.begin,
                                              segment.end, blocks, threads, reduce_threads);
      merge_into(result.points[segment.point], tally);
    });
  }
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
