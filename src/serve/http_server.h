// HttpServer: a small HTTP/1.1 server on Boost.Beast for the dashboard endpoints. It moves
// bytes only; what a request means is the Handler's business (serve/api_handler.h).
//
//   HttpServer server({.address = "127.0.0.1", .port = 8089}, [&](const HttpRequest& r) {
//     return api.Handle(r);
//   });
//   if (Status s = server.Start(); !s.ok()) ...;   // bound and serving on its threads
//   server.port();                                  // the bound port (useful with port 0)
//   server.Stop();                                  // closes everything, joins threads
//
// Robustness: bodies over max_body_bytes get 413, headers over max_header_bytes 431, a
// malformed request 400 (all JSON, then the connection closes); a request (or an idle
// keep-alive connection) that takes longer than request_timeout is dropped; connections
// beyond max_connections are closed at once. Handlers run on the server's threads and may
// block (S3 reads), so `threads` bounds concurrent queries.
//
// Lifecycle: Start once, Stop once (the destructor stops). Thread-safety: Start/Stop from one
// thread; the handler is called concurrently from the server's threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "serve/http_types.h"

namespace mqtt2s3::serve {

struct HttpServerOptions {
  // Listen address; loopback by default (there is no authentication).
  std::string address = "127.0.0.1";
  uint16_t port = 8089;  // 0: any free port (tests)
  // Threads running the handler; a query blocks one while it reads S3.
  size_t threads = 4;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  // Time allowed to receive one request, and the idle time of a keep-alive connection.
  std::chrono::milliseconds request_timeout{30000};
  size_t max_connections = 64;

  Status Validate() const;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the threads. InvalidArgument for a bad address, Unavailable
  // when the port cannot be bound (names address and port).
  Status Start();
  uint16_t port() const;
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtt2s3::serve
