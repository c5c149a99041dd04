// The kernel language's syntax tree (docs/kernel-language.md): what the
// parser makes of a .hk source and the compiler types and lowers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hpchain::vm::ast {

struct Pos {
  uint32_t line = 1;
  uint32_t column = 1;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind : uint8_t {
  kNumber,  // `number`; `is_integer` when written without '.' or exponent
  kBool,    // `boolean`
  kName,    // `name`
  kCall,    // `name`(args)
  kUnary,   // `op` in {"-", "!"}, args[0]
  kBinary,  // `op`, args[0] op args[1]
  kIf,      // if args[0] { args[1] } else { args[2] }
};

struct Expr {
  ExprKind kind = ExprKind::kNumber;
  Pos pos;
  double number = 0.0;
  int64_t integer = 0;
  bool is_integer = false;
  bool boolean = false;
  std::string name;  // kName, kCall
  std::string op;    // kUnary, kBinary
  std::vector<ExprPtr> args;
};

enum class StmtKind : uint8_t {
  kParam,   // param name: type [= default] in [min, max]
  kLet,     // let name = value
  kVar,     // var name = value
  kAssign,  // name = value
  kTally,   // tally name += value
  kCount,   // count name += value
  kHist,    // hist name[lo, hi, bins] <- value [weight weight]
  kFor,     // for name in from..to { body }
  kResult,  // result name = value
};

struct Stmt {
  StmtKind kind = StmtKind::kLet;
  Pos pos;
  std::string name;
  ExprPtr value;
  ExprPtr weight;              // kHist, may be null
  std::string type;            // kParam: "f64" or "i64"
  bool has_default = false;    // kParam
  double default_value = 0.0, min = 0.0, max = 0.0;  // kParam
  double lo = 0.0, hi = 0.0;   // kHist
  int64_t bins = 0;            // kHist
  int64_t from = 0, to = 0;    // kFor
  std::vector<Stmt> body;      // kFor
};

struct Module {
  std::vector<Stmt> statements;
};

}  // namespace hpchain::vm::ast
