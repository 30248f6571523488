#include "s3/request.h"

#include <gtest/gtest.h>

#include <map>

#include "s3/xml.h"

namespace mqtt2s3::s3 {
namespace {

const auto kNow = std::chrono::system_clock::from_time_t(1795000000);

Addressing PathStyle(const std::string& endpoint) {
  return Addressing{*ParseEndpoint(endpoint), AddressingStyle::kPath};
}

std::map<std::string, std::string> HeaderMap(const HttpRequest& r) {
  return {r.headers.begin(), r.headers.end()};
}

TEST(ParseEndpointTest, SplitsSchemeHostPortAndDropsDefaultPortFromHostHeader) {
  auto a = ParseEndpoint("http://127.0.0.1:8000");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host_port, "127.0.0.1:8000");
  EXPECT_EQ(a->port, 8000);
  auto b = ParseEndpoint("https://s3.amazonaws.com:443/");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->https);
  EXPECT_EQ(b->host_port, "s3.amazonaws.com");
  auto c = ParseEndpoint("http://[::1]:9000");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host_port, "[::1]:9000");
  for (const char* bad : {"127.0.0.1:8000", "ftp://h", "http://", "http://h:0", "http://h:99999",
                          "http://h:80/path", "http://user@h", "http://h:"}) {
    EXPECT_FALSE(ParseEndpoint(bad).ok()) << bad;
  }
}

TEST(ClientOptionsTest, ValidateNamesTheWrongField) {
  ClientOptions o;
  o.endpoint = "http://127.0.0.1:8000";
  o.access_key = "ak";
  o.secret_key = "sk";
  EXPECT_TRUE(o.Validate().ok());
  auto with = [&](auto mutate) {
    ClientOptions c = o;
    mutate(c);
    return c.Validate().message();
  };
  EXPECT_NE(with([](ClientOptions& c) { c.endpoint = "nope"; }).find("'endpoint'"), std::string::npos);
  EXPECT_NE(with([](ClientOptions& c) { c.region.clear(); }).find("'region'"), std::string::npos);
  EXPECT_NE(with([](ClientOptions& c) { c.access_key.clear(); }).find("'access_key'"), std::string::npos);
  EXPECT_NE(with([](ClientOptions& c) { c.secret_key.clear(); }).find("'secret_key'"), std::string::npos);
  EXPECT_NE(with([](ClientOptions& c) { c.addressing = AddressingStyle::kVirtualHosted; })
                .find("'addressing'"), std::string::npos);
}

TEST(BuildHttpRequestTest, PathStyleEncodesKeySegmentsAndSignsHost) {
  Signer signer({"AK", "SK", ""}, "us-east-1");
  S3Request r{"PutObject", "PUT", "bkt", "dir/a b+c.txt", {}, {{"x-amz-meta-k1", "v"}}, "body", {}};
  HttpRequest http = BuildHttpRequest(r, PathStyle("http://127.0.0.1:8000"), signer, true, kNow);
  EXPECT_EQ(http.url, "http://127.0.0.1:8000/bkt/dir/a%20b%2Bc.txt");
  auto h = HeaderMap(http);
  EXPECT_EQ(h["host"], "127.0.0.1:8000");
  EXPECT_EQ(h["x-amz-content-sha256"], "230d8358dc8e8890b4c58deeb62912ee2f20357ae92a5cc861b98e68fe31acb5");
  EXPECT_NE(h["authorization"].find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-meta-k1"),
            std::string::npos);
  EXPECT_EQ(http.body, "body");
}

TEST(BuildHttpRequestTest, VirtualHostedPutsBucketInHostAndValuelessQueryIsBare) {
  Signer signer({"AK", "SK", ""}, "us-east-1");
  S3Request r{"CreateMultipartUpload", "POST", "bkt", "k", {{"uploads", "", false}}, {}, "", {}};
  Addressing a{*ParseEndpoint("https://s3.example.com"), AddressingStyle::kVirtualHosted};
  HttpRequest http = BuildHttpRequest(r, a, signer, true, kNow);
  EXPECT_EQ(http.url, "https://bkt.s3.example.com/k?uploads");
  EXPECT_EQ(HeaderMap(http)["host"], "bkt.s3.example.com");
}

