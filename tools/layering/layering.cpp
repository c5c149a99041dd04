#include "tools/layering/layering.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

namespace hpchain::layering {
namespace {

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line.substr(0, line.find('#')));
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

bool is_source_file(const std::filesystem::path& p) {
  static const std::set<std::string> kExtensions = {".h", ".hpp", ".cpp", ".cc", ".cu", ".cuh"};
  return kExtensions.count(p.extension().string()) > 0;
}

// The files the table itself exempts: hpchaind's main wires every module.
bool is_exempt(const std::string& relative) { return relative == "node/main.cpp"; }

struct Include {
  int line = 0;
  bool quoted = false;
  std::string path;
};

std::vector<Include> includes_of(std::istream& in) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  std::vector<Include> out;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    std::smatch m;
    if (std::regex_search(text, m, kInclude)) out.push_back({line, m[1] == "\"", m[2]});
  }
  return out;
}

// Why `module` may not include `inc`, or "" when it may.
std::string rule_broken(const Table& table, const std::string& module, const Include& inc) {
  if (!inc.quoted) {
    if (table.io_modules.count(module)) return "";
    for (const auto& prefix : table.io_header_prefixes) {
      if (inc.path.rfind(prefix, 0) == 0) return module + " may not include I/O headers (" + prefix + ")";
    }
    return "";
  }
  const auto slash = inc.path.find('/');
  if (slash == std::string::npos) return "";  // a file beside the includer
  const std::string first = inc.path.substr(0, slash);
  if (first == "hpchain") return "";  // generated protobuf headers (hpchain/v1/)
  if (first == "tests" || first == "tools") return module + " may not include " + first + "/";
  if (first == module) return "";
  const auto& uses = table.uses.at(module);
  if (std::find(table.modules.begin(), table.modules.end(), first) == table.modules.end()) return "";
  if (uses.count(first)) return "";
  std::string allowed;
  for (const auto& u : uses) allowed += (allowed.empty() ? "" : ", ") + u;
  return module + " may use " + (allowed.empty() ? std::string("no other module") : allowed);
}

}  // namespace

Result<Table> parse_table(const std::string& text) {
  Table table;
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto words = split_words(line);
    if (words.empty()) continue;
    const std::string key = words.front();
    words.erase(words.begin());
    const std::string where = "layering table line " + std::to_string(number) + ": ";
    if (key == "io-headers") {
      table.io_header_prefixes = words;
    } else if (key == "io-modules") {
      table.io_modules.insert(words.begin(), words.end());
    } else if (key.rfind("io-", 0) == 0) {
      return Status::invalid_argument(where + "unknown key " + key);
    } else if (table.uses.count(key)) {
      return Status::invalid_argument(where + "module " + key + " listed twice");
    } else {
      for (const auto& used : words) {
        if (used == key) return Status::invalid_argument(where + key + " uses itself");
        if (!table.uses.count(used)) {
          return Status::invalid_argument(where + key + " uses " + used +
                                          ", which is not listed before it");
        }
      }
      table.modules.push_back(key);
      table.uses[key] = std::set<std::string>(words.begin(), words.end());
    }
  }
  if (table.modules.empty()) return Status::invalid_argument("layering table lists no module");
  return table;
}

Result<std::vector<Violation>> check_tree(const std::filesystem::path& root, const Table& table) {
  std::vector<Violation> out;
  for (const auto& module : table.modules) {
    const auto dir = root / module;
    if (!std::filesystem::is_directory(dir)) continue;  // not written yet
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && is_source_file(entry.path())) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // stable report order
    for (const auto& file : files) {
      const std::string relative = std::filesystem::relative(file, root).generic_string();
      if (is_exempt(relative)) continue;
      std::ifstream in(file);
      if (!in) return Status::io_error("cannot read " + file.string());
      for (const auto& inc : includes_of(in)) {
        std::string reason = rule_broken(table, module, inc);
        if (reason.empty()) continue;
        const std::string shown = inc.quoted ? "\"" + inc.path + "\"" : "<" + inc.path + ">";
        out.push_back({relative, inc.line, shown, std::move(reason)});
      }
    }
  }
  return out;
}

std::string to_string(const Violation& v) {
  return v.file + ":" + std::to_string(v.line) + ": includes " + v.include + ": " + v.reason;
}

}  // namespace hpchain::layering
