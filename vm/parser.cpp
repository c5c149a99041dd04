#include "vm/parser.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace hpchain::vm {
namespace {

using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;
using ast::Pos;
using ast::Stmt;
using ast::StmtKind;

enum class Tok : uint8_t { kEnd, kName, kNumber, kPunct };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  Pos pos;
};

Status error_at(Pos pos, const std::string& message) {
  return Status::invalid_argument(std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + message);
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    for (;;) {
      skip_space_and_comments();
      Token t;
      t.pos = pos_;
      if (i_ >= src_.size()) {
        out.push_back(t);
        return out;
      }
      const char c = src_[i_];
      if (is_alpha(c)) {
        t.kind = Tok::kName;
        while (i_ < src_.size() && (is_alpha(src_[i_]) || is_digit(src_[i_]))) t.text += advance();
      } else if (is_digit(c) || (c == '.' && i_ + 1 < src_.size() && is_digit(src_[i_ + 1]))) {
        t.kind = Tok::kNumber;
        lex_number(t.text);
      } else {
        t.kind = Tok::kPunct;
        t.text = punct();
        if (t.text.empty()) return error_at(t.pos, std::string("unexpected character '") + c + "'");
      }
      out.push_back(std::move(t));
    }
  }

 private:
  static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  char advance() {
    const char c = src_[i_++];
    if (c == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else {
      ++pos_.column;
    }
    return c;
  }
  void skip_space_and_comments() {
    while (i_ < src_.size()) {
      const char c = src_[i_];
      if (c == '#') {
        while (i_ < src_.size() && src_[i_] != '\n') advance();
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else {
        return;
      }
    }
  }
  void lex_number(std::string& text) {
    while (i_ < src_.size() && (is_digit(src_[i_]) || src_[i_] == '.')) {
      // "0..5" is a range: stop before the second dot.
      if (src_[i_] == '.' && i_ + 1 < src_.size() && src_[i_ + 1] == '.') return;
      text += advance();
    }
    if (i_ < src_.size() && (src_[i_] == 'e' || src_[i_] == 'E')) {
      text += advance();
      if (i_ < src_.size() && (src_[i_] == '+' || src_[i_] == '-')) text += advance();
      while (i_ < src_.size() && is_digit(src_[i_])) text += advance();
    }
  }
  std::string punct() {
    static constexpr std::string_view kTwo[] = {"+=", "<-", "<=", ">=", "==", "!=", "&&", "||", ".."};
    for (std::string_view two : kTwo) {
      if (src_.substr(i_, 2) == two) {
        advance();
        advance();
        return std::string(two);
      }
    }
    static constexpr std::string_view kOne = "+-*/%<>=!(){}[],:";
    if (kOne.find(src_[i_]) != std::string_view::npos) return std::string(1, advance());
    return "";
  }

  std::string_view src_;
  size_t i_ = 0;
  Pos pos_;
};

// Recursive descent over the tokens; each rule returns its node or the
// first error.
class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<ast::Module> module() {
    ast::Module m;
    while (peek().kind != Tok::kEnd) {
      HPC_ASSIGN_OR_RETURN(Stmt s, statement());
      m.statements.push_back(std::move(s));
    }
    return m;
  }

 private:
  const Token& peek(size_t ahead = 0) const { return t_[std::min(k_ + ahead, t_.size() - 1)]; }
  bool at(std::string_view text) const { return peek().kind == Tok::kPunct && peek().text == text; }
  bool at_word(std::string_view word) const { return peek().kind == Tok::kName && peek().text == word; }
  Token take() { return t_[std::min(k_++, t_.size() - 1)]; }
  static std::string describe(const Token& t) {
    if (t.kind == Tok::kEnd) return "the end of the file";
    return "'" + t.text + "'";
  }
  Status expect(std::string_view text) {
    if (!at(text)) return error_at(peek().pos, "expected '" + std::string(text) + "', found " + describe(peek()));
    take();
    return Status::ok();
  }
  Result<std::string> name(const char* what) {
    if (peek().kind != Tok::kName) return error_at(peek().pos, std::string("expected ") + what + ", found " + describe(peek()));
    return take().text;
  }
  // A number literal with an optional leading '-': bounds and edges.
  Result<double> signed_number(const char* what) {
    const bool negative = at("-");
    if (negative) take();
    if (peek().kind != Tok::kNumber) return error_at(peek().pos, std::string("expected ") + what + ", found " + describe(peek()));
    const Token t = take();
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(t.text.c_str(), &end);
    if (end != t.text.c_str() + t.text.size() || errno == ERANGE) return error_at(t.pos, "malformed number '" + t.text + "'");
    return negative ? -v : v;
  }
  Result<int64_t> integer(const char* what) {
    const Pos pos = peek().pos;
    HPC_ASSIGN_OR_RETURN(double v, signed_number(what));
    // Range first: casting a double outside int64 is undefined behaviour.
    if (!(v >= -1e15 && v <= 1e15) || v != static_cast<double>(static_cast<int64_t>(v))) {
      return error_at(pos, std::string(what) + " must be an integer");
    }
    return static_cast<int64_t>(v);
  }

  Result<Stmt> statement();
  Result<Stmt> param(Stmt s);
  Result<Stmt> hist(Stmt s);
  Result<Stmt> for_loop(Stmt s);
  Result<ExprPtr> expression();
  Result<ExprPtr> binary(int level);
  Result<ExprPtr> unary();
  Result<ExprPtr> primary();

  // Bounded recursion: a hostile source cannot exhaust the stack.
  static constexpr int kMaxNesting = 100;
  class Nesting {
   public:
    explicit Nesting(int& depth) : depth_(++depth) {}
    ~Nesting() { --depth_; }
    bool too_deep() const { return depth_ > kMaxNesting; }

   private:
    int& depth_;
  };
  std::vector<Token> t_;
  size_t k_ = 0;
  int depth_ = 0;
};

