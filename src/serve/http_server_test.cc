// The server on a loopback port chosen by the kernel, with raw sockets as the client so
// malformed and oversized requests can be sent.
#include "serve/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

namespace mqtt2s3::serve {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions o;
    o.port = 0;
    o.threads = 2;
    o.max_body_bytes = 1000;
    server_ = std::make_unique<HttpServer>(o, [](const HttpRequest& r) {
      return HttpResponse{
          r.target == "/missing" ? 404 : 200,
          "application/json",
          "{\"method\":\"" + r.method + "\",\"bytes\":" + std::to_string(r.body.size()) + "}",
          {{"X-Test", "1"}}};
    });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  // Sends `raw` and reads until the server closes or `responses` responses arrived.
  std::string Exchange(const std::string& raw, int responses = 1) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    asio::write(s, asio::buffer(raw));
    std::string out;
    char buf[4096];
    for (int i = 0; i < 1000; ++i) {
      boost::system::error_code ec;
      size_t n = s.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
      size_t count = 0;
      for (size_t p = out.find("HTTP/1.1 "); p != std::string::npos;
           p = out.find("HTTP/1.1 ", p + 1)) {
        ++count;
      }
      if (static_cast<int>(count) >= responses && out.ends_with("}")) break;
    }
    return out;
  }

  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, PassesMethodTargetAndBodyToTheHandler) {
  std::string r = Exchange(
      "POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 5\r\n\r\nhello");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 200 OK")) << r;
  EXPECT_NE(r.find("X-Test: 1"), std::string::npos);
  EXPECT_NE(r.find("Content-Type: application/json"), std::string::npos);
  EXPECT_TRUE(r.ends_with(R"({"method":"POST","bytes":5})")) << r;
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string r =
      Exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n", 2);
  EXPECT_TRUE(r.starts_with("HTTP/1.1 200 OK")) << r;
  EXPECT_NE(r.find("HTTP/1.1 404 Not Found"), std::string::npos) << r;
}

TEST_F(HttpServerTest, OversizedBodyGets413Json) {
  std::string r = Exchange("POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                           std::string(5000, 'a'));
  EXPECT_TRUE(r.starts_with("HTTP/1.1 413")) << r;
  EXPECT_NE(r.find("larger than 1000 bytes"), std::string::npos) << r;
}

TEST_F(HttpServerTest, OversizedHeaderGets431Json) {
  std::string r =
      Exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 431")) << r;
}

TEST_F(HttpServerTest, MalformedRequestGets400Json) {
  std::string r = Exchange("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(r.starts_with("HTTP/1.1 400")) << r;
  EXPECT_NE(r.find("malformed HTTP request"), std::string::npos) << r;
}

TEST_F(HttpServerTest, BindingATakenPortFailsNamingIt) {
  HttpServerOptions o;
  o.port = server_->port();
  HttpServer second(o, [](const HttpRequest&) { return HttpResponse{}; });
  Status s = second.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find(std::to_string(server_->port())), std::string::npos);
}

TEST_F(HttpServerTest, BadOptionsAreRefused) {
  HttpServerOptions o;
  o.threads = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = {};
  o.address = "not-an-address";
  HttpServer s(o, [](const HttpRequest&) { return HttpResponse{}; });
  EXPECT_EQ(s.Start().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mqtt2s3::serve
