#include "s3/client.h"

#include "s3/encoding.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <thread>

namespace mqtt2s3::s3 {
namespace {

constexpr char kSecret[] = "SECRETsecretSECRET/abc+def";

// Answers requests from a script (or a default) and records what it was sent.
class FakeTransport : public HttpTransport {
 public:
  HttpResult Send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    HttpRequest copy = request;
    bodies.emplace_back(request.body);
    copy.body = bodies.back();
    sent.push_back(std::move(copy));
    if (script.empty()) return HttpResponse{200, {}, ""};
    HttpResult r = script.front();
    script.pop_front();
    return r;
  }
  std::mutex mu_;
  std::deque<HttpResult> script;
  std::deque<std::string> bodies;
  std::vector<HttpRequest> sent;
};

struct Fixture {
  explicit Fixture(std::string region = "us-east-1") {
    ClientOptions o;
    o.endpoint = "http://127.0.0.1:8000";
    o.region = std::move(region);
    o.access_key = "AKID";
    o.secret_key = kSecret;
    auto t = std::make_unique<FakeTransport>();
    fake = t.get();
    client = std::move(*Client::CreateWithTransport(o, std::move(t)));
  }
  FakeTransport* fake;
  std::unique_ptr<Client> client;
};

std::string Header(const HttpRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

HttpResponse XmlError(int status, const std::string& code) {
  return {status, {{"x-amz-request-id", "req-" + code}},
          "<Error><Code>" + code + "</Code><Message>msg " + code +
              "</Message><RequestId>req-" + code + "</RequestId></Error>"};
}

TEST(ClientTest, CreateRejectsInvalidOptionsNamingTheField) {
  ClientOptions o;
  o.endpoint = "http://127.0.0.1:8000";
  o.access_key = "AKID";
  auto c = Client::Create(o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("secret_key"), std::string::npos);
}

TEST(ClientTest, CreateBucketTreatsBucketAlreadyOwnedByYouAsSuccess) {
  Fixture f;
  f.fake->script.push_back(XmlError(409, "BucketAlreadyOwnedByYou"));
  EXPECT_TRUE(f.client->CreateBucket("b").ok());
  f.fake->script.push_back(XmlError(409, "BucketAlreadyExists"));
  auto r = f.client->CreateBucket("b");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(f.fake->sent[0].body.empty());  // us-east-1: no LocationConstraint
}

TEST(ClientTest, CreateBucketSendsLocationConstraintOutsideUsEast1) {
  Fixture f("eu-west-1");
  ASSERT_TRUE(f.client->CreateBucket("b").ok());
  EXPECT_NE(std::string(f.fake->sent[0].body).find("<LocationConstraint>eu-west-1<"),
            std::string::npos);
  EXPECT_NE(Header(f.fake->sent[0], "authorization").find("/eu-west-1/s3/aws4_request"),
            std::string::npos);
}

TEST(ClientTest, PutObjectSendsMetadataContentTypeAndBody) {
  Fixture f;
  f.fake->script.push_back(HttpResponse{200, {{"etag", "\"abc\""}}, ""});
  auto r = f.client->PutObject("b", "k 1", "hello",
                               {.content_type = "application/jsonl", .metadata = {{"k1", "v1"}, {"k10", "v10"}},
                                .body_sha256_hex = {}});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->etag, "\"abc\"");
  const HttpRequest& sent = f.fake->sent[0];
  EXPECT_EQ(sent.method, "PUT");
  EXPECT_EQ(sent.url, "http://127.0.0.1:8000/b/k%201");
  EXPECT_EQ(sent.body, "hello");
  EXPECT_EQ(Header(sent, "x-amz-meta-k1"), "v1");
  EXPECT_EQ(Header(sent, "x-amz-meta-k10"), "v10");
  EXPECT_EQ(Header(sent, "content-type"), "application/jsonl");
  EXPECT_NE(Header(sent, "authorization").find("content-type;host;"), std::string::npos);
}

TEST(ClientTest, MetadataThatWouldBreakHeadersIsRefusedBeforeSending) {
  Fixture f;
  PutOptions crlf;
  crlf.metadata["k1"] = "a\r\nx-amz-acl: public-read";
  auto r = f.client->PutObject("b", "k", "x", crlf);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("metadata 'k1'"), std::string::npos);
  PutOptions upper;
  upper.metadata["Key"] = "v";
  EXPECT_FALSE(f.client->CreateMultipartUpload("b", "k", upper).ok());
  EXPECT_TRUE(f.fake->sent.empty());
}

