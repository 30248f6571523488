// The whole converter with TLS on both sides: a mosquitto TLS listener that requires a client
// certificate, and a second radosgw of the dev stack's cluster serving HTTPS, both started
// here with certificates from make-certs.sh.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "converter_test_util.h"
#include "stack_env.h"
#include "tls_test_env.h"

namespace mqtt2s3::tls_testing {
namespace {

using namespace std::chrono_literals;
using converter::ConverterOptions;
using converter::testutil::BaseOptions;
using converter::testutil::Lines;
using converter::testutil::MakeClient;
using converter::testutil::MakeRoute;
using converter::testutil::ReadBucket;
using converter::testutil::RunningConverter;
using converter::testutil::WaitFor;
using mqtt2s3::testing::UniqueName;

TEST(ConverterTlsTest, MessagesFromATlsBrokerAreStoredOverHttps) {
  TempDir dir("m2s-tls-conv");
  Certs certs;
  std::string error;
  ASSERT_TRUE(MakeCerts(dir.path(), &certs, &error)) << error;
  const uint16_t mqtt_port = PickFreePort();
  const uint16_t s3_port = PickFreePort();
  ASSERT_TRUE(mqtt_port != 0 && s3_port != 0) << "no free ports in 62100..62199";
  ChildProcess broker, rgw;
  ASSERT_TRUE(StartTlsMosquitto(certs, dir.path(), mqtt_port, /*require_certificate=*/true,
                                &broker, &error))
      << error;
  ASSERT_TRUE(StartSslRadosgw(certs, dir.path(), s3_port, &rgw, &error)) << error;

  const std::string name = UniqueName("convtls");
  ConverterOptions o = BaseOptions(name);
  o.session.host = "127.0.0.1";
  o.session.port = mqtt_port;
  o.session.tls.enabled = true;
  o.session.tls.ca_file = certs.ca;
  o.session.tls.cert_file = certs.client_cert;
  o.session.tls.key_file = certs.client_key;
  o.session.tls.server_name = "localhost";
  o.s3.endpoint = "https://127.0.0.1:" + std::to_string(s3_port);
  o.s3.ca_file = certs.ca;
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  o.router.routes.push_back(
      MakeRoute(name + "/+", "{root}/{device}", "{root}", "{device}/{object_name}"));
  o.batcher.default_policy.max_messages = 10;
  o.wal.dir = dir.path() + "/wal";  // used when acking on the write-ahead log

  auto client = MakeClient(o.s3);
  ASSERT_NE(client, nullptr);
  // The SSL gateway accepts TCP a moment before it serves S3.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = client->HeadBucket(name + "-absent");
        return !r.ok() && r.error().not_found();
      },
      30s))
      << "the HTTPS gateway on 127.0.0.1:" << s3_port << " does not answer S3";
  std::set<std::string> published;
  {
    RunningConverter rc(o);
    for (int i = 0; i < 10; ++i) {
      const std::string payload = "{\"seq\":" + std::to_string(i) + "}";
      const std::string cmd = "mosquitto_pub -h 127.0.0.1 -p " + std::to_string(mqtt_port) +
                              " -V mqttv5 -q 1 --cafile '" + certs.ca + "' --cert '" +
                              certs.client_cert + "' --key '" + certs.client_key + "' -t '" +
                              name + "/dev1' -m '" + payload + "'";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
      published.insert(payload);
    }
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 10; }, 30s))
        << "uploaded " << rc.conv().stats().messages_uploaded
        << "; converter: " << rc.Stop().message();
    ASSERT_TRUE(rc.Stop().ok());
    EXPECT_EQ(rc.conv().stats().received, 10u);
  }
  auto objects = ReadBucket(*client, name);
  ASSERT_EQ(objects.size(), 1u);
  std::set<std::string> stored;
  for (const std::string& line : Lines(objects.begin()->second)) stored.insert(line);
  EXPECT_EQ(stored, published);
}

}  // namespace
}  // namespace mqtt2s3::tls_testing
