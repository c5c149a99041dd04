#include "vm/verifier.h"

#include <cmath>
#include <set>
#include <string>

#include "compute/math/dmath.h"

namespace hpchain::vm {
namespace {

Status reject(const std::string& where, size_t index, const std::string& rule) {
  return Status::invalid_argument("program rejected: " + where + " instruction " + std::to_string(index) + ": " + rule);
}

bool is_integral(double v) { return std::isfinite(v) && dmath::floor(v) == v && dmath::fabs(v) <= 9007199254740992.0; }

Status check_params(const Program& p) {
  for (const ParamDecl& d : p.params) {
    const std::string what = "parameter '" + d.name + "'";
    if (!std::isfinite(d.min) || !std::isfinite(d.max) || d.min > d.max) {
      return Status::invalid_argument("program rejected: " + what + " has no finite range [min, max]");
    }
    if (d.type == Type::kI64 && (!is_integral(d.min) || !is_integral(d.max) || !is_integral(d.default_value))) {
      return Status::invalid_argument("program rejected: " + what + " is an integer with a non-integer bound or default");
    }
    if (d.required ? d.default_value != 0.0 : (d.default_value < d.min || d.default_value > d.max)) {
      return Status::invalid_argument("program rejected: " + what +
                                      (d.required ? " is required but has a default" : " has a default outside its range"));
    }
  }
  return Status::ok();
}

// Field names of the result: each must be unique.
Status check_names(const Program& p) {
  std::set<std::string> names;
  auto add = [&](const std::string& name) -> Status {
    if (!names.insert(name).second) return Status::invalid_argument("program rejected: the name '" + name + "' is used twice");
    return Status::ok();
  };
  for (const ParamDecl& d : p.params) HPC_TRY(add("param:" + d.name));
  for (const OutputDecl& d : p.outputs) {
    HPC_TRY(add(d.name));
    HPC_TRY(add(d.name + "_err"));
    if (d.kind == OutputKind::kHist) {
      HPC_TRY(add(d.name + "_under"));
      HPC_TRY(add(d.name + "_over"));
    }
  }
  for (const ResultDecl& d : p.results) HPC_TRY(add(d.name));
  return Status::ok();
}

Result<std::vector<OutputSlots>> layout(const Program& p, compute::TallyShape& shape) {
  std::vector<OutputSlots> slots;
  uint64_t sums = 0, counts = 1;
  for (const OutputDecl& d : p.outputs) {
    const std::string what = "program rejected: output '" + d.name + "'";
    OutputSlots s;
    if (d.kind == OutputKind::kHist) {
      if (!std::isfinite(d.lo) || !std::isfinite(d.hi) || !(d.lo < d.hi) || !std::isfinite(d.hi - d.lo)) {
        return Status::invalid_argument(what + ": a histogram needs finite edges lo < hi");
      }
      if (d.bins < 1 || d.bins > kMaxHistBins) {
        return Status::invalid_argument(what + ": a histogram has 1 to " + std::to_string(kMaxHistBins) + " bins");
      }
      s.sum = static_cast<uint32_t>(sums);
      sums += 2 * (uint64_t{d.bins} + 2);
    } else {
      if (d.lo != 0.0 || d.hi != 0.0 || d.bins != 0) return Status::invalid_argument(what + ": edges on a non-histogram");
      if (d.kind == OutputKind::kTally) {
        s.sum = static_cast<uint32_t>(sums);
        sums += 2;
      } else {
        s.count = static_cast<uint32_t>(counts++);
      }
    }
    slots.push_back(s);
  }
  if (sums > compute::kMaxTallySlots || counts > compute::kMaxTallySlots) {
    return Status::invalid_argument("program rejected: the outputs need more than " +
                                    std::to_string(compute::kMaxTallySlots) + " tally slots");
  }
  shape = compute::TallyShape{static_cast<uint32_t>(sums), static_cast<uint32_t>(counts)};
  return slots;
}

// Checks one operand slot of instruction `i`.
class CodeChecker {
 public:
  CodeChecker(const Program& p, std::string where, bool result_code)
      : p_(p), where_(std::move(where)), result_code_(result_code) {}

  Status operand(size_t k, Operand kind, uint32_t value, bool is_dest, Type any_type, const char* slot) {
    const auto fail = [&](const std::string& why) { return reject(where_, k, std::string(slot) + " " + why); };
    switch (kind) {
      case Operand::kNone:
        return value == 0 ? Status::ok() : fail("must be 0 (unused)");
      case Operand::kRegF: case Operand::kRegI: case Operand::kRegAny: {
        if (value >= p_.registers.size()) return fail("register r" + std::to_string(value) + " does not exist");
        const Type want = kind == Operand::kRegF ? Type::kF64 : kind == Operand::kRegI ? Type::kI64 : any_type;
        if (p_.registers[value] != want) return fail("register r" + std::to_string(value) + " has the wrong type");
        if (is_dest && value < p_.params.size()) return fail("writes parameter register r" + std::to_string(value));
        return Status::ok();
      }
      case Operand::kConstF:
        return value < p_.f64_consts.size() ? Status::ok() : fail("f64 constant #" + std::to_string(value) + " does not exist");
      case Operand::kConstI:
        return value < p_.i64_consts.size() ? Status::ok() : fail("i64 constant #" + std::to_string(value) + " does not exist");
      case Operand::kOutput:
        return value < p_.outputs.size() ? Status::ok() : fail("output #" + std::to_string(value) + " does not exist");
      case Operand::kLoopCount:
        return value >= 1 && value <= kMaxLoopCount ? Status::ok()
                                                     : fail("loop count must be 1 to " + std::to_string(kMaxLoopCount));
    }
    return fail("unknown operand kind");
  }

