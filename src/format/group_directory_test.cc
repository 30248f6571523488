// The group directory (FORMAT.md 3.3): written when it fits and every group can be cut out of
// its range without the index; parsed strictly (anything odd = no directory).
#include "format/group_directory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "format/index_format.h"
#include "format/object_writer.h"
#include "format/test_messages.h"

namespace mqtt2s3::format {
namespace {

using testing::WeldingMessages;

EncodedObject Encode(const testing::MessageSet& set, FormatOptions options = {}) {
  auto writer = ObjectWriter::Create(options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  auto obj = writer->Encode(set.records());
  EXPECT_TRUE(obj.ok()) << obj.status().ToString();
  return std::move(*obj);
}

ObjectIndex IndexOf(const EncodedObject& obj) {
  auto index = ObjectIndex::FromIndexObject(obj.metadata, obj.index_object.value());
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return *index;
}

// Every group of the directory gives exactly the payloads the index gives for that group,
// with the same count and time range, from one fetched range.
void ExpectDirectoryMatchesIndex(const EncodedObject& obj, size_t expected_groups) {
  auto info = ParseObjectInfo(obj.metadata);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  const std::vector<DirectoryGroup> dir = ParseGroupDirectory(obj.metadata, *info);
  ASSERT_EQ(dir.size(), expected_groups);
  const ObjectIndex index = IndexOf(obj);
  const std::vector<IndexGroup> groups = index.Groups();
  ASSERT_EQ(groups.size(), dir.size());
  for (size_t g = 0; g < dir.size(); ++g) {
    const IndexGroup& ig = groups[g];
    EXPECT_EQ(dir[g].key, ig.key);
    EXPECT_EQ(dir[g].range, ig.range);
    EXPECT_EQ(dir[g].count, ig.entry_count);
    const ByteRange fetch = dir[g].FetchRange(*info);
    auto payloads = SplitGroup(*info, dir[g], std::string_view(obj.body).substr(fetch.offset,
                                                                                 fetch.length));
    ASSERT_TRUE(payloads.ok()) << payloads.status().ToString();
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint32_t k = 0; k < ig.entry_count; ++k) {
      const IndexEntry e = index.entry(ig.first_entry + k);
      EXPECT_EQ((*payloads)[k], std::string_view(obj.body).substr(e.offset, e.length));
      lo = std::min(lo, e.event_time_ms);
      hi = std::max(hi, e.event_time_ms);
    }
    EXPECT_EQ(dir[g].first_ms, lo);
    EXPECT_EQ(dir[g].last_ms, hi);
  }
}

TEST(GroupDirectoryTest, TenDevicesOfTenThousandMessagesTravelInTheMetadata) {
  const auto set = WeldingMessages(10000, 10);
  const EncodedObject obj = Encode(set);
  ASSERT_TRUE(obj.index_object.has_value());
  ASSERT_TRUE(obj.metadata.contains(std::string(kMetaGroupsParts)));
  EXPECT_LE(obj.metadata_bytes, 2048u);
  ExpectDirectoryMatchesIndex(obj, 10);
  std::printf("10 devices: metadata %zu B with the directory\n", obj.metadata_bytes);
}

TEST(GroupDirectoryTest, ParquetGroupsAreLengthPrefixedRuns) {
  const auto set = WeldingMessages(10000, 10);
  FormatOptions options;
  options.body_format = BodyFormat::kParquet;
  const EncodedObject obj = Encode(set, options);
  ASSERT_TRUE(obj.index_object.has_value());
  ASSERT_TRUE(obj.metadata.contains(std::string(kMetaGroupsParts)));
  ExpectDirectoryMatchesIndex(obj, 10);
}

TEST(GroupDirectoryTest, AbsentWhenTheIndexIsInlineOrPayloadsHoldTheSeparatorOrItDoesNotFit) {
  // Inline index: the HEAD already has everything.
  EXPECT_FALSE(Encode(WeldingMessages(5, 2)).metadata.contains(std::string(kMetaGroupsParts)));
  // A payload with a newline: splitting on the separator would be wrong.
  auto set = WeldingMessages(10000, 10);
  set.payloads[1234] = "{\"a\":\n1}";
  EXPECT_FALSE(Encode(set).metadata.contains(std::string(kMetaGroupsParts)));
  // 500 devices do not fit 2 KB: no directory, and the budget holds.
  const EncodedObject many = Encode(WeldingMessages(10000, 500));
  EXPECT_FALSE(many.metadata.contains(std::string(kMetaGroupsParts)));
  EXPECT_LE(many.metadata_bytes, 2048u);
  // Clustering off: no groups, no directory.
  FormatOptions off;
  off.clustering = false;
  EXPECT_FALSE(Encode(WeldingMessages(10000, 10), off)
                   .metadata.contains(std::string(kMetaGroupsParts)));
}

TEST(GroupDirectoryTest, KeysArePercentEncodedAndDecoded) {
  auto set = WeldingMessages(10000, 3);
  for (std::string& k : set.keys) k = "plant:1,line " + k;
  const EncodedObject obj = Encode(set);
  const std::string& part = obj.metadata.at(std::string(kMetaGroupsPartPrefix) + "0");
  EXPECT_NE(part.find("plant%3A1%2Cline%20"), std::string::npos) << part;
  auto info = ParseObjectInfo(obj.metadata);
  ASSERT_TRUE(info.ok());
  const auto dir = ParseGroupDirectory(obj.metadata, *info);
  ASSERT_EQ(dir.size(), 3u);
  EXPECT_EQ(dir[0].key.rfind("plant:1,line ", 0), 0u) << dir[0].key;
}

TEST(GroupDirectoryTest, AnythingMalformedMeansNoDirectory) {
  const EncodedObject obj = Encode(WeldingMessages(10000, 4));
  auto info = ParseObjectInfo(obj.metadata);
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(ParseGroupDirectory(obj.metadata, *info).size(), 4u);
  const std::string part0 = std::string(kMetaGroupsPartPrefix) + "0";
  const std::string good = obj.metadata.at(part0);
  auto first_record_end = good.find(',');
  const std::string tail = good.substr(first_record_end);
  const std::string bad_parts[] = {
      "",                                   // empty
      good + ",",                           // trailing comma
      "x:1:2" + tail,                       // too few fields
      "x:1:2:3:4:5:6" + tail,               // too many
      "x:01:2:3:0:0" + tail,                // leading zero
      "x:-1:2:3:0:0" + tail,                // sign
      "%41:0:1:1:0:0" + tail,               // 'A' escaped: not canonical
      "%2c:0:1:1:0:0" + tail,               // lowercase hex
      "a b:0:1:1:0:0" + tail,               // raw space
      "zzzz:0:1:1:0:0" + tail,              // out of key order
      "a:0:99999999999:1:0:0" + tail,       // past the body
      "a:0:1:1:5:4" + tail,                 // first after last
      "a:0:1:0:0:0" + tail,                 // empty group
  };
  for (const std::string& bad : bad_parts) {
    Metadata m = obj.metadata;
    m[part0] = bad;
    EXPECT_TRUE(ParseGroupDirectory(m, *info).empty()) << bad;
  }
  Metadata m = obj.metadata;
  m[std::string(kMetaGroupsParts)] = "2";  // a part missing
  EXPECT_TRUE(ParseGroupDirectory(m, *info).empty());
  m[std::string(kMetaGroupsParts)] = "0";
  EXPECT_TRUE(ParseGroupDirectory(m, *info).empty());
  // A wrong count makes the split fail rather than return wrong payloads.
  auto dir = ParseGroupDirectory(obj.metadata, *info);
  dir[0].count += 1;
  const ByteRange r = dir[0].FetchRange(*info);
  EXPECT_FALSE(SplitGroup(*info, dir[0], std::string_view(obj.body).substr(r.offset, r.length)).ok());
  EXPECT_FALSE(SplitGroup(*info, dir[0], "short").ok());
}

}  // namespace
}  // namespace mqtt2s3::format
