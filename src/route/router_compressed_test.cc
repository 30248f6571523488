// Routing zlib-compressed payloads: fields are read from the inflated JSON, the stored
// payload is the caller's (untouched), and bad compressed payloads are dead-lettered.

#include <gtest/gtest.h>

#include <string>

#include "alloc_counter.h"
#include "route/router.h"
#include "zlib_compress.h"

namespace mqtt2s3::route {
namespace {

using testing::ZlibCompress;

const auto kTime = std::chrono::system_clock::time_point(std::chrono::seconds(1795313405));
constexpr std::string_view kPlain = "COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1";
constexpr std::string_view kZipped = "COMPANY-X/JSON/1/1/WELDING-STATION-12/WELD/1";
const std::string kJson =
    R"({"weldspot":{"Timestamp":"20181001 171035","Voltage":"230.4"},"seq":17})";

RouteOptions Welding() {
  RouteOptions r;
  r.name = "welding";
  r.filter = "COMPANY-X/+/+/+/+/+/+";
  r.pattern = "{root}/{format}/{compressed}/{plant}/{device}/{type}/{version}";
  r.bucket = "{root}-plant-{plant}";
  r.key = "{first:%Y/%m/%d/%H}/{object_name}";
  r.time_field = "/weldspot/Timestamp";
  r.time_format = "%Y%m%d %H%M%S";
  r.index_key = "{device}/{type}/{version}/{json:/weldspot/Timestamp}";
  r.dedupe_id = "{json:/seq}";
  r.compressed_level = "compressed";
  return r;
}

Router Make(const RouteOptions& route) {
  RouterOptions o;
  o.routes = {route};
  auto r = Router::Create(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(*r);
}

TEST(RouterCompressed, CompressedLevelOneReadsFieldsFromTheInflatedJson) {
  Router router = Make(Welding());
  RouteResult plain, zipped;
  ASSERT_TRUE(router.Route(kPlain, kJson, kTime, 1, &plain)) << plain.detail;
  ASSERT_TRUE(router.Route(kZipped, ZlibCompress(kJson), kTime, 2, &zipped)) << zipped.detail;
  EXPECT_EQ(zipped.index_key, "WELDING-STATION-12/WELD/1/20181001 171035");
  EXPECT_EQ(zipped.index_key, plain.index_key);
  EXPECT_EQ(zipped.dedupe_id, "17");
  EXPECT_TRUE(zipped.event_time_from_payload);
  EXPECT_EQ(zipped.event_time_ms, plain.event_time_ms);
  EXPECT_EQ(zipped.bucket, "company-x-plant-1");
}

TEST(RouterCompressed, PayloadCompressionZlibInflatesEveryMessage) {
  RouteOptions r = Welding();
  r.compressed_level.clear();
  r.payload_compression = PayloadCompression::kZlib;
  Router router = Make(r);
  RouteResult res;
  ASSERT_TRUE(router.Route(kPlain, ZlibCompress(kJson), kTime, 1, &res)) << res.detail;
  EXPECT_EQ(res.dedupe_id, "17");
  EXPECT_FALSE(router.Route(kPlain, kJson, kTime, 2, &res));  // not compressed after all
  EXPECT_EQ(res.reason, DeadLetterReason::kInvalidPayload);
}

TEST(RouterCompressed, CorruptOversizedOrUnknownLevelIsDeadLetteredAsInvalidPayload) {
  RouteOptions opts = Welding();
  opts.max_inflated_bytes = 100;
  Router router = Make(opts);
  RouteResult r;
  EXPECT_FALSE(router.Route(kZipped, kJson, kTime, 1, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kInvalidPayload);
  EXPECT_NE(r.detail.find("compressed payload"), std::string::npos) << r.detail;
  const std::string big = R"({"weldspot":{"Timestamp":"20181001 171035"},"pad":")" +
                          std::string(200, 'p') + "\"}";
  EXPECT_FALSE(router.Route(kZipped, ZlibCompress(big), kTime, 1, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kInvalidPayload);
  EXPECT_NE(r.detail.find("max_inflated_bytes"), std::string::npos) << r.detail;
  EXPECT_FALSE(router.Route("COMPANY-X/JSON/2/1/D/WELD/1", kJson, kTime, 1, &r));
  EXPECT_EQ(r.reason, DeadLetterReason::kInvalidPayload);
  EXPECT_NE(r.detail.find("expected 0 (plain) or 1 (zlib)"), std::string::npos) << r.detail;
  EXPECT_EQ(DeadLetterReasonName(r.reason), "invalid_payload");
}

TEST(RouterCompressed, ConfigMistakesNameTheField) {
  RouteOptions r = Welding();
  r.compressed_level = "nope";
  std::string field;
  EXPECT_FALSE(CompiledRoute::Compile(r, &field).ok());
  EXPECT_EQ(field, "compressed_level");
  r = Welding();
  r.payload = PayloadFormat::kRaw;
  r.time_field.clear();
  r.index_key = "{device}";
  r.dedupe_id = "content";
  EXPECT_FALSE(CompiledRoute::Compile(r, &field).ok());
  EXPECT_EQ(field, "compressed_level");
  r = Welding();
  r.max_inflated_bytes = 0;
  EXPECT_FALSE(CompiledRoute::Compile(r, &field).ok());
  EXPECT_EQ(field, "max_inflated_bytes");
}

TEST(RouterCompressed, RoutesThatReadNoFieldNeverInflate) {
  RouteOptions r = Welding();
  r.time_field.clear();
  r.index_key = "{device}";
  r.dedupe_id = "content";
  Router router = Make(r);
  RouteResult res;
  // Not even a valid stream: nothing reads it, so nothing inflates it.
  EXPECT_TRUE(router.Route(kZipped, "not zlib", kTime, 1, &res)) << res.detail;
}

TEST(RouterCompressed, SteadyStateRoutingOfCompressedPayloadsDoesNotAllocate) {
  Router router = Make(Welding());
  RouteResult r;
  std::vector<std::string> payloads;
  for (int i = 0; i < 16; ++i) {
    payloads.push_back(ZlibCompress(R"({"weldspot":{"Timestamp":"20181001 1710)" +
                            std::to_string(10 + i) + R"(","Voltage":"230.)" + std::to_string(i) +
                            R"("},"seq":)" + std::to_string(i) + "}"));
  }
  for (const auto& p : payloads) ASSERT_TRUE(router.Route(kZipped, p, kTime, 1, &r)) << r.detail;
  ASSERT_TRUE(router.Route(kPlain, kJson, kTime, 1, &r));
  int ok = 0;
  const mqtt2s3::testing::AllocationScope scope;
  for (int i = 0; i < 1000; ++i) {
    ok += router.Route(kZipped, payloads[i % payloads.size()], kTime, 1, &r);
    ok += router.Route(kPlain, kJson, kTime, 1, &r);
  }
  EXPECT_EQ(scope.count(), 0);
  EXPECT_EQ(ok, 2000);
}

}  // namespace
}  // namespace mqtt2s3::route