TEST(BuildHttpRequestTest, UnsignedPayloadOnlyForNonEmptyBodies) {
  Signer signer({"AK", "SK", ""}, "us-east-1");
  S3Request put{"PutObject", "PUT", "b", "k", {}, {}, "data", {}};
  S3Request get{"GetObject", "GET", "b", "k", {}, {}, "", {}};
  auto addressing = PathStyle("https://h");
  EXPECT_EQ(HeaderMap(BuildHttpRequest(put, addressing, signer, false, kNow))["x-amz-content-sha256"],
            "UNSIGNED-PAYLOAD");
  EXPECT_EQ(HeaderMap(BuildHttpRequest(get, addressing, signer, false, kNow))["x-amz-content-sha256"],
            std::string(kEmptyPayloadHash));
}

TEST(BuildHttpRequestTest, AKnownBodyHashIsSignedAsGivenAndEqualsTheComputedOne) {
  Signer signer({"AK", "SK", ""}, "us-east-1");
  S3Request computed{"PutObject", "PUT", "b", "k", {}, {}, "body", {}};
  S3Request given = computed;
  given.body_sha256_hex = "230d8358dc8e8890b4c58deeb62912ee2f20357ae92a5cc861b98e68fe31acb5";
  auto addressing = PathStyle("http://h");
  const auto a = HeaderMap(BuildHttpRequest(computed, addressing, signer, true, kNow));
  const auto b = HeaderMap(BuildHttpRequest(given, addressing, signer, true, kNow));
  EXPECT_EQ(b.at("x-amz-content-sha256"), given.body_sha256_hex);
  EXPECT_EQ(a.at("authorization"), b.at("authorization"));
  // Unsigned stays unsigned whatever hash the caller knows.
  EXPECT_EQ(HeaderMap(BuildHttpRequest(given, addressing, signer, false, kNow))
                .at("x-amz-content-sha256"),
            "UNSIGNED-PAYLOAD");
}

TEST(ClassifyHttpTest, RetryNotFoundAndPermanentClasses) {
  EXPECT_EQ(ClassifyHttp(500, "InternalError"), ErrorClass::kRetryable);
  EXPECT_EQ(ClassifyHttp(503, "SlowDown"), ErrorClass::kRetryable);
  EXPECT_EQ(ClassifyHttp(502, ""), ErrorClass::kRetryable);
  EXPECT_EQ(ClassifyHttp(429, ""), ErrorClass::kRetryable);
  EXPECT_EQ(ClassifyHttp(400, "RequestTimeout"), ErrorClass::kRetryable);
  EXPECT_EQ(ClassifyHttp(200, "InternalError"), ErrorClass::kRetryable);
  EXPECT_EQ(ClassifyHttp(404, "NoSuchKey"), ErrorClass::kNotFound);
  EXPECT_EQ(ClassifyHttp(404, "NoSuchBucket"), ErrorClass::kNotFound);
  EXPECT_EQ(ClassifyHttp(404, "NoSuchUpload"), ErrorClass::kNotFound);
  EXPECT_EQ(ClassifyHttp(404, ""), ErrorClass::kNotFound);
  EXPECT_EQ(ClassifyHttp(403, "SignatureDoesNotMatch"), ErrorClass::kPermanent);
  EXPECT_EQ(ClassifyHttp(403, "InvalidAccessKeyId"), ErrorClass::kPermanent);
  EXPECT_EQ(ClassifyHttp(403, "AccessDenied"), ErrorClass::kPermanent);
  EXPECT_EQ(ClassifyHttp(400, "EntityTooSmall"), ErrorClass::kPermanent);
  EXPECT_EQ(ClassifyHttp(409, "BucketNotEmpty"), ErrorClass::kPermanent);
}

