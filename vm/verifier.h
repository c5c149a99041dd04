// The bytecode verifier: a program that passes cannot crash the node, touch
// memory outside its frame, or run unbounded (docs/kernel-language.md,
// "Verifier"). Every rule has its own error, naming the code block, the
// instruction and the rule. It also computes the program's gas: the cost
// of one sample, counted statically from the code (loop bodies times their
// counts, both arms of every select), so it cannot depend on the order or
// the values a run meets.
#pragma once

#include <cstdint>
#include <vector>

#include "chain/status.h"
#include "compute/tally.h"
#include "vm/bytecode.h"

namespace hpchain::vm {

inline constexpr uint32_t kMaxLoopDepth = 4;
inline constexpr uint32_t kMaxLoopCount = 1u << 20;
// The most gas one sample may cost, and the most draws it may make.
inline constexpr uint64_t kMaxSampleGas = 10'000'000;
inline constexpr uint64_t kMaxSampleDraws = 1u << 20;

// Where an output's numbers live in the point's tally.
struct OutputSlots {
  uint32_t sum = 0;    // tally: sum x at sum, sum x^2 at sum + 1; hist: w per bin
                       // (bins, underflow, overflow) then w^2 per bin
  uint32_t count = 0;  // count outputs: their counter (>= 1; counter 0 is the samples)
};

struct VerifiedProgram {
  Program program;
  Hash32 id;                       // program_id
  uint64_t sample_gas = 0;         // gas of one sample
  uint64_t sample_draws = 0;       // draws of one sample (loops counted)
  std::vector<OutputSlots> slots;  // per output
  compute::TallyShape shape;
};

// Checks everything decode() does not: names unique across parameters,
// outputs and result fields; parameter ranges; histogram edges; register
// types; every operand's type and range; outputs used by the op of their
// kind; no write to a parameter register; loops nested at most
// kMaxLoopDepth deep, counted 1..kMaxLoopCount, closed; draws, outputs and
// loops only in sample code and kMean/kErr only in result code; unused
// operand fields zero; gas and draws within bounds. InvalidArgument with
// the rule otherwise.
Result<VerifiedProgram> verify(Program program);
// decode() then verify().
Result<VerifiedProgram> load_program(ByteSpan bytecode);

// The gas of a job: sample gas times samples, saturating at UINT64_MAX.
uint64_t job_gas(const VerifiedProgram& program, uint64_t samples);

}  // namespace hpchain::vm
