#include "metrics/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <mutex>
#include <thread>

namespace mqtt2s3::metrics {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A scraper that stalls must not hold a connection (and its memory) forever.
constexpr auto kConnectionTimeout = std::chrono::seconds(10);

// One request/response exchange; keeps itself alive through its pending operations.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const std::map<std::string, HttpHandler>* routes)
      : stream_(std::move(socket)), routes_(routes) {}

  void Start() {
    parser_.header_limit(8 * 1024);
    parser_.body_limit(0);
    stream_.expires_after(kConnectionTimeout);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Respond();
                     });
  }

 private:
  void Respond() {
    const auto& req = parser_.get();
    HttpResponse r;
    std::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      r = {405, "text/plain; charset=utf-8", "only GET and HEAD\n"};
    } else if (auto it = routes_->find(std::string(target)); it != routes_->end()) {
      r = it->second();
    } else {
      r = {404, "text/plain; charset=utf-8", "not found; try /metrics, /healthz, /readyz\n"};
    }
    response_.version(req.version());
    response_.result(static_cast<unsigned>(r.status));
    response_.set(http::field::content_type, r.content_type);
    response_.set(http::field::connection, "close");
    response_.keep_alive(false);
    const size_t size = r.body.size();
    if (req.method() != http::verb::head) response_.body() = std::move(r.body);
    response_.content_length(size);
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> response_;
  const std::map<std::string, HttpHandler>* routes_;
};

}  // namespace

class HttpServer::Impl {
 public:
  explicit Impl(std::map<std::string, HttpHandler> routes)
      : routes_(std::move(routes)), acceptor_(io_) {}

  Status Listen(const std::string& listen) {
    std::string host;
    uint16_t port = 0;
    M2S_RETURN_IF_ERROR(ParseListenAddress(listen, &host, &port));
    beast::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) {
      return Status::InvalidArgument("metrics listen address '" + listen +
                                     "': host must be a numeric IP address");
    }
    const tcp::endpoint endpoint(address, port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Unavailable("metrics listen address '" + listen + "': " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
    return Status::Ok();
  }

  void Stop() {
    std::call_once(stop_once_, [this] {
      asio::post(io_, [this] {
        beast::error_code ignored;
        acceptor_.close(ignored);
        io_.stop();  // open connections are dropped with the io_context
      });
      if (thread_.joinable()) thread_.join();
    });
  }

  uint16_t port() const { return port_; }

 private:
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) std::make_shared<Connection>(std::move(socket), &routes_)->Start();
      Accept();
    });
  }

  const std::map<std::string, HttpHandler> routes_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::once_flag stop_once_;
  uint16_t port_ = 0;
};

Status ParseListenAddress(const std::string& listen, std::string* host, uint16_t* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
    return Status::InvalidArgument("metrics listen address '" + listen +
                                   "': expected host:port, e.g. 127.0.0.1:9464");
  }
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned value = 0;
  const char* first = listen.data() + colon + 1;
  const char* last = listen.data() + listen.size();
  auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last || value > 65535) {
    return Status::InvalidArgument("metrics listen address '" + listen +
                                   "': port must be a number 0..65535");
  }
  *host = std::move(h);
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& listen,
                                                        std::map<std::string, HttpHandler> routes) {
  auto impl = std::make_unique<Impl>(std::move(routes));
  M2S_RETURN_IF_ERROR(impl->Listen(listen));
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }
uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace mqtt2s3::metrics
