// hpchain-layering-check: fails when a module includes a header that the
// layering table (cmake/layering.txt) does not allow. ./run test runs it.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "tools/layering/layering.h"

namespace {

constexpr const char* kUsage =
    "usage: hpchain-layering-check [--root DIR] [--table FILE]\n"
    "  Checks every #include under the module folders of DIR (default: .)\n"
    "  against the layering table (default: DIR/cmake/layering.txt).\n"
    "  Exit 0: clean; 1: violations (one line each); 2: bad arguments or table.\n";

}  // namespace

int main(int argc, char** argv) {
  std::string root = ".";
  std::string table_path;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--root") == 0 && has_value) {
      root = argv[++i];
    } else if (std::strcmp(argv[i], "--table") == 0 && has_value) {
      table_path = argv[++i];
    } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "hpchain-layering-check: unknown argument '%s'\n%s", argv[i], kUsage);
      return 2;
    }
  }
  if (table_path.empty()) table_path = root + "/cmake/layering.txt";
  std::ifstream in(table_path);
  if (!in) {
    std::fprintf(stderr, "hpchain-layering-check: cannot read the table %s\n", table_path.c_str());
    return 2;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto table = hpchain::layering::parse_table(text);
  if (!table.is_ok()) {
    std::fprintf(stderr, "hpchain-layering-check: %s: %s\n", table_path.c_str(),
                 table.status().message().c_str());
    return 2;
  }
  auto violations = hpchain::layering::check_tree(root, *table);
  if (!violations.is_ok()) {
    std::fprintf(stderr, "hpchain-layering-check: %s\n", violations.status().to_string().c_str());
    return 2;
  }
  for (const auto& v : *violations) std::printf("%s\n", hpchain::layering::to_string(v).c_str());
  if (!violations->empty()) {
    std::printf("layering: %zu forbidden include(s); the table is %s\n", violations->size(),
                table_path.c_str());
    return 1;
  }
  std::printf("layering: clean (%zu modules)\n", table->modules.size());
  return 0;
}
