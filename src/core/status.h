//===- core/status.h - Status and StatusOr for recoverable errors ---------===//
//
// Our code does not throw: a problem with the input or the environment (a bad model file, a
// missing tool, a bad flag) travels up as a Status with a code and a message, and each layer adds
// context ("job torchvision:resnet18: ..."). Messages start lowercase, have no trailing period,
// and name the object and the actual value. A broken invariant (our bug) is CC_CHECK instead.
//
// Findings about the tools under test (a converter crashed, outputs differ) are neither: they
// are values in the job result (pipeline/job.h).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CORE_STATUS_H_
#define CONVCHECK_CORE_STATUS_H_

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace convcheck {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // Bad input: a flag, a model, a tensor file.
  kNotFound,           // A file, a source, an operator that does not exist.
  kFailedPrecondition, // The environment is not ready (tool not installed, worker not found).
  kUnimplemented,      // Valid, but convcheck does not support it (yet).
  kDeadlineExceeded,   // A timeout.
  kResourceExhausted,  // A memory limit.
  kUnavailable,        // A worker died or could not be started.
  kDataLoss,           // A truncated or corrupt file.
  kInternal,           // Unexpected failure of a third-party call.
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// "invalid_argument: message", or "ok".
  std::string ToString() const;
  /// Returns this status with `context + ": "` put before the message; OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

/// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : value_(value) {}             // NOLINT: implicit by design.
  StatusOr(T&& value) : value_(std::move(value)) {}        // NOLINT
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition, const char* msg);

}  // namespace convcheck

#define CC_STATUS_CONCAT_INNER(a, b) a##b
#define CC_STATUS_CONCAT(a, b) CC_STATUS_CONCAT_INNER(a, b)

#define CC_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    ::convcheck::Status cc_status_ = (expr);         \
    if (!cc_status_.ok()) return cc_status_;         \
  } while (0)

#define CC_ASSIGN_OR_RETURN(lhs, expr) \
  CC_ASSIGN_OR_RETURN_IMPL(CC_STATUS_CONCAT(cc_statusor_, __LINE__), lhs, expr)
#define CC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

/// Our invariants: always on, aborts with the location. Never for anything user input can reach.
#define CC_CHECK(cond)                                                                     \
  do {                                                                                     \
    if (!(cond)) ::convcheck::CheckFailed(__FILE__, __LINE__, #cond, "invariant broken"); \
  } while (0)
#define CC_CHECK_MSG(cond, msg)                                              \
  do {                                                                       \
    if (!(cond)) ::convcheck::CheckFailed(__FILE__, __LINE__, #cond, (msg)); \
  } while (0)
#ifdef NDEBUG
#define CC_DCHECK(cond) \
  do {                  \
  } while (0)
#else
#define CC_DCHECK(cond) CC_CHECK(cond)
#endif

#endif  // CONVCHECK_CORE_STATUS_H_
