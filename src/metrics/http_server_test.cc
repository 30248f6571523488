#include "metrics/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "metrics/endpoints.h"
#include "metrics/fake_metrics_source.h"

namespace mqtt2s3::metrics {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using ::testing::HasSubstr;

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// One blocking request over loopback; the server closes the connection after answering.
Reply Request(uint16_t port, const std::string& target, http::verb verb = http::verb::get) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req(verb, target, 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  if (verb == http::verb::head) parser.skip(true);
  http::read(stream, buffer, parser);
  const auto& res = parser.get();
  return {static_cast<int>(res.result_int()), std::string(res[http::field::content_type]),
          res.body()};
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = HttpServer::Start("127.0.0.1:0", ObservabilityRoutes(&source_));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  FakeMetricsSource source_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, MetricsServesTheTextExposition) {
  source_.stats.received = 42;
  Reply r = Request(server_->port(), "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, HasSubstr("version=0.0.4"));
  EXPECT_THAT(r.body, HasSubstr("\nmqtt2s3_messages_received_total 42\n"));
}

TEST_F(HttpServerTest, HealthzIsOkWhileNotReady) {
  source_.health = {false, false};
  EXPECT_EQ(Request(server_->port(), "/healthz").status, 200);
}

TEST_F(HttpServerTest, ReadyzNamesWhatIsMissingWith503) {
  source_.health = {false, true};
  Reply r = Request(server_->port(), "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "not ready: broker not connected\n");
  source_.health = {true, false};
  EXPECT_EQ(Request(server_->port(), "/readyz").body, "not ready: S3 not reachable\n");
  source_.health = {true, true};
  r = Request(server_->port(), "/readyz?verbose=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ready\n");
}

TEST_F(HttpServerTest, UnknownPathsAre404AndOtherMethods405) {
  EXPECT_EQ(Request(server_->port(), "/nope").status, 404);
  EXPECT_EQ(Request(server_->port(), "/metrics", http::verb::post).status, 405);
  Reply head = Request(server_->port(), "/healthz", http::verb::head);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
}

TEST(HttpServerStartTest, APortInUseIsAnErrorNamingTheAddress) {
  auto first = HttpServer::Start("127.0.0.1:0", {});
  ASSERT_TRUE(first.ok());
  const std::string taken = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = HttpServer::Start(taken, {});
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr(taken));
}

TEST(ParseListenAddressTest, AcceptsIpv4AndBracketedIpv6AndRejectsTheRest) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseListenAddress("127.0.0.1:9464", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9464);
  ASSERT_TRUE(ParseListenAddress("[::1]:80", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListenAddress("127.0.0.1", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:70000", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:http", &host, &port).ok());
  EXPECT_FALSE(HttpServer::Start("localhost:0", {}).ok());
}

}  // namespace
}  // namespace mqtt2s3::metrics
