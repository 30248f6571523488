#include "s3/signer.h"

#include <gtest/gtest.h>

#include <ctime>

#include "s3/encoding.h"

namespace mqtt2s3::s3 {
namespace {

// The examples of the AWS S3 SigV4 documentation ("Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk").
const Credentials kAwsDocCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

std::chrono::system_clock::time_point At(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string SignatureOf(const std::string& authorization) {
  auto pos = authorization.find("Signature=");
  return pos == std::string::npos ? "" : authorization.substr(pos + 10);
}

TEST(UriEncodeTest, KeepsUnreservedAndEscapesEverythingElseUpperCase) {
  EXPECT_EQ(UriEncode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c=d%e/f", false), "a%20b%2Bc%3Dd%25e%2Ff");
  EXPECT_EQ(UriEncode("a b+c=d%e/f", true), "a%20b%2Bc%3Dd%25e/f");
  EXPECT_EQ(UriEncodeKey("dir/\xC3\xA9t\xC3\xA9.txt"), "dir/%C3%A9t%C3%A9.txt");
  EXPECT_EQ(UriEncode("*!'()", false), "%2A%21%27%28%29");
}

TEST(CanonicalQueryStringTest, SortsEncodedPairsAndRendersValuelessWithEquals) {
  std::vector<QueryParam> q = {{"uploadId", "x/y+z="}, {"partNumber", "2"}};
  EXPECT_EQ(CanonicalQueryString(q), "partNumber=2&uploadId=x%2Fy%2Bz%3D");
  EXPECT_EQ(CanonicalQueryString({{"uploads", "", false}}), "uploads=");
  EXPECT_EQ(UrlQueryString({{"uploads", "", false}}), "uploads");
  EXPECT_EQ(UrlQueryString({{"prefix", "a/b c"}}), "prefix=a%2Fb%20c");
}

TEST(SignerTest, MatchesAwsDocumentationGetObjectExample) {
  Signer signer(kAwsDocCreds, "us-east-1");
  SignableRequest req{"GET", "/test.txt", {},
                      {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}}, ""};
  SigningDetails d = signer.SignWithDetails(req, At(2013, 5, 24));
  EXPECT_EQ(d.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(SignatureOf(d.authorization),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(d.authorization.substr(0, d.authorization.find(", Signature")),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date");
}

TEST(SignerTest, MatchesAwsDocumentationListObjectsExample) {
  Signer signer(kAwsDocCreds, "us-east-1");
  SignableRequest req{"GET", "/", {{"max-keys", "2"}, {"prefix", "J"}},
                      {{"host", "examplebucket.s3.amazonaws.com"}}, ""};
  SigningDetails d = signer.SignWithDetails(req, At(2013, 5, 24));
  EXPECT_EQ(SignatureOf(d.authorization),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SignerTest, MatchesAwsDocumentationValuelessLifecycleExample) {
  Signer signer(kAwsDocCreds, "us-east-1");
  SignableRequest req{"GET", "/", {{"lifecycle", "", false}},
                      {{"host", "examplebucket.s3.amazonaws.com"}}, ""};
  SigningDetails d = signer.SignWithDetails(req, At(2013, 5, 24));
  EXPECT_EQ(SignatureOf(d.authorization),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SignerTest, MatchesAwsDocumentationPutObjectExample) {
  Signer signer(kAwsDocCreds, "us-east-1");
  SignableRequest req{"PUT", "/" + UriEncodeKey("test$file.text"), {},
                      {{"Host", "examplebucket.s3.amazonaws.com"},
                       {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                       {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                      Sha256Hex("Welcome to Amazon S3.")};
  SigningDetails d = signer.SignWithDetails(req, At(2013, 5, 24));
  EXPECT_EQ(SignatureOf(d.authorization),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SignerTest, MetadataNamesThatArePrefixesOfEachOtherSortByFullName) {
  Signer signer(kAwsDocCreds, "us-east-1");
  SignableRequest req{"PUT", "/b/k", {},
                      {{"x-amz-meta-k2", "c"}, {"x-amz-meta-k10", "b"}, {"X-Amz-Meta-K1", "a"},
                       {"host", "h"}},
                      ""};
  SigningDetails d = signer.SignWithDetails(req, At(2026, 1, 2));
  EXPECT_EQ(d.signed_headers,
            "host;x-amz-content-sha256;x-amz-date;x-amz-meta-k1;x-amz-meta-k10;x-amz-meta-k2");
  EXPECT_NE(d.canonical_request.find("x-amz-meta-k1:a\nx-amz-meta-k10:b\nx-amz-meta-k2:c\n"),
            std::string::npos);
}

TEST(SignerTest, AlwaysSendsContentSha256AndDateAndTokenAndReplacesStaleOnes) {
  Signer signer(Credentials{"AK", "SK", "TOKEN"}, "eu-west-1");
  SignableRequest req{"GET", "/b/k", {},
                      {{"host", "h"}, {"x-amz-date", "stale"}, {"Authorization", "stale"}},
                      std::string(kUnsignedPayload)};
  signer.Sign(req, At(2026, 1, 2, 3, 4, 5));
  std::map<std::string, std::string> h(req.headers.begin(), req.headers.end());
  EXPECT_EQ(req.headers.size(), 5u);
  EXPECT_EQ(h["x-amz-date"], "20260102T030405Z");
  EXPECT_EQ(h["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
  EXPECT_EQ(h["x-amz-security-token"], "TOKEN");
  EXPECT_NE(h["authorization"].find("Credential=AK/20260102/eu-west-1/s3/aws4_request"),
            std::string::npos);
  EXPECT_EQ(h.count("Authorization"), 0u);
}

TEST(SignerTest, SigningKeyCacheFollowsTheDate) {
  Signer cached(kAwsDocCreds, "us-east-1");
  auto sign = [](const Signer& s, std::chrono::system_clock::time_point t) {
    SignableRequest r{"GET", "/test.txt", {}, {{"host", "examplebucket.s3.amazonaws.com"},
                                               {"range", "bytes=0-9"}}, ""};
    return s.SignWithDetails(r, t).authorization;
  };
  std::string day2 = sign(cached, At(2013, 5, 25));
  std::string day1 = sign(cached, At(2013, 5, 24));  // cache must be replaced, not reused
  EXPECT_EQ(SignatureOf(day1), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  Signer fresh(kAwsDocCreds, "us-east-1");
  EXPECT_EQ(day2, sign(fresh, At(2013, 5, 25)));
}

TEST(ParseS3TimeTest, ReadsIsoAndHttpDates) {
  auto iso = ParseS3Time("2026-01-02T03:04:05.000Z");
  auto http = ParseS3Time("Fri, 02 Jan 2026 03:04:05 GMT");
  ASSERT_TRUE(iso && http);
  EXPECT_EQ(*iso, At(2026, 1, 2, 3, 4, 5));
  EXPECT_EQ(*http, *iso);
  EXPECT_FALSE(ParseS3Time("yesterday"));
}

}  // namespace
}  // namespace mqtt2s3::s3
