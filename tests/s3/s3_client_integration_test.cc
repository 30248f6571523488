// The S3 client against the dev stack's Ceph RGW (endpoint and keys from StackEnv).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "s3/client.h"
#include "s3/curl_transport.h"
#include "stack_env.h"

namespace mqtt2s3::s3 {
namespace {

using testing::StackEnv;
using testing::UniqueName;

// Sends through a real CurlTransport and remembers every Authorization value, so the tests can
// prove none of them reaches an error message.
class RecordingTransport : public HttpTransport {
 public:
  explicit RecordingTransport(std::unique_ptr<HttpTransport> inner) : inner_(std::move(inner)) {}
  HttpResult Send(const HttpRequest& request) override {
    for (const auto& [n, v] : request.headers) {
      if (n == "authorization") {
        std::lock_guard lock(mu_);
        authorizations_.push_back(v);
      }
    }
    return inner_->Send(request);
  }
  std::vector<std::string> authorizations() {
    std::lock_guard lock(mu_);
    return authorizations_;
  }

 private:
  std::unique_ptr<HttpTransport> inner_;
  std::mutex mu_;
  std::vector<std::string> authorizations_;
};

class S3ClientIntegrationTest : public ::testing::Test {
 protected:
  static ClientOptions Options(const std::string& endpoint, const std::string& secret) {
    const StackEnv& env = StackEnv::Get();
    ClientOptions o;
    o.endpoint = endpoint;
    o.region = env.s3_region;
    o.access_key = env.s3_access_key;
    o.secret_key = secret;
    o.connect_timeout = std::chrono::milliseconds(2000);
    o.request_timeout = std::chrono::milliseconds(60000);
    return o;
  }

  std::unique_ptr<Client> MakeClient(ClientOptions o) {
    CurlTransportOptions t;
    t.connect_timeout = o.connect_timeout;
    t.request_timeout = o.request_timeout;
    auto curl = CurlTransport::Create(t);
    EXPECT_TRUE(curl.ok());
    auto rec = std::make_unique<RecordingTransport>(std::move(*curl));
    recorders_.push_back(rec.get());
    auto c = Client::CreateWithTransport(std::move(o), std::move(rec));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }

  void SetUp() override {
    const StackEnv& env = StackEnv::Get();
    ASSERT_FALSE(env.s3_endpoint.empty());
    client_ = MakeClient(Options(env.s3_endpoint, env.s3_secret_key));
    ASSERT_NE(client_, nullptr);
    bucket_ = UniqueName("s3it");
    auto r = client_->CreateBucket(bucket_);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }

  // Best effort: the dev stack is thrown away anyway, but a reused one stays tidy.
  void TearDown() override {
    if (client_ == nullptr || bucket_.empty()) return;
    auto all = client_->ListAllObjects(bucket_, ListObjectsRequest{});
    if (!all.ok()) return;
    for (const auto& o : all->objects) (void)client_->DeleteObject(bucket_, o.key);
    auto d = client_->DeleteBucket(bucket_);
    EXPECT_TRUE(d.ok()) << d.error().ToString();
  }

  // Every error message must be free of the secret and of every Authorization value sent.
  void ExpectNoSecrets(const S3Error& e) {
    const StackEnv& env = StackEnv::Get();
    for (const std::string& text : {e.ToString(), e.ToStatus().ToString(), e.message,
                                    e.transport_message, e.url}) {
      EXPECT_EQ(text.find(env.s3_secret_key), std::string::npos) << text;
      EXPECT_EQ(text.find("wrong-secret"), std::string::npos) << text;
      for (auto* rec : recorders_) {
        for (const std::string& auth : rec->authorizations()) {
          EXPECT_EQ(text.find(auth), std::string::npos) << text;
          EXPECT_EQ(text.find(auth.substr(auth.find("Signature=") + 10)), std::string::npos) << text;
        }
      }
    }
    ++errors_checked_;
  }