Result<Stmt> Parser::statement() {
  Stmt s;
  s.pos = peek().pos;
  const std::string word = peek().kind == Tok::kName ? peek().text : "";
  if (word == "param") return param(std::move(s));
  if (word == "hist") return hist(std::move(s));
  if (word == "for") return for_loop(std::move(s));
  if (word == "let" || word == "var" || word == "result" || word == "tally" || word == "count") {
    take();
    s.kind = word == "let" ? StmtKind::kLet : word == "var" ? StmtKind::kVar : word == "result" ? StmtKind::kResult
             : word == "tally" ? StmtKind::kTally : StmtKind::kCount;
    HPC_ASSIGN_OR_RETURN(s.name, name("a name"));
    HPC_TRY(expect(s.kind == StmtKind::kTally || s.kind == StmtKind::kCount ? "+=" : "="));
  } else if (peek().kind == Tok::kName && peek(1).kind == Tok::kPunct && peek(1).text == "=") {
    s.kind = StmtKind::kAssign;
    s.name = take().text;
    take();
  } else {
    return error_at(peek().pos, "expected a statement (param, let, var, tally, count, hist, for, result or an "
                                "assignment), found " + describe(peek()));
  }
  HPC_ASSIGN_OR_RETURN(s.value, expression());
  return s;
}

Result<Stmt> Parser::param(Stmt s) {
  take();
  s.kind = StmtKind::kParam;
  HPC_ASSIGN_OR_RETURN(s.name, name("a parameter name"));
  HPC_TRY(expect(":"));
  const Pos type_pos = peek().pos;
  HPC_ASSIGN_OR_RETURN(s.type, name("a type (f64 or i64)"));
  if (s.type != "f64" && s.type != "i64") return error_at(type_pos, "a parameter is f64 or i64, not '" + s.type + "'");
  if (at("=")) {
    take();
    s.has_default = true;
    HPC_ASSIGN_OR_RETURN(s.default_value, signed_number("a default value"));
  }
  if (!at_word("in")) return error_at(peek().pos, "expected 'in [min, max]' after parameter '" + s.name + "'");
  take();
  HPC_TRY(expect("["));
  HPC_ASSIGN_OR_RETURN(s.min, signed_number("a minimum"));
  HPC_TRY(expect(","));
  HPC_ASSIGN_OR_RETURN(s.max, signed_number("a maximum"));
  HPC_TRY(expect("]"));
  return s;
}

Result<Stmt> Parser::hist(Stmt s) {
  take();
  s.kind = StmtKind::kHist;
  HPC_ASSIGN_OR_RETURN(s.name, name("a histogram name"));
  HPC_TRY(expect("["));
  HPC_ASSIGN_OR_RETURN(s.lo, signed_number("the low edge"));
  HPC_TRY(expect(","));
  HPC_ASSIGN_OR_RETURN(s.hi, signed_number("the high edge"));
  HPC_TRY(expect(","));
  HPC_ASSIGN_OR_RETURN(s.bins, integer("the bin count"));
  HPC_TRY(expect("]"));
  HPC_TRY(expect("<-"));
  HPC_ASSIGN_OR_RETURN(s.value, expression());
  if (at_word("weight")) {
    take();
    HPC_ASSIGN_OR_RETURN(s.weight, expression());
  }
  return s;
}

Result<Stmt> Parser::for_loop(Stmt s) {
  const Nesting nesting(depth_);
  if (nesting.too_deep()) return error_at(peek().pos, "loops nested deeper than " + std::to_string(kMaxNesting));
  take();
  s.kind = StmtKind::kFor;
  HPC_ASSIGN_OR_RETURN(s.name, name("a loop variable"));
  if (!at_word("in")) return error_at(peek().pos, "expected 'in FROM..TO' after the loop variable");
  take();
  HPC_ASSIGN_OR_RETURN(s.from, integer("the loop start"));
  HPC_TRY(expect(".."));
  HPC_ASSIGN_OR_RETURN(s.to, integer("the loop end"));
  HPC_TRY(expect("{"));
  while (!at("}")) {
    if (peek().kind == Tok::kEnd) return error_at(peek().pos, "the loop opened at " + std::to_string(s.pos.line) + ":" +
                                                                  std::to_string(s.pos.column) + " is not closed with '}'");
    HPC_ASSIGN_OR_RETURN(Stmt inner, statement());
    s.body.push_back(std::move(inner));
  }
  take();
  return s;
}

