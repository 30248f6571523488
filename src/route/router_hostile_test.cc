// Property test: random hostile topics and payload fields never produce a key that leaves its
// prefix or breaks S3 rules, and every failure is a dead letter with a loggable detail.
// Deterministic (fixed seed) and bounded.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "route/key_sanitizer.h"
#include "route/object_name.h"
#include "route/router.h"

namespace mqtt2s3::route {
namespace {

const auto kTime = std::chrono::system_clock::time_point(std::chrono::seconds(1795313405));

// Pieces weighted towards what breaks naive key builders.
const std::string kPieces[] = {"/", ".", "..", "%", "%2F", "\\", std::string(1, '\0'), "\x01",
                               "\x7F", "\xFF", "\xC3\xA9", "\xC3", "\xE6\x97\xA5", "a", "Z",
                               "_", "-", " ", "#", "+", "$", "~", "{", "}", "1"};

std::string RandomText(std::mt19937& rng, size_t max_pieces) {
  std::string s;
  const size_t n = rng() % (max_pieces + 1);
  for (size_t i = 0; i < n; ++i) s += kPieces[rng() % std::size(kPieces)];
  if (rng() % 50 == 0) s += std::string(300 + rng() % 2000, 'x');
  return s;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

void ExpectSafeKey(const std::string& key) {
  ASSERT_EQ(key.rfind("p/", 0), 0u) << key;
  ASSERT_LE(key.size(), 1024u);
  ASSERT_TRUE(IsValidUtf8(key)) << key;
  ASSERT_EQ(key.find("//"), std::string::npos) << key;
  ASSERT_NE(key.back(), '/') << key;
  for (char c : key) ASSERT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == '\\');
  size_t start = 0;
  while (true) {
    size_t slash = key.find('/', start);
    std::string comp = key.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    ASSERT_NE(comp, ".") << key;
    ASSERT_NE(comp, "..") << key;
    ASSERT_FALSE(comp.empty()) << key;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

Router MakeRouter(std::string bucket) {
  RouteOptions o;
  o.name = "any";
  o.filter = "#";
  o.bucket = std::move(bucket);
  o.key = "p/{level:0}/{json:/v}/{topic}/{object_name}";
  RouterOptions ro;
  ro.routes = {o};
  ro.instance_id = "gw";
  auto router = Router::Create(ro);
  EXPECT_TRUE(router.ok()) << router.status().ToString();
  return std::move(*router);
}

TEST(RouterHostileTest, RandomHostileTopicsAndFieldsStayInsideTheKeyPrefix) {
  // One router with a fixed bucket (exercises keys), one rendering the bucket from a level.
  Router fixed = MakeRouter("hostile-bucket");
  Router templated = MakeRouter("b-{level:1}");
  std::mt19937 rng(20261122);
  RouteResult r;
  std::string key;
  int routed = 0, dead = 0, bucket_routed = 0, bucket_dead = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string topic = RandomText(rng, 12);
    if (topic.empty() || topic[0] == '$') topic.insert(0, "t");
    const std::string field = RandomText(rng, 8);
    std::string payload = "{\"v\":\"" + JsonEscape(field) + "\"}";
    if (rng() % 20 == 0) payload = RandomText(rng, 6);  // sometimes not JSON at all
    const bool use_template = i % 2 == 1;
    Router& router = use_template ? templated : fixed;
    if (router.Route(topic, payload, kTime, static_cast<uint64_t>(i), &r)) {
      ++(use_template ? bucket_routed : routed);
      ASSERT_TRUE(router.RenderObjectKey(0, r.partial_key(), {0, 1, 2, 3}, &key).ok())
          << r.partition;
      ExpectSafeKey(key);
      ASSERT_TRUE(ParseObjectName(key).ok()) << key;
      ASSERT_TRUE(BucketNameProblem(r.bucket).empty()) << r.bucket;
    } else {
      ++(use_template ? bucket_dead : dead);
      ASSERT_NE(r.reason, DeadLetterReason::kNone);
      ASSERT_NE(r.reason, DeadLetterReason::kNoRoute);
      ASSERT_FALSE(r.detail.empty());
      ASSERT_TRUE(IsValidUtf8(r.detail)) << r.detail;
      ASSERT_LT(r.detail.size(), 2048u);
    }
  }
  // Both outcomes must actually occur, or the test proves nothing.
  EXPECT_GT(routed, 1000);
  EXPECT_GT(dead, 1000);
  EXPECT_GT(bucket_routed, 10);
  EXPECT_GT(bucket_dead, 1000);
}

}  // namespace
}  // namespace mqtt2s3::route
