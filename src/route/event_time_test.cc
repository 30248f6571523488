#include "route/event_time.h"

#include <gtest/gtest.h>

#include <string>

namespace mqtt2s3::route {
namespace {

// 2018-10-01T17:00:00Z
constexpr int64_t kOct1At17 = 1538413200000;

struct Case {
  std::string format;
  std::string zone;
  std::string text;
  bool ok;
  int64_t ms;
};

TEST(EventTimeTest, ParsesEveryFormatKindTableDriven) {
  const Case cases[] = {
      // The welding plant writes local time without an offset.
      {"%Y%m%d %H%M%S", "UTC", "20181001 170000", true, kOct1At17},
      {"%Y%m%d %H%M%S", "+01:00", "20181001 180000", true, kOct1At17},
      {"%Y%m%d %H%M%S", "-0530", "20181001 113000", true, kOct1At17},
      {"%Y%m%d %H%M%S", "UTC", "20181001 17000", false, 0},     // truncated
      {"%Y%m%d %H%M%S", "UTC", "20181001 170000x", false, 0},   // trailing text
      {"%Y%m%d %H%M%S", "UTC", "20180231 170000", false, 0},    // 31 February
      {"%Y%m%d %H%M%S", "UTC", "20181001 250000", false, 0},    // hour 25
      {"%Y-%m-%d %H:%M:%S.%L", "UTC", "2018-10-01 17:00:00.123", true, kOct1At17 + 123},
      {"%Y-%m-%dT%H:%M:%S%f%z", "UTC", "2018-10-01T19:00:00,5+02:00", true, kOct1At17 + 500},
      {"%d/%m/%Y %H:%M", "UTC", "1/10/2018 17:00", true, kOct1At17},
      {"at %Y 100%%", "UTC", "at 2018 100%", true, 1514764800000},
      {"rfc3339", "UTC", "2018-10-01T17:00:00Z", true, kOct1At17},
      {"rfc3339", "UTC", "2018-10-01t17:00:00.999z", true, kOct1At17 + 999},
      {"rfc3339", "UTC", "2018-10-01 19:00:00.123456789+02:00", true, kOct1At17 + 123},
      {"rfc3339", "+01:00", "2018-10-01T18:00:00", true, kOct1At17},  // no offset: time_zone
      {"rfc3339", "UTC", "2018-10-01", false, 0},
      {"rfc3339", "UTC", "2018-10-01T17:00:00+25:00", false, 0},
      {"unix_ms", "UTC", "1538413200000", true, kOct1At17},
      {"unix_ms", "UTC", "1538413200000.7", true, kOct1At17},
      {"unix_ms", "UTC", "-1", false, 0},
      {"unix_ms", "UTC", "1e12", false, 0},
      {"unix_s", "UTC", "1538413200", true, kOct1At17},
      {"unix_s", "UTC", "1538413200.25", true, kOct1At17 + 250},
      {"unix_s", "UTC", "", false, 0},
      // Range: the epoch and the last millisecond of 9999 parse, beyond does not.
      {"rfc3339", "UTC", "1970-01-01T00:00:00Z", true, 0},
      {"rfc3339", "UTC", "1969-12-31T23:59:59.999Z", false, 0},
      {"rfc3339", "UTC", "9999-12-31T23:59:59.999Z", true, kMaxEventTimeMs},
      {"rfc3339", "-01:00", "9999-12-31T23:00:00", false, 0},
      {"unix_s", "UTC", "253402300800", false, 0},
  };
  for (const Case& c : cases) {
    auto p = EventTimeParser::Create(c.format, c.zone);
    ASSERT_TRUE(p.ok()) << c.format << ": " << p.status().ToString();
    int64_t ms = -42;
    EXPECT_EQ(p->Parse(c.text, &ms), c.ok) << c.format << " <- " << c.text;
    if (c.ok) {
      EXPECT_EQ(ms, c.ms) << c.format << " <- " << c.text;
    }
  }
}

TEST(EventTimeTest, BadFormatsAndZonesAreRejectedAtStartup) {
  EXPECT_FALSE(EventTimeParser::Create("", "UTC").ok());
  EXPECT_FALSE(EventTimeParser::Create("%H:%M", "UTC").ok());  // no year
  auto bad = EventTimeParser::Create("%Y-%q", "UTC");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("column 4"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(EventTimeParser::Create("%Y%", "UTC").ok());
  EXPECT_FALSE(EventTimeParser::Create("rfc3339", "CET").ok());
  EXPECT_FALSE(EventTimeParser::Create("rfc3339", "+19:00").ok());
  EXPECT_EQ(*ParseUtcOffset("-05:30"), -330);
  EXPECT_EQ(*ParseUtcOffset("+02"), 120);
  EXPECT_EQ(*ParseUtcOffset(""), 0);
}

TEST(EventTimeTest, DaysFromCivilMatchesKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(9999, 12, 31) * 86400000 + 86399999, kMaxEventTimeMs);
}

}  // namespace
}  // namespace mqtt2s3::route
