// Typing and lowering expressions. Every expression is typed first
// (infer), then lowered to a register of the type its context wants
// (emit): integer literals become f64 next to an f64, nothing else
// converts silently.
#include <cstring>
#include <map>

#include "vm/compiler_internal.h"

namespace hpchain::vm::detail {
namespace {

using ast::Expr;
using ast::ExprKind;

struct Builtin {
  Op f64_op;             // the f64 form (kOpCount: none)
  Op i64_op;             // the i64 form (kOpCount: none)
  int arity;
};

const std::map<std::string, Builtin>& builtins() {
  static const std::map<std::string, Builtin> kBuiltins = {
      {"sqrt", {Op::kFSqrt, Op::kOpCount, 1}},   {"exp", {Op::kFExp, Op::kOpCount, 1}},
      {"log", {Op::kFLog, Op::kOpCount, 1}},     {"expm1", {Op::kFExpm1, Op::kOpCount, 1}},
      {"log1p", {Op::kFLog1p, Op::kOpCount, 1}}, {"sin", {Op::kFSin, Op::kOpCount, 1}},
      {"cos", {Op::kFCos, Op::kOpCount, 1}},     {"atan", {Op::kFAtan, Op::kOpCount, 1}},
      {"erf", {Op::kFErf, Op::kOpCount, 1}},     {"erfc", {Op::kFErfc, Op::kOpCount, 1}},
      {"normal_cdf", {Op::kFNormCdf, Op::kOpCount, 1}}, {"floor", {Op::kFFloor, Op::kOpCount, 1}},
      {"atan2", {Op::kFAtan2, Op::kOpCount, 2}}, {"pow", {Op::kFPow, Op::kOpCount, 2}},
      {"abs", {Op::kFAbs, Op::kIAbs, 1}},        {"min", {Op::kFMin, Op::kIMin, 2}},
      {"max", {Op::kFMax, Op::kIMax, 2}},
  };
  return kBuiltins;
}

bool numeric(VType t) { return t != VType::kBool; }

Op arithmetic(const std::string& o, VType t) {
  const bool f = t == VType::kF64;
  if (o == "+") return f ? Op::kFAdd : Op::kIAdd;
  if (o == "-") return f ? Op::kFSub : Op::kISub;
  if (o == "*") return f ? Op::kFMul : Op::kIMul;
  if (o == "/") return f ? Op::kFDiv : Op::kIDiv;
  return Op::kIMod;
}

bool is_comparison(const std::string& o) { return o == "<" || o == "<=" || o == ">" || o == ">=" || o == "==" || o == "!="; }

}  // namespace

Result<const Symbol*> Compiler::resolve(const Expr& e) {
  if (const Symbol* s = lookup(e.name); s != nullptr) return s;
  if (in_result_ && outputs_.count(e.name) != 0) return static_cast<const Symbol*>(nullptr);  // an output's mean
  if (e.name == "pi") return static_cast<const Symbol*>(nullptr);
  if (!in_result_ && outputs_.count(e.name) != 0) {
    return error_at(e.pos, "'" + e.name + "' is an output: its mean is known in 'result' lines only");
  }
  if (in_result_ && sample_names_.count(e.name) != 0) {
    return error_at(e.pos, "'" + e.name + "' is a per-sample value: results see parameters and outputs only");
  }
  return error_at(e.pos, "unknown name '" + e.name + "'" + suggestion(e.name));
}

Result<Inferred> Compiler::infer(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kNumber: return Inferred{e.is_integer ? VType::kI64 : VType::kF64, e.is_integer};
    case ExprKind::kBool: return Inferred{VType::kBool};
    case ExprKind::kName: {
      HPC_ASSIGN_OR_RETURN(const Symbol* s, resolve(e));
      return Inferred{s != nullptr ? s->type : VType::kF64};
    }
    case ExprKind::kUnary: {
      HPC_ASSIGN_OR_RETURN(Inferred t, infer(*e.args[0]));
      if (e.op == "!" && t.type != VType::kBool) return error_at(e.pos, "'!' needs a bool, not " + std::string(type_name(t.type)));
      if (e.op == "-" && !numeric(t.type)) return error_at(e.pos, "'-' needs a number, not a bool");
      return t;
    }
    case ExprKind::kBinary: return infer_binary(e);
    case ExprKind::kCall: return infer_call(e);
    case ExprKind::kIf: {
      HPC_ASSIGN_OR_RETURN(Inferred c, infer(*e.args[0]));
      if (c.type != VType::kBool) return error_at(e.args[0]->pos, "an if condition is a bool, not " + std::string(type_name(c.type)));
      HPC_ASSIGN_OR_RETURN(Inferred a, infer(*e.args[1]));
      HPC_ASSIGN_OR_RETURN(Inferred b, infer(*e.args[2]));
      if (a.type == b.type) return Inferred{a.type, a.flexible && b.flexible};
      if (a.type == VType::kF64 && b.flexible) return Inferred{VType::kF64};
      if (b.type == VType::kF64 && a.flexible) return Inferred{VType::kF64};
      return error_at(e.pos, std::string("the branches of this if have different types (") + type_name(a.type) + " and " +
                                 type_name(b.type) + "): convert one with f64(...) or i64(...)");
    }
  }
  return error_at(e.pos, "unknown expression");
}

