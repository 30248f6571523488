#include "route/utc_time.h"

#include <gtest/gtest.h>

namespace mqtt2s3::route {
namespace {

using std::chrono::system_clock;

system_clock::time_point At(int64_t epoch_ms) {
  return system_clock::time_point(std::chrono::milliseconds(epoch_ms));
}

std::string Format(std::string_view fmt, system_clock::time_point t) {
  auto f = UtcTimeFormat::Parse(fmt);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  std::string out;
  f->Append(t, &out);
  return out;
}

TEST(UtcTimeTest, FormatsCommonSpecifiersInUtc) {
  // 2026-11-22T02:10:05.123Z = 1795313405123 ms.
  const auto t = At(1795313405123);
  EXPECT_EQ(Format("%Y/%m/%d/%H", t), "2026/11/22/02");
  EXPECT_EQ(Format("%Y%m%dT%H%M%SZ", t), "20261122T021005Z");
  EXPECT_EQ(Format("day-%j.%L", t), "day-326.123");
  EXPECT_EQ(Format("%s", t), "1795313405");
  EXPECT_EQ(Format("100%%", t), "100%");
}

TEST(UtcTimeTest, MatchesGmtimeAcrossManyDates) {
  // Every ~17 hours over ~150 years, including leap days and the epoch's negative side.
  for (int64_t s = -2208988800LL; s < 2524608000LL; s += 61261) {
    std::time_t tt = static_cast<std::time_t>(s);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    CivilTimeUtc c = ToCivilUtc(At(s * 1000));
    ASSERT_EQ(c.year, tm.tm_year + 1900) << s;
    ASSERT_EQ(c.month, static_cast<uint32_t>(tm.tm_mon + 1)) << s;
    ASSERT_EQ(c.day, static_cast<uint32_t>(tm.tm_mday)) << s;
    ASSERT_EQ(c.hour, static_cast<uint32_t>(tm.tm_hour)) << s;
    ASSERT_EQ(c.minute, static_cast<uint32_t>(tm.tm_min)) << s;
    ASSERT_EQ(c.second, static_cast<uint32_t>(tm.tm_sec)) << s;
    ASSERT_EQ(c.yday, static_cast<uint32_t>(tm.tm_yday + 1)) << s;
  }
}

TEST(UtcTimeTest, NegativeMillisecondsRoundTowardsThePast) {
  CivilTimeUtc c = ToCivilUtc(At(-1));
  EXPECT_EQ(c.year, 1969);
  EXPECT_EQ(c.second, 59u);
  EXPECT_EQ(c.millis, 999u);
}

TEST(UtcTimeTest, BadFormatsNameTheColumn) {
  auto f = UtcTimeFormat::Parse("%Y/%q");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("column 4"), std::string::npos) << f.status().message();
  EXPECT_FALSE(UtcTimeFormat::Parse("%Y/%").ok());
  EXPECT_FALSE(UtcTimeFormat::Parse("%Y/../%m").ok());
  EXPECT_FALSE(UtcTimeFormat::Parse("%Y\\%m").ok());
}

}  // namespace
}  // namespace mqtt2s3::route
