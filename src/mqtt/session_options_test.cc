#include "mqtt/session_options.h"

#include <gtest/gtest.h>

namespace mqtt2s3::mqtt {
namespace {

SessionOptions Valid() {
  SessionOptions o;
  o.client_id = "c1";
  o.subscriptions = {{"a/+/c", QoS::kAtLeastOnce}, {"$share/g/x/#", QoS::kExactlyOnce}};
  return o;
}

TEST(SessionOptionsTest, DefaultsWithClientIdAreValid) {
  EXPECT_TRUE(Valid().Validate().ok()) << Valid().Validate().ToString();
}

TEST(SessionOptionsTest, PersistentSessionNeedsClientId) {
  SessionOptions o = Valid();
  o.client_id.clear();
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o.clean_start = true;
  EXPECT_TRUE(o.Validate().ok());  // MQTT 5 broker assigns one
  o.version = ProtocolVersion::kV311;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
}

TEST(SessionOptionsTest, InvalidFilterIsNamedWithItsIndex) {
  SessionOptions o = Valid();
  o.subscriptions.push_back({"a/#/b", QoS::kAtLeastOnce});
  Status s = o.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("subscriptions[2]"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("a/#/b"), std::string::npos);
}

TEST(SessionOptionsTest, ZeroReceiveMaximumIsRejected) {
  SessionOptions o = Valid();
  o.receive_maximum = 0;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
}

TEST(SessionOptionsTest, ReadBufferMustFitInMaxPacketSize) {
  SessionOptions o = Valid();
  o.max_packet_size = 4096;
  o.read_buffer_bytes = 8192;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
}

TEST(SessionOptionsTest, Mqtt311PasswordNeedsUsername) {
  SessionOptions o = Valid();
  o.version = ProtocolVersion::kV311;
  o.password = "secret";
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o.username = "u";
  EXPECT_TRUE(o.Validate().ok());
}

TEST(SessionOptionsTest, BadBackoffIsReported) {
  SessionOptions o = Valid();
  o.backoff.min_delay = std::chrono::milliseconds(0);
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
}

TEST(SessionOptionsTest, ToStringNeverContainsThePassword) {
  SessionOptions o = Valid();
  o.username = "alice";
  o.password = "hunter2-very-secret";
  const std::string s = o.ToString();
  EXPECT_EQ(s.find("hunter2"), std::string::npos) << s;
  EXPECT_NE(s.find("alice@"), std::string::npos) << s;
  EXPECT_NE(s.find("password=<set>"), std::string::npos) << s;
}

TEST(SessionOptionsTest, ValidationErrorsNeverContainThePassword) {
  SessionOptions o = Valid();
  o.password = "hunter2-very-secret";
  o.port = 0;
  EXPECT_EQ(o.Validate().message().find("hunter2"), std::string::npos);
}

TEST(SessionOptionsTest, BrokersListsTheMainBrokerFirstThenTheFailoverOnesInOrder) {
  SessionOptions o = Valid();
  o.host = "a.example";
  o.port = 8883;
  o.tls.server_name = "cluster.example";
  o.failover = {{.host = "b.example", .port = 8884, .tls_server_name = ""},
                {.host = "10.0.0.3", .port = 8885, .tls_server_name = "c.example"}};
  const auto b = o.Brokers();
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].ToString(), "a.example:8883");
  EXPECT_EQ(b[0].tls_server_name, "cluster.example");
  EXPECT_EQ(b[1].ToString(), "b.example:8884");
  EXPECT_EQ(b[1].tls_server_name, "");  // its own host is verified
  EXPECT_EQ(b[2].ToString(), "10.0.0.3:8885");
  EXPECT_EQ(b[2].tls_server_name, "c.example");
  EXPECT_NE(o.ToString().find("a.example:8883,b.example:8884,10.0.0.3:8885"), std::string::npos)
      << o.ToString();
}

TEST(SessionOptionsTest, FailoverBrokerWithoutHostOrPortIsNamedWithItsIndex) {
  SessionOptions o = Valid();
  o.failover = {{.host = "b", .port = 1883, .tls_server_name = ""},
                {.host = "", .port = 1883, .tls_server_name = ""}};
  Status s = o.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("failover[1]: host is empty"), std::string::npos) << s.ToString();
  o.failover[1] = {.host = "c", .port = 0, .tls_server_name = ""};
  s = o.Validate();
  EXPECT_NE(s.message().find("failover[1]: port"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace mqtt2s3::mqtt
