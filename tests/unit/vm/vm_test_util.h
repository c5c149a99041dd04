// Helpers of the VM tests: reading the shipped examples, compiling sources
// that must compile.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "vm/compiler.h"

namespace hpchain::vm::testing {

inline std::string example_source(const std::string& name) {
  std::ifstream in(std::string(HPCHAIN_SOURCE_DIR) + "/vm/examples/" + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Compiles `source`; fails the test (and returns an empty program) if it
// does not compile and verify.
inline std::shared_ptr<const VerifiedProgram> must_compile(const std::string& source) {
  auto compiled = compile_source(source);
  EXPECT_TRUE(compiled.is_ok()) << compiled.status().message() << "\n" << source;
  if (!compiled.is_ok()) return nullptr;
  return std::make_shared<const VerifiedProgram>(std::move(compiled).value());
}

// The error message of a source that must not compile.
inline std::string compile_error(const std::string& source) {
  auto compiled = compile_source(source);
  EXPECT_FALSE(compiled.is_ok()) << "compiled:\n" << source;
  return compiled.is_ok() ? "" : compiled.status().message();
}

}  // namespace hpchain::vm::testing
