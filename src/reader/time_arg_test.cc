#include <gtest/gtest.h>

#include "mqtt2s3/reader.h"

namespace mqtt2s3 {
namespace {

constexpr int64_t k20181001T1700 = 1538413200000;

TEST(ParseTimeArg, AcceptsEverySpellingOfTheSameInstant) {
  for (const char* s : {"2018-10-01 17:00", "2018-10-01T17:00", "2018-10-01T17:00:00Z",
                        "2018-10-01T17:00:00.000Z", "2018-10-01 17:00:00", "1538413200000"}) {
    auto t = ParseTimeArg(s);
    ASSERT_TRUE(t.ok()) << s << ": " << t.status().ToString();
    EXPECT_EQ(*t, k20181001T1700) << s;
  }
  EXPECT_EQ(*ParseTimeArg("2018-10-01"), k20181001T1700 - 17 * 3600000);
  EXPECT_EQ(*ParseTimeArg("2018-10-01T17:27:39.250Z"), k20181001T1700 + 1659250);
}

TEST(ParseTimeArg, RejectsMalformedTimesNamingTheInput) {
  for (const char* s : {"", "yesterday", "2018-13-01", "2018-10-01T25:00", "2018-10-01T17",
                        "2018-10-01T17:00:00+02:00", "-5"}) {
    auto t = ParseTimeArg(s);
    ASSERT_FALSE(t.ok()) << s;
    EXPECT_NE(t.status().message().find(std::string("'") + s + "'"), std::string::npos);
  }
}

TEST(FormatTimeMs, PrintsIsoUtcWithMilliseconds) {
  EXPECT_EQ(FormatTimeMs(k20181001T1700 + 1659250), "2018-10-01T17:27:39.250Z");
}

TEST(TimeRange, OverlapTreatsTheObjectRangeAsInclusiveAndTheQueryAsHalfOpen) {
  TimeRange r{.from_ms = 100, .to_ms = 200};
  EXPECT_TRUE(r.Overlaps(50, 100));
  EXPECT_TRUE(r.Overlaps(199, 300));
  EXPECT_FALSE(r.Overlaps(200, 300));
  EXPECT_FALSE(r.Overlaps(0, 99));
  EXPECT_TRUE(TimeRange{}.Overlaps(0, 0));
}

}  // namespace
}  // namespace mqtt2s3
