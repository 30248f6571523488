// Request and result types of the S3 Client (s3/client.h), and Result<T>: a value or an
// S3Error, in the cpp-httplib spirit (`if (auto r = client.HeadObject(b, k)) Use(*r);`).
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"
#include "s3/error.h"

namespace mqtt2s3::s3 {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(S3Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const S3Error& error() const { return std::get<1>(v_); }
  Status status() const { return ok() ? Status::Ok() : error().ToStatus(); }
  // For M2S_ASSIGN_OR_RETURN and callers that only speak Status.
  StatusOr<T> ToStatusOr() && {
    if (ok()) return std::move(*this).value();
    return error().ToStatus();
  }

 private:
  std::variant<T, S3Error> v_;
};

// The value of operations that return nothing.
struct Done {};

// x-amz-meta-* user metadata: names without the prefix, lower-case [a-z0-9-_.] (S3 lower-cases
// names, so mixed case would not round-trip); values without control characters. Mind the
// budget: AWS allows 2 KB of metadata in total, RGW about 16 KB of headers (DESIGN.md #4).
using Metadata = std::map<std::string, std::string>;

struct PutOptions {
  std::string content_type;  // empty: not sent (S3 stores binary/octet-stream)
  Metadata metadata;
  // The body's SHA-256 as 64 lowercase hex digits, when the caller computed it anyway: the
  // signature then uses it instead of hashing the body again. S3 checks it against the bytes
  // received (XAmzContentSHA256Mismatch), so a wrong value fails the request, never stores
  // wrong data. Empty: hashed here (when ClientOptions::sign_payload).
  std::string body_sha256_hex;
};

struct PutObjectResult {
  // With quotes, as S3 returns it. Ceph RGW 16 sends an empty <ETag> from
  // CompleteMultipartUpload; HeadObject has the real one.
  std::string etag;
};

struct ObjectInfo {
  uint64_t size = 0;
  std::string etag;
  std::string content_type;
  std::chrono::system_clock::time_point last_modified{};
  Metadata metadata;
};

// HTTP byte range. Bytes(0, 99) = first 100 bytes; From(100) = from 100 to the end;
// Suffix(10) = last 10 bytes.
struct ByteRange {
  static ByteRange Bytes(uint64_t first, uint64_t last) { return {first, last, false}; }
  static ByteRange From(uint64_t first) { return {first, std::nullopt, false}; }
  static ByteRange Suffix(uint64_t length) { return {length, std::nullopt, true}; }
  std::string HeaderValue() const;

  uint64_t first = 0;  // the suffix length when `suffix`
  std::optional<uint64_t> last;
  bool suffix = false;
};

struct GetObjectResult {
  std::string body;
  uint64_t object_size = 0;  // whole object: Content-Range total, else Content-Length
  uint64_t range_first = 0;  // offset of body[0] in the object
  ObjectInfo info;           // size field = object_size
};

struct ListObjectsRequest {
  std::string prefix;
  std::string delimiter;
  int max_keys = 0;  // 0: server default (1000)
  std::string continuation_token;
  std::string start_after;
};

struct ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  std::chrono::system_clock::time_point last_modified{};
};

struct ListObjectsPage {
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string next_continuation_token;
};

struct CompletedPart {
  int part_number = 0;  // 1..10000
  std::string etag;     // as UploadPart returned it
};

}  // namespace mqtt2s3::s3