TEST(ErrorFromResponseTest, TakesCodeMessageAndRequestIdFromXmlAndNamesEverything) {
  S3Request r{"PutObject", "PUT", "b", "k", {}, {}, "", {}};
  HttpResponse resp{403, {{"x-amz-request-id", "hdr-id"}},
                    "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>"
                    "<Message>The request signature we calculated does not match</Message>"
                    "<StringToSign>AWS4-HMAC-SHA256 secret-ish</StringToSign>"
                    "<SignatureProvided>abc123sig</SignatureProvided>"
                    "<RequestId>tx-1</RequestId></Error>"};
  S3Error e = ErrorFromResponse(r, resp);
  EXPECT_EQ(e.error_class, ErrorClass::kPermanent);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.request_id, "tx-1");
  Status s = e.ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "PutObject bucket 'b' key 'k': HTTP 403 SignatureDoesNotMatch: The request signature we "
            "calculated does not match (request id tx-1) [permanent]");
  EXPECT_EQ(s.message().find("abc123sig"), std::string::npos);
  EXPECT_EQ(s.message().find("StringToSign"), std::string::npos);
}

TEST(ErrorFromResponseTest, HeadWithoutBodyDerivesCodeFromStatusAndRequestIdFromHeader) {
  S3Request r{"HeadObject", "HEAD", "b", "k", {}, {}, "", {}};
  S3Error e = ErrorFromResponse(r, HttpResponse{403, {{"x-amz-request-id", "hdr-id"}}, ""});
  EXPECT_EQ(e.code, "Forbidden");
  EXPECT_EQ(e.request_id, "hdr-id");
  S3Error nf = ErrorFromResponse(r, HttpResponse{404, {}, ""});
  EXPECT_EQ(nf.error_class, ErrorClass::kNotFound);
  EXPECT_EQ(nf.ToStatus().code(), StatusCode::kNotFound);
  S3Error busy = ErrorFromResponse(r, HttpResponse{503, {}, "<html>busy</html>"});
  EXPECT_EQ(busy.code, "ServiceUnavailable");
  EXPECT_EQ(busy.ToStatus().code(), StatusCode::kUnavailable);
  EXPECT_EQ(ErrorFromResponse(r, HttpResponse{400, {}, ""}).ToStatus().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorFromResponse(r, HttpResponse{409, {}, ""}).ToStatus().code(),
            StatusCode::kFailedPrecondition);
}

TEST(ErrorFromTransportTest, KeepsUrlAndCurlMessageAndTheirClass) {
  S3Request r{"GetObject", "GET", "b", "k", {}, {}, "", {}};
  S3Error e = ErrorFromTransport(r, TransportError{"http://127.0.0.1:1/b/k", "Couldn't connect", 7, true});
  EXPECT_TRUE(e.is_transport());
  EXPECT_TRUE(e.retryable());
  EXPECT_EQ(e.ToStatus().code(), StatusCode::kUnavailable);
  EXPECT_EQ(e.ToString(),
            "GetObject bucket 'b' key 'k': transport error for http://127.0.0.1:1/b/k: Couldn't "
            "connect [retryable]");
  S3Error tls = ErrorFromTransport(r, TransportError{"https://h/b/k", "SSL peer certificate", 60, false});
  EXPECT_EQ(tls.ToStatus().code(), StatusCode::kFailedPrecondition);
}

TEST(XmlTest, ParsesListPageAndBuildsCompleteBody) {
  auto page = ParseListObjectsV2(
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsTruncated>true"
      "</IsTruncated><NextContinuationToken>t/+=</NextContinuationToken><Contents><Key>a b</Key>"
      "<Size>12</Size><ETag>\"e1\"</ETag><LastModified>2026-01-02T03:04:05.000Z</LastModified>"
      "</Contents><CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "a b");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->objects[0].etag, "\"e1\"");
  EXPECT_TRUE(page->is_truncated);
  EXPECT_EQ(page->next_continuation_token, "t/+=");
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"p/"});
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>").ok());
  EXPECT_EQ(BuildCompleteMultipartUpload({{1, "\"a\""}, {2, "\"b\""}}),
            "<?xml version=\"1.0\"?><CompleteMultipartUpload "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber>"
            "<ETag>\"a\"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>\"b\"</ETag></Part>"
            "</CompleteMultipartUpload>");
}

}  // namespace
}  // namespace mqtt2s3::s3
