// AWS Signature Version 4 for S3, written to the AWS spec (docs/decisions/s3-client.md says
// why we do not use curl's CURLOPT_AWS_SIGV4). Pure: no I/O, no clock; the caller passes the
// time. Cross-checked against botocore's S3SigV4Auth by tests/s3/signer_botocore_check.py.
//
//   Signer signer(Credentials{"AKID", "secret", ""}, "us-east-1");
//   SignableRequest req{.method = "PUT", .encoded_path = "/b/my%20key",
//                       .headers = {{"host", "127.0.0.1:8000"}},
//                       .payload_hash = Sha256Hex(body)};
//   signer.Sign(req, std::chrono::system_clock::now());   // adds x-amz-date, ..., authorization
//   for (auto& [name, value] : req.headers) SendHeader(name, value);
//
// Thread-safety: Sign() may be called from any number of threads; the derived signing key
// cache is guarded by a mutex. Credentials are never exposed after construction.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mqtt2s3::s3 {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// SHA-256 of the empty string: the payload hash of every body-less request.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Long-term or temporary credentials. Deliberately has no ToString / operator<<.
struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // empty unless temporary credentials (STS)
};

// One query parameter, NOT encoded. `has_value` false renders "uploads" in a URL (the
// canonical form is "uploads=" either way, as the spec requires).
struct QueryParam {
  std::string name;
  std::string value;
  bool has_value = true;
};

// What the signer needs of a request. Header names may be in any case; they are signed
// lower-cased. Every header listed is signed, so list only headers the transport sends
// unchanged (host, content-type, range, x-amz-*, content-md5), never Content-Length.
struct SignableRequest {
  std::string method;                                         // "GET", "PUT", ...
  std::string encoded_path;                                   // "/bucket/key%20x", already URI-encoded
  std::vector<QueryParam> query;                              // raw names/values
  std::vector<std::pair<std::string, std::string>> headers;  // must contain "host"
  std::string payload_hash;  // Sha256Hex(body), kUnsignedPayload; empty means kEmptyPayloadHash
};

// The intermediate products, for the cross-check tool and tests. Holds the signature, so
// production code never logs it.
struct SigningDetails {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;
  std::string authorization;  // the Authorization header value
};

// Canonical query string: names and values URI-encoded ('/' too), sorted by name then value,
// valueless parameters as "name=". Also the URL's query, except valueless ones are bare there.
std::string CanonicalQueryString(const std::vector<QueryParam>& query);
std::string UrlQueryString(const std::vector<QueryParam>& query);

class Signer {
 public:
  Signer(Credentials credentials, std::string region, std::string service = "s3");

  // Adds x-amz-date, x-amz-content-sha256 and (with a session token) x-amz-security-token to
  // `request.headers`, replacing any present, then signs and appends "authorization".
  void Sign(SignableRequest& request, std::chrono::system_clock::time_point now) const;

  // Same, and returns the intermediate strings (cross-check tool and tests only).
  SigningDetails SignWithDetails(SignableRequest& request,
                                 std::chrono::system_clock::time_point now) const;

  const std::string& region() const { return region_; }
  const std::string& access_key() const { return credentials_.access_key; }

 private:
  // kSigning = HMAC chain over date/region/service/"aws4_request"; changes once a day.
  std::string SigningKey(const std::string& date) const;

  const Credentials credentials_;
  const std::string region_;
  const std::string service_;
  mutable std::mutex mu_;
  mutable std::string cached_date_;  // guarded by mu_
  mutable std::string cached_key_;   // guarded by mu_
};

}  // namespace mqtt2s3::s3
