#include "vm/bytecode.h"

#include <cstring>
#include <sstream>

#include "compute/encoding.h"
#include "compute/params.h"

namespace hpchain::vm {
namespace {

using O = Operand;
constexpr OpInfo op(const char* name, O a, O b, O c, O imm, uint32_t gas, bool writes = true) {
  return OpInfo{name, a, b, c, imm, writes, gas, false, false};
}
constexpr OpInfo sample_op(const char* name, O a, O b, O c, O imm, uint32_t gas, bool writes) {
  return OpInfo{name, a, b, c, imm, writes, gas, true, false};
}
constexpr OpInfo result_op(const char* name) { return OpInfo{name, O::kRegF, O::kNone, O::kNone, O::kOutput, true, 1, false, true}; }
constexpr OpInfo f1(const char* name, uint32_t gas) { return op(name, O::kRegF, O::kRegF, O::kNone, O::kNone, gas); }
constexpr OpInfo f2(const char* name, uint32_t gas) { return op(name, O::kRegF, O::kRegF, O::kRegF, O::kNone, gas); }
constexpr OpInfo i1(const char* name, uint32_t gas) { return op(name, O::kRegI, O::kRegI, O::kNone, O::kNone, gas); }
constexpr OpInfo i2(const char* name, uint32_t gas) { return op(name, O::kRegI, O::kRegI, O::kRegI, O::kNone, gas); }
constexpr OpInfo fcmp(const char* name) { return op(name, O::kRegI, O::kRegF, O::kRegF, O::kNone, 1); }
constexpr OpInfo icmp(const char* name) { return op(name, O::kRegI, O::kRegI, O::kRegI, O::kNone, 1); }

// Gas: 1 per simple operation; division and square root 4; each compute/math
// function its rough cost in simple operations; a draw a Philox block's
// share; an output the exact accumulator's add.
constexpr std::array<OpInfo, static_cast<size_t>(Op::kOpCount)> make_table() {
  return {{
      op("fconst", O::kRegF, O::kNone, O::kNone, O::kConstF, 1),
      op("iconst", O::kRegI, O::kNone, O::kNone, O::kConstI, 1),
      op("mov", O::kRegAny, O::kRegAny, O::kNone, O::kNone, 1),
      f2("fadd", 1), f2("fsub", 1), f2("fmul", 1), f2("fdiv", 4), f1("fneg", 1), f2("fmin", 1), f2("fmax", 1),
      f1("fabs", 1), f1("ffloor", 2),
      f1("fsqrt", 4), f1("fexp", 30), f1("flog", 30), f1("fexpm1", 30), f1("flog1p", 30), f1("fsin", 40),
      f1("fcos", 40), f1("fatan", 40), f2("fatan2", 50), f2("fpow", 80), f1("ferf", 40), f1("ferfc", 40),
      f1("fnormcdf", 40),
      i2("iadd", 1), i2("isub", 1), i2("imul", 1), i2("idiv", 4), i2("imod", 4), i1("ineg", 1), i1("iabs", 1),
      i2("imin", 1), i2("imax", 1), i2("ishl", 1), i2("ishr", 1), i2("iand", 1), i2("ior", 1), i2("ixor", 1),
      fcmp("flt"), fcmp("fle"), fcmp("feq"), fcmp("fne"), icmp("ilt"), icmp("ile"), icmp("ieq"), icmp("ine"),
      i1("not", 1),
      op("fsel", O::kRegF, O::kRegI, O::kRegF, O::kRegF, 1),
      op("isel", O::kRegI, O::kRegI, O::kRegI, O::kRegI, 1),
      op("itof", O::kRegF, O::kRegI, O::kNone, O::kNone, 1),
      op("ftoi", O::kRegI, O::kRegF, O::kNone, O::kNone, 2),
      sample_op("uniform", O::kRegF, O::kNone, O::kNone, O::kNone, 20, true),
      sample_op("normal", O::kRegF, O::kNone, O::kNone, O::kNone, 50, true),
      sample_op("tally", O::kRegF, O::kNone, O::kNone, O::kOutput, 10, false),
      sample_op("count", O::kRegI, O::kNone, O::kNone, O::kOutput, 2, false),
      sample_op("hist", O::kRegF, O::kRegF, O::kNone, O::kOutput, 20, false),
      sample_op("loop", O::kRegI, O::kNone, O::kNone, O::kLoopCount, 1, true),
      sample_op("endloop", O::kNone, O::kNone, O::kNone, O::kNone, 1, false),
      result_op("mean"), result_op("err"),
  }};
}

}  // namespace

const std::array<OpInfo, static_cast<size_t>(Op::kOpCount)> kOpInfo = make_table();

namespace {

void put_u8(Bytes& out, uint8_t v) { out.push_back(v); }
void put_u16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void put_name(Bytes& out, const std::string& name) {
  put_u8(out, static_cast<uint8_t>(name.size()));
  out.insert(out.end(), name.begin(), name.end());
}
void put_code(Bytes& out, const std::vector<Instr>& code) {
  compute::put_u32(out, static_cast<uint32_t>(code.size()));
  for (const Instr& i : code) {
    put_u8(out, static_cast<uint8_t>(i.op));
    put_u8(out, i.a);
    put_u8(out, i.b);
    put_u8(out, i.c);
    compute::put_u32(out, i.imm);
  }
}

// A bounds-checked big-endian reader whose errors name the field.
class Reader {
 public:
  explicit Reader(ByteSpan bytes) : bytes_(bytes) {}
  Status need(size_t n, const char* what) {
    if (bytes_.size() - pos_ < n) {
      return Status::invalid_argument("program bytecode: truncated at byte " + std::to_string(pos_) + " (" + what + ")");
    }
    return Status::ok();
  }
  Result<uint64_t> uint(size_t width, const char* what) {
    HPC_TRY(need(width, what));
    uint64_t v = 0;
    for (size_t k = 0; k < width; ++k) v = (v << 8) | bytes_[pos_++];
    return v;
  }
  Result<double> f64(const char* what) {
    HPC_ASSIGN_OR_RETURN(uint64_t bits, uint(8, what));
    if ((bits & 0x7FFFFFFFFFFFFFFFULL) > 0x7FF0000000000000ULL && bits != 0x7FF8000000000000ULL) {
      return error(what, "a NaN other than the canonical one");
    }
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  Result<std::string> name(const char* what) {
    HPC_ASSIGN_OR_RETURN(uint64_t n, uint(1, what));
    HPC_TRY(need(n, what));
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    if (!compute::is_valid_name(s)) return error(what, "a name that is not 1 to 64 of [a-z0-9_]");
    return s;
  }
  Result<std::vector<Instr>> code(const char* what) {
    HPC_ASSIGN_OR_RETURN(uint64_t n, uint(4, what));
    if (n > kMaxCode) return error(what, std::to_string(n) + " instructions, above " + std::to_string(kMaxCode));
    HPC_TRY(need(8 * n, what));
    std::vector<Instr> out(n);
    for (Instr& i : out) {
      const uint8_t op = bytes_[pos_];
      if (op >= static_cast<uint8_t>(Op::kOpCount)) return error(what, "unknown opcode " + std::to_string(op));
      i.op = static_cast<Op>(op);
      i.a = bytes_[pos_ + 1];
      i.b = bytes_[pos_ + 2];
      i.c = bytes_[pos_ + 3];
      pos_ += 4;
      i.imm = static_cast<uint32_t>(*uint(4, what));
    }
    return out;
  }
  Status error(const char* what, const std::string& why) const {
    return Status::invalid_argument("program bytecode: " + std::string(what) + " at byte " + std::to_string(pos_) +
                                    ": " + why);
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  ByteSpan bytes_;
  size_t pos_ = 0;
};

Result<Type> read_type(Reader& r, const char* what) {
  HPC_ASSIGN_OR_RETURN(uint64_t t, r.uint(1, what));
  if (t != static_cast<uint8_t>(Type::kF64) && t != static_cast<uint8_t>(Type::kI64)) {
    return r.error(what, "unknown type " + std::to_string(t));
  }
  return static_cast<Type>(t);
}

Status read_params(Reader& r, Program& p) {
  HPC_ASSIGN_OR_RETURN(uint64_t n, r.uint(1, "parameter count"));
  if (n > kMaxParams) return r.error("parameter count", "above " + std::to_string(kMaxParams));
  for (uint64_t k = 0; k < n; ++k) {
    ParamDecl d;
    HPC_ASSIGN_OR_RETURN(d.name, r.name("parameter name"));
    HPC_ASSIGN_OR_RETURN(d.type, read_type(r, "parameter type"));
    HPC_ASSIGN_OR_RETURN(uint64_t required, r.uint(1, "parameter required flag"));
    if (required > 1) return r.error("parameter required flag", "not 0 or 1");
    d.required = required == 1;
    HPC_ASSIGN_OR_RETURN(d.default_value, r.f64("parameter default"));
    HPC_ASSIGN_OR_RETURN(d.min, r.f64("parameter minimum"));
    HPC_ASSIGN_OR_RETURN(d.max, r.f64("parameter maximum"));
    p.params.push_back(std::move(d));
  }
  return Status::ok();
}

Status read_outputs(Reader& r, Program& p) {
  HPC_ASSIGN_OR_RETURN(uint64_t n, r.uint(1, "output count"));
  if (n > kMaxOutputs) return r.error("output count", "above " + std::to_string(kMaxOutputs));
  for (uint64_t k = 0; k < n; ++k) {
    OutputDecl d;
    HPC_ASSIGN_OR_RETURN(d.name, r.name("output name"));
    HPC_ASSIGN_OR_RETURN(uint64_t kind, r.uint(1, "output kind"));
    if (kind < 1 || kind > 3) return r.error("output kind", "unknown kind " + std::to_string(kind));
    d.kind = static_cast<OutputKind>(kind);
    HPC_ASSIGN_OR_RETURN(d.lo, r.f64("histogram low edge"));
    HPC_ASSIGN_OR_RETURN(d.hi, r.f64("histogram high edge"));
    HPC_ASSIGN_OR_RETURN(uint64_t bins, r.uint(4, "histogram bins"));
    d.bins = static_cast<uint32_t>(bins);
    p.outputs.push_back(std::move(d));
  }
  return Status::ok();
}

Status read_pools(Reader& r, Program& p) {
  HPC_ASSIGN_OR_RETURN(uint64_t nf, r.uint(2, "f64 constant count"));
  if (nf > kMaxConsts) return r.error("f64 constant count", "above " + std::to_string(kMaxConsts));
  for (uint64_t k = 0; k < nf; ++k) {
    HPC_ASSIGN_OR_RETURN(double v, r.f64("f64 constant"));
    p.f64_consts.push_back(v);
  }
  HPC_ASSIGN_OR_RETURN(uint64_t ni, r.uint(2, "i64 constant count"));
  if (ni > kMaxConsts) return r.error("i64 constant count", "above " + std::to_string(kMaxConsts));
  for (uint64_t k = 0; k < ni; ++k) {
    HPC_ASSIGN_OR_RETURN(uint64_t v, r.uint(8, "i64 constant"));
    p.i64_consts.push_back(static_cast<int64_t>(v));
  }
  HPC_ASSIGN_OR_RETURN(uint64_t nr, r.uint(2, "register count"));
  if (nr > kMaxRegisters) return r.error("register count", "above " + std::to_string(kMaxRegisters));
  for (uint64_t k = 0; k < nr; ++k) {
    HPC_ASSIGN_OR_RETURN(Type t, read_type(r, "register type"));
    p.registers.push_back(t);
  }
  return Status::ok();
}

}  // namespace

Bytes encode(const Program& p) {
  Bytes out = to_bytes("HKB1");
  put_u16(out, kBytecodeVersion);
  put_u8(out, static_cast<uint8_t>(p.params.size()));
  for (const ParamDecl& d : p.params) {
    put_name(out, d.name);
    put_u8(out, static_cast<uint8_t>(d.type));
    put_u8(out, d.required ? 1 : 0);
    compute::put_f64(out, d.default_value);
    compute::put_f64(out, d.min);
    compute::put_f64(out, d.max);
  }
  put_u8(out, static_cast<uint8_t>(p.outputs.size()));
  for (const OutputDecl& d : p.outputs) {
    put_name(out, d.name);
    put_u8(out, static_cast<uint8_t>(d.kind));
    compute::put_f64(out, d.lo);
    compute::put_f64(out, d.hi);
    compute::put_u32(out, d.bins);
  }
  put_u16(out, static_cast<uint16_t>(p.f64_consts.size()));
  for (double v : p.f64_consts) compute::put_f64(out, v);
  put_u16(out, static_cast<uint16_t>(p.i64_consts.size()));
  for (int64_t v : p.i64_consts) compute::put_u64(out, static_cast<uint64_t>(v));
  put_u16(out, static_cast<uint16_t>(p.registers.size()));
  for (Type t : p.registers) put_u8(out, static_cast<uint8_t>(t));
  put_code(out, p.code);
  put_u8(out, static_cast<uint8_t>(p.results.size()));
  for (const ResultDecl& d : p.results) {
    put_name(out, d.name);
    put_u8(out, d.reg);
    put_code(out, d.code);
  }
  return out;
}

Result<Program> decode(ByteSpan bytes) {
  if (bytes.size() > kMaxProgramBytes) {
    return Status::invalid_argument("program bytecode: " + std::to_string(bytes.size()) + " bytes, above " +
                                    std::to_string(kMaxProgramBytes));
  }
  Reader r(bytes);
  HPC_TRY(r.need(4, "magic"));
  if (std::memcmp(bytes.data(), "HKB1", 4) != 0) return Status::invalid_argument("program bytecode: not HKB1 bytecode");
  HPC_TRY(r.uint(4, "magic"));
  HPC_ASSIGN_OR_RETURN(uint64_t version, r.uint(2, "version"));
  if (version != kBytecodeVersion) {
    return r.error("version", "bytecode version " + std::to_string(version) + ", this build reads " +
                                  std::to_string(kBytecodeVersion));
  }
  Program p;
  HPC_TRY(read_params(r, p));
  HPC_TRY(read_outputs(r, p));
  HPC_TRY(read_pools(r, p));
  HPC_ASSIGN_OR_RETURN(p.code, r.code("sample code"));
  HPC_ASSIGN_OR_RETURN(uint64_t nresults, r.uint(1, "result count"));
  if (nresults > kMaxResults) return r.error("result count", "above " + std::to_string(kMaxResults));
  for (uint64_t k = 0; k < nresults; ++k) {
    ResultDecl d;
    HPC_ASSIGN_OR_RETURN(d.name, r.name("result name"));
    HPC_ASSIGN_OR_RETURN(uint64_t reg, r.uint(1, "result register"));
    d.reg = static_cast<uint8_t>(reg);
    HPC_ASSIGN_OR_RETURN(d.code, r.code("result code"));
    p.results.push_back(std::move(d));
  }
  if (!r.done()) return r.error("end", "trailing bytes");
  return p;
}

Hash32 program_id(const Program& program) { return sha256(encode(program)); }

namespace {
void disassemble_code(std::ostringstream& out, const std::vector<Instr>& code) {
  for (size_t k = 0; k < code.size(); ++k) {
    const Instr& i = code[k];
    const OpInfo& info = op_info(i.op);
    out << "  " << k << ": " << info.name;
    if (info.a != Operand::kNone) out << " r" << int{i.a};
    if (info.b != Operand::kNone) out << " r" << int{i.b};
    if (info.c != Operand::kNone) out << " r" << int{i.c};
    if (info.imm == Operand::kRegF || info.imm == Operand::kRegI) out << " r" << i.imm;
    else if (info.imm != Operand::kNone) out << " #" << i.imm;
    out << "\n";
  }
}
}  // namespace

std::string disassemble(const Program& p) {
  std::ostringstream out;
  for (size_t k = 0; k < p.params.size(); ++k) out << "param r" << k << " " << p.params[k].name << "\n";
  for (size_t k = 0; k < p.outputs.size(); ++k) out << "output #" << k << " " << p.outputs[k].name << "\n";
  for (size_t k = 0; k < p.f64_consts.size(); ++k) out << "fconst #" << k << " " << compute::format_param_number(p.f64_consts[k]) << "\n";
  for (size_t k = 0; k < p.i64_consts.size(); ++k) out << "iconst #" << k << " " << p.i64_consts[k] << "\n";
  out << "sample:\n";
  disassemble_code(out, p.code);
  for (const ResultDecl& d : p.results) {
    out << "result " << d.name << " = r" << int{d.reg} << ":\n";
    disassemble_code(out, d.code);
  }
  return out.str();
}

}  // namespace hpchain::vm