Result<Inferred> Compiler::infer_binary(const Expr& e) {
  HPC_ASSIGN_OR_RETURN(Inferred a, infer(*e.args[0]));
  HPC_ASSIGN_OR_RETURN(Inferred b, infer(*e.args[1]));
  if (e.op == "&&" || e.op == "||") {
    if (a.type != VType::kBool || b.type != VType::kBool) return error_at(e.pos, "'" + e.op + "' joins two bools");
    return Inferred{VType::kBool};
  }
  if (a.type == VType::kBool || b.type == VType::kBool) {
    if ((e.op == "==" || e.op == "!=") && a.type == b.type) return Inferred{VType::kBool};
    return error_at(e.pos, "'" + e.op + "' needs numbers, and a bool is not one");
  }
  VType t = a.type;
  if (a.type != b.type) {
    if (a.type == VType::kF64 && b.flexible) t = VType::kF64;
    else if (b.type == VType::kF64 && a.flexible) t = VType::kF64;
    else return error_at(e.pos, "'" + e.op + "' mixes f64 and i64: convert one side with f64(...) or i64(...)");
  }
  if (e.op == "%" && t != VType::kI64) return error_at(e.pos, "'%' takes i64 operands (there is no float remainder)");
  if (is_comparison(e.op)) return Inferred{VType::kBool};
  // '%' has no f64 form, so its result stays i64 even between literals.
  return Inferred{t, e.op != "%" && a.flexible && b.flexible};
}

Result<Inferred> Compiler::infer_call(const Expr& e) {
  auto arity = [&](size_t n) -> Status {
    if (e.args.size() == n) return Status::ok();
    return error_at(e.pos, "'" + e.name + "' takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s") + ", not " +
                               std::to_string(e.args.size()));
  };
  if (e.name == "uniform" || e.name == "normal") {
    HPC_TRY(arity(0));
    if (in_result_) return error_at(e.pos, "'" + e.name + "()' draws a random number: results cannot draw");
    return Inferred{VType::kF64};
  }
  if (e.name == "err") {
    HPC_TRY(arity(1));
    HPC_TRY(output_argument(e));
    return Inferred{VType::kF64};
  }
  if (e.name == "f64" || e.name == "i64") {
    HPC_TRY(arity(1));
    HPC_ASSIGN_OR_RETURN(Inferred a, infer(*e.args[0]));
    if (!numeric(a.type)) return error_at(e.pos, "'" + e.name + "' converts a number, not a bool");
    return Inferred{e.name == "f64" ? VType::kF64 : VType::kI64};
  }
  auto it = builtins().find(e.name);
  if (it == builtins().end()) return error_at(e.pos, "unknown function '" + e.name + "'" + suggestion(e.name));
  HPC_TRY(arity(static_cast<size_t>(it->second.arity)));
  std::vector<Inferred> args;
  bool any_f64 = false, all_flexible = true;
  for (const auto& arg : e.args) {
    HPC_ASSIGN_OR_RETURN(Inferred a, infer(*arg));
    if (!numeric(a.type)) return error_at(arg->pos, "'" + e.name + "' takes numbers, not a bool");
    any_f64 |= a.type == VType::kF64;
    all_flexible &= a.flexible;
    args.push_back(a);
  }
  const bool as_f64 = it->second.i64_op == Op::kOpCount || any_f64;
  for (size_t k = 0; k < args.size(); ++k) {
    if (as_f64 && args[k].type == VType::kI64 && !args[k].flexible) {
      return error_at(e.args[k]->pos, "'" + e.name + "' takes f64 here, this is i64: convert it with f64(...)");
    }
  }
  return as_f64 ? Inferred{VType::kF64} : Inferred{VType::kI64, all_flexible};
}

