// Kernel bodies use the deterministic math library only: the kernel
// headers, read as text, call no libm function (whose results differ
// between C libraries and GPUs) and include no <cmath>. A regression test
// for european_option.h, whose Box-Muller once called std::sqrt.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

TEST(KernelSources, UseOnlyTheDeterministicMathLibrary) {
  static const std::regex kLibm(
      R"((std::|__builtin_)?\b(sqrt|cbrt|exp|exp2|expm1|log|log2|log10|log1p|pow|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|erf|erfc|hypot|fma|lgamma|tgamma)f?\s*\()");
  static const std::regex kCmath(R"(#\s*include\s*<(cmath|math\.h)>)");
  int headers = 0;
  for (const auto& entry : std::filesystem::directory_iterator(HPCHAIN_SOURCE_DIR "/compute/kernels")) {
    if (entry.path().extension() != ".h") continue;
    ++headers;
    std::ifstream in(entry.path());
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      // Code only: comments and the text of string literals (help text
      // such as "cos(theta)") call nothing.
      static const std::regex kStringLiteral(R"("([^"\\]|\\.)*")");
      const std::string code = std::regex_replace(line.substr(0, line.find("//")), kStringLiteral, "\"\"");
      std::smatch m;
      if (std::regex_search(code, m, kLibm)) {
        // dmath:: calls are the allowed spelling.
        const size_t at = static_cast<size_t>(m.position(0));
        const bool qualified_dmath = at >= 7 && code.compare(at - 7, 7, "dmath::") == 0;
        EXPECT_TRUE(qualified_dmath) << entry.path() << ":" << number << ": " << line;
      }
      EXPECT_FALSE(std::regex_search(code, kCmath)) << entry.path() << ":" << number << ": " << line;
    }
  }
  EXPECT_GE(headers, 3);
}

}  // namespace
