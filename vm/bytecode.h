// The kernel VM's bytecode: a typed register machine with no jumps. Every
// program is straight-line code plus counted loops (LOOP n ... ENDLOOP);
// `if` is a select that evaluates both arms. So a verified program runs a
// number of instructions known before it starts, which is its gas.
//
// The canonical encoding (docs/kernel-language.md, "Bytecode") is what a
// JobSubmit carries and what the program's identity hashes: fixed layout,
// big-endian, one encoding per program; decode() accepts exactly the bytes
// encode() makes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chain/bytes.h"
#include "chain/hash.h"
#include "chain/status.h"

namespace hpchain::vm {

// Bytecode format version (the encoding's second field). Part of the
// engine's compute_version with the verifier's rules.
inline constexpr uint16_t kBytecodeVersion = 1;

enum class Type : uint8_t { kF64 = 1, kI64 = 2 };  // booleans are i64 0 or 1

// Operands: a is the destination register (or the value for outputs), b
// and c are registers, imm a constant index, an output index, a register,
// or a loop count. See kOpInfo for each op's operand types.
enum class Op : uint8_t {
  kFConst, kIConst, kMov,
  kFAdd, kFSub, kFMul, kFDiv, kFNeg, kFMin, kFMax, kFAbs, kFFloor,
  kFSqrt, kFExp, kFLog, kFExpm1, kFLog1p, kFSin, kFCos, kFAtan, kFAtan2, kFPow, kFErf, kFErfc, kFNormCdf,
  kIAdd, kISub, kIMul, kIDiv, kIMod, kINeg, kIAbs, kIMin, kIMax, kIShl, kIShr, kIAnd, kIOr, kIXor,
  kFLt, kFLe, kFEq, kFNe, kILt, kILe, kIEq, kINe, kNot,
  kFSel, kISel,  // a = b ? c : reg imm
  kItoF, kFtoI,
  kUniform, kNormal,       // draws: the sample's next Philox words
  kTally, kCount, kHist,   // outputs: imm = output index
  kLoop, kEndLoop,         // a = loop index register, imm = iteration count
  kMean, kErr,             // result code only: a = the mean / standard error of output imm
  kOpCount
};

// What an operand slot holds.
enum class Operand : uint8_t {
  kNone, kRegF, kRegI, kRegAny,  // a register of that type (kRegAny: b's type equals a's)
  kConstF, kConstI,              // imm indexes the constant pool
  kOutput,                       // imm indexes the outputs
  kLoopCount,                    // imm is the iteration count
};

struct OpInfo {
  const char* name;
  Operand a, b, c, imm;
  bool writes_a;       // a is a destination (else it is read)
  uint32_t gas;        // cost per execution
  bool sample_only;    // draws, outputs and loops: not in result code
  bool result_only;    // kMean, kErr
};
extern const std::array<OpInfo, static_cast<size_t>(Op::kOpCount)> kOpInfo;
inline const OpInfo& op_info(Op op) { return kOpInfo[static_cast<size_t>(op)]; }

struct Instr {
  Op op = Op::kMov;
  uint8_t a = 0, b = 0, c = 0;
  uint32_t imm = 0;
  friend bool operator==(const Instr&, const Instr&) = default;
};

struct ParamDecl {
  std::string name;
  Type type = Type::kF64;
  bool required = false;
  double default_value = 0.0;  // ignored when required
  double min = 0.0, max = 0.0;  // inclusive
  friend bool operator==(const ParamDecl&, const ParamDecl&) = default;
};

enum class OutputKind : uint8_t { kTally = 1, kCount = 2, kHist = 3 };

struct OutputDecl {
  std::string name;
  OutputKind kind = OutputKind::kTally;
  double lo = 0.0, hi = 0.0;  // histograms: [lo, hi) in `bins` equal bins
  uint32_t bins = 0;
  friend bool operator==(const OutputDecl&, const OutputDecl&) = default;
};

// A derived output: `code` runs once at finalize (no draws or outputs;
// kMean and kErr read the outputs), and its value is register `reg` (f64).
struct ResultDecl {
  std::string name;
  uint8_t reg = 0;
  std::vector<Instr> code;
  friend bool operator==(const ResultDecl&, const ResultDecl&) = default;
};

// Parameters occupy registers 0..params-1, in declaration order, typed as
// declared; every other register starts at 0 for each sample.
struct Program {
  std::vector<ParamDecl> params;
  std::vector<OutputDecl> outputs;
  std::vector<double> f64_consts;
  std::vector<int64_t> i64_consts;
  std::vector<Type> registers;
  std::vector<Instr> code;  // one sample
  std::vector<ResultDecl> results;
  friend bool operator==(const Program&, const Program&) = default;
};

// Bounds the decoder and verifier enforce (the encoding's field widths
// allow more).
inline constexpr size_t kMaxParams = 64;
inline constexpr size_t kMaxOutputs = 64;
inline constexpr uint32_t kMaxHistBins = 1000;
inline constexpr size_t kMaxConsts = 4096;
inline constexpr size_t kMaxRegisters = 256;
inline constexpr size_t kMaxCode = 16384;  // instructions, per code block
inline constexpr size_t kMaxResults = 64;
inline constexpr size_t kMaxProgramBytes = 256 * 1024;

Bytes encode(const Program& program);
// Structure only (lengths, names, bounds, canonical NaN constants, no
// trailing bytes); verify() checks the code. InvalidArgument naming the
// offset and field otherwise.
Result<Program> decode(ByteSpan bytes);
// SHA-256 of encode(program): the program's identity.
Hash32 program_id(const Program& program);

// One line per instruction, for `hpchain-compute inspect-program` and errors.
std::string disassemble(const Program& program);

}  // namespace hpchain::vm
