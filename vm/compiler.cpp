#include "vm/compiler.h"

#include <algorithm>
#include <cstring>

#include "compute/params.h"
#include "vm/compiler_internal.h"
#include "vm/parser.h"

namespace hpchain::vm {
namespace detail {

const char* type_name(VType t) {
  switch (t) {
    case VType::kF64: return "f64";
    case VType::kI64: return "i64";
    case VType::kBool: return "bool";
  }
  return "?";
}

Status error_at(ast::Pos pos, const std::string& message) {
  return Status::invalid_argument(std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + message);
}

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

bool is_reserved(const std::string& name) {
  static const char* const kWords[] = {"param", "let", "var", "tally", "count", "hist", "for", "in", "result",
                                       "if", "else", "weight", "true", "false", "f64", "i64"};
  return std::any_of(std::begin(kWords), std::end(kWords), [&](const char* w) { return name == w; });
}

}  // namespace

// ---- registers, constants, scopes ----

Result<uint8_t> Compiler::alloc(VType t, ast::Pos pos, bool reuse) {
  auto& free = storage(t) == Type::kF64 ? free_f64_ : free_i64_;
  if (reuse && !free.empty()) {
    const uint8_t r = free.back();
    free.pop_back();
    return r;
  }
  if (p_.registers.size() >= kMaxRegisters) {
    return error_at(pos, "the program needs more than " + std::to_string(kMaxRegisters) +
                             " registers: split long expressions or reuse variables");
  }
  p_.registers.push_back(storage(t));
  return static_cast<uint8_t>(p_.registers.size() - 1);
}

void Compiler::release(Value v) {
  if (!v.temp) return;
  (p_.registers[v.reg] == Type::kF64 ? free_f64_ : free_i64_).push_back(v.reg);
}

void Compiler::scope_release(const std::map<std::string, Symbol>& scope) {
  for (const auto& [name, s] : scope) {
    if (s.kind == Symbol::Kind::kLet || s.kind == Symbol::Kind::kVar || s.kind == Symbol::Kind::kLoop) {
      release(Value{s.reg, true});
    }
  }
}

uint32_t Compiler::fconst(double v) {
  for (size_t k = 0; k < p_.f64_consts.size(); ++k) {
    if (std::memcmp(&p_.f64_consts[k], &v, sizeof v) == 0) return static_cast<uint32_t>(k);
  }
  p_.f64_consts.push_back(v);
  return static_cast<uint32_t>(p_.f64_consts.size() - 1);
}

uint32_t Compiler::iconst(int64_t v) {
  for (size_t k = 0; k < p_.i64_consts.size(); ++k) {
    if (p_.i64_consts[k] == v) return static_cast<uint32_t>(k);
  }
  p_.i64_consts.push_back(v);
  return static_cast<uint32_t>(p_.i64_consts.size() - 1);
}

void Compiler::op(Op o, uint8_t a, uint8_t b, uint8_t c, uint32_t imm) { code_->push_back(Instr{o, a, b, c, imm}); }

const Symbol* Compiler::lookup(const std::string& name) const {
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
    auto it = scope->find(name);
    if (it != scope->end()) return &it->second;
  }
  return nullptr;
}

