// A verified program as a compute kernel: the VM registers each program it
// runs in a compute::KernelRegistry, so jobs, backends, unit results,
// digests, merges and the CLI treat it like a native kernel
// (docs/kernel-language.md, "Running").
//
// Its registry name is "vm_" followed by the lowercase RFC 4648 base32 of
// the program id (52 characters, no padding): the spec id hashes the
// kernel name, so it covers the whole program identity.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compute/registry.h"
#include "vm/interpreter.h"
#include "vm/verifier.h"

namespace hpchain::vm {

std::string kernel_name(const Hash32& program_id);
// True for a name of that form (the ledger asks before resolving one).
bool is_program_kernel_name(std::string_view name);

// The arguments of one point: the program, its first frame (parameters,
// then zeros) and the flat view the interpreter reads.
struct ProgramArgs {
  std::shared_ptr<const VerifiedProgram> program;
  std::vector<Value> initial;
  std::vector<OutputView> outputs;
  uint32_t prefix = 0;  // invariant_prefix of the code
  ProgramView view() const;
};

compute::KernelDescriptor program_descriptor(std::shared_ptr<const VerifiedProgram> program);
// Adds the program's descriptor to `registry`; a program already there is
// fine (same name, same program).
Status register_program(compute::KernelRegistry& registry, std::shared_ptr<const VerifiedProgram> program);

// The result fields of a complete tally: per tally and count NAME (the
// mean) and NAME_err; per histogram NAME and NAME_err (per bin, as a mean
// over all samples), NAME_under and NAME_over; then each result.
Result<std::vector<compute::ResultField>> program_fields(const ProgramArgs& args, const compute::PointTally& tally);

}  // namespace hpchain::vm