  std::unique_ptr<Client> client_;
  std::vector<RecordingTransport*> recorders_;
  std::string bucket_;
  int errors_checked_ = 0;
};

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

TEST_F(S3ClientIntegrationTest, CreatingAnOwnedBucketAgainSucceeds) {
  auto again = client_->CreateBucket(bucket_);
  EXPECT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_TRUE(client_->HeadBucket(bucket_).ok());
}

TEST_F(S3ClientIntegrationTest, PutThenHeadRoundTripsMetadataIncludingPrefixNames) {
  PutOptions put;
  put.content_type = "application/x-ndjson";
  put.metadata = {{"k1", "one"}, {"k10", "ten"}, {"k2", "two"}, {"offsets", "0,17,34"}};
  std::string body = "{\"a\":1}\n{\"b\":2}\n";
  auto p = client_->PutObject(bucket_, "meta/obj.jsonl", body, put);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  auto h = client_->HeadObject(bucket_, "meta/obj.jsonl");
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_EQ(h->size, body.size());
  EXPECT_EQ(h->etag, p->etag);
  EXPECT_EQ(h->content_type, "application/x-ndjson");
  EXPECT_EQ(h->metadata, put.metadata);
  auto age = std::chrono::system_clock::now() - h->last_modified;
  EXPECT_LT(std::chrono::abs(age), std::chrono::hours(1));
}

TEST_F(S3ClientIntegrationTest, AwkwardKeysRoundTrip) {
  for (std::string key : {"dir one/file two.txt", "caf\xC3\xA9/\xE6\x97\xA5\xE6\x9C\xAC.json",
                          "a+b~c=d&e", "100%/x%2Fy", "q?x=1#frag", "dots/../kept/./too"}) {
    auto p = client_->PutObject(bucket_, key, "v:" + key);
    ASSERT_TRUE(p.ok()) << p.error().ToString();
    auto g = client_->GetObject(bucket_, key);
    ASSERT_TRUE(g.ok()) << g.error().ToString();
    EXPECT_EQ(g->body, "v:" + key);
  }
  ListObjectsRequest req;
  auto all = client_->ListAllObjects(bucket_, req);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_EQ(all->objects.size(), 6u);
}

TEST_F(S3ClientIntegrationTest, GetsWholeObjectAndRanges) {
  std::string body = RandomBytes(100000, 1);
  ASSERT_TRUE(client_->PutObject(bucket_, "range.bin", body).ok());
  auto whole = client_->GetObject(bucket_, "range.bin");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->body, body);
  EXPECT_EQ(whole->object_size, body.size());

  auto first = client_->GetObject(bucket_, "range.bin", ByteRange::Bytes(0, 9));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->body, body.substr(0, 10));
  EXPECT_EQ(first->object_size, body.size());
  EXPECT_EQ(first->range_first, 0u);

  auto middle = client_->GetObject(bucket_, "range.bin", ByteRange::Bytes(50000, 50999));
  ASSERT_TRUE(middle.ok());
  EXPECT_EQ(middle->body, body.substr(50000, 1000));
  EXPECT_EQ(middle->range_first, 50000u);
  EXPECT_EQ(middle->object_size, body.size());

  auto suffix = client_->GetObject(bucket_, "range.bin", ByteRange::Suffix(123));
  ASSERT_TRUE(suffix.ok());
  EXPECT_EQ(suffix->body, body.substr(body.size() - 123));
  EXPECT_EQ(suffix->range_first, body.size() - 123);

  auto past = client_->GetObject(bucket_, "range.bin", ByteRange::From(body.size() + 10));
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().http_status, 416);
  EXPECT_EQ(past.error().error_class, ErrorClass::kPermanent);
  ExpectNoSecrets(past.error());
}

TEST_F(S3ClientIntegrationTest, ListsWithPrefixDelimiterAndContinuationAcrossPages) {
  std::vector<std::string> keys = {"logs/a/1", "logs/a/2", "logs/b/1", "logs/c", "logs/d",
                                   "logs/e", "logs/f", "other/x"};
  for (const auto& k : keys) ASSERT_TRUE(client_->PutObject(bucket_, k, k).ok());

  ListObjectsRequest req;
  req.prefix = "logs/";
  req.max_keys = 2;
  int pages = 0;
  std::vector<std::string> seen;
  for (; pages < 20; ++pages) {
    auto page = client_->ListObjectsV2(bucket_, req);
    ASSERT_TRUE(page.ok()) << page.error().ToString();
    EXPECT_LE(page->objects.size(), 2u);
    for (const auto& o : page->objects) {
      seen.push_back(o.key);
      EXPECT_EQ(o.size, o.key.size());
      EXPECT_FALSE(o.etag.empty());
    }
    if (!page->is_truncated) break;
    req.continuation_token = page->next_continuation_token;
  }
  EXPECT_GE(pages + 1, 4);  // 7 keys, 2 per page
  EXPECT_EQ(seen, std::vector<std::string>(keys.begin(), keys.end() - 1));

  ListObjectsRequest delim;
  delim.prefix = "logs/";
  delim.delimiter = "/";
  delim.max_keys = 2;
  auto all = client_->ListAllObjects(bucket_, delim);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  std::vector<std::string> top;
  for (const auto& o : all->objects) top.push_back(o.key);
  EXPECT_EQ(top, (std::vector<std::string>{"logs/c", "logs/d", "logs/e", "logs/f"}));
  EXPECT_EQ(all->common_prefixes, (std::vector<std::string>{"logs/a/", "logs/b/"}));
}

