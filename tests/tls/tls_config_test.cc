// broker.tls.* and s3 TLS keys of the config file reach the session and S3 client options
// (converter/from_config.cc). Pure: no services.
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "config/fake_environment.h"
#include "converter/from_config.h"

namespace mqtt2s3::converter {
namespace {

constexpr char kBase[] =
    "subscriptions:\n  - filter: \"t/#\"\n"
    "s3:\n  endpoint: https://s3.example:443\n"
    "routes:\n  - name: t\n    filter: \"t/#\"\n";

StatusOr<ConverterOptions> Load(const std::string& extra) {
  config::FakeEnvironment env(
      config::FakeEnvironment::Map{{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                   {"AWS_SECRET_ACCESS_KEY", "secret"}});
  config::LoadOptions lo;
  lo.env = &env;
  auto cfg = config::LoadConfigFromString(std::string(kBase) + extra, "/etc/mqtt2s3/c.yaml", lo);
  if (!cfg.ok()) return cfg.status();
  return OptionsFromConfig(*cfg);
}

TEST(TlsConfigTest, BrokerTlsKeysReachTheSessionOptions) {
  auto o = Load(
      "broker:\n  host: broker.plant.example\n  port: 8883\n  tls:\n    enabled: true\n"
      "    ca_file: ca.pem\n    cert_file: /pki/client.pem\n    key_file: /pki/client.key\n"
      "    server_name: mqtt.plant.example\n");
  ASSERT_TRUE(o.ok()) << o.status().message();
  const mqtt::TlsOptions& t = o->session.tls;
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.ca_file, "/etc/mqtt2s3/ca.pem");  // relative to the config file
  EXPECT_EQ(t.cert_file, "/pki/client.pem");
  EXPECT_EQ(t.key_file, "/pki/client.key");
  EXPECT_EQ(t.server_name, "mqtt.plant.example");
  EXPECT_EQ(o->session.port, 8883);
  EXPECT_TRUE(o->session.Validate().ok());
}

TEST(TlsConfigTest, TlsIsOffByDefault) {
  auto o = Load("");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_FALSE(o->session.tls.enabled);
  EXPECT_EQ(o->session.ToString().find("tls"), std::string::npos);
}

TEST(TlsConfigTest, TurningBrokerVerificationOffIsRefusedNamingTheKey) {
  auto o = Load("broker:\n  tls:\n    enabled: true\n    verify: false\n");
  ASSERT_FALSE(o.ok());
  const std::string msg = o.status().message();
  EXPECT_NE(msg.find("broker.tls.verify"), std::string::npos) << msg;
  EXPECT_NE(msg.find("broker.tls.ca_file"), std::string::npos) << msg;
}

TEST(TlsConfigTest, ClientCertificateWithoutKeyIsRefused) {
  auto o = Load("broker:\n  tls:\n    enabled: true\n    cert_file: /pki/client.pem\n");
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("key_file"), std::string::npos) << o.status().message();
}

TEST(TlsConfigTest, S3CaFileAndVerificationReachTheClientOptions) {
  auto o = Load("");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_FALSE(o->s3.insecure_skip_tls_verify);  // verified unless said otherwise
  // Appending a second s3 map would be a duplicate key: build the whole text instead.
  config::FakeEnvironment env(
      config::FakeEnvironment::Map{{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                   {"AWS_SECRET_ACCESS_KEY", "secret"}});
  config::LoadOptions lo;
  lo.env = &env;
  auto cfg = config::LoadConfigFromString(
      "subscriptions:\n  - filter: \"t/#\"\n"
      "s3:\n  endpoint: https://127.0.0.1:8443\n  ca_file: pki/rgw-ca.pem\n"
      "routes:\n  - name: t\n    filter: \"t/#\"\n",
      "/etc/mqtt2s3/c.yaml", lo);
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  auto o2 = OptionsFromConfig(*cfg);
  ASSERT_TRUE(o2.ok()) << o2.status().message();
  EXPECT_EQ(o2->s3.ca_file, "/etc/mqtt2s3/pki/rgw-ca.pem");
}

}  // namespace
}  // namespace mqtt2s3::converter
