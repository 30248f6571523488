// The group directory (FORMAT.md 3.3): written when it fits and every group can be cut out of
// its range without the index; parsed strictly (anything odd = no directory).
#include "format/group_directory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>

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

// Every group of the index is found in its bucket of the companion index (3.4), cut out of
// the index object by one range of at most 4 KiB, and gives the index's payloads.
void ExpectBucketsMatchIndex(const EncodedObject& obj) {
  auto info = ParseObjectInfo(obj.metadata);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  const std::optional<GroupBucketsInfo> b = ParseGroupBuckets(obj.metadata, *info);
  ASSERT_TRUE(b.has_value());
  EXPECT_LE(b->slot, kGroupBucketTargetBytes);
  const std::string& index_bytes = obj.index_object.value();
  const ObjectIndex index = IndexOf(obj);  // the GDIR section is skipped by index parsers
  size_t found = 0;
  for (const IndexGroup& ig : index.Groups()) {
    const uint32_t bucket = b->BucketOf(ig.key);
    const ByteRange r = b->SlotRange(bucket);
    ASSERT_LE(r.end(), index_bytes.size());
    auto groups = ParseGroupBucket(*info, *b, bucket, std::string_view(index_bytes).substr(
                                                          r.offset, r.length));
    ASSERT_TRUE(groups.has_value()) << "bucket " << bucket;
    auto g = std::find_if(groups->begin(), groups->end(),
                          [&](const DirectoryGroup& d) { return d.key == ig.key; });
    ASSERT_NE(g, groups->end()) << ig.key;
    EXPECT_EQ(g->range, ig.range);
    EXPECT_EQ(g->count, ig.entry_count);
    const ByteRange fetch = g->FetchRange(*info);
    auto payloads =
        SplitGroup(*info, *g, std::string_view(obj.body).substr(fetch.offset, fetch.length));
    ASSERT_TRUE(payloads.ok()) << payloads.status().ToString();
    for (uint32_t k = 0; k < ig.entry_count; ++k) {
      const IndexEntry e = index.entry(ig.first_entry + k);
      EXPECT_EQ((*payloads)[k], std::string_view(obj.body).substr(e.offset, e.length));
    }
    ++found;
  }
  EXPECT_EQ(found, index.Groups().size());
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

TEST(GroupDirectoryTest, TooManyGroupsForTheMetadataGoIntoIndexBucketsOfAtMost4KiB) {
  for (const size_t devices : {40, 500, 5000}) {
    const EncodedObject obj = Encode(WeldingMessages(10000, devices));
    ASSERT_TRUE(obj.index_object.has_value());
    EXPECT_FALSE(obj.metadata.contains(std::string(kMetaGroupsParts))) << devices;
    ASSERT_TRUE(obj.metadata.contains(std::string(kMetaGroupBuckets))) << devices;
    EXPECT_LE(obj.metadata_bytes, 2048u);
    ExpectBucketsMatchIndex(obj);
    std::printf("%zu devices: %s, index %zu B\n", devices,
                obj.metadata.at(std::string(kMetaGroupBuckets)).c_str(), obj.index_bytes);
  }
  FormatOptions parquet;
  parquet.body_format = BodyFormat::kParquet;
  const EncodedObject pq = Encode(WeldingMessages(10000, 300), parquet);
  ASSERT_TRUE(pq.metadata.contains(std::string(kMetaGroupBuckets)));
  ExpectBucketsMatchIndex(pq);
  // Payloads holding the separator: no directory of either kind.
  auto set = WeldingMessages(10000, 300);
  set.payloads[77] = "{\"a\":\n1}";
  const EncodedObject sep = Encode(set);
  EXPECT_FALSE(sep.metadata.contains(std::string(kMetaGroupBuckets)));
  EXPECT_FALSE(sep.metadata.contains(std::string(kMetaGroupsParts)));
}

TEST(GroupDirectoryTest, BucketsAreCheckedStrictly) {
  const EncodedObject obj = Encode(WeldingMessages(2000, 500));
  auto info = ParseObjectInfo(obj.metadata);
  ASSERT_TRUE(info.ok());
  auto b = ParseGroupBuckets(obj.metadata, *info);
  ASSERT_TRUE(b.has_value());
  ASSERT_GT(b->buckets, 1u);
  const std::string& index_bytes = *obj.index_object;
  // Find a non-empty bucket.
  uint32_t bucket = 0;
  std::string slot;
  for (; bucket < b->buckets; ++bucket) {
    const ByteRange r = b->SlotRange(bucket);
    slot = index_bytes.substr(r.offset, r.length);
    if (slot.find_first_not_of(' ') != std::string::npos) break;
  }
  ASSERT_LT(bucket, b->buckets);
  ASSERT_TRUE(ParseGroupBucket(*info, *b, bucket, slot).has_value());
  // Read as another bucket: its records do not hash there.
  EXPECT_FALSE(ParseGroupBucket(*info, *b, (bucket + 1) % b->buckets, slot).has_value());
  // Short read, and a damaged record.
  EXPECT_FALSE(ParseGroupBucket(*info, *b, bucket, slot.substr(1)).has_value());
  std::string bad = slot;
  bad[bad.find(':') + 1] = 'x';
  EXPECT_FALSE(ParseGroupBucket(*info, *b, bucket, bad).has_value());
  // The metadata field: malformed or out of the index object = no buckets.
  Metadata m = obj.metadata;
  const std::string good = m.at(std::string(kMetaGroupBuckets));
  for (const std::string& v : {std::string("1:2:3"), std::string("x:1:1:2f:0"),
                              good.substr(0, good.size() - 4) + "2F:0", good + "0",
                              std::to_string(index_bytes.size()) + ":1:10:2f:0"}) {
    m[std::string(kMetaGroupBuckets)] = v;
    EXPECT_FALSE(ParseGroupBuckets(m, *info).has_value()) << v;
  }
}

// Found writing fuzz_object_index (its bucket checks trap on both): a huge mqtt2s3-count let
// "message_count * 8" wrap, so 2^32 buckets passed and truncated to 0 (BucketOf then divided
// by zero), and an offset near 2^64 made the last slot's end wrap below the index size.
TEST(GroupDirectoryTest, BucketParametersThatWouldWrapAreRefused) {
  const EncodedObject obj = Encode(WeldingMessages(2000, 500));
  auto info = ParseObjectInfo(obj.metadata);
  ASSERT_TRUE(info.ok());
  ObjectInfo huge = *info;
  huge.message_count = (uint64_t{1} << 61) + (uint64_t{1} << 30);  // * 8 wraps to 2^33
  huge.index_size = 100000000000;
  Metadata m = obj.metadata;
  m[std::string(kMetaGroupBuckets)] = "7:4294967296:1:2f:0";
  EXPECT_FALSE(ParseGroupBuckets(m, huge).has_value());
  m[std::string(kMetaGroupBuckets)] = "18446744073709551596:2:10:2f:0";  // 2^64 - 20
  EXPECT_FALSE(ParseGroupBuckets(m, *info).has_value());
  m[std::string(kMetaGroupBuckets)] = obj.metadata.at(std::string(kMetaGroupBuckets));
  EXPECT_TRUE(ParseGroupBuckets(m, *info).has_value());
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
