#include "chain/status.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "chain/log.h"

namespace hpchain {

std::string_view status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kIoError: return "IoError";
    case StatusCode::kPermissionDenied: return "PermissionDenied";
    case StatusCode::kFailedPrecondition: return "FailedPrecondition";
    case StatusCode::kResourceExhausted: return "ResourceExhausted";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kOutOfRange: return "OutOfRange";
    case StatusCode::kDeadlineExceeded: return "DeadlineExceeded";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "OK";
  std::string out(status_code_name(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::with_context(std::string_view context) const {
  if (is_ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message_;
  return Status(code_, std::move(msg));
}

namespace detail {

void assert_failed(const char* cond, const char* file, int line, const char* func) {
  std::fprintf(stderr, "hpchain: assertion failed: %s at %s:%d in %s\n", cond, file, line, func);
  std::fflush(stderr);
  std::abort();
}

void assume_failed(const char* cond, const char* file, int line, const char* func) {
  // Bounded: a broken assumption in a hot loop must not flood the log.
  static std::atomic<int> reported{0};
  if (reported.fetch_add(1) < 100) {
    HPC_LOG(kNode, err, "assumption failed: {} at {}:{} in {}", cond, file, line, func);
  }
}

}  // namespace detail
}  // namespace hpchain
