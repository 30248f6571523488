#include "route/object_name.h"

#include <gtest/gtest.h>

#include "route/event_time.h"

namespace mqtt2s3::route {
namespace {

ObjectNameParts Parts(int64_t first, int64_t last, std::string instance, uint64_t seq,
                      std::string ext) {
  return ObjectNameParts{first, last, std::move(instance), seq, std::move(ext)};
}

TEST(ObjectNameTest, FormatsTheDocumentedForm) {
  EXPECT_EQ(FormatObjectName(Parts(1538413200000, 1538414859000, "gw-1", 42, "jsonl")),
            "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.jsonl");
}

TEST(ObjectNameTest, RoundTripsTableDriven) {
  struct Case {
    ObjectNameParts parts;
    std::string name;
  };
  const Case cases[] = {
      {Parts(0, 0, "a", 0, "jsonl"), "19700101T000000.000Z_19700101T000000.000Z_a_0000000000.jsonl"},
      {Parts(1, 999, "a", 1, ""), "19700101T000000.001Z_19700101T000000.999Z_a_0000000001"},
      {Parts(kMaxEventTimeMs, kMaxEventTimeMs, "x", UINT64_MAX, "bin"),
       "99991231T235959.999Z_99991231T235959.999Z_x_18446744073709551615.bin"},
      {Parts(951782400000, 951868799999, "i.d-9", 12345678901, "jsonl.zst"),  // leap day 2000
       "20000229T000000.000Z_20000229T235959.999Z_i.d-9_12345678901.jsonl.zst"},
      // Hostile instance ids: '_' and '/' and '%' and bytes >= 0x80 are all encoded.
      {Parts(0, 1, "a_b", 7, "jsonl"), "19700101T000000.000Z_19700101T000000.001Z_a%5Fb_0000000007.jsonl"},
      {Parts(0, 1, "../%2F_\xC3\xA9", 7, ""),
       "19700101T000000.000Z_19700101T000000.001Z_..%2F%252F%5F%C3%A9_0000000007"},
      {Parts(0, 1, std::string("\0_", 2), 7, ""),
       "19700101T000000.000Z_19700101T000000.001Z_%00%5F_0000000007"},
  };
  for (const Case& c : cases) {
    ASSERT_TRUE(c.parts.Validate().ok()) << c.name << ": " << c.parts.Validate().ToString();
    EXPECT_EQ(FormatObjectName(c.parts), c.name);
    EXPECT_LE(c.name.size(), MaxObjectNameBytes(c.parts.instance, c.parts.extension));
    auto parsed = ParseObjectName(c.name);
    ASSERT_TRUE(parsed.ok()) << c.name << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, c.parts) << c.name;
    auto in_key = ParseObjectName("bucket-less/prefix/2018/" + c.name);
    ASSERT_TRUE(in_key.ok()) << in_key.status().ToString();
    EXPECT_EQ(*in_key, c.parts);
  }
}

TEST(ObjectNameTest, InvalidPartsAreRejected) {
  EXPECT_FALSE(Parts(-1, 0, "a", 0, "").Validate().ok());
  EXPECT_FALSE(Parts(0, kMaxEventTimeMs + 1, "a", 0, "").Validate().ok());  // year 10000
  EXPECT_FALSE(Parts(2, 1, "a", 0, "").Validate().ok());                    // first > last
  EXPECT_FALSE(Parts(0, 0, "", 0, "").Validate().ok());
  EXPECT_FALSE(Parts(0, 0, std::string(65, 'a'), 0, "").Validate().ok());
  EXPECT_FALSE(Parts(0, 0, "a", 0, "JSON").Validate().ok());
  EXPECT_FALSE(Parts(0, 0, "a", 0, ".jsonl").Validate().ok());
  EXPECT_FALSE(Parts(0, 0, "a", 0, "a..b").Validate().ok());
  EXPECT_FALSE(Parts(0, 0, "a", 0, "a/b").Validate().ok());
  EXPECT_FALSE(Parts(0, 0, "a", 0, std::string(17, 'a')).Validate().ok());
}

TEST(ObjectNameTest, NonCanonicalOrBrokenNamesDoNotParse) {
  const std::string good = "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.jsonl";
  ASSERT_TRUE(ParseObjectName(good).ok());
  const char* bad[] = {
      "",
      "20181001T170000.000Z",
      "20181001T172739.000Z_20181001T170000.000Z_gw-1_0000000042.jsonl",  // first > last
      "20180431T170000.000Z_20180501T170000.000Z_gw-1_0000000042.jsonl",  // 31 April
      "20181001T240000.000Z_20181001T240000.000Z_gw-1_0000000042.jsonl",  // hour 24
      "19691231T235959.999Z_19700101T000000.000Z_gw-1_0000000042.jsonl",  // before the epoch
      "100000101T000000.000Z_100000101T000000.000Z_gw-1_0000000042.jsonl",  // year 10000
      "20181001T170000Z_20181001T172739Z_gw-1_0000000042.jsonl",          // no millis
      "20181001T170000.000Z_20181001T172739.000Z_gw-1_42.jsonl",          // seq too short
      "20181001T170000.000Z_20181001T172739.000Z_gw-1_00000000042.jsonl", // extra zero
      "20181001T170000.000Z_20181001T172739.000Z_gw-1_99999999999999999999.jsonl",  // > 2^64
      "20181001T170000.000Z_20181001T172739.000Z_gw%2d1_0000000042.jsonl",  // lower-case hex
      "20181001T170000.000Z_20181001T172739.000Z_gw%2D1_0000000042.jsonl",  // needless escape
      "20181001T170000.000Z_20181001T172739.000Z_gw%2_0000000042.jsonl",
      "20181001T170000.000Z_20181001T172739.000Z_gw_1_0000000042.jsonl",  // raw '_' in instance
      "20181001T170000.000Z_20181001T172739.000Z__0000000042.jsonl",      // empty instance
      "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.",       // empty extension
      "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.JSONL",
      "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.jsonl/",
  };
  for (const char* name : bad) {
    auto p = ParseObjectName(name);
    EXPECT_FALSE(p.ok()) << name;
    if (!p.ok()) {
      EXPECT_NE(p.status().message().find("not an mqtt2s3 object name"), std::string::npos);
    }
  }
}

TEST(ObjectNameTest, NamesSortByFirstEventTime) {
  const std::string a = FormatObjectName(Parts(1538413200000, 1538413200001, "z", 9, "jsonl"));
  const std::string b = FormatObjectName(Parts(1538413200001, 1538413200001, "a", 0, "jsonl"));
  EXPECT_LT(a, b);
}

}  // namespace
}  // namespace mqtt2s3::route
