#include "config/units.h"

#include <gtest/gtest.h>

namespace mqtt2s3::config {
namespace {

using namespace std::chrono_literals;

TEST(UnitsTest, DurationsParseWithUnits) {
  EXPECT_EQ(*ParseDuration("500ms"), 500ms);
  EXPECT_EQ(*ParseDuration("30s"), 30s);
  EXPECT_EQ(*ParseDuration("5m"), 5min);
  EXPECT_EQ(*ParseDuration("1h"), 1h);
  EXPECT_EQ(*ParseDuration("2d"), 48h);
  EXPECT_EQ(*ParseDuration("0"), 0ms);
}

TEST(UnitsTest, BadDurationsSayWhatIsExpected) {
  for (const char* bad : {"", "30", "s", "1.5s", "-1s", "10 s", "5min", "1h30m", "abc"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.status().message().find("expected a duration"), std::string::npos);
  }
}

TEST(UnitsTest, SizesParseBinaryAndDecimalUnits) {
  EXPECT_EQ(*ParseSize("4096"), 4096u);
  EXPECT_EQ(*ParseSize("512B"), 512u);
  EXPECT_EQ(*ParseSize("64KiB"), 65536u);
  EXPECT_EQ(*ParseSize("8MiB"), 8u << 20);
  EXPECT_EQ(*ParseSize("1GiB"), 1u << 30);
  EXPECT_EQ(*ParseSize("1GB"), 1000000000u);
  EXPECT_EQ(*ParseSize("2KB"), 2000u);
  for (const char* bad : {"", "KiB", "1kib", "1.5MiB", "-1", "1 MiB", "99999999999999999999TiB"}) {
    EXPECT_FALSE(ParseSize(bad).ok()) << bad;
  }
}

TEST(UnitsTest, FormattingPicksTheLargestExactUnitAndRoundTrips) {
  EXPECT_EQ(FormatDuration(100ms), "100ms");
  EXPECT_EQ(FormatDuration(30s), "30s");
  EXPECT_EQ(FormatDuration(90s), "90s");
  EXPECT_EQ(FormatDuration(1h), "1h");
  EXPECT_EQ(FormatDuration(0ms), "0");
  EXPECT_EQ(FormatSize(16u << 20), "16MiB");
  EXPECT_EQ(FormatSize(1000), "1000");
  EXPECT_EQ(FormatSize(1536), "1536");
  for (int64_t ms : {1, 999, 1000, 61000, 3600000, 86400000, 90061001}) {
    EXPECT_EQ(ParseDuration(FormatDuration(std::chrono::milliseconds(ms)))->count(), ms);
  }
}

TEST(UnitsTest, IntegersAreStrictDecimal) {
  int64_t v;
  EXPECT_TRUE(ParseInt64("8080", &v));
  EXPECT_EQ(v, 8080);
  EXPECT_TRUE(ParseInt64("-3", &v));
  for (const char* bad : {"", "+1", "0x10", "1e3", " 1", "1 ", "abc"}) {
    EXPECT_FALSE(ParseInt64(bad, &v)) << bad;
  }
}

TEST(UnitsTest, BooleansAndEnvVarNames) {
  bool b = false;
  EXPECT_TRUE(ParseBool("TRUE", &b) && b);
  EXPECT_TRUE(ParseBool("off", &b) && !b);
  EXPECT_FALSE(ParseBool("1", &b));
  EXPECT_TRUE(IsEnvVarName("S3_SECRET_KEY"));
  EXPECT_TRUE(IsEnvVarName("_x1"));
  EXPECT_FALSE(IsEnvVarName("1X"));
  EXPECT_FALSE(IsEnvVarName("A-B"));
  EXPECT_FALSE(IsEnvVarName(""));
}

}  // namespace
}  // namespace mqtt2s3::config
