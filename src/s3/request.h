// Pure request building and response classification for the S3 Client: an S3Request (what
// one API call means) becomes a signed HttpRequest for an endpoint and addressing style, and
// an HttpResponse or TransportError becomes an S3Error. No I/O, no clock, so every rule here
// is unit-tested without a server.
// Thread-safety: free functions; the Signer they use is thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3/error.h"
#include "s3/http_transport.h"
#include "s3/options.h"
#include "s3/signer.h"

namespace mqtt2s3::s3 {

struct S3Request {
  std::string operation;  // "PutObject": names the call in errors
  std::string method;
  std::string bucket;     // empty only for service-level calls
  std::string key;        // empty for bucket-level calls
  std::vector<QueryParam> query;
  std::vector<std::pair<std::string, std::string>> headers;  // all signed
  std::string_view body;  // not owned
  // Lowercase hex SHA-256 of body, if known (PutOptions::body_sha256_hex); empty: computed.
  std::string_view body_sha256_hex;
};

struct Addressing {
  Endpoint endpoint;
  AddressingStyle style = AddressingStyle::kPath;
};

// The URL, Host header and signed headers for `req`. The payload is hashed when
// `sign_payload`, otherwise sent as UNSIGNED-PAYLOAD (an empty body always hashes).
HttpRequest BuildHttpRequest(const S3Request& req, const Addressing& addressing,
                             const Signer& signer, bool sign_payload,
                             std::chrono::system_clock::time_point now);

// An S3Error for a non-2xx response (or a 200 that carries <Error>), with code, message and
// request id from the XML body or, without one, derived from the status and headers.
S3Error ErrorFromResponse(const S3Request& req, const HttpResponse& resp);
S3Error ErrorFromTransport(const S3Request& req, const TransportError& err);
// A request refused before it was sent (empty key, bad part number): permanent.
S3Error InvalidRequest(const S3Request& req, std::string message);

}  // namespace mqtt2s3::s3
