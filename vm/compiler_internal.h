// The compiler's internals, shared by compiler.cpp (statements, scopes,
// registers) and compiler_expr.cpp (typing and lowering expressions).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "vm/ast.h"
#include "vm/bytecode.h"

namespace hpchain::vm::detail {

// Source types: booleans are stored as i64 0 or 1 but are their own type.
enum class VType : uint8_t { kF64, kI64, kBool };
const char* type_name(VType t);
inline Type storage(VType t) { return t == VType::kF64 ? Type::kF64 : Type::kI64; }

// An expression's type before lowering. `flexible`: an integer literal (or
// arithmetic of only such), which becomes f64 beside an f64.
struct Inferred {
  VType type = VType::kF64;
  bool flexible = false;
};

// A lowered expression: its register, and whether the caller owns it.
struct Value {
  uint8_t reg = 0;
  bool temp = false;
};

struct Symbol {
  enum class Kind : uint8_t { kParam, kLet, kVar, kLoop, kOutput, kConst };
  Kind kind = Kind::kLet;
  VType type = VType::kF64;
  uint8_t reg = 0;
  uint32_t output = 0;  // kOutput
  double value = 0.0;   // kConst
  ast::Pos pos;
  static Symbol of(Kind kind, VType type, uint8_t reg) {
    Symbol s;
    s.kind = kind;
    s.type = type;
    s.reg = reg;
    return s;
  }
};

Status error_at(ast::Pos pos, const std::string& message);

class Compiler {
 public:
  Result<Program> run(const ast::Module& module);

 private:
  // Statements (compiler.cpp).
  Status param(const ast::Stmt& s);
  Status statement(const ast::Stmt& s);
  Status binding(const ast::Stmt& s);
  Status assign(const ast::Stmt& s);
  Status output(const ast::Stmt& s);
  Status loop(const ast::Stmt& s);
  Status result(const ast::Stmt& s);
  Result<uint32_t> declare_output(const ast::Stmt& s, OutputKind kind);
  Status declare(const std::string& name, Symbol symbol, ast::Pos pos);

  // Expressions (compiler_expr.cpp).
  Result<Inferred> infer(const ast::Expr& e);
  Result<Inferred> infer_binary(const ast::Expr& e);
  Result<Inferred> infer_call(const ast::Expr& e);
  Result<Value> emit(const ast::Expr& e, VType want);
  Result<Value> emit_name(const ast::Expr& e, VType want);
  Result<Value> emit_binary(const ast::Expr& e, VType want);
  Result<Value> emit_call(const ast::Expr& e, VType want);
  Result<Value> emit_if(const ast::Expr& e, VType want);
  // Lowers `e` to a fresh value of type `want` (f64 accepts flexible integers).
  Result<Value> emit_as(const ast::Expr& e, VType want, const char* context);
  Result<const Symbol*> resolve(const ast::Expr& e);
  Result<uint32_t> output_argument(const ast::Expr& call);

  // Registers, constants and code.
  // A register: a released one when `reuse`, else one never used before
  // (a hoisted constant's, loaded before any code that reused registers).
  Result<uint8_t> alloc(VType t, ast::Pos pos, bool reuse = true);
  void release(Value v);
  void scope_release(const std::map<std::string, Symbol>& scope);
  uint32_t fconst(double v);
  uint32_t iconst(int64_t v);
  void op(Op o, uint8_t a, uint8_t b = 0, uint8_t c = 0, uint32_t imm = 0);
  Result<Value> constant(const ast::Expr& e, VType want);
  const Symbol* lookup(const std::string& name) const;
  std::string suggestion(const std::string& name) const;

  Program p_;
  std::vector<Instr>* code_ = &p_.code;
  std::vector<std::map<std::string, Symbol>> scopes_{1};
  std::map<std::string, uint32_t> outputs_;
  // Every field name of the result (NAME, NAME_err, NAME_under, ...) with
  // the statement that made it: a new output or result may not reuse one.
  struct FieldOwner {
    std::string name;
    ast::Pos pos;
  };
  std::map<std::string, FieldOwner> fields_;
  Status claim_fields(const ast::Stmt& s, const std::vector<std::string>& suffixes);
  std::set<std::string> sample_names_;  // per-sample values: not visible to results
  // Sample code's constants live in registers loaded once at the top of
  // the code (the invariant prefix a runner computes once): by
  // (type, bits), at most kMaxHoisted of them.
  static constexpr size_t kMaxHoisted = 48;
  std::map<std::pair<VType, uint64_t>, uint8_t> hoisted_;
  std::vector<Instr> prologue_;
  bool in_result_ = false;
  bool seen_statement_ = false;
  std::vector<uint8_t> free_f64_, free_i64_;
};

}  // namespace hpchain::vm::detail
