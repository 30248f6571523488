// One Session per connection, driven by Beast's async operations on an io_context run by a
// fixed pool of threads. Each session's operations are sequential (read, handle, write), so
// a session needs no strand. Beast reports errors by error_code; the handler's exceptions
// (bad_alloc) are caught here and become 500s, so nothing escapes a thread.
#include "serve/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "serve/grafana_json.h"

namespace mqtt2s3::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Status HttpServerOptions::Validate() const {
  if (threads == 0 || threads > 256) {
    return Status::InvalidArgument("serve: threads must be 1..256, not " + std::to_string(threads));
  }
  if (max_body_bytes == 0 || max_header_bytes < 1024 || max_connections == 0) {
    return Status::InvalidArgument(
        "serve: max_body_bytes and max_connections must be positive, max_header_bytes at "
        "least 1024");
  }
  if (request_timeout.count() <= 0) {
    return Status::InvalidArgument("serve: request_timeout must be positive");
  }
  return Status::Ok();
}

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpServerOptions& options, const HttpServer::Handler& handler,
          std::atomic<size_t>& connections)
      : stream_(std::move(socket)),
        options_(options),
        handler_(handler),
        connections_(connections) {}
  ~Session() { connections_.fetch_sub(1); }

  void Start() { ReadRequest(); }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(options_.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    stream_.expires_after(options_.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      return Close();
    }
    if (ec) {
      int status = 400;
      if (ec == http::error::body_limit) status = 413;
      if (ec == http::error::header_limit) status = 431;
      const std::string what =
          status == 413
              ? "request body larger than " + std::to_string(options_.max_body_bytes) + " bytes"
          : status == 431
              ? "request header larger than " + std::to_string(options_.max_header_bytes) + " bytes"
              : "malformed HTTP request: " + ec.message();
      return Write(
          HttpResponse{status, "application/json", RenderError(Status::InvalidArgument(what)), {}},
          /*keep_alive=*/false, 11);
    }
    http::request<http::string_body> req = parser_->release();
    HttpRequest request{std::string(req.method_string()), std::string(req.target()),
                        std::move(req.body())};
    HttpResponse response;
    try {
      response = handler_(request);
    } catch (const std::exception& e) {
      response = {500,
                  "application/json",
                  RenderError(Status::Internal(std::string("handler failed: ") + e.what())),
                  {}};
    }
    Write(std::move(response), req.keep_alive(), req.version());
  }

  void Write(HttpResponse r, bool keep_alive, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version);
    res->set(http::field::server, "mqtt2s3-serve");
    res->set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res->set(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    stream_.expires_after(options_.request_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !res->keep_alive()) return self->Close();
                        self->ReadRequest();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpServerOptions& options_;
  const HttpServer::Handler& handler_;
  std::atomic<size_t>& connections_;
};

}  // namespace

struct HttpServer::Impl {
  // Sessions refer to options, handler and connections until the io_context destroys
  // them, so those are declared (and outlive) before it.
  HttpServerOptions options;
  Handler handler;
  std::atomic<size_t> connections{0};
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;

  void Accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        if (connections.fetch_add(1) >= options.max_connections) {
          connections.fetch_sub(1);
          beast::error_code ignored;
          s.close(ignored);
        } else {
          std::make_shared<Session>(std::move(s), options, handler, connections)->Start();
        }
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port; }

Status HttpServer::Start() {
  M2S_RETURN_IF_ERROR(impl_->options.Validate());
  if (impl_->started) return Status::FailedPrecondition("serve: server already started");
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) {
    return Status::InvalidArgument("serve: listen address '" + impl_->options.address +
                                   "': " + ec.message());
  }
  const tcp::endpoint endpoint(address, impl_->options.port);
  const std::string where =
      "serve: listen on " + impl_->options.address + ":" + std::to_string(impl_->options.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    return Status::Unavailable(where + ": " + ec.message());
  }
  impl_->port = impl_->acceptor.local_endpoint(ec).port();
  impl_->started = true;
  impl_->Accept();
  for (size_t i = 0; i < impl_->options.threads; ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->started) return;
  impl_->started = false;
  // Stopping the context abandons open sessions; their sockets close when the context is
  // destroyed with the server. With no thread running, the acceptor is closed directly.
  impl_->io.stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

}  // namespace mqtt2s3::serve
