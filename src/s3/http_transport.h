// The HTTP seam of the S3 client: the client builds and signs an HttpRequest, an HttpTransport
// sends it. Production uses CurlTransport (s3/curl_transport.h); unit tests plug in a fake.
// A transport failure (no HTTP response at all) is kept apart from an HTTP status, in the
// cpp-httplib spirit: Send() returns either an HttpResponse (any status) or a TransportError.
//
// Thread-safety: implementations must allow concurrent Send() calls.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mqtt2s3::s3 {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;     // full URL, path and query already encoded
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given (may hold secrets)
  std::string_view body;  // not owned; must outlive Send()
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  // First header with this lower-case name, or nullptr.
  const std::string* Header(std::string_view lower_name) const {
    for (const auto& [n, v] : headers) {
      if (n == lower_name) return &v;
    }
    return nullptr;
  }
};

// No HTTP response: connect refused, DNS, timeout, TLS, reset.
struct TransportError {
  std::string url;          // the request URL (never holds credentials: we sign with headers)
  std::string message;      // curl's message, e.g. "Couldn't connect to server: Failed to ..."
  int code = 0;             // transport-specific code (CURLcode for CurlTransport)
  bool retryable = true;    // false for errors a retry cannot cure (bad CA file, bad URL)
};

using HttpResult = std::variant<HttpResponse, TransportError>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResult Send(const HttpRequest& request) = 0;
};

}  // namespace mqtt2s3::s3
