// HttpServer: a tiny HTTP/1.1 listener for the observability endpoints (/metrics, /healthz,
// /readyz). GET and HEAD only, one request per connection, bodies built by handlers on the
// server thread. It is not a general web server: no TLS, no keep-alive, no request bodies.
//
//   auto server = HttpServer::Start("127.0.0.1:9464", {{"/healthz", [] { return ok; }}});
//   if (!server.ok()) ...            // bad address, port in use: the status says which
//   (*server)->port();               // the bound port (useful with ":0")
//   (*server)->Stop();               // also done by the destructor
//
// Why not prometheus-cpp's Exposer: Debian's pull library serves registries only, and the
// health endpoints need their own status codes; Boost.Beast is already a dependency.
//
// Lifecycle: Start() binds and starts one thread; Stop() closes the listener, drops open
// connections and joins. Thread-safety: handlers run on the server thread (one at a time);
// Stop() and port() are safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"

namespace mqtt2s3::metrics {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse()>;

class HttpServer {
 public:
  // `listen` is "host:port" with a numeric IPv4 address or a bracketed IPv6 one
  // ("127.0.0.1:9464", "[::1]:9464"); port 0 picks a free port. `routes` maps exact paths
  // (query strings ignored) to handlers; other paths answer 404.
  static StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& listen,
                                                     std::map<std::string, HttpHandler> routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  void Stop();  // idempotent

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" as Start() reads it; an error names `listen` and what is wrong.
Status ParseListenAddress(const std::string& listen, std::string* host, uint16_t* port);

}  // namespace mqtt2s3::metrics
