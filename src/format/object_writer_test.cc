#include "format/object_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <limits>

#include "format/index_format.h"
#include "format/object_index.h"
#include "format/test_messages.h"

namespace mqtt2s3::format {
namespace {

using testing::WeldingMessages;

ObjectIndex Decoded(const EncodedObject& obj) {
  auto located = ObjectIndex::FromMetadata(obj.metadata, "k");
  EXPECT_TRUE(located.ok()) << located.status().ToString();
  if (auto* index = std::get_if<ObjectIndex>(&*located)) return *index;
  auto index = ObjectIndex::FromIndexObject(obj.metadata, obj.index_object.value());
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return *index;
}

// Every message appears once, byte-identical at its offset, with its topic, key, time and id.
void ExpectRoundTrip(const testing::MessageSet& set, const EncodedObject& obj,
                     const std::string& separator) {
  const ObjectIndex index = Decoded(obj);
  ASSERT_EQ(index.size(), set.payloads.size());
  std::vector<bool> seen(index.size());
  for (size_t i = 0; i < index.size(); ++i) {
    const IndexEntry e = index.entry(i);
    ASSERT_LT(e.arrival, seen.size());
    EXPECT_FALSE(seen[e.arrival]);
    seen[e.arrival] = true;
    EXPECT_EQ(obj.body.substr(e.offset, e.length), set.payloads[e.arrival]);
    EXPECT_EQ(obj.body.substr(e.offset + e.length, separator.size()), separator);
    EXPECT_EQ(e.topic, set.topics[e.arrival]);
    EXPECT_EQ(e.index_key, set.keys[e.arrival]);
    EXPECT_EQ(e.dedupe_id, set.dedupe_ids[e.arrival]);
    EXPECT_EQ(e.event_time_ms, set.times[e.arrival]);
  }
  EXPECT_EQ(index.info().body_length, obj.body.size());
  EXPECT_EQ(index.info().separator, separator);
}

TEST(ObjectWriterTest, FiveMessagesRoundTripWithTheIndexInline) {
  const auto set = WeldingMessages(5, 2);
  auto writer = ObjectWriter::Create({});
  ASSERT_TRUE(writer.ok());
  auto obj = writer->Encode(set.records());
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_FALSE(obj->index_object.has_value());
  EXPECT_EQ(obj->metadata.at(std::string(kMetaIndexLocation)), "inline");
  EXPECT_LE(obj->metadata_bytes, 2048u);
  ExpectRoundTrip(set, *obj, "\n");
  std::printf("5 messages: body %zu B, index %zu B (raw %zu), metadata %zu B\n", obj->body.size(),
              obj->index_bytes, obj->raw_index_bytes, obj->metadata_bytes);
}

TEST(ObjectWriterTest, TenThousandWeldingMessagesUseACompanionIndexObject) {
  const auto set = WeldingMessages(10000, 20);
  for (int level : {1, 6, 9}) {
    FormatOptions options;
    options.zlib_level = level;
    auto writer = ObjectWriter::Create(options);
    ASSERT_TRUE(writer.ok());
    auto obj = writer->Encode(set.records());
    ASSERT_TRUE(obj.ok()) << obj.status().ToString();
    ASSERT_TRUE(obj->index_object.has_value());
    EXPECT_EQ(obj->metadata.at(std::string(kMetaIndexLocation)), "object");
    EXPECT_EQ(obj->metadata.at(std::string(kMetaIndexSuffix)), ".idx");
    EXPECT_LE(obj->metadata_bytes, 2048u);
    ExpectRoundTrip(set, *obj, "\n");
    std::printf(
        "10000 welding messages, zlib %d: body %zu B, index %zu B (raw %zu B, %.1f B/msg),"
        " metadata %zu B\n",
        level, obj->body.size(), obj->index_bytes, obj->raw_index_bytes, obj->index_bytes / 10000.0,
        obj->metadata_bytes);
  }
}

TEST(ObjectWriterTest, ClusteringMakesEachDeviceOneContiguousRangeInArrivalOrder) {
  const auto set = WeldingMessages(200, 10);
  FormatOptions by_line;
  by_line.cluster_key_components = 1;
  auto writer = ObjectWriter::Create(by_line);
  ASSERT_TRUE(writer.ok());
  auto obj = writer->Encode(set.records());
  ASSERT_TRUE(obj.ok());
  const ObjectIndex index = Decoded(*obj);
  // cluster_key_components = 1 groups by line; the groups cover the body in key order.
  ASSERT_EQ(index.Groups().size(), 3u);
  EXPECT_EQ(index.Groups()[0].key, "line-1");
  EXPECT_EQ(index.Groups()[2].key, "line-3");
  uint64_t next = 0;
  for (const IndexGroup& g : index.Groups()) {
    EXPECT_EQ(g.range.offset, next);
    next = g.range.end() + 1;
  }
  EXPECT_EQ(next, obj->body.size());
  for (size_t robot = 0; robot < 10; ++robot) {
    char key[32];
    std::snprintf(key, sizeof(key), "line-%zu/robot-%02zu", robot % 3 + 1, robot);
    const auto hits = index.Find(key);
    ASSERT_EQ(hits.size(), 20u);
    const auto ranges = index.CoalesceRanges(hits, /*max_gap_bytes=*/0);
    // Contiguous inside its line's group only when the robot is its line's sole robot; with
    // per-robot cluster keys (below) every robot is one range.
    EXPECT_GE(ranges.size(), 1u);
    for (size_t j = 1; j < hits.size(); ++j) {
      EXPECT_LT(index.entry(hits[j - 1]).arrival, index.entry(hits[j]).arrival);
    }
  }
  auto writer2 = ObjectWriter::Create({});  // default: the whole index key
  auto obj2 = writer2->Encode(set.records());
  ASSERT_TRUE(obj2.ok());
  const ObjectIndex index2 = Decoded(*obj2);
  ASSERT_EQ(index2.Groups().size(), 10u);
  for (const IndexGroup& g : index2.Groups()) {
    const auto hits = index2.Find(g.key);
    ASSERT_EQ(hits.size(), 20u);
    const auto ranges = index2.CoalesceRanges(hits, 1);  // the 1-byte "\n" between payloads
    ASSERT_EQ(ranges.size(), 1u);
    EXPECT_EQ(ranges[0], g.range);
    for (size_t j = 0; j < hits.size(); ++j) {
      EXPECT_EQ(hits[j], g.first_entry + j);
      const IndexEntry e = index2.entry(hits[j]);
      EXPECT_EQ(
          *ObjectIndex::Slice(ranges[0], obj2->body.substr(g.range.offset, g.range.length), e),
          set.payloads[e.arrival]);
      if (j > 0) {
        EXPECT_LT(index2.entry(hits[j - 1]).arrival, e.arrival);
      }
    }
  }
  ExpectRoundTrip(set, *obj2, "\n");
}

TEST(ObjectWriterTest, WithoutClusteringTheBodyKeepsArrivalOrderAndHasNoGroups) {
  const auto set = WeldingMessages(30, 4);
  FormatOptions options;
  options.clustering = false;
  auto obj = ObjectWriter::Create(options)->Encode(set.records());
  ASSERT_TRUE(obj.ok());
  std::string expected;
  for (const auto& p : set.payloads) expected += p + "\n";
  EXPECT_EQ(obj->body, expected);
  const ObjectIndex index = Decoded(*obj);
  EXPECT_TRUE(index.Groups().empty());
  for (size_t i = 0; i < index.size(); ++i) EXPECT_EQ(index.entry(i).arrival, i);
}

TEST(ObjectWriterTest, SeparatorVariantsRoundTrip) {
  const auto set = WeldingMessages(12, 3);
  for (std::string sep : {std::string("\n"), std::string(), std::string("\r\n"),
                          std::string("\x1e", 1), std::string("\0\0", 2)}) {
    FormatOptions options;
    options.separator = sep;
    auto obj = ObjectWriter::Create(options)->Encode(set.records());
    ASSERT_TRUE(obj.ok());
    ExpectRoundTrip(set, *obj, sep);
    EXPECT_EQ(obj->metadata.at(std::string(kMetaSeparator)),
              sep.empty() ? "none"
                          : (sep == "\n" ? "0a" : obj->metadata.at(std::string(kMetaSeparator))));
  }
}

TEST(ObjectWriterTest, MetadataStaysWithinTheBudgetForEverySize) {
  for (size_t budget : {1024u, 1536u, 2048u, 8192u}) {
    FormatOptions options;
    options.metadata_budget_bytes = budget;
    options.metadata_value_max_bytes = 700;
    auto writer = ObjectWriter::Create(options);
    ASSERT_TRUE(writer.ok());
    bool saw_inline = false, saw_object = false;
    for (size_t count : {0u, 1u, 2u, 5u, 20u, 60u, 150u, 400u, 2000u}) {
      const auto set = WeldingMessages(count, 7);
      auto obj = writer->Encode(set.records());
      ASSERT_TRUE(obj.ok()) << obj.status().ToString();
      EXPECT_LE(obj->metadata_bytes, budget) << count;
      EXPECT_EQ(obj->metadata_bytes, MetadataBytes(obj->metadata));
      for (const auto& [name, value] : obj->metadata) {
        EXPECT_LE(value.size(), std::max<size_t>(700, 64)) << name;
        for (char c : name + value) EXPECT_TRUE(c > 0x20 && c < 0x7f) << name;
      }
      (obj->index_object ? saw_object : saw_inline) = true;
      ExpectRoundTrip(set, *obj, "\n");
    }
    EXPECT_TRUE(saw_inline);
    EXPECT_TRUE(saw_object);
  }
}

TEST(ObjectWriterTest, TheSmallestBudgetFitsTheLargestMandatoryFields) {
  FormatOptions options;
  options.metadata_budget_bytes = 1024;
  options.separator = std::string(16, '\xff');
  options.index_object_prefix = std::string(64, '\x01');
  options.index_object_suffix = std::string(64, '\x02');
  ASSERT_TRUE(options.Validate().ok());
  auto set = WeldingMessages(3000, 40);
  set.times[0] = std::numeric_limits<int64_t>::min();
  set.times[1] = std::numeric_limits<int64_t>::max();
  auto obj = ObjectWriter::Create(options)->Encode(set.records());
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_TRUE(obj->index_object.has_value());
  EXPECT_LE(obj->metadata_bytes, 1024u);
  ExpectRoundTrip(set, *obj, options.separator);
}

TEST(ObjectWriterTest, InvalidOptionsAreRefusedWithTheFieldName) {
  FormatOptions options;
  options.index_object_suffix.clear();
  EXPECT_NE(ObjectWriter::Create(options).status().message().find("index_object_suffix"),
            std::string::npos);
  options = {};
  options.metadata_budget_bytes = 1000;
  EXPECT_NE(ObjectWriter::Create(options).status().message().find("metadata_budget_bytes"),
            std::string::npos);
  options = {};
  options.zlib_level = 0;
  EXPECT_FALSE(ObjectWriter::Create(options).ok());
}

}  // namespace
}  // namespace mqtt2s3::format
