#include "compute/backend.h"

#include <algorithm>

#include "compute/cpu_backend.h"

namespace hpchain::compute {

std::string_view backend_name(BackendKind kind) {
  return kind == BackendKind::kCpu ? "cpu" : "cuda";
}

Result<BackendKind> parse_backend(std::string_view name) {
  if (name == "cpu") return BackendKind::kCpu;
  if (name == "cuda") return BackendKind::kCuda;
  return Status::invalid_argument("unknown backend '" + std::string(name) + "' (cpu|cuda)");
}

Result<std::unique_ptr<Backend>> make_backend(BackendKind kind, unsigned cpu_threads) {
  if (kind == BackendKind::kCuda) return make_cuda_backend();
  return std::unique_ptr<Backend>(std::make_unique<CpuBackend>(cpu_threads));
}

Status check_range(const JobSpec& job, SampleRange range) {
  if (!(range.begin < range.end && range.end <= job.samples)) {
    return Status::invalid_argument("sample range [" + std::to_string(range.begin) + ", " +
                                    std::to_string(range.end) + ") is empty or outside [0, " +
                                    std::to_string(job.samples) + ")");
  }
  return Status::ok();
}

std::vector<Segment> split_into_segments(const JobSpec& job, SampleRange range) {
  HPC_ASSERT(range.begin <= range.end && range.end <= job.samples);
  HPC_ASSERT(job.samples_per_point > 0);
  HPC_ASSERT(job.samples_per_point * job.points.size() == job.samples);
  std::vector<Segment> segments;
  uint64_t g = range.begin;
  while (g < range.end) {
    const uint64_t point = g / job.samples_per_point;
    const uint64_t point_begin = point * job.samples_per_point;
    const uint64_t stop = std::min(range.end, point_begin + job.samples_per_point);
    segments.push_back(Segment{static_cast<size_t>(point), g - point_begin, stop - point_begin});
    g = stop;
  }
  return segments;
}

}  // namespace hpchain::compute
