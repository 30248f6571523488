// S3 over HTTPS: a second radosgw of the running dev stack's Ceph cluster, started by this test
// with an SSL beast endpoint on its own port and a certificate from make-certs.sh, serves
// PUT/GET to the S3 client trusting the test CA; an unrelated CA fails naming the endpoint.
// The config path (s3.endpoint https + s3.ca_file through OptionsFromConfig) is exercised too.
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "converter/from_config.h"
#include "s3/client.h"
#include "stack_env.h"
#include "tls_test_env.h"

namespace mqtt2s3::tls_testing {
namespace {

using mqtt2s3::testing::StackEnv;
using mqtt2s3::testing::UniqueName;

class S3TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("m2s-tls-s3");
    rgw_ = new ChildProcess();
    setup_error_ = StartSslGateway();
  }
  static void TearDownTestSuite() {
    delete rgw_;  // stops it by PID
    rgw_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  static std::string StartSslGateway() {
    std::string error;
    if (!MakeCerts(dir_->path(), &certs_, &error)) return error;
    port_ = PickFreePort();
    if (port_ == 0) return "no free port in 62100..62199";
    if (!StartSslRadosgw(certs_, dir_->path(), port_, rgw_, &error)) return error;
    return "";
  }

  void SetUp() override { ASSERT_EQ(setup_error_, "") << setup_error_; }

  static s3::ClientOptions Options(const std::string& host, const std::string& ca_file) {
    const StackEnv& env = StackEnv::Get();
    s3::ClientOptions o;
    o.endpoint = "https://" + host + ":" + std::to_string(port_);
    o.region = env.s3_region;
    o.access_key = env.s3_access_key;
    o.secret_key = env.s3_secret_key;
    o.ca_file = ca_file;
    o.connect_timeout = std::chrono::milliseconds(5000);
    o.request_timeout = std::chrono::milliseconds(30000);
    return o;
  }

  // The gateway answers TCP before its S3 stack is ready: retry the first request briefly.
  static s3::Result<s3::Done> CreateBucketWhenReady(const s3::Client& c, const std::string& b) {
    auto r = c.CreateBucket(b);
    for (int i = 0; i < 100 && !r.ok() && r.error().retryable(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      r = c.CreateBucket(b);
    }
    return r;
  }

  static TempDir* dir_;
  static ChildProcess* rgw_;
  static Certs certs_;
  static uint16_t port_;
  static std::string setup_error_;
};

TempDir* S3TlsTest::dir_ = nullptr;
ChildProcess* S3TlsTest::rgw_ = nullptr;
Certs S3TlsTest::certs_;
uint16_t S3TlsTest::port_ = 0;
std::string S3TlsTest::setup_error_;

TEST_F(S3TlsTest, PutAndGetOverHttpsTrustingTheGeneratedCa) {
  auto client = s3::Client::Create(Options("127.0.0.1", certs_.ca));
  ASSERT_TRUE(client.ok()) << client.status().message();
  const std::string bucket = UniqueName("tls");
  auto created = CreateBucketWhenReady(**client, bucket);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  const std::string body = "{\"over\":\"https\"}\n";
  auto put = (*client)->PutObject(bucket, "a/b.jsonl", body);
  ASSERT_TRUE(put.ok()) << put.error().ToString();
  auto got = (*client)->GetObject(bucket, "a/b.jsonl");
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(got->body, body);
  auto range = (*client)->GetObject(bucket, "a/b.jsonl", s3::ByteRange::Bytes(2, 5));
  ASSERT_TRUE(range.ok()) << range.error().ToString();
  EXPECT_EQ(range->body, "over");
  EXPECT_TRUE((*client)->DeleteObject(bucket, "a/b.jsonl").ok());
  EXPECT_TRUE((*client)->DeleteBucket(bucket).ok());
}

TEST_F(S3TlsTest, HostNameEndpointIsVerifiedAgainstTheDnsName) {
  auto client = s3::Client::Create(Options("localhost", certs_.ca));
  ASSERT_TRUE(client.ok()) << client.status().message();
  const std::string bucket = UniqueName("tls-dns");
  auto created = CreateBucketWhenReady(**client, bucket);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  ASSERT_TRUE((*client)->PutObject(bucket, "k", "v").ok());
  auto head = (*client)->HeadObject(bucket, "k");
  ASSERT_TRUE(head.ok()) << head.error().ToString();
  EXPECT_TRUE((*client)->DeleteObject(bucket, "k").ok());
  EXPECT_TRUE((*client)->DeleteBucket(bucket).ok());
}

TEST_F(S3TlsTest, WrongCaFailsNamingTheEndpointAndTheVerifyFailure) {
  auto client = s3::Client::Create(Options("127.0.0.1", certs_.other_ca));
  ASSERT_TRUE(client.ok()) << client.status().message();
  auto put = (*client)->PutObject("never-created", "k", "v");
  ASSERT_FALSE(put.ok());
  const std::string msg = put.error().ToString();
  EXPECT_TRUE(put.error().is_transport()) << msg;
  EXPECT_FALSE(put.error().retryable()) << "a wrong CA is configuration, not weather: " << msg;
  EXPECT_NE(msg.find("transport error for https://127.0.0.1:" + std::to_string(port_) + "/"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("unable to get local issuer certificate"), std::string::npos) << msg;
  EXPECT_EQ(put.status().code(), StatusCode::kFailedPrecondition) << msg;
}

TEST_F(S3TlsTest, MissingCaFileFailsNamingTheEndpoint) {
  auto client = s3::Client::Create(Options("127.0.0.1", dir_->path() + "/missing.pem"));
  ASSERT_TRUE(client.ok()) << client.status().message();
  auto put = (*client)->PutObject("never-created", "k", "v");
  ASSERT_FALSE(put.ok());
  const std::string msg = put.error().ToString();
  EXPECT_NE(msg.find("https://127.0.0.1:" + std::to_string(port_)), std::string::npos) << msg;
  EXPECT_FALSE(put.error().retryable()) << msg;
}

TEST_F(S3TlsTest, ConfigFileCaReachesTheClient) {
  const StackEnv& env = StackEnv::Get();
  const std::string yaml = "subscriptions:\n  - filter: \"t/#\"\n"
                           "s3:\n  endpoint: https://127.0.0.1:" + std::to_string(port_) +
                           "\n  ca_file: " + certs_.ca + "\n"
                           "  access_key_file: " + dir_->path() + "/ak\n"
                           "  secret_key_file: " + dir_->path() + "/sk\n"
                           "routes:\n  - name: t\n    filter: \"t/#\"\n";
  std::ofstream(dir_->path() + "/ak") << env.s3_access_key << "\n";
  std::ofstream(dir_->path() + "/sk") << env.s3_secret_key << "\n";
  auto cfg = config::LoadConfigFromString(yaml, dir_->path() + "/c.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  auto options = converter::OptionsFromConfig(*cfg);
  ASSERT_TRUE(options.ok()) << options.status().message();
  EXPECT_EQ(options->s3.ca_file, certs_.ca);
  EXPECT_FALSE(options->s3.insecure_skip_tls_verify);
  auto client = s3::Client::Create(options->s3);
  ASSERT_TRUE(client.ok()) << client.status().message();
  const std::string bucket = UniqueName("tls-cfg");
  auto created = CreateBucketWhenReady(**client, bucket);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_TRUE((*client)->DeleteBucket(bucket).ok());
}

}  // namespace
}  // namespace mqtt2s3::tls_testing
