// Logging with categories (spdlog), after Bitcoin Core's logging.h.
//
// Each category has its own spdlog logger named after it ("consensus",
// "p2p", ...) and its own level. HPC_LOG evaluates its arguments only when
// the category would print at that level, so a disabled category costs one
// branch. Lines a peer can trigger must go through HPC_LOG_RATE_LIMITED.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "chain/status.h"

namespace hpchain {

enum class LogCategory : uint8_t {
  kChain, kStore, kConsensus, kP2p, kMempool, kLedger, kWorker, kCompute, kRpc, kNode,
};
constexpr int kLogCategoryCount = 10;

std::string_view log_category_name(LogCategory c);

// The logger of a category; thread-safe, never null.
spdlog::logger& category_logger(LogCategory c);

// Sets levels from a spec like "info", "consensus=debug,p2p=off" or
// "warn,store=trace" (a bare level sets every category). InvalidArgument
// names the unknown category or level; nothing changes on error.
Status configure_logging(std::string_view spec);

namespace detail {
// True at most `max_lines` times per minute for one call site.
bool rate_limit_allows(std::atomic<int64_t>& window_start_s, std::atomic<int>& count,
                       int max_lines);
}  // namespace detail

}  // namespace hpchain

#define HPC_LOG(category, lvl, ...)                                           \
  do {                                                                          \
    auto& hpc_log_logger_ = ::hpchain::category_logger(::hpchain::LogCategory::category); \
    if (hpc_log_logger_.should_log(spdlog::level::lvl))                       \
      hpc_log_logger_.log(spdlog::level::lvl, __VA_ARGS__);                   \
  } while (0)

// Like HPC_LOG but at most 20 lines per minute from this call site.
#define HPC_LOG_RATE_LIMITED(category, lvl, ...)                              \
  do {                                                                          \
    static std::atomic<int64_t> hpc_rl_window_{0};                              \
    static std::atomic<int> hpc_rl_count_{0};                                   \
    if (::hpchain::detail::rate_limit_allows(hpc_rl_window_, hpc_rl_count_, 20)) \
      HPC_LOG(category, lvl, __VA_ARGS__);                                    \
  } while (0)
