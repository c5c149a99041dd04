// Status and Result<T>: the one error type that crosses module boundaries.
//
// Operating errors (bad input, I/O failure, a lying peer) are values, never
// aborts. Programmer errors are checks (see check.h). A Status is cheap to
// copy when ok (no allocation); an error carries a code and a message that
// names what failed, written for the person who will read the log.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "chain/check.h"

namespace hpchain {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,    // malformed or out-of-range input; retrying won't help
  kNotFound,           // the thing asked for does not exist
  kAlreadyExists,      // a create collided with something existing
  kCorruption,         // stored or received bytes fail an integrity check
  kIoError,            // the OS or disk failed
  kPermissionDenied,   // file modes, unauthorised signer, policy
  kFailedPrecondition, // the system is not in a state that allows this
  kResourceExhausted,  // a bound was reached (queue full, message too big)
  kUnavailable,        // temporarily impossible (lock held, peer gone)
  kOutOfRange,         // arithmetic overflow, index past the end
  kInternal,           // a bug surfaced as a value (RPC handlers)
  kDeadlineExceeded,   // a wait ran out of time (the thing may still happen)
};

// Returns the code's name, e.g. "InvalidArgument".
std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  // The default Status is ok.
  Status() = default;

  static Status ok() { return Status(); }
  static Status invalid_argument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status not_found(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status already_exists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status io_error(std::string msg) { return {StatusCode::kIoError, std::move(msg)}; }
  static Status permission_denied(std::string msg) { return {StatusCode::kPermissionDenied, std::move(msg)}; }
  static Status failed_precondition(std::string msg) { return {StatusCode::kFailedPrecondition, std::move(msg)}; }
  static Status resource_exhausted(std::string msg) { return {StatusCode::kResourceExhausted, std::move(msg)}; }
  static Status unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status out_of_range(std::string msg) { return {StatusCode::kOutOfRange, std::move(msg)}; }
  static Status internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  static Status deadline_exceeded(std::string msg) { return {StatusCode::kDeadlineExceeded, std::move(msg)}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK" or "<CodeName>: <message>".
  std::string to_string() const;

  // Returns a copy whose message is "<context>: <message>"; ok stays ok.
  Status with_context(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) = default;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {
    HPC_ASSERT(code != StatusCode::kOk);
  }
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds either a T or an error Status (never an ok Status).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    HPC_ASSERT(!std::get<Status>(v_).is_ok());
  }

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  // The error, or an ok Status when a value is held.
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(v_); }

  // Accessing the value of an error Result is a programmer error: it aborts.
  T& value() & { HPC_ASSERT(is_ok()); return std::get<T>(v_); }
  const T& value() const& { HPC_ASSERT(is_ok()); return std::get<T>(v_); }
  T&& value() && { HPC_ASSERT(is_ok()); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

// status_of(x): the Status of a Status or of a Result (used by HPC_TRY).
inline const Status& status_of(const Status& status) { return status; }
template <class T>
Status status_of(const Result<T>& result) { return result.status(); }

}  // namespace hpchain

#define HPC_STATUS_CONCAT_INNER(a, b) a##b
#define HPC_STATUS_CONCAT(a, b) HPC_STATUS_CONCAT_INNER(a, b)

// Evaluates `expr` (a Status or a Result); returns its error from the
// enclosing function if it failed.
#define HPC_TRY(expr)                                                     \
  do {                                                                    \
    auto&& hpc_try_value_ = (expr);                                       \
    if (!hpc_try_value_.is_ok()) return ::hpchain::status_of(hpc_try_value_); \
  } while (0)

// HPC_ASSIGN_OR_RETURN(auto x, expr): binds the value of a Result, or returns
// its error from the enclosing function.
#define HPC_ASSIGN_OR_RETURN(lhs, expr)                                   \
  auto HPC_STATUS_CONCAT(hpc_result_, __LINE__) = (expr);                 \
  if (!HPC_STATUS_CONCAT(hpc_result_, __LINE__).is_ok())                  \
    return HPC_STATUS_CONCAT(hpc_result_, __LINE__).status();             \
  lhs = std::move(HPC_STATUS_CONCAT(hpc_result_, __LINE__)).value()