Result<ExprPtr> Parser::expression() {
  const Nesting nesting(depth_);
  if (nesting.too_deep()) return error_at(peek().pos, "expression nested deeper than " + std::to_string(kMaxNesting));
  if (!at_word("if")) return binary(0);
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kIf;
  e->pos = take().pos;
  HPC_ASSIGN_OR_RETURN(ExprPtr cond, expression());
  HPC_TRY(expect("{"));
  HPC_ASSIGN_OR_RETURN(ExprPtr then, expression());
  HPC_TRY(expect("}"));
  if (!at_word("else")) return error_at(peek().pos, "an if expression needs an else branch");
  take();
  HPC_TRY(expect("{"));
  HPC_ASSIGN_OR_RETURN(ExprPtr otherwise, expression());
  HPC_TRY(expect("}"));
  e->args.push_back(std::move(cond));
  e->args.push_back(std::move(then));
  e->args.push_back(std::move(otherwise));
  return e;
}

// Binary operators by precedence, lowest first; all left-associative
// except that comparisons do not chain.
Result<ExprPtr> Parser::binary(int level) {
  static const std::vector<std::vector<std::string>> kLevels = {
      {"||"}, {"&&"}, {"<", "<=", ">", ">=", "==", "!="}, {"+", "-"}, {"*", "/", "%"}};
  if (level == static_cast<int>(kLevels.size())) return unary();
  HPC_ASSIGN_OR_RETURN(ExprPtr left, binary(level + 1));
  for (;;) {
    const auto& ops = kLevels[level];
    const bool match = peek().kind == Tok::kPunct && std::find(ops.begin(), ops.end(), peek().text) != ops.end();
    if (!match) return left;
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::kBinary;
    e->pos = peek().pos;
    e->op = take().text;
    HPC_ASSIGN_OR_RETURN(ExprPtr right, binary(level + 1));
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(right));
    left = std::move(e);
    if (level == 2 && peek().kind == Tok::kPunct && std::find(ops.begin(), ops.end(), peek().text) != ops.end()) {
      return error_at(peek().pos, "comparisons do not chain: write (a < b) && (b < c)");
    }
  }
}

Result<ExprPtr> Parser::unary() {
  if (at("-") || at("!")) {
    const Nesting nesting(depth_);
    if (nesting.too_deep()) return error_at(peek().pos, "expression nested deeper than " + std::to_string(kMaxNesting));
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::kUnary;
    e->pos = peek().pos;
    e->op = take().text;
    HPC_ASSIGN_OR_RETURN(ExprPtr operand, unary());
    e->args.push_back(std::move(operand));
    return e;
  }
  return primary();
}

Result<ExprPtr> Parser::primary() {
  auto e = std::make_unique<Expr>();
  e->pos = peek().pos;
  if (at("(")) {
    take();
    HPC_ASSIGN_OR_RETURN(ExprPtr inner, expression());
    HPC_TRY(expect(")"));
    return inner;
  }
  if (peek().kind == Tok::kNumber) {
    const Token t = take();
    e->kind = ExprKind::kNumber;
    errno = 0;
    char* end = nullptr;
    e->number = std::strtod(t.text.c_str(), &end);
    if (end != t.text.c_str() + t.text.size() || errno == ERANGE) return error_at(t.pos, "malformed number '" + t.text + "'");
    e->is_integer = t.text.find_first_of(".eE") == std::string::npos;
    if (e->is_integer) {
      errno = 0;
      const unsigned long long v = std::strtoull(t.text.c_str(), nullptr, 10);
      if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX)) {
        return error_at(t.pos, "integer literal " + t.text + " is above 9223372036854775807");
      }
      e->integer = static_cast<int64_t>(v);
    }
    return e;
  }
  if (peek().kind != Tok::kName) return error_at(peek().pos, "expected an expression, found " + describe(peek()));
  e->name = take().text;
  if (e->name == "true" || e->name == "false") {
    e->kind = ExprKind::kBool;
    e->boolean = e->name == "true";
    return e;
  }
  if (!at("(")) {
    e->kind = ExprKind::kName;
    return e;
  }
  take();
  e->kind = ExprKind::kCall;
  while (!at(")")) {
    HPC_ASSIGN_OR_RETURN(ExprPtr arg, expression());
    e->args.push_back(std::move(arg));
    if (!at(")")) HPC_TRY(expect(","));
  }
  take();
  return e;
}

}  // namespace

Result<ast::Module> parse(std::string_view source) {
  if (source.size() > kMaxSourceBytes) {
    return Status::invalid_argument("1:1: the source is " + std::to_string(source.size()) + " bytes, above " +
                                    std::to_string(kMaxSourceBytes));
  }
  HPC_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lexer(source).run());
  return Parser(std::move(tokens)).module();
}

}  // namespace hpchain::vm
