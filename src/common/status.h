// Status and StatusOr<T>: how every module reports errors. No exception crosses a module
// boundary; library exceptions are caught in the adapter that calls the library and
// converted here.
//
//   StatusOr<Config> cfg = LoadConfig(path);
//   if (!cfg.ok()) { std::cerr << cfg.status().ToString() << "\n"; return 2; }
//   Use(*cfg);
//
// A message names what was wrong and where (file:line key, topic, bucket/key, HTTP code).
// Thread-safety: values; safe to copy between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mqtt2s3 {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // bad input: config, packet, template, topic
  kNotFound,            // object, bucket, file
  kAlreadyExists,
  kPermissionDenied,    // credentials, signature, ACL
  kResourceExhausted,   // budgets: memory, disk, in-flight windows
  kFailedPrecondition,  // wrong state for the call
  kUnavailable,         // transient: retry may succeed (network, 5xx, SlowDown)
  kCorruption,          // checksum mismatch, torn record in the middle of a file
  kIOError,             // local file system
  kDeadlineExceeded,
  kCancelled,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // True for errors a retry may cure (kUnavailable, kDeadlineExceeded).
  bool IsRetryable() const {
    return code_ == StatusCode::kUnavailable || code_ == StatusCode::kDeadlineExceeded;
  }

  // "InvalidArgument: config.yaml:12 key 'broker.port': ..." ; "OK" when ok.
  std::string ToString() const;

  // Returns a copy whose message is "context: message" (no-op when ok).
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status. Accessing the value of an error is a programming error
// (checked by assert in debug builds).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : v_(value) {}                 // NOLINT: implicit by design
  StatusOr(T&& value) : v_(std::move(value)) {}           // NOLINT
  StatusOr(Status status) : v_(std::move(status)) {       // NOLINT
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("StatusOr constructed from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace mqtt2s3

#define M2S_CONCAT_INNER_(a, b) a##b
#define M2S_CONCAT_(a, b) M2S_CONCAT_INNER_(a, b)

#define M2S_RETURN_IF_ERROR(expr)                    \
  do {                                               \
    ::mqtt2s3::Status m2s_status_ = (expr);          \
    if (!m2s_status_.ok()) return m2s_status_;       \
  } while (0)

#define M2S_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#define M2S_ASSIGN_OR_RETURN(lhs, expr) \
  M2S_ASSIGN_OR_RETURN_IMPL_(M2S_CONCAT_(m2s_statusor_, __LINE__), lhs, expr)
