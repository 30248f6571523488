// The HTTP request and response as the handlers see them: no sockets, no Beast types, so
// routing and protocol handling are tested without a network (serve/api_handler_test.cc).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mqtt2s3::serve {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, e.g. "/query" or "/ui/?target=..."
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

}  // namespace mqtt2s3::serve
