// Job identity on the compute side (DESIGN.md section 5).
//
// spec_id = SHA-256 of the canonical encoding of the validated compute spec:
// kernel, parameters, samples, seed and kComputeVersion (docs/compute.md,
// "Identity"). The ledger's job id is built on top of it
// (SHA-256(submitter, nonce, spec id)), so compute carries the job id only
// as an opaque 32-byte value.
#pragma once

#include <cstdint>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/status.h"
#include "compute/job.h"
#include "hpchain/v1/compute.pb.h"

namespace hpchain::compute {

// The engine's result version. It changes whenever any result of any job
// could change (a kernel, the math library, the RNG mapping, the tally
// layout, an encoding), so two workers of different builds disagree on the
// spec id, and are told so, instead of looking like a cheater to each other.
// History: 1 = the first versioned engine (Philox4x32-10, 192-bit tallies);
// 2 = 256-bit tallies checked once at finalize, vanished contributions
// counted and encoded; 3 = param_scan's `kernel` and `scan` are encoded as
// names (ParamType::kName), so the registry's contents cannot change a spec,
// and normal variates are drawn by inversion (AS 241), not Box-Muller;
// 4 = the kernel VM (bytecode version 1: its semantics, verifier and gas
// are part of every VM program's result), and StagedTally for PointTally.
inline constexpr uint32_t kComputeVersion = 4;

// The canonical bytes the spec id hashes (docs/compute.md).
Bytes encode_compute_spec(const JobSpec& job);
Hash32 compute_spec_id(const JobSpec& job);

// The transport form of a job's spec, and back. spec_from_proto rebuilds
// the job with make_job: InvalidArgument for anything make_job refuses, a
// parameter listed twice, or a compute_version other than this build's
// (naming both versions).
hpchain::v1::ComputeSpec spec_to_proto(const JobSpec& job);
// The kernel is resolved against `registry` (native_kernels() without one).
Result<JobSpec> spec_from_proto(const KernelRegistry& registry, const hpchain::v1::ComputeSpec& proto);
Result<JobSpec> spec_from_proto(const hpchain::v1::ComputeSpec& proto);

}  // namespace hpchain::compute