TEST_F(S3ClientIntegrationTest, DeletedObjectHeadsAsNotFound) {
  ASSERT_TRUE(client_->PutObject(bucket_, "gone", "x").ok());
  ASSERT_TRUE(client_->DeleteObject(bucket_, "gone").ok());
  auto h = client_->HeadObject(bucket_, "gone");
  ASSERT_FALSE(h.ok());
  EXPECT_TRUE(h.error().not_found());
  EXPECT_EQ(h.error().http_status, 404);
  EXPECT_EQ(h.status().code(), StatusCode::kNotFound);
  ExpectNoSecrets(h.error());
  auto g = client_->GetObject(bucket_, "gone");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "NoSuchKey");
  EXPECT_FALSE(g.error().request_id.empty());
  ExpectNoSecrets(g.error());
}

TEST_F(S3ClientIntegrationTest, MultipartUploadOf20MiBReadsBackByteIdentical) {
  constexpr size_t kPart = 5 * 1024 * 1024;
  std::string body = RandomBytes(4 * kPart, 7);
  PutOptions put;
  put.metadata["k1"] = "multipart";
  auto id = client_->CreateMultipartUpload(bucket_, "big/obj.bin", put);
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  std::vector<CompletedPart> parts;
  for (int i = 0; i < 4; ++i) {
    auto etag = client_->UploadPart(bucket_, "big/obj.bin", *id, i + 1,
                                    std::string_view(body).substr(i * kPart, kPart));
    ASSERT_TRUE(etag.ok()) << etag.error().ToString();
    parts.push_back({i + 1, *etag});
  }
  auto done = client_->CompleteMultipartUpload(bucket_, "big/obj.bin", *id, parts);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  // RGW 16 answers <ETag></ETag> here; AWS gives the multipart ETag. HEAD has it on both.
  if (!done->etag.empty()) {
    EXPECT_NE(done->etag.find("-4"), std::string::npos) << done->etag;
  }
  auto h = client_->HeadObject(bucket_, "big/obj.bin");
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h->etag.find("-4"), std::string::npos) << h->etag;
  EXPECT_EQ(h->size, body.size());
  EXPECT_EQ(h->metadata.at("k1"), "multipart");
  auto g = client_->GetObject(bucket_, "big/obj.bin");
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->body == body);
  auto across = client_->GetObject(bucket_, "big/obj.bin", ByteRange::Bytes(kPart - 5, kPart + 4));
  ASSERT_TRUE(across.ok());
  EXPECT_EQ(across->body, body.substr(kPart - 5, 10));
}

TEST_F(S3ClientIntegrationTest, AbortedMultipartUploadIsGone) {
  auto id = client_->CreateMultipartUpload(bucket_, "aborted");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(client_->UploadPart(bucket_, "aborted", *id, 1, "small").ok());
  auto a = client_->AbortMultipartUpload(bucket_, "aborted", *id);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  auto part = client_->UploadPart(bucket_, "aborted", *id, 2, "late");
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.error().code, "NoSuchUpload");
  EXPECT_TRUE(part.error().not_found());
  ExpectNoSecrets(part.error());
  EXPECT_FALSE(client_->HeadObject(bucket_, "aborted").ok());
}

TEST_F(S3ClientIntegrationTest, WrongSecretIsSignatureDoesNotMatchPermanent403) {
  auto bad = MakeClient(Options(StackEnv::Get().s3_endpoint, "wrong-secret"));
  ASSERT_NE(bad, nullptr);
  auto p = bad->PutObject(bucket_, "k", "x");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().http_status, 403);
  EXPECT_EQ(p.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(p.error().error_class, ErrorClass::kPermanent);
  EXPECT_EQ(p.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(p.status().message().find("PutObject bucket '" + bucket_ + "' key 'k': HTTP 403 "
                                      "SignatureDoesNotMatch"),
            std::string::npos)
      << p.status().message();
  ExpectNoSecrets(p.error());
  auto h = bad->HeadObject(bucket_, "k");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().http_status, 403);
  ExpectNoSecrets(h.error());
}

