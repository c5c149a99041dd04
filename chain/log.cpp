#include "chain/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace hpchain {
namespace {

constexpr std::array<std::string_view, kLogCategoryCount> kNames = {
    "chain", "store", "consensus", "p2p", "mempool", "ledger", "worker", "compute", "rpc", "node"};

struct Loggers {
  std::array<std::shared_ptr<spdlog::logger>, kLogCategoryCount> by_category;
  Loggers() {
    // One stderr sink shared by all categories, so lines never interleave.
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    for (int i = 0; i < kLogCategoryCount; ++i) {
      by_category[i] = std::make_shared<spdlog::logger>(std::string(kNames[i]), sink);
      by_category[i]->set_level(spdlog::level::info);
      by_category[i]->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
    }
  }
};

Loggers& loggers() {
  static Loggers instance;
  return instance;
}

Result<spdlog::level::level_enum> parse_level(std::string_view text) {
  const auto level = spdlog::level::from_str(std::string(text));
  // from_str returns `off` for anything it does not know.
  if (level == spdlog::level::off && text != "off") {
    return Status::invalid_argument("unknown log level '" + std::string(text) +
                                    "' (trace, debug, info, warn, error, critical, off)");
  }
  return level;
}

Result<int> parse_category(std::string_view text) {
  for (int i = 0; i < kLogCategoryCount; ++i) {
    if (kNames[i] == text) return i;
  }
  return Status::invalid_argument("unknown log category '" + std::string(text) + "'");
}

}  // namespace

std::string_view log_category_name(LogCategory c) { return kNames[static_cast<int>(c)]; }

spdlog::logger& category_logger(LogCategory c) {
  return *loggers().by_category[static_cast<int>(c)];
}

Status configure_logging(std::string_view spec) {
  // Parse everything first so that an error changes nothing.
  std::vector<std::pair<int, spdlog::level::level_enum>> changes;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      HPC_ASSIGN_OR_RETURN(auto level, parse_level(item));
      for (int i = 0; i < kLogCategoryCount; ++i) changes.emplace_back(i, level);
      continue;
    }
    HPC_ASSIGN_OR_RETURN(int category, parse_category(item.substr(0, eq)));
    HPC_ASSIGN_OR_RETURN(auto level, parse_level(item.substr(eq + 1)));
    changes.emplace_back(category, level);
  }
  for (const auto& [category, level] : changes) loggers().by_category[category]->set_level(level);
  return Status::ok();
}

namespace detail {
bool rate_limit_allows(std::atomic<int64_t>& window_start_s, std::atomic<int>& count, int max_lines) {
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::steady_clock::now().time_since_epoch()).count();
  int64_t start = window_start_s.load(std::memory_order_relaxed);
  if (now_s - start >= 60 && window_start_s.compare_exchange_strong(start, now_s)) {
    count.store(0, std::memory_order_relaxed);
  }
  return count.fetch_add(1, std::memory_order_relaxed) < max_lines;
}
}  // namespace detail

}  // namespace hpchain
