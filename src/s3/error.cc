#include "s3/error.h"

#include <array>

namespace mqtt2s3::s3 {

std::string_view ErrorClassName(ErrorClass c) {
  switch (c) {
    case ErrorClass::kRetryable: return "retryable";
    case ErrorClass::kNotFound: return "not-found";
    case ErrorClass::kPermanent: return "permanent";
  }
  return "unknown";
}

ErrorClass ClassifyHttp(int http_status, std::string_view code) {
  // Codes first: S3 sends RequestTimeout as 400 and can send InternalError inside a 200
  // (CompleteMultipartUpload), and both are worth a retry.
  static constexpr std::array<std::string_view, 6> kRetryCodes = {
      "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable",
      "Throttling", "ThrottlingException"};
  for (auto c : kRetryCodes) {
    if (code == c) return ErrorClass::kRetryable;
  }
  if (code == "NoSuchKey" || code == "NoSuchBucket" || code == "NoSuchUpload") {
    return ErrorClass::kNotFound;
  }
  if (http_status >= 500 || http_status == 429 || http_status == 408) return ErrorClass::kRetryable;
  if (http_status == 404) return ErrorClass::kNotFound;
  return ErrorClass::kPermanent;
}

std::string CodeFromStatus(int http_status) {
  switch (http_status) {
    case 400: return "BadRequest";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 412: return "PreconditionFailed";
    case 416: return "InvalidRange";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    default: return "HTTP" + std::to_string(http_status);
  }
}

std::string S3Error::ToString() const {
  std::string out = operation;
  if (!bucket.empty()) out += " bucket '" + bucket + "'";
  if (!key.empty()) out += " key '" + key + "'";
  out += ": ";
  if (is_transport() && url.empty()) {
    out += "invalid request: " + message;
  } else if (is_transport()) {
    out += "transport error for " + url + ": " + transport_message;
  } else {
    out += "HTTP " + std::to_string(http_status);
    if (!code.empty()) out += " " + code;
    if (!message.empty()) out += ": " + message;
    if (!request_id.empty()) out += " (request id " + request_id + ")";
  }
  out += " [";
  out += ErrorClassName(error_class);
  out += "]";
  return out;
}

Status S3Error::ToStatus() const {
  std::string m = ToString();
  switch (error_class) {
    case ErrorClass::kRetryable: return Status::Unavailable(std::move(m));
    case ErrorClass::kNotFound: return Status::NotFound(std::move(m));
    case ErrorClass::kPermanent: break;
  }
  if (http_status == 403 || http_status == 401) return Status::PermissionDenied(std::move(m));
  if (http_status == 0 && url.empty()) return Status::InvalidArgument(std::move(m));
  if (http_status == 409 || http_status == 412 || http_status == 0) {
    return Status::FailedPrecondition(std::move(m));
  }
  return Status::InvalidArgument(std::move(m));
}

}  // namespace mqtt2s3::s3
