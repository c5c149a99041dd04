// The module layering check (DESIGN.md section 1): every #include in a
// module's files must name the module itself, a module the layering table
// lets it use, or the generated protobuf headers; third-party I/O headers
// (RocksDB, Asio, gRPC, TLS) are for the I/O modules only.
//
// The table is cmake/layering.txt (its comments describe the format). Files
// exempt from the check: node/main.cpp, and everything outside the module
// folders (tools/, tests/).
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "chain/status.h"

namespace hpchain::layering {

struct Table {
  std::vector<std::string> modules;                     // in table order
  std::map<std::string, std::set<std::string>> uses;    // module -> modules it may use
  std::vector<std::string> io_header_prefixes;          // e.g. "rocksdb/"
  std::set<std::string> io_modules;                     // may include those
};

// Parses the table text. Errors (InvalidArgument, naming the line): a module
// listed twice, a module using one that is not listed before it, a module
// using itself, an unknown `io-` key.
Result<Table> parse_table(const std::string& text);

struct Violation {
  std::string file;     // relative to the root, e.g. "consensus/core.cpp"
  int line = 0;         // 1-based
  std::string include;  // as written, e.g. "node/storage/store.h" or <rocksdb/db.h>
  std::string reason;   // one sentence naming the rule
};

// Checks every source file (.h .hpp .cpp .cc .cu .cuh) under each module
// folder of `root`. Errors: IoError when a file cannot be read.
Result<std::vector<Violation>> check_tree(const std::filesystem::path& root, const Table& table);

// "consensus/core.cpp:12: includes "node/storage/store.h": consensus may use chain"
std::string to_string(const Violation& v);

}  // namespace hpchain::layering
