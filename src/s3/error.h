// S3Error: one failed S3 call, classified where it arises so callers decide retries from the
// class alone (the Redpanda cloud_storage_clients model):
//
//   kRetryable  transport errors (connect refused, timeout, reset), HTTP 5xx, 429, and the
//               codes SlowDown, RequestTimeout, InternalError, ServiceUnavailable, Throttling
//   kNotFound   HTTP 404, NoSuchKey, NoSuchBucket, NoSuchUpload
//   kPermanent  everything else (other 4xx: SignatureDoesNotMatch, AccessDenied, ...)
//
//   if (!res) { if (res.error().error_class == ErrorClass::kRetryable) Backoff(); ... }
//   return res.error().ToStatus();  // kUnavailable / kNotFound / kPermissionDenied / ...
//
// Messages name the operation, bucket, key, HTTP status, S3 code and message and request id;
// they never hold credentials, signatures or the Authorization header.
// Thread-safety: a value type.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::s3 {

enum class ErrorClass { kRetryable, kNotFound, kPermanent };
std::string_view ErrorClassName(ErrorClass c);

struct S3Error {
  ErrorClass error_class = ErrorClass::kPermanent;
  std::string operation;   // "PutObject"
  int http_status = 0;     // 0 for a transport error
  std::string code;        // S3 error code ("NoSuchKey"); for HEAD and bodies without XML one
                           // derived from the status ("NotFound", "Forbidden", "HTTP500")
  std::string message;     // S3 <Message>
  std::string request_id;  // <RequestId> or x-amz-request-id
  std::string bucket;
  std::string key;
  std::string url;                // transport errors only
  std::string transport_message;  // transport errors only: curl's message

  bool is_transport() const { return http_status == 0; }
  bool retryable() const { return error_class == ErrorClass::kRetryable; }
  bool not_found() const { return error_class == ErrorClass::kNotFound; }

  // "PutObject bucket 'b' key 'k': HTTP 403 SignatureDoesNotMatch: The request ...
  //  (request id tx0...)" or "... transport error for http://h:1/b/k: Couldn't connect ...".
  std::string ToString() const;

  // retryable -> kUnavailable, not found -> kNotFound, 403 -> kPermissionDenied,
  // 409/412 -> kFailedPrecondition, other permanent -> kInvalidArgument.
  Status ToStatus() const;
};

// The class of an HTTP answer with status `http_status` and S3 code `code` (may be empty).
ErrorClass ClassifyHttp(int http_status, std::string_view code);

// A code for responses without an XML error body (HEAD): "NotFound", "Forbidden", ...
std::string CodeFromStatus(int http_status);

}  // namespace mqtt2s3::s3
