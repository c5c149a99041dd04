// The partition planner: split a job's sample space [0, N) into units, run
// each unit anywhere, merge the partials exactly, finalize.
//
// Because every tally is an exact integer sum and every sample's random
// numbers depend only on (seed, stream, index), the merged result of any
// partitioning, run on any mix of backends and thread counts, has the same
// digest as one run of the whole job (DESIGN.md sections 5 and 6).
#pragma once

#include <atomic>
#include <span>
#include <vector>

#include "chain/status.h"
#include "compute/backend.h"
#include "compute/job.h"

namespace hpchain::compute {

// InvalidArgument unless 1 <= units <= n.
Status check_units(uint64_t n, uint64_t units);

// Unit `index` of [0, n) cut into `units` contiguous ranges in order, the
// first n % units of them one sample longer. Computed from the index in
// O(1), so a job of 10^12 units needs no list of them. Asserts
// index < units <= n.
SampleRange unit_range(uint64_t n, uint64_t units, uint64_t index);

// Merges `from` into `into` exactly: tallies add, coverage is united.
// FailedPrecondition when the two have different shapes or their coverage
// overlaps (a unit merged twice would double-count).
Status merge_partial(Partial& into, const Partial& from);

// Merges partials in any order into one (the result does not depend on the
// order). Same errors as merge_partial.
Result<Partial> merge_partials(const JobSpec& job, std::span<const Partial> partials);

// Plans `partitions` units, runs each on `backend`, merges and finalizes.
// Errors: those of check_units, Backend::run, merge_partial and finalize.
Result<JobResult> run_job(const JobSpec& job, uint64_t partitions, Backend& backend,
                          std::atomic<uint64_t>* progress = nullptr);

}  // namespace hpchain::compute
