// Unit results: what a worker computed for some ranges of a job, with the
// identity that lets anyone check it belongs there (DESIGN.md section 5).
//
// A UnitResult names the spec id (compute/spec.h), the ledger's job id
// (opaque here), the engine version, the ranges it covers and one exact
// tally per job point. Its canonical encoding (docs/compute.md, "Unit
// results") and SHA-256 digest are what a worker commits to. A unit whose
// tallies overflowed or saw a non-finite contribution is a failed outcome:
// its canonical encoding carries the flags instead of the sums, so replicas
// agree that, and how, it failed.
//
// All functions are pure and thread-safe.
#pragma once

#include <span>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/status.h"
#include "compute/job.h"
#include "compute/spec.h"

namespace hpchain::compute {

// Bounds on decoded units: a peer's bytes cannot make us allocate more.
inline constexpr size_t kUnitBytesMax = 16 * 1024 * 1024;
inline constexpr size_t kUnitRangesMax = 4096;
inline constexpr size_t kUnitPointsMax = 4096;      // param_scan's largest grid

struct UnitResult {
  Hash32 spec_id;
  Hash32 job_id;
  uint32_t compute_version = kComputeVersion;
  Partial partial;
};

// Wraps a backend's partial of `job` with its identity.
UnitResult make_unit_result(const JobSpec& job, const Hash32& job_id, Partial partial);

// True when any point's tally is flagged (overflow or non-finite).
bool unit_failed(const UnitResult& unit);

// The canonical encoding and its SHA-256: the value a worker commits to.
Bytes encode_unit(const UnitResult& unit);
Hash32 unit_digest(const UnitResult& unit);

// Checks that `unit` is a well-formed unit of `job` and job `job_id`.
// FailedPrecondition naming what disagrees: the spec id, the job id, the
// engine version, the point count or a tally's layout, ranges that are
// empty, unsorted, overlapping, not coalesced or outside [0, samples), a
// point's sample count that differs from what its ranges claim, or (for a
// unit that did not fail) a sum beyond what those samples can add up to.
Status check_unit(const JobSpec& job, const Hash32& job_id, const UnitResult& unit);

// Checks every unit (check_unit) and merges them exactly into one unit of
// the same job. Errors: check_unit's, and FailedPrecondition when two units
// overlap (a range would count twice).
Result<UnitResult> merge_units(const JobSpec& job, const Hash32& job_id,
                               std::span<const UnitResult> units);

// Transport form (proto/hpchain/v1/compute.proto). Decoding checks
// structure only (32-byte ids, 32-byte sums, the bounds above); check_unit
// checks it against a job. Errors: ResourceExhausted over kUnitBytesMax,
// otherwise InvalidArgument naming the field.
hpchain::v1::UnitResult unit_to_proto(const UnitResult& unit);
Result<UnitResult> unit_from_proto(const hpchain::v1::UnitResult& proto);
Result<UnitResult> decode_unit(ByteSpan bytes);

// The file of `hpchain-compute run --unit`: the spec and the unit.
// decode_unit_file rebuilds the job from the spec, checks that its spec id
// is the unit's and runs check_unit against the unit's own job id.
struct UnitFile {
  JobSpec job;
  UnitResult unit;
};
Bytes encode_unit_file(const JobSpec& job, const UnitResult& unit);
// The spec is resolved against `registry` (native_kernels() without one).
Result<UnitFile> decode_unit_file(const KernelRegistry& registry, ByteSpan bytes);
Result<UnitFile> decode_unit_file(ByteSpan bytes);

}  // namespace hpchain::compute