TEST(ClientTest, ABodyHashThatIsNotLowercaseHexIsRefusedBeforeSending) {
  Fixture f;
  PutOptions o;
  o.body_sha256_hex = std::string(64, 'A');
  auto r = f.client->PutObject("b", "k", "x", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("body SHA-256"), std::string::npos);
  o.body_sha256_hex = "abc";
  EXPECT_FALSE(f.client->PutObject("b", "k", "x", o).ok());
  EXPECT_TRUE(f.fake->sent.empty());
}

TEST(ClientTest, HeadObjectReadsSizeEtagTypeTimeAndMetadata) {
  Fixture f;
  f.fake->script.push_back(HttpResponse{
      200,
      {{"content-length", "1234"}, {"etag", "\"e\""}, {"content-type", "text/plain"},
       {"last-modified", "Fri, 02 Jan 2026 03:04:05 GMT"}, {"x-amz-meta-k1", "a"},
       {"x-amz-meta-k10", "b"}},
      ""});
  auto r = f.client->HeadObject("b", "k");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size, 1234u);
  EXPECT_EQ(r->etag, "\"e\"");
  EXPECT_EQ(r->content_type, "text/plain");
  EXPECT_EQ(r->last_modified, *ParseS3Time("2026-01-02T03:04:05Z"));
  EXPECT_EQ(r->metadata, (Metadata{{"k1", "a"}, {"k10", "b"}}));
}

TEST(ClientTest, HeadObjectNotFoundIsNotFoundClassWithCode) {
  Fixture f;
  f.fake->script.push_back(HttpResponse{404, {}, ""});
  auto r = f.client->HeadObject("b", "k");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().not_found());
  EXPECT_EQ(r.error().code, "NoSuchKey");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(ClientTest, RangedGetReportsTotalSizeAndFirstOffset) {
  Fixture f;
  f.fake->script.push_back(HttpResponse{206, {{"content-range", "bytes 10-14/100"}}, "abcde"});
  auto r = f.client->GetObject("b", "k", ByteRange::Bytes(10, 14));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Header(f.fake->sent[0], "range"), "bytes=10-14");
  EXPECT_EQ(r->body, "abcde");
  EXPECT_EQ(r->object_size, 100u);
  EXPECT_EQ(r->range_first, 10u);
  EXPECT_EQ(ByteRange::Suffix(7).HeaderValue(), "bytes=-7");
  EXPECT_EQ(ByteRange::From(7).HeaderValue(), "bytes=7-");
}

TEST(ClientTest, ListAllObjectsFollowsContinuationTokens) {
  Fixture f;
  f.fake->script.push_back(HttpResponse{200, {},
      "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t/1+=</NextContinuationToken>"
      "<Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>"});
  f.fake->script.push_back(HttpResponse{200, {},
      "<ListBucketResult><IsTruncated>false</IsTruncated>"
      "<Contents><Key>b</Key><Size>2</Size></Contents></ListBucketResult>"});
  ListObjectsRequest req;
  req.prefix = "p/";
  req.max_keys = 1;
  auto r = f.client->ListAllObjects("b", req);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->objects.size(), 2u);
  EXPECT_EQ(r->objects[1].key, "b");
  ASSERT_EQ(f.fake->sent.size(), 2u);
  EXPECT_EQ(f.fake->sent[1].url,
            "http://127.0.0.1:8000/b?list-type=2&prefix=p%2F&max-keys=1&continuation-token=t%2F1%2B%3D");
}