Result<uint32_t> Compiler::output_argument(const Expr& call) {
  if (!in_result_) return error_at(call.pos, "'err' is known in 'result' lines only");
  if (call.args[0]->kind != ExprKind::kName || outputs_.count(call.args[0]->name) == 0) {
    return error_at(call.args[0]->pos, "'err' takes the name of a tally or count output");
  }
  const uint32_t index = outputs_.at(call.args[0]->name);
  if (p_.outputs[index].kind == OutputKind::kHist) return error_at(call.pos, "'err' of a histogram: name a tally or count");
  return index;
}

Result<Value> Compiler::emit_as(const Expr& e, VType want, const char* context) {
  HPC_ASSIGN_OR_RETURN(Inferred t, infer(e));
  const bool fits = t.type == want || (want == VType::kF64 && t.flexible);
  if (!fits) {
    return error_at(e.pos, std::string(context) + " needs " + type_name(want) + ", this is " + type_name(t.type) +
                               (want == VType::kF64 && t.type == VType::kI64 ? ": convert it with f64(...)" : ""));
  }
  return emit(e, want);
}

Result<Value> Compiler::constant(const Expr& e, VType want) {
  Instr load;
  double f = 0.0;
  int64_t i = 0;
  if (e.kind == ExprKind::kBool) {
    i = e.boolean ? 1 : 0;
    load = Instr{Op::kIConst, 0, 0, 0, iconst(i)};
  } else if (want == VType::kF64) {
    f = e.kind == ExprKind::kName ? 3.141592653589793 : e.number;
    load = Instr{Op::kFConst, 0, 0, 0, fconst(f)};
  } else {
    i = e.integer;
    load = Instr{Op::kIConst, 0, 0, 0, iconst(i)};
  }
  uint64_t bits = static_cast<uint64_t>(i);
  if (want == VType::kF64) std::memcpy(&bits, &f, sizeof bits);
  const auto key = std::make_pair(want, bits);
  if (!in_result_) {
    if (auto it = hoisted_.find(key); it != hoisted_.end()) return Value{it->second, false};
  }
  const bool hoist = !in_result_ && hoisted_.size() < kMaxHoisted;
  HPC_ASSIGN_OR_RETURN(uint8_t r, alloc(want, e.pos, !hoist));
  load.a = r;
  if (!hoist) {
    code_->push_back(load);
    return Value{r, true};
  }
  prologue_.push_back(load);  // kept for the whole program: never released
  hoisted_.emplace(key, r);
  return Value{r, false};
}

Result<Value> Compiler::emit_name(const Expr& e, VType want) {
  HPC_ASSIGN_OR_RETURN(const Symbol* s, resolve(e));
  if (s != nullptr) return Value{s->reg, false};
  if (e.name == "pi" && !(in_result_ && outputs_.count(e.name) != 0)) return constant(e, want);
  HPC_ASSIGN_OR_RETURN(uint8_t r, alloc(VType::kF64, e.pos));  // an output's mean (result code)
  op(Op::kMean, r, 0, 0, outputs_.at(e.name));
  return Value{r, true};
}

Result<Value> Compiler::emit(const Expr& e, VType want) {
  switch (e.kind) {
    case ExprKind::kNumber: case ExprKind::kBool: return constant(e, want);
    case ExprKind::kName: return emit_name(e, want);
    case ExprKind::kUnary: {
      HPC_ASSIGN_OR_RETURN(Value v, emit(*e.args[0], want));
      HPC_ASSIGN_OR_RETURN(uint8_t r, alloc(want, e.pos));
      op(e.op == "!" ? Op::kNot : want == VType::kF64 ? Op::kFNeg : Op::kINeg, r, v.reg);
      release(v);
      return Value{r, true};
    }
    case ExprKind::kBinary: return emit_binary(e, want);
    case ExprKind::kCall: return emit_call(e, want);
    case ExprKind::kIf: return emit_if(e, want);
  }
  return error_at(e.pos, "unknown expression");
}

