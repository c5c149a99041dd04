// Jobs, partial tallies and results: the host-side model of one compute job.
//
// A job is a kernel, its validated parameters, a sample count N and a seed.
// Its sample space [0, N) is cut into points (one for a plain kernel, one
// per grid value for param_scan); global index g belongs to point
// g / samples_per_point and is that point's sample g % samples_per_point,
// drawn from Philox stream = point index (philox.h).
//
// Any sub-range of [0, N) run on any backend gives a Partial: one exact
// tally per point plus the list of ranges it covers. Partials merge exactly
// (planner.h); a Partial covering all of [0, N) finalizes into a JobResult
// whose canonical encoding and SHA-256 digest (docs/compute.md) depend only
// on the job, never on backend, threads, partitions or timing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/status.h"
#include "compute/accumulator.h"
#include "compute/params.h"
#include "compute/registry.h"
#include "compute/tally.h"

namespace hpchain::compute {

// [begin, end) of global sample indices.
struct SampleRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  uint64_t size() const { return end - begin; }
  friend bool operator==(const SampleRange&, const SampleRange&) = default;
};

struct JobPoint {
  KernelInstance instance;  // device-ready arguments and tally shape
  uint32_t stream = 0;      // Philox stream of this point
  double scan_value = 0; // the scanned parameter's value (param_scan only)
};

struct JobSpec {
  std::string kernel;  // the kernel the user named (e.g. "param_scan")
  ParamSet params;     // validated, defaults filled in
  uint64_t samples = 0;
  uint64_t seed = 0;
  bool is_scan = false;
  std::string scan_param;  // the scanned parameter (param_scan only)
  uint64_t samples_per_point = 0;
  std::vector<JobPoint> points;
  // The kernel every point runs (for param_scan, the scanned kernel).
  std::shared_ptr<const KernelDescriptor> descriptor;
  Hash32 spec_id;  // compute_spec_id (compute/spec.h), set by make_job
};

// Largest accepted sample count: keeps every per-thread and per-range
// counter far from 2^64.
constexpr uint64_t kMaxSamples = uint64_t{1} << 62;

// Builds a job of a kernel in `registry`. InvalidArgument (naming the
// parameter) for an unknown kernel, unknown or out-of-range parameters,
// samples == 0 or > kMaxSamples, and for param_scan a sample count that is
// not a positive multiple of `points`.
Result<JobSpec> make_job(const KernelRegistry& registry, std::string_view kernel, const RawParams& raw,
                         uint64_t samples, uint64_t seed);
// The same over the native kernels (native_kernels()).
Result<JobSpec> make_job(std::string_view kernel, const RawParams& raw, uint64_t samples, uint64_t seed);

// The kernels a `kernels` listing shows for `registry`: its kernels in
// order, then param_scan.
std::vector<KernelInfo> kernel_catalog(const KernelRegistry& registry);

// A partial result: the ranges it covers (sorted, disjoint, coalesced) and
// one tally per job point.
struct Partial {
  std::vector<SampleRange> covered;
  std::vector<PointTally> points;
};

// An empty partial shaped for `job` (covers nothing).
Partial empty_partial(const JobSpec& job);

struct PointResult {
  double scan_value = 0;  // param_scan only
  std::vector<ResultField> fields;
  uint64_t vanished = 0;  // contributions below the accumulator's resolution
};

struct JobResult {
  std::vector<PointResult> points;
  Bytes encoding;  // canonical encoding (docs/compute.md)
  Hash32 digest;   // SHA-256 of `encoding`
};

// Turns a partial that covers exactly [0, job.samples) into the result.
// FailedPrecondition when coverage is incomplete or a point's sample count
// disagrees with its range; OutOfRange when a contribution was 2^126 or
// more, or a sum is beyond what its samples can reach; InvalidArgument
// when a contribution was NaN or infinite (parameters outside what the
// kernel can represent).
Result<JobResult> finalize(const JobSpec& job, const Partial& partial);

}  // namespace hpchain::compute
