// hpchain-compute's unit commands, like ROOT's hadd for partitioned jobs:
// run --unit I/P --out FILE, merge FILE..., inspect FILE (docs/compute.md).
#pragma once

#include "compute/backend.h"
#include "compute/job.h"
#include "tools/compute/cli_args.h"

namespace hpchain::compute::cli {

inline constexpr int kExitRunFailed = 1;
inline constexpr int kExitBadArguments = 2;

// Prints "hpchain-compute: <status>" (and a --help hint for bad arguments)
// on stderr and returns `code`.
int fail(int code, const Status& status);

// Runs unit args.unit_index of args.unit_count of `job` on `backend` and
// writes the unit file to args.out_path (atomically: a temporary file, then
// a rename). Exit code 0, or 1 when the run or the write fails.
int run_unit_command(const Args& args, const JobSpec& job, Backend& backend);

// Merges the unit files in args.files and prints the job result. Exit 1,
// naming the file and what disagrees, when a file cannot be read or
// decoded, belongs to another job, overlaps another, or the units do not
// cover the whole job. Jobs' kernels are resolved in `registry`.
int merge_command(const Args& args, const KernelRegistry& registry);

// Prints a unit file's job, spec, ranges, outcome and digest. Exit 1 when
// the file cannot be read or decoded.
int inspect_command(const Args& args, const KernelRegistry& registry);

// Whole files (a unit file, a program): IoError naming the path; at most
// kUnitBytesMax bytes. Writes go to a temporary file, then a rename.
Result<Bytes> read_file(const std::string& path);
Status write_file_atomically(const std::string& path, const Bytes& bytes);

}  // namespace hpchain::compute::cli