Result<Value> Compiler::emit_binary(const Expr& e, VType want) {
  HPC_ASSIGN_OR_RETURN(Inferred a, infer(*e.args[0]));
  HPC_ASSIGN_OR_RETURN(Inferred b, infer(*e.args[1]));
  // The operands' common type: f64 if either is, else theirs.
  VType operand = a.type == VType::kF64 || b.type == VType::kF64 ? VType::kF64 : a.type;
  if (!is_comparison(e.op) && e.op != "&&" && e.op != "||") operand = want;
  HPC_ASSIGN_OR_RETURN(Value x, emit(*e.args[0], operand));
  HPC_ASSIGN_OR_RETURN(Value y, emit(*e.args[1], operand));
  HPC_ASSIGN_OR_RETURN(uint8_t r, alloc(want, e.pos));
  const bool f = operand == VType::kF64;
  if (e.op == "&&" || e.op == "||") {
    op(e.op == "&&" ? Op::kIAnd : Op::kIOr, r, x.reg, y.reg);
  } else if (e.op == "<" || e.op == "<=") {
    op(f ? (e.op == "<" ? Op::kFLt : Op::kFLe) : (e.op == "<" ? Op::kILt : Op::kILe), r, x.reg, y.reg);
  } else if (e.op == ">" || e.op == ">=") {  // a > b is b < a
    op(f ? (e.op == ">" ? Op::kFLt : Op::kFLe) : (e.op == ">" ? Op::kILt : Op::kILe), r, y.reg, x.reg);
  } else if (e.op == "==" || e.op == "!=") {
    op(f ? (e.op == "==" ? Op::kFEq : Op::kFNe) : (e.op == "==" ? Op::kIEq : Op::kINe), r, x.reg, y.reg);
  } else {
    op(arithmetic(e.op, operand), r, x.reg, y.reg);
  }
  release(x);
  release(y);
  return Value{r, true};
}

Result<Value> Compiler::emit_call(const Expr& e, VType want) {
  HPC_ASSIGN_OR_RETURN(uint8_t r, alloc(want, e.pos));
  if (e.name == "uniform" || e.name == "normal") {
    op(e.name == "uniform" ? Op::kUniform : Op::kNormal, r);
    return Value{r, true};
  }
  if (e.name == "err") {
    HPC_ASSIGN_OR_RETURN(uint32_t index, output_argument(e));
    op(Op::kErr, r, 0, 0, index);
    return Value{r, true};
  }
  if (e.name == "f64" || e.name == "i64") {
    HPC_ASSIGN_OR_RETURN(Inferred a, infer(*e.args[0]));
    const VType from = a.type == VType::kF64 ? VType::kF64 : (e.name == "f64" && a.flexible ? VType::kF64 : a.type);
    HPC_ASSIGN_OR_RETURN(Value v, emit(*e.args[0], from));
    op(from == want ? Op::kMov : (want == VType::kF64 ? Op::kItoF : Op::kFtoI), r, v.reg);
    release(v);
    return Value{r, true};
  }
  const Builtin& b = builtins().at(e.name);
  std::vector<Value> args;
  for (const auto& arg : e.args) {
    HPC_ASSIGN_OR_RETURN(Value v, emit(*arg, want));
    args.push_back(v);
  }
  op(want == VType::kF64 ? b.f64_op : b.i64_op, r, args[0].reg, args.size() > 1 ? args[1].reg : 0);
  for (Value v : args) release(v);
  return Value{r, true};
}

Result<Value> Compiler::emit_if(const Expr& e, VType want) {
  // Both branches are evaluated, then one is selected: no jumps (a draw
  // in either branch always takes its place in the sample's sequence).
  HPC_ASSIGN_OR_RETURN(Value c, emit(*e.args[0], VType::kBool));
  HPC_ASSIGN_OR_RETURN(Value a, emit(*e.args[1], want));
  HPC_ASSIGN_OR_RETURN(Value b, emit(*e.args[2], want));
  HPC_ASSIGN_OR_RETURN(uint8_t r, alloc(want, e.pos));
  op(want == VType::kF64 ? Op::kFSel : Op::kISel, r, c.reg, a.reg, b.reg);
  release(c);
  release(a);
  release(b);
  return Value{r, true};
}

}  // namespace hpchain::vm::detail
