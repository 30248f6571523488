// broker.failover from YAML to the session: loading, validation errors and the mapping onto
// SessionOptions (src/converter/from_config.cc), without any service.
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "config/fake_environment.h"
#include "converter/from_config.h"

namespace mqtt2s3 {
namespace {

constexpr std::string_view kRest = R"(subscriptions:
  - filter: "plant/#"
s3:
  endpoint: http://127.0.0.1:8000
routes:
  - name: all
    filter: "plant/#"
)";

StatusOr<config::Config> Load(const std::string& broker_yaml) {
  static const config::FakeEnvironment env(config::FakeEnvironment::Map{
      {"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "secret"}});
  config::LoadOptions o;
  o.env = &env;
  return config::LoadConfigFromString(broker_yaml + std::string(kRest), "t.yaml", o);
}

TEST(FailoverConfigTest, FailoverBrokersFollowTheMainOneInTheSessionOptions) {
  auto c = Load(R"(broker:
  host: a.example
  port: 8883
  tls:
    enabled: true
    server_name: cluster.example
  failover:
    - host: b.example
      port: 8884
    - host: 10.0.0.3
      tls_server_name: c.example
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto o = converter::OptionsFromConfig(*c);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  const auto brokers = o->session.Brokers();
  ASSERT_EQ(brokers.size(), 3u);
  EXPECT_EQ(brokers[0].ToString(), "a.example:8883");
  EXPECT_EQ(brokers[0].tls_server_name, "cluster.example");
  EXPECT_EQ(brokers[1].ToString(), "b.example:8884");
  EXPECT_EQ(brokers[1].tls_server_name, "");
  EXPECT_EQ(brokers[2].ToString(), "10.0.0.3:1883");  // the documented default port
  EXPECT_EQ(brokers[2].tls_server_name, "c.example");
  EXPECT_TRUE(o->session.Validate().ok()) << o->session.Validate().ToString();
}

TEST(FailoverConfigTest, WithoutFailoverTheSessionHasOnlyTheMainBroker) {
  auto c = Load("broker:\n  host: a.example\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto o = converter::OptionsFromConfig(*c);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_EQ(o->session.Brokers().size(), 1u);
  EXPECT_EQ(o->session.Brokers()[0].ToString(), "a.example:1883");
}

TEST(FailoverConfigTest, AFailoverEntryWithoutHostIsNamedByItsIndex) {
  auto c = Load("broker:\n  failover:\n    - host: b\n    - port: 1884\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("broker.failover[1].host"), std::string::npos)
      << c.status().ToString();
}

TEST(FailoverConfigTest, AnEmptyFailoverHostIsRefused) {
  auto c = Load("broker:\n  failover:\n    - host: \"\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("broker.failover[0].host"), std::string::npos)
      << c.status().ToString();
}

TEST(FailoverConfigTest, AnOutOfRangeFailoverPortIsRefused) {
  auto c = Load("broker:\n  failover:\n    - host: b\n      port: 0\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("broker.failover[0].port"), std::string::npos)
      << c.status().ToString();
}

}  // namespace
}  // namespace mqtt2s3
