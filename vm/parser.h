// The kernel language's lexer and parser: a .hk source to a syntax tree.
// Errors read "LINE:COLUMN: message", pointing at the offending token.
#pragma once

#include <string_view>

#include "chain/status.h"
#include "vm/ast.h"

namespace hpchain::vm {

// Sources above this are refused (a kernel is a page or two).
inline constexpr size_t kMaxSourceBytes = 256 * 1024;

// InvalidArgument "LINE:COLUMN: message" for the first syntax error.
Result<ast::Module> parse(std::string_view source);

}  // namespace hpchain::vm
