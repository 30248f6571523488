#include "serve/payload_event_time.h"

#include <gtest/gtest.h>

#include <string>

#include "zlib_compress.h"

namespace mqtt2s3::serve {
namespace {

using testing::ZlibCompress;

route::RouteOptions WeldingRoute() {
  route::RouteOptions r;
  r.name = "welding";
  r.filter = "COMPANY-X/+/+/+/+/+/+";
  r.pattern = "{root}/{format}/{compressed}/{plant}/{device}/{type}/{version}";
  r.bucket = "{root}-plant-{plant}";
  r.key = "{first:%Y/%m/%d/%H}/{object_name}";
  r.payload = route::PayloadFormat::kJson;
  r.compressed_level = "compressed";
  r.time_field = "/weldspot/Timestamp";
  r.time_format = "%Y%m%d %H%M%S";
  return r;
}

constexpr int64_t k20181001T170005 = 1538413205000;

TEST(PayloadEventTimeTest, ReadsTheRoutesTimeFieldFromPlainAndCompressedPayloads) {
  auto factory = PayloadEventTimeOfRoute(WeldingRoute());
  ASSERT_TRUE(factory.ok()) << factory.status().ToString();
  QueryOptions::PayloadEventTime time_of = (*factory)();
  const std::string weld = R"({"weldspot":{"Timestamp":"20181001 170005","Voltage":"230"}})";
  EXPECT_EQ(time_of(weld), k20181001T170005);
  EXPECT_EQ(time_of(ZlibCompress(weld)), k20181001T170005);
  // What the converter stamped with the receive time is not the payload's to tell.
  EXPECT_EQ(time_of(R"({"weldspot":{"Voltage":"230"}})"), std::nullopt);
  EXPECT_EQ(time_of(R"({"weldspot":{"Timestamp":"yesterday"}})"), std::nullopt);
  EXPECT_EQ(time_of(R"({"weldspot":{"Timestamp":"19991231 235959"}})"), std::nullopt)
      << "before the default earliest_event_time 2000-01-01: the receive time was stored";
  EXPECT_EQ(time_of("not json"), std::nullopt);
  EXPECT_EQ(time_of(std::string("\x78\x9c garbage", 10)), std::nullopt);
  // Each call of the factory gives an independent reader (one per worker thread).
  EXPECT_EQ((*factory)()(weld), k20181001T170005);
}

TEST(PayloadEventTimeTest, TimeZoneAndEarliestTimeAreTheRoutes) {
  route::RouteOptions r = WeldingRoute();
  r.time_zone = "+01:00";
  r.earliest_event_time = "2018-10-01T00:00:00Z";
  auto factory = PayloadEventTimeOfRoute(r);
  ASSERT_TRUE(factory.ok()) << factory.status().ToString();
  auto time_of = (*factory)();
  EXPECT_EQ(time_of(R"({"weldspot":{"Timestamp":"20181001 170005"}})"),
            k20181001T170005 - 3600 * 1000);
  EXPECT_EQ(time_of(R"({"weldspot":{"Timestamp":"20180930 235959"}})"), std::nullopt);
}

TEST(PayloadEventTimeTest, ARouteWithoutTimeFieldIsRefusedNamingIt) {
  route::RouteOptions r = WeldingRoute();
  r.time_field.clear();
  auto factory = PayloadEventTimeOfRoute(r);
  ASSERT_FALSE(factory.ok());
  EXPECT_NE(factory.status().message().find("route 'welding' has no time_field"),
            std::string::npos)
      << factory.status().message();
}

}  // namespace
}  // namespace mqtt2s3::serve
