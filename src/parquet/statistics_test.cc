#include "parquet/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace mqtt2s3::parquet {
namespace {

double AsDouble(const std::string& s) {
  double d;
  std::memcpy(&d, s.data(), 8);
  return d;
}

int64_t AsInt64(const std::string& s) {
  int64_t v;
  std::memcpy(&v, s.data(), 8);
  return v;
}

TEST(StatisticsTest, Int64UsesSignedOrder) {
  ValueStats s;
  s.AddInt64(5);
  s.AddInt64(-3);
  s.AddInt64(INT64_MAX);
  EncodedBounds b = s.Encode(PhysicalKind::kInt64, 64, false);
  EXPECT_EQ(AsInt64(*b.min), -3);
  EXPECT_EQ(AsInt64(*b.max), INT64_MAX);
}

TEST(StatisticsTest, DoubleIgnoresNanAndWidensZeros) {
  ValueStats s;
  s.AddDouble(std::nan(""));
  EXPECT_FALSE(s.has_bounds());
  s.AddDouble(0.0);
  s.AddDouble(std::nan(""));
  EncodedBounds b = s.Encode(PhysicalKind::kDouble, 64, false);
  EXPECT_TRUE(std::signbit(AsDouble(*b.min)));   // -0.0
  EXPECT_FALSE(std::signbit(AsDouble(*b.max)));  // +0.0
  s.AddDouble(-std::numeric_limits<double>::infinity());
  s.AddDouble(2.5);
  b = s.Encode(PhysicalKind::kDouble, 64, false);
  EXPECT_EQ(AsDouble(*b.min), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(AsDouble(*b.max), 2.5);
}

TEST(StatisticsTest, BytesCompareUnsigned) {
  ValueStats s;
  s.AddBytes("\xff");
  s.AddBytes("a");
  s.AddBytes("");
  EncodedBounds b = s.Encode(PhysicalKind::kBytes, 64, false);
  EXPECT_EQ(*b.min, "");
  EXPECT_EQ(*b.max, "\xff");
  EXPECT_TRUE(b.min_exact && b.max_exact);
}

TEST(StatisticsTest, MergeKeepsTheWiderBounds) {
  ValueStats a, b, empty;
  a.AddInt64(1);
  b.AddInt64(-1);
  b.AddInt64(9);
  a.Merge(empty);
  a.Merge(b);
  EncodedBounds e = a.Encode(PhysicalKind::kInt64, 64, false);
  EXPECT_EQ(AsInt64(*e.min), -1);
  EXPECT_EQ(AsInt64(*e.max), 9);
}

TEST(StatisticsTest, LongBinaryBoundsAreTruncatedPrefixAndIncrementedPrefix) {
  const std::string lo = std::string(10, 'a') + "zzz";
  const std::string hi = std::string(9, 'b') + "\xff\xff\xff";
  ValueStats s;
  s.AddBytes(lo);
  s.AddBytes(hi);
  EncodedBounds b = s.Encode(PhysicalKind::kBytes, 10, false);
  EXPECT_EQ(*b.min, std::string(10, 'a'));
  EXPECT_EQ(*b.max, std::string(8, 'b') + "c");  // trailing 0xff dropped, then +1
  EXPECT_FALSE(b.min_exact);
  EXPECT_FALSE(b.max_exact);
  EXPECT_LE(*b.min, lo);
  EXPECT_GT(*b.max, hi);
}

TEST(StatisticsTest, MaxOfAllFfPrefixCannotBeTruncated) {
  EXPECT_EQ(TruncateMax(std::string(20, '\xff'), 8, false), std::nullopt);
  EXPECT_EQ(TruncateMax("short", 8, false), "short");
}

TEST(StatisticsTest, Utf8TruncationCutsOnCharacterBoundaries) {
  // "aé€😀" = 61 | c3 a9 | e2 82 ac | f0 9f 98 80
  const std::string s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  EXPECT_EQ(TruncateMin(s, 5, true), "a\xc3\xa9");          // not inside the euro sign
  EXPECT_EQ(*TruncateMax(s, 5, true), "a\xc3\xaa");         // é (U+E9) + 1 = ê (U+EA)
  EXPECT_EQ(*TruncateMax(s, 7, true), "a\xc3\xa9\xe2\x82\xad");
  // U+D7FF + 1 skips the surrogates.
  EXPECT_EQ(*TruncateMax("\xed\x9f\xbfzz", 3, true), "\xee\x80\x80");
  // U+10FFFF cannot grow: the character before it is incremented instead.
  EXPECT_EQ(*TruncateMax("a\xf4\x8f\xbf\xbfzz", 5, true), "b");
  // Invalid UTF-8 falls back to bytes.
  EXPECT_EQ(*TruncateMax("\xc3\x28zzz", 2, true), "\xc3\x29");
}

}  // namespace
}  // namespace mqtt2s3::parquet
