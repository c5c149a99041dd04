// Backends run a sample range of a job and return its exact Partial.
//
// The CPU backend is always built; the CUDA backend when the toolkit was
// found at configure time (HPCHAIN_HAVE_CUDA). Both run the same HPC_HD
// kernel bodies and exact tallies, so a range gives the same Partial on
// either (DESIGN.md section 6).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "chain/status.h"
#include "compute/accumulator.h"
#include "compute/job.h"

namespace hpchain::compute {

enum class BackendKind : uint8_t { kCpu, kCuda };

std::string_view backend_name(BackendKind kind);
// "cpu" or "cuda"; anything else is InvalidArgument.
Result<BackendKind> parse_backend(std::string_view name);

// A backend instance. Not thread-safe: one run() at a time per instance.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendKind kind() const = 0;
  // Runs global samples `range` (within [0, job.samples)) and returns a
  // Partial covering exactly `range`. Adds the number of samples done to
  // *progress (when not null) as it goes, for progress bars; relaxed order.
  // Errors: InvalidArgument for a range outside the job; the CUDA backend
  // returns Unavailable or Internal when the device fails.
  virtual Result<Partial> run(const JobSpec& job, SampleRange range,
                              std::atomic<uint64_t>* progress) = 0;
};

// Creates a backend. cpu_threads = 0 means std::thread::hardware_concurrency
// (at least 1); it is ignored by CUDA. Errors: Unavailable "no CUDA device"
// when CUDA is asked for and no usable device is present, or when this build
// has no CUDA backend.
Result<std::unique_ptr<Backend>> make_backend(BackendKind kind, unsigned cpu_threads = 0);

// A contiguous run of samples of one job point (point-local indices).
struct Segment {
  size_t point = 0;
  uint64_t begin = 0;
  uint64_t end = 0;
};

// Cuts a global range into per-point segments, in order. Asserts the range
// lies within [0, job.samples).
std::vector<Segment> split_into_segments(const JobSpec& job, SampleRange range);

// InvalidArgument unless begin < end <= job.samples.
Status check_range(const JobSpec& job, SampleRange range);

// The CUDA backend's factory (cuda/cuda_backend.cu, or no_cuda_backend.cpp
// in builds without CUDA): Unavailable when no device can be used.
Result<std::unique_ptr<Backend>> make_cuda_backend();

}  // namespace hpchain::compute
