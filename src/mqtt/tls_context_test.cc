#include "mqtt/tls_context.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mqtt/session_options.h"
#include "mqtt/session_stream.h"

namespace mqtt2s3::mqtt {
namespace {

// Writes a self-signed EC certificate and its key as PEM files (no openssl CLI needed).
struct KeyPair {
  std::string cert_file;
  std::string key_file;
  std::string key_pem;  // the secret text, to prove no message quotes it
};

std::string Dir() {
  static const std::string dir = [] {
    std::string d = ::testing::TempDir() + "tls_context_test_" + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Removes Dir() after the last test.
class RemoveDir : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(Dir(), ignored);
  }
};
[[maybe_unused]] ::testing::Environment* const kRemoveDir =
    ::testing::AddGlobalTestEnvironment(new RemoveDir);

KeyPair MakeKeyPair(const std::string& name) {
  KeyPair kp{Dir() + "/" + name + ".pem", Dir() + "/" + name + ".key", ""};
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, subject);
  X509_sign(cert, key, EVP_sha256());
  std::FILE* f = std::fopen(kp.cert_file.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  BIO* mem = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(mem, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(mem, &data);
  kp.key_pem.assign(data, static_cast<size_t>(n));
  BIO_free(mem);
  std::ofstream(kp.key_file) << kp.key_pem;
  X509_free(cert);
  EVP_PKEY_free(key);
  return kp;
}

TlsOptions Enabled() {
  TlsOptions t;
  t.enabled = true;
  return t;
}

TEST(TlsContextTest, EmptyCaFileUsesTheSystemStore) {
  EXPECT_TRUE(MakeClientTlsContext(Enabled()).ok());
}

TEST(TlsContextTest, MissingCaFileIsNamedWithItsOptionAndTheSystemError) {
  TlsOptions t = Enabled();
  t.ca_file = "/nonexistent/ca.pem";
  auto ctx = MakeClientTlsContext(t);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ctx.status().message(), "tls.ca_file '/nonexistent/ca.pem': No such file or directory");
}

TEST(TlsContextTest, CaFileWithoutCertificatesIsRejected) {
  const std::string path = Dir() + "/not-a-ca.pem";
  std::ofstream(path) << "hello\n";
  TlsOptions t = Enabled();
  t.ca_file = path;
  auto ctx = MakeClientTlsContext(t);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("tls.ca_file '" + path + "': no usable PEM CA certificate"),
            std::string::npos)
      << ctx.status().message();
}

TEST(TlsContextTest, ClientCertificateWithItsKeyIsAccepted) {
  KeyPair kp = MakeKeyPair("client");
  TlsOptions t = Enabled();
  t.ca_file = kp.cert_file;
  t.cert_file = kp.cert_file;
  t.key_file = kp.key_file;
  EXPECT_TRUE(MakeClientTlsContext(t).ok());
}

TEST(TlsContextTest, KeyOfAnotherCertificateIsRejectedWithoutQuotingIt) {
  KeyPair a = MakeKeyPair("a");
  KeyPair b = MakeKeyPair("b");
  TlsOptions t = Enabled();
  t.cert_file = a.cert_file;
  t.key_file = b.key_file;
  auto ctx = MakeClientTlsContext(t);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().message(),
            "tls.key_file '" + b.key_file + "': does not belong to cert_file '" + a.cert_file +
                "'");
  EXPECT_EQ(ctx.status().message().find("PRIVATE KEY"), std::string::npos);
}

TEST(TlsContextTest, KeyFileThatIsNotAKeyIsRejectedWithoutQuotingIt) {
  KeyPair a = MakeKeyPair("c");
  TlsOptions t = Enabled();
  t.cert_file = a.cert_file;
  t.key_file = a.cert_file;  // a certificate, not a key
  auto ctx = MakeClientTlsContext(t);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("tls.key_file '" + a.cert_file + "': cannot load"),
            std::string::npos)
      << ctx.status().message();
  EXPECT_EQ(ctx.status().message().find("BEGIN"), std::string::npos);
}

TEST(TlsContextTest, CertificateWithoutKeyFailsValidation) {
  TlsOptions t = Enabled();
  t.cert_file = "client.pem";
  Status s = t.Validate();
  EXPECT_EQ(s.message(),
            "mqtt session: tls.key_file: a client certificate needs both cert_file and key_file");
  t.enabled = false;
  EXPECT_TRUE(t.Validate().ok());  // nothing is used without TLS
}