std::string Compiler::suggestion(const std::string& name) const {
  std::string best;
  size_t best_distance = 3;
  auto consider = [&](const std::string& candidate) {
    const size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  };
  for (const auto& scope : scopes_) {
    for (const auto& [candidate, s] : scope) consider(candidate);
  }
  for (const char* f : {"sqrt", "exp", "log", "expm1", "log1p", "sin", "cos", "atan", "atan2", "pow", "erf", "erfc",
                        "normal_cdf", "floor", "abs", "min", "max", "uniform", "normal", "f64", "i64", "err"}) {
    consider(f);
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

Status Compiler::declare(const std::string& name, Symbol symbol, ast::Pos pos) {
  if (is_reserved(name)) return error_at(pos, "'" + name + "' is a keyword and cannot name a value");
  if (const Symbol* old = lookup(name); old != nullptr) {
    return error_at(pos, "'" + name + "' is already defined at " + std::to_string(old->pos.line) + ":" +
                             std::to_string(old->pos.column) + " (names cannot be redefined or shadowed)");
  }
  symbol.pos = pos;
  scopes_.back().emplace(name, symbol);
  return Status::ok();
}

// ---- statements ----

Status Compiler::param(const ast::Stmt& s) {
  if (seen_statement_) return error_at(s.pos, "parameters come first: move 'param " + s.name + "' above the statements");
  if (!compute::is_valid_name(s.name)) return error_at(s.pos, "a parameter name is 1 to 64 of a-z, 0-9 and _");
  ParamDecl d{s.name, s.type == "f64" ? Type::kF64 : Type::kI64, !s.has_default, s.has_default ? s.default_value : 0.0,
              s.min, s.max};
  if (!(s.min <= s.max)) return error_at(s.pos, "the range of '" + s.name + "' is empty: write in [min, max] with min <= max");
  if (s.has_default && (s.default_value < s.min || s.default_value > s.max)) {
    return error_at(s.pos, "the default of '" + s.name + "' is outside its range");
  }
  if (d.type == Type::kI64) {
    for (double v : {s.min, s.max, d.default_value}) {
      if (v != static_cast<double>(static_cast<int64_t>(v))) {
        return error_at(s.pos, "'" + s.name + "' is i64: its range and default must be integers");
      }
    }
  }
  if (p_.params.size() >= kMaxParams) return error_at(s.pos, "more than " + std::to_string(kMaxParams) + " parameters");
  p_.params.push_back(d);
  p_.registers.push_back(d.type);
  const Symbol sym = Symbol::of(Symbol::Kind::kParam, d.type == Type::kF64 ? VType::kF64 : VType::kI64,
                                static_cast<uint8_t>(p_.registers.size() - 1));
  return declare(s.name, sym, s.pos);
}

Status Compiler::binding(const ast::Stmt& s) {
  HPC_ASSIGN_OR_RETURN(Inferred t, infer(*s.value));
  HPC_ASSIGN_OR_RETURN(Value v, emit(*s.value, t.type));
  if (!v.temp || s.kind == ast::StmtKind::kVar) {
    // A name owns its register: copy a value that belongs to another name.
    HPC_ASSIGN_OR_RETURN(uint8_t r, alloc(t.type, s.pos));
    op(Op::kMov, r, v.reg);
    release(v);
    v = Value{r, true};
  }
  const auto kind = s.kind == ast::StmtKind::kVar ? Symbol::Kind::kVar : Symbol::Kind::kLet;
  return declare(s.name, Symbol::of(kind, t.type, v.reg), s.pos);
}

Status Compiler::assign(const ast::Stmt& s) {
  const Symbol* target = lookup(s.name);
  if (target == nullptr) return error_at(s.pos, "'" + s.name + "' is not defined: declare it with 'var " + s.name + " = ...'");
  if (target->kind != Symbol::Kind::kVar) {
    return error_at(s.pos, "'" + s.name + "' cannot change: only names declared with 'var' can be assigned");
  }
  const Symbol var = *target;
  HPC_ASSIGN_OR_RETURN(Value v, emit_as(*s.value, var.type, ("the assignment to '" + s.name + "'").c_str()));
  op(Op::kMov, var.reg, v.reg);
  release(v);
  return Status::ok();
}

Status Compiler::claim_fields(const ast::Stmt& s, const std::vector<std::string>& suffixes) {
  for (const std::string& suffix : suffixes) {
    const std::string field = s.name + suffix;
    auto it = fields_.find(field);
    if (it != fields_.end()) {
      return error_at(s.pos, "'" + s.name + "' would give the result a second field '" + field + "' (the first is from '" +
                                 it->second.name + "' at " + std::to_string(it->second.pos.line) + ":" +
                                 std::to_string(it->second.pos.column) + "): rename one");
    }
  }
  for (const std::string& suffix : suffixes) fields_.emplace(s.name + suffix, FieldOwner{s.name, s.pos});
  return Status::ok();
}

Result<uint32_t> Compiler::declare_output(const ast::Stmt& s, OutputKind kind) {
  if (!compute::is_valid_name(s.name)) return error_at(s.pos, "an output name is 1 to 64 of a-z, 0-9 and _");
  auto it = outputs_.find(s.name);
  if (it != outputs_.end()) {
    const OutputDecl& d = p_.outputs[it->second];
    if (d.kind != kind) return error_at(s.pos, "'" + s.name + "' is already an output of another kind");
    if (kind == OutputKind::kHist && (d.lo != s.lo || d.hi != s.hi || d.bins != static_cast<uint32_t>(s.bins))) {
      return error_at(s.pos, "histogram '" + s.name + "' was declared with other edges or bins");
    }
    return it->second;
  }
  if (lookup(s.name) != nullptr) return error_at(s.pos, "'" + s.name + "' already names a parameter or value");
  if (kind == OutputKind::kHist && (!(s.lo < s.hi) || s.bins < 1 || s.bins > kMaxHistBins)) {
    return error_at(s.pos, "a histogram needs lo < hi and 1 to " + std::to_string(kMaxHistBins) + " bins");
  }
  if (p_.outputs.size() >= kMaxOutputs) return error_at(s.pos, "more than " + std::to_string(kMaxOutputs) + " outputs");
  static const std::vector<std::string> kSuffixes = {"", "_err"}, kHistSuffixes = {"", "_err", "_under", "_over"};
  HPC_TRY(claim_fields(s, kind == OutputKind::kHist ? kHistSuffixes : kSuffixes));
  OutputDecl d{s.name, kind};
  if (kind == OutputKind::kHist) {
    d.lo = s.lo;
    d.hi = s.hi;
    d.bins = static_cast<uint32_t>(s.bins);
  }
  p_.outputs.push_back(d);
  outputs_.emplace(s.name, static_cast<uint32_t>(p_.outputs.size() - 1));
  return static_cast<uint32_t>(p_.outputs.size() - 1);
}

Status Compiler::output(const ast::Stmt& s) {
  const OutputKind kind = s.kind == ast::StmtKind::kTally ? OutputKind::kTally
                          : s.kind == ast::StmtKind::kCount ? OutputKind::kCount : OutputKind::kHist;
  HPC_ASSIGN_OR_RETURN(uint32_t index, declare_output(s, kind));
  if (kind == OutputKind::kCount) {
    HPC_ASSIGN_OR_RETURN(Value v, emit_as(*s.value, VType::kBool, "a count (it counts the samples where it is true)"));
    op(Op::kCount, v.reg, 0, 0, index);
    release(v);
    return Status::ok();
  }
  HPC_ASSIGN_OR_RETURN(Value v, emit_as(*s.value, VType::kF64, kind == OutputKind::kTally ? "a tally" : "a histogram value"));
  if (kind == OutputKind::kTally) {
    op(Op::kTally, v.reg, 0, 0, index);
    release(v);
    return Status::ok();
  }
  Value w{};
  if (s.weight) {
    HPC_ASSIGN_OR_RETURN(w, emit_as(*s.weight, VType::kF64, "a histogram weight"));
  } else {
    HPC_ASSIGN_OR_RETURN(uint8_t r, alloc(VType::kF64, s.pos));
    op(Op::kFConst, r, 0, 0, fconst(1.0));
    w = Value{r, true};
  }
  op(Op::kHist, v.reg, w.reg, 0, index);
  release(v);
  release(w);
  return Status::ok();
}

Status Compiler::loop(const ast::Stmt& s) {
  const int64_t count = s.to - s.from;
  if (count < 1 || count > static_cast<int64_t>(kMaxLoopCount)) {
    return error_at(s.pos, "a loop runs 1 to " + std::to_string(kMaxLoopCount) + " times: 'for " + s.name + " in " +
                               std::to_string(s.from) + ".." + std::to_string(s.to) + "' runs " + std::to_string(count));
  }
  HPC_ASSIGN_OR_RETURN(uint8_t index, alloc(VType::kI64, s.pos));
  op(Op::kLoop, index, 0, 0, static_cast<uint32_t>(count));
  scopes_.emplace_back();
  uint8_t visible = index;
  if (s.from != 0) {  // the name counts from `from`: index + from, at the top of each iteration
    HPC_ASSIGN_OR_RETURN(visible, alloc(VType::kI64, s.pos));
    HPC_ASSIGN_OR_RETURN(uint8_t offset, alloc(VType::kI64, s.pos));
    op(Op::kIConst, offset, 0, 0, iconst(s.from));
    op(Op::kIAdd, visible, index, offset);
    release(Value{offset, true});
  }
  Status status = declare(s.name, Symbol::of(Symbol::Kind::kLoop, VType::kI64, visible), s.pos);
  for (const ast::Stmt& inner : s.body) {
    if (!status.is_ok()) break;
    status = statement(inner);
  }
  HPC_TRY(status);
  if (s.body.empty()) return error_at(s.pos, "the loop body is empty");
  op(Op::kEndLoop, 0);
  scope_release(scopes_.back());
  scopes_.pop_back();
  if (visible != index) release(Value{index, true});
  return Status::ok();
}

Status Compiler::result(const ast::Stmt& s) {
  if (!compute::is_valid_name(s.name)) return error_at(s.pos, "a result name is 1 to 64 of a-z, 0-9 and _");
  if (outputs_.count(s.name) != 0 || lookup(s.name) != nullptr) {
    return error_at(s.pos, "'" + s.name + "' already names an output, parameter or value");
  }
  if (p_.results.size() >= kMaxResults) return error_at(s.pos, "more than " + std::to_string(kMaxResults) + " results");
  HPC_TRY(claim_fields(s, {""}));
  ResultDecl d;
  d.name = s.name;
  code_ = &d.code;
  in_result_ = true;
  Result<Value> v = emit_as(*s.value, VType::kF64, "a result");
  in_result_ = false;
  code_ = &p_.code;
  HPC_TRY(v);
  d.reg = v->reg;  // kept: results run once, after every sample, in order
  p_.results.push_back(std::move(d));
  // Later results may use this one.
  return declare(s.name, Symbol::of(Symbol::Kind::kLet, VType::kF64, v->reg), s.pos);
}

Status Compiler::statement(const ast::Stmt& s) {
  switch (s.kind) {
    case ast::StmtKind::kParam: return param(s);
    case ast::StmtKind::kLet: case ast::StmtKind::kVar: return binding(s);
    case ast::StmtKind::kAssign: return assign(s);
    case ast::StmtKind::kTally: case ast::StmtKind::kCount: case ast::StmtKind::kHist: return output(s);
    case ast::StmtKind::kFor: return loop(s);
    case ast::StmtKind::kResult: return error_at(s.pos, "'result' belongs at the top level, not inside a loop");
  }
  return error_at(s.pos, "unknown statement");
}

Result<Program> Compiler::run(const ast::Module& module) {
  // Parameters, then the sample code, then the results (which read the
  // outputs, wherever they were declared).
  for (const ast::Stmt& s : module.statements) {
    if (s.kind == ast::StmtKind::kResult) continue;
    if (s.kind != ast::StmtKind::kParam) seen_statement_ = true;
    HPC_TRY(statement(s));
  }
  if (p_.outputs.empty()) return error_at(ast::Pos{}, "the kernel has no output: add 'tally NAME += EXPR' or 'count' or 'hist'");
  if (p_.code.empty()) return error_at(ast::Pos{}, "the kernel has no per-sample statement");
  p_.code.insert(p_.code.begin(), prologue_.begin(), prologue_.end());
  // Results see parameters, outputs and constants only.
  scope_release(scopes_.front());
  std::map<std::string, Symbol> visible;
  for (const auto& [name, sym] : scopes_.front()) {
    if (sym.kind == Symbol::Kind::kParam) visible.emplace(name, sym);
    else sample_names_.insert(name);
  }
  scopes_.front() = std::move(visible);
  for (const ast::Stmt& s : module.statements) {
    if (s.kind == ast::StmtKind::kResult) HPC_TRY(result(s));
  }
  return std::move(p_);
}

}  // namespace detail

Result<Program> compile(const ast::Module& module) { return detail::Compiler().run(module); }

Result<VerifiedProgram> compile_source(std::string_view source) {
  HPC_ASSIGN_OR_RETURN(ast::Module module, parse(source));
  HPC_ASSIGN_OR_RETURN(Program program, compile(module));
  return verify(std::move(program));
}

}  // namespace hpchain::vm
