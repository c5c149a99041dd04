#include "compute/planner.h"

#include <algorithm>

namespace hpchain::compute {

Status check_units(uint64_t n, uint64_t units) {
  if (units == 0 || units > n) {
    return Status::invalid_argument("partitions must be in [1, samples = " + std::to_string(n) +
                                    "], got " + std::to_string(units));
  }
  return Status::ok();
}

SampleRange unit_range(uint64_t n, uint64_t units, uint64_t index) {
  HPC_ASSERT(units > 0 && units <= n && index < units);
  const uint64_t quotient = n / units, remainder = n % units;
  // index * quotient <= n, so nothing here can overflow.
  const uint64_t begin = index * quotient + std::min(index, remainder);
  const SampleRange range{begin, begin + quotient + (index < remainder ? 1 : 0)};
  HPC_ASSERT(range.begin < range.end && range.end <= n);
  return range;
}

namespace {
// Unites two sorted, disjoint, coalesced range lists; false on overlap.
bool unite_coverage(const std::vector<SampleRange>& a, const std::vector<SampleRange>& b,
                    std::vector<SampleRange>& out) {
  std::vector<SampleRange> all(a);
  all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end(),
            [](const SampleRange& x, const SampleRange& y) { return x.begin < y.begin; });
  out.clear();
  for (const SampleRange& r : all) {
    HPC_ASSERT(r.begin < r.end);
    if (!out.empty() && r.begin < out.back().end) return false;
    if (!out.empty() && r.begin == out.back().end) {
      out.back().end = r.end;
    } else {
      out.push_back(r);
    }
  }
  return true;
}
}  // namespace

Status merge_partial(Partial& into, const Partial& from) {
  if (into.points.size() != from.points.size()) {
    return Status::failed_precondition("cannot merge partials of different jobs (point counts " +
                                       std::to_string(into.points.size()) + " and " +
                                       std::to_string(from.points.size()) + ")");
  }
  for (size_t p = 0; p < from.points.size(); ++p) {
    if (into.points[p].sums.size() != from.points[p].sums.size() ||
        into.points[p].counts.size() != from.points[p].counts.size()) {
      return Status::failed_precondition("cannot merge partials of different kernels at point " +
                                         std::to_string(p));
    }
  }
  std::vector<SampleRange> united;
  if (!unite_coverage(into.covered, from.covered, united)) {
    return Status::failed_precondition("partials overlap: a sample range would be counted twice");
  }
  into.covered = std::move(united);
  for (size_t p = 0; p < from.points.size(); ++p) merge_point_tally(into.points[p], from.points[p]);
  return Status::ok();
}

Result<Partial> merge_partials(const JobSpec& job, std::span<const Partial> partials) {
  Partial merged = empty_partial(job);
  for (const Partial& partial : partials) HPC_TRY(merge_partial(merged, partial));
  return merged;
}

Result<JobResult> run_job(const JobSpec& job, uint64_t partitions, Backend& backend,
                          std::atomic<uint64_t>* progress) {
  HPC_TRY(check_units(job.samples, partitions));
  Partial merged = empty_partial(job);
  for (uint64_t u = 0; u < partitions; ++u) {
    HPC_ASSIGN_OR_RETURN(Partial partial, backend.run(job, unit_range(job.samples, partitions, u), progress));
    HPC_TRY(merge_partial(merged, partial));
  }
  return finalize(job, merged);
}

}  // namespace hpchain::compute