TEST_F(S3ClientIntegrationTest, UnknownBucketIsNoSuchBucket) {
  std::string missing = UniqueName("s3it-missing");
  auto g = client_->GetObject(missing, "k");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "NoSuchBucket");
  EXPECT_TRUE(g.error().not_found());
  ExpectNoSecrets(g.error());
  auto l = client_->ListObjectsV2(missing, {});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code, "NoSuchBucket");
  auto hb = client_->HeadBucket(missing);
  ASSERT_FALSE(hb.ok());
  EXPECT_EQ(hb.error().code, "NoSuchBucket");
  ExpectNoSecrets(hb.error());
}

TEST_F(S3ClientIntegrationTest, EndpointDownIsRetryableTransportErrorNamingTheUrl) {
  // Port 1 on loopback: nothing listens there, so the connect is refused at once.
  auto down = MakeClient(Options("http://127.0.0.1:1", StackEnv::Get().s3_secret_key));
  ASSERT_NE(down, nullptr);
  auto p = down->PutObject("b", "k", "x");
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.error().is_transport());
  EXPECT_TRUE(p.error().retryable());
  EXPECT_EQ(p.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(p.status().message().find("http://127.0.0.1:1/b/k"), std::string::npos)
      << p.status().message();
  ExpectNoSecrets(p.error());
}

TEST_F(S3ClientIntegrationTest, NonDefaultRegionSignsAndSendsItsLocationConstraint) {
  ClientOptions o = Options(StackEnv::Get().s3_endpoint, StackEnv::Get().s3_secret_key);
  o.region = "eu-west-1";
  auto c = MakeClient(o);
  ASSERT_NE(c, nullptr);
  std::string name = UniqueName("s3it-region");
  // RGW accepts any signing region but only its own zonegroup as LocationConstraint, so this
  // answer proves the request was signed (else 403) and the constraint sent.
  auto r = c->CreateBucket(name);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidLocationConstraint");
  EXPECT_EQ(r.error().error_class, ErrorClass::kPermanent);
  ExpectNoSecrets(r.error());
  o.location_constraint = "";
  auto c2 = MakeClient(o);
  ASSERT_TRUE(c2->CreateBucket(name).ok());
  ASSERT_TRUE(c2->PutObject(name, "k", "eu").ok());
  EXPECT_EQ(c2->GetObject(name, "k")->body, "eu");
  ASSERT_TRUE(c2->DeleteObject(name, "k").ok());
  EXPECT_TRUE(c2->DeleteBucket(name).ok());
  EXPECT_TRUE(c2->HeadBucket(name).error().not_found());
}

TEST_F(S3ClientIntegrationTest, UnsignedPayloadIsAcceptedToo) {
  ClientOptions o = Options(StackEnv::Get().s3_endpoint, StackEnv::Get().s3_secret_key);
  o.sign_payload = false;
  auto c = MakeClient(o);
  ASSERT_NE(c, nullptr);
  auto p = c->PutObject(bucket_, "unsigned", "payload");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(client_->GetObject(bucket_, "unsigned")->body, "payload");
}

TEST_F(S3ClientIntegrationTest, SequentialRequestsReuseTheKeepAliveConnection) {
  auto curl = CurlTransport::Create(CurlTransportOptions{});
  ASSERT_TRUE(curl.ok());
  CurlTransport* transport = curl->get();
  auto c = Client::CreateWithTransport(
      Options(StackEnv::Get().s3_endpoint, StackEnv::Get().s3_secret_key), std::move(*curl));
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*c)->PutObject(bucket_, "ka" + std::to_string(i), "x").ok());
  }
  EXPECT_EQ(transport->connections_opened(), 1u);
}

TEST_F(S3ClientIntegrationTest, ConcurrentUploadsFromSeveralThreadsShareOneClient) {
  auto c = Client::Create(Options(StackEnv::Get().s3_endpoint, StackEnv::Get().s3_secret_key));
  ASSERT_TRUE(c.ok());
  const Client& shared = **c;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string key = "conc/" + std::to_string(t) + "/" + std::to_string(i);
        std::string body = RandomBytes(1000 + t * 100 + i, t * 100 + i);
        if (shared.PutObject(bucket_, key, body).ok() && shared.GetObject(bucket_, key)->body == body) {
          ++ok;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 40);
  ListObjectsRequest req;
  req.prefix = "conc/";
  auto all = shared.ListAllObjects(bucket_, req);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->objects.size(), 40u);
}

}  // namespace
}  // namespace mqtt2s3::s3