TEST(ClientTest, MultipartUsesUploadsUploadIdAndPartNumber) {
  Fixture f;
  f.fake->script.push_back(HttpResponse{200, {},
      "<InitiateMultipartUploadResult><UploadId>up/1</UploadId></InitiateMultipartUploadResult>"});
  f.fake->script.push_back(HttpResponse{200, {{"etag", "\"p1\""}}, ""});
  f.fake->script.push_back(HttpResponse{200, {},
      "<CompleteMultipartUploadResult><ETag>\"all-1\"</ETag></CompleteMultipartUploadResult>"});
  auto id = f.client->CreateMultipartUpload("b", "k");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "up/1");
  auto etag = f.client->UploadPart("b", "k", *id, 1, "part");
  ASSERT_TRUE(etag.ok());
  auto done = f.client->CompleteMultipartUpload("b", "k", *id, {{1, *etag}});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->etag, "\"all-1\"");
  EXPECT_EQ(f.fake->sent[0].url, "http://127.0.0.1:8000/b/k?uploads");
  EXPECT_EQ(f.fake->sent[1].url, "http://127.0.0.1:8000/b/k?partNumber=1&uploadId=up%2F1");
  EXPECT_EQ(f.fake->sent[2].method, "POST");
  EXPECT_FALSE(f.client->UploadPart("b", "k", *id, 0, "x").ok());
}

TEST(ClientTest, CompleteWithErrorBodyInA200IsAnError) {
  Fixture f;
  f.fake->script.push_back(XmlError(200, "InternalError"));
  auto r = f.client->CompleteMultipartUpload("b", "k", "id", {{1, "\"e\""}});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().retryable());
  EXPECT_EQ(r.error().code, "InternalError");
  f.fake->script.push_back(XmlError(200, "InvalidPart"));
  auto p = f.client->CompleteMultipartUpload("b", "k", "id", {{1, "\"e\""}});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().error_class, ErrorClass::kPermanent);
}

TEST(ClientTest, TransportErrorIsRetryableAndNamesTheUrl) {
  Fixture f;
  f.fake->script.push_back(TransportError{"http://127.0.0.1:8000/b/k", "Couldn't connect", 7, true});
  auto r = f.client->GetObject("b", "k");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 0);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("http://127.0.0.1:8000/b/k"), std::string::npos);
}

TEST(ClientTest, NoErrorMessageContainsTheSecretOrTheAuthorizationValue) {
  Fixture f;
  std::vector<HttpResult> answers = {
      XmlError(403, "SignatureDoesNotMatch"), XmlError(403, "InvalidAccessKeyId"),
      XmlError(404, "NoSuchBucket"), XmlError(500, "InternalError"), XmlError(503, "SlowDown"),
      HttpResponse{400, {}, ""}, HttpResponse{403, {}, ""}, HttpResponse{404, {}, ""},
      TransportError{"http://127.0.0.1:8000/b/k", "Couldn't connect", 7, true}};
  std::vector<std::function<Status()>> calls = {
      [&] { return f.client->CreateBucket("b").status(); },
      [&] { return f.client->HeadBucket("b").status(); },
      [&] { return f.client->PutObject("b", "k", "x").status(); },
      [&] { return f.client->HeadObject("b", "k").status(); },
      [&] { return f.client->GetObject("b", "k", ByteRange::Bytes(0, 1)).status(); },
      [&] { return f.client->DeleteObject("b", "k").status(); },
      [&] { return f.client->ListObjectsV2("b", {}).status(); },
      [&] { return f.client->CreateMultipartUpload("b", "k").status(); },
      [&] { return f.client->UploadPart("b", "k", "u", 1, "x").status(); },
      [&] { return f.client->CompleteMultipartUpload("b", "k", "u", {{1, "e"}}).status(); },
      [&] { return f.client->AbortMultipartUpload("b", "k", "u").status(); }};
  int checked = 0;
  for (const auto& answer : answers) {
    for (const auto& call : calls) {
      f.fake->script.push_back(answer);
      Status s = call();
      ASSERT_FALSE(s.ok());
      std::string auth = Header(f.fake->sent.back(), "authorization");
      ASSERT_FALSE(auth.empty());
      std::string signature = auth.substr(auth.find("Signature=") + 10);
      for (const std::string& text : {s.message(), s.ToString()}) {
        EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
        EXPECT_EQ(text.find(auth), std::string::npos) << text;
        EXPECT_EQ(text.find(signature), std::string::npos) << text;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 99);
}

TEST(ClientTest, ConcurrentCallsFromManyThreadsAllArrive) {
  Fixture f;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto r = f.client->PutObject("b", "k" + std::to_string(t) + "-" + std::to_string(i), "x");
        EXPECT_TRUE(r.ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(f.fake->sent.size(), 400u);
}

}  // namespace
}  // namespace mqtt2s3::s3