TEST(TlsContextTest, SessionOptionsValidateTheTlsOptions) {
  SessionOptions o;
  o.client_id = "c";
  o.tls = Enabled();
  o.tls.key_file = "k.pem";
  EXPECT_FALSE(o.Validate().ok());
  o.tls.cert_file = "c.pem";
  EXPECT_TRUE(o.Validate().ok());
  EXPECT_NE(o.ToString().find("mqtt5+tls://127.0.0.1:1883"), std::string::npos) << o.ToString();
}

class TlsPeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ctx = MakeClientTlsContext(Enabled());
    ASSERT_TRUE(ctx.ok());
    ctx_ = *ctx;
    ssl_ = SSL_new(ctx_->native_handle());
  }
  void TearDown() override { SSL_free(ssl_); }

  std::string Sni() const {
    const char* name = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
    return name == nullptr ? "<none>" : name;
  }

  std::shared_ptr<boost::asio::ssl::context> ctx_;
  SSL* ssl_ = nullptr;
};

TEST_F(TlsPeerTest, HostNameIsSentAsSniAndVerified) {
  ASSERT_TRUE(PrepareTlsConnection(ssl_, "broker.example").ok());
  EXPECT_EQ(Sni(), "broker.example");
  const char* host = X509_VERIFY_PARAM_get0_host(SSL_get0_param(ssl_), 0);
  ASSERT_NE(host, nullptr);
  EXPECT_STREQ(host, "broker.example");
}

TEST_F(TlsPeerTest, IpAddressIsVerifiedButNotSentAsSni) {
  ASSERT_TRUE(PrepareTlsConnection(ssl_, "127.0.0.1").ok());
  EXPECT_EQ(Sni(), "<none>");
  char* ip = X509_VERIFY_PARAM_get1_ip_asc(SSL_get0_param(ssl_));
  ASSERT_NE(ip, nullptr);
  EXPECT_STREQ(ip, "127.0.0.1");
  OPENSSL_free(ip);
  EXPECT_EQ(X509_VERIFY_PARAM_get0_host(SSL_get0_param(ssl_), 0), nullptr);
}

TEST(TlsAddressTest, IpLiteralsAreRecognised) {
  EXPECT_TRUE(IsIpAddress("127.0.0.1"));
  EXPECT_TRUE(IsIpAddress("::1"));
  EXPECT_FALSE(IsIpAddress("localhost"));
  EXPECT_FALSE(IsIpAddress("10.0.0.1.example"));
}

TEST(SessionStreamTlsTest, ServerNameOverridesTheHostForSni) {
  boost::asio::io_context io;
  Strand strand = boost::asio::make_strand(io);
  TlsOptions t = Enabled();
  t.server_name = "localhost";
  SessionStream stream(strand);
  ASSERT_TRUE(stream.EnableTls(t, "127.0.0.1").ok());
  ASSERT_TRUE(stream.tls());
  EXPECT_STREQ(SSL_get_servername(stream.native_tls_handle(), TLSEXT_NAMETYPE_host_name),
               "localhost");
}

TEST(SessionStreamTlsTest, SniDefaultsToTheHost) {
  boost::asio::io_context io;
  Strand strand = boost::asio::make_strand(io);
  SessionStream stream(strand);
  ASSERT_TRUE(stream.EnableTls(Enabled(), "broker.plant.example").ok());
  EXPECT_STREQ(SSL_get_servername(stream.native_tls_handle(), TLSEXT_NAMETYPE_host_name),
               "broker.plant.example");
}

TEST(SessionStreamTlsTest, PlainStreamHasNoTls) {
  boost::asio::io_context io;
  Strand strand = boost::asio::make_strand(io);
  SessionStream stream(strand);
  EXPECT_FALSE(stream.tls());
  EXPECT_EQ(stream.native_tls_handle(), nullptr);
}

TEST(TlsErrorTextTest, TruncatedStreamAndPlainPeerAreExplained) {
  EXPECT_EQ(DescribeTlsError(boost::asio::ssl::error::stream_truncated, nullptr, "h"),
            "the peer closed the connection without a TLS close_notify");
  EXPECT_EQ(DescribeTlsError(boost::asio::error::eof, nullptr, "h"),
            "the peer closed the connection (is it a TLS listener?)");
}

}  // namespace
}  // namespace mqtt2s3::mqtt
