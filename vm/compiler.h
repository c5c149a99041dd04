// The kernel language compiler: source -> syntax tree -> typed bytecode
// (docs/kernel-language.md). Errors read "LINE:COLUMN: message" and say
// what to write instead where they can. A compiled program still goes
// through the verifier (verifier.h): the node never trusts a compiler.
#pragma once

#include <string_view>

#include "chain/status.h"
#include "vm/ast.h"
#include "vm/bytecode.h"
#include "vm/verifier.h"

namespace hpchain::vm {

// Types and lowers a parsed module. InvalidArgument "LINE:COLUMN: message".
Result<Program> compile(const ast::Module& module);

// parse(), compile() and verify() in one: what `hpchain-compute compile`
// and `run --program` do.
Result<VerifiedProgram> compile_source(std::string_view source);

}  // namespace hpchain::vm