  Status instruction(size_t k, const Instr& i) {
    const OpInfo& info = op_info(i.op);
    if (result_code_ && info.sample_only) return reject(where_, k, std::string(info.name) + " is not allowed in result code");
    if (!result_code_ && info.result_only) return reject(where_, k, std::string(info.name) + " is only allowed in result code");
    const Type any = i.a < p_.registers.size() ? p_.registers[i.a] : Type::kF64;
    HPC_TRY(operand(k, info.a, i.a, info.writes_a, any, "operand a"));
    HPC_TRY(operand(k, info.b, i.b, false, any, "operand b"));
    HPC_TRY(operand(k, info.c, i.c, false, any, "operand c"));
    HPC_TRY(operand(k, info.imm, i.imm, false, any, "operand imm"));
    if (info.imm == Operand::kOutput && !result_code_) {
      const OutputKind want = i.op == Op::kTally ? OutputKind::kTally : i.op == Op::kCount ? OutputKind::kCount : OutputKind::kHist;
      if (p_.outputs[i.imm].kind != want) {
        return reject(where_, k, std::string(info.name) + " names output '" + p_.outputs[i.imm].name + "' of another kind");
      }
    }
    if (result_code_ && info.imm == Operand::kOutput && p_.outputs[i.imm].kind == OutputKind::kHist) {
      return reject(where_, k, std::string(info.name) + " of histogram '" + p_.outputs[i.imm].name + "'");
    }
    return Status::ok();
  }

  // Checks every instruction and the loop structure; sums gas and draws
  // with loop multiplicities.
  Status code(const std::vector<Instr>& code, uint64_t& gas, uint64_t& draws) {
    std::vector<uint64_t> factors{1};  // the product of enclosing loop counts
    for (size_t k = 0; k < code.size(); ++k) {
      const Instr& i = code[k];
      HPC_TRY(instruction(k, i));
      if (i.op == Op::kEndLoop) {
        if (factors.size() == 1) return reject(where_, k, "endloop without a loop");
        gas += factors.back() * op_info(i.op).gas;  // runs once per iteration
        factors.pop_back();
        continue;
      }
      const uint64_t factor = factors.back();
      gas += factor * op_info(i.op).gas;
      if (i.op == Op::kUniform || i.op == Op::kNormal) draws += factor;
      if (gas > kMaxSampleGas) return reject(where_, k, "one sample costs more than " + std::to_string(kMaxSampleGas) + " gas");
      if (draws > kMaxSampleDraws) return reject(where_, k, "one sample draws more than " + std::to_string(kMaxSampleDraws) + " numbers");
      if (i.op == Op::kLoop) {
        if (factors.size() > kMaxLoopDepth) return reject(where_, k, "loops nested deeper than " + std::to_string(kMaxLoopDepth));
        if (k + 1 < code.size() && code[k + 1].op == Op::kEndLoop) return reject(where_, k, "empty loop body");
        factors.push_back(factor * i.imm);
      }
    }
    if (factors.size() != 1) return reject(where_, code.size(), "a loop is not closed");
    return Status::ok();
  }

 private:
  const Program& p_;
  std::string where_;
  bool result_code_;
};

}  // namespace

Result<VerifiedProgram> verify(Program program) {
  const Program& p = program;
  HPC_TRY(check_params(p));
  HPC_TRY(check_names(p));
  if (p.registers.size() < p.params.size()) return Status::invalid_argument("program rejected: fewer registers than parameters");
  for (size_t k = 0; k < p.params.size(); ++k) {
    if (p.registers[k] != p.params[k].type) {
      return Status::invalid_argument("program rejected: register r" + std::to_string(k) + " does not have parameter '" +
                                      p.params[k].name + "''s type");
    }
  }
  VerifiedProgram v;
  HPC_ASSIGN_OR_RETURN(v.slots, layout(p, v.shape));
  if (p.code.empty()) return Status::invalid_argument("program rejected: the sample code is empty");
  HPC_TRY(CodeChecker(p, "sample code", false).code(p.code, v.sample_gas, v.sample_draws));
  for (const ResultDecl& d : p.results) {
    uint64_t gas = 0, draws = 0;
    HPC_TRY(CodeChecker(p, "result '" + d.name + "'", true).code(d.code, gas, draws));
    if (d.reg >= p.registers.size() || p.registers[d.reg] != Type::kF64) {
      return Status::invalid_argument("program rejected: result '" + d.name + "' is not an f64 register");
    }
  }
  v.id = program_id(p);
  v.program = std::move(program);
  return v;
}

Result<VerifiedProgram> load_program(ByteSpan bytecode) {
  HPC_ASSIGN_OR_RETURN(Program p, decode(bytecode));
  return verify(std::move(p));
}

uint64_t job_gas(const VerifiedProgram& program, uint64_t samples) {
  if (samples != 0 && program.sample_gas > UINT64_MAX / samples) return UINT64_MAX;
  return program.sample_gas * samples;
}

}  // namespace hpchain::vm
