// Command-line parsing for hpchain-compute (usage in kUsage and
// docs/compute.md). Parsing is pure: it never prints or exits, so it can be
// tested; main() turns an error into a message and exit code 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chain/hash.h"
#include "chain/status.h"
#include "compute/backend.h"
#include "compute/params.h"

namespace hpchain::compute::cli {

extern const char* const kUsage;

enum class Command { kHelp, kKernels, kRun, kMerge, kInspect, kCompile };

struct Args {
  Command command = Command::kHelp;
  std::string kernel;
  RawParams params;
  uint64_t samples = 0;
  uint64_t seed = 0;
  BackendKind backend = BackendKind::kCpu;
  uint64_t partitions = 1;
  unsigned threads = 0;  // 0: all cores
  bool json = false;
  // run --unit I/P --out FILE [--job-id HEX]: unit I of P, written to FILE.
  bool has_unit = false;
  uint64_t unit_index = 0;
  uint64_t unit_count = 1;
  std::string out_path;
  std::optional<Hash32> job_id;  // default: the spec id (a local job)
  std::vector<std::string> files;  // merge FILE..., inspect FILE, compile FILE
  // A kernel VM program (.hk source or .hkb bytecode): --kernel vm runs it;
  // merge and inspect need it to read units of its jobs.
  std::string program_path;
};

// Parses argv[1..]. InvalidArgument naming the offending option for unknown
// commands or options, missing values, an option or parameter given twice,
// malformed numbers, missing required options (--kernel, --samples, --seed)
// --threads with a backend other than cpu, --unit without --out (and the
// reverse), --unit with --partitions, and a unit index not below its count;
// merge without files, inspect without exactly one file, --kernel vm
// without --program, compile without exactly one source and -o/--out.
Result<Args> parse_args(const std::vector<std::string>& argv);

// An unsigned count: decimal digits, or a number like 1e9 that is an exact
// integer. InvalidArgument naming `what` and the range otherwise, or when
// outside [min, max].
Result<uint64_t> parse_count(const std::string& what, const std::string& text, uint64_t min,
                             uint64_t max);

}  // namespace hpchain::compute::cli
