#include "format/parquet_body.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "format/index_format.h"
#include "format/object_index.h"
#include "format/object_info.h"
#include "format/object_writer.h"
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

FormatOptions ParquetOptions() {
  FormatOptions o;
  o.body_format = BodyFormat::kParquet;
  o.payload_is_json = true;
  return o;
}

EncodedObject Encode(const FormatOptions& o, const std::vector<MessageRecord>& records) {
  auto writer = ObjectWriter::Create(o);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  auto obj = writer->Encode(records);
  EXPECT_TRUE(obj.ok()) << obj.status().ToString();
  return std::move(*obj);
}

TEST(ParquetBodyTest, IndexOffsetsSliceBackTheExactPayloads) {
  testing::MessageSet set = WeldingMessages(500, 7);
  std::mt19937 rng(7);
  for (auto& t : set.times) t += static_cast<int64_t>(rng() % 5000);  // out of order
  set.payloads[3].clear();                                            // empty payload
  const EncodedObject obj = Encode(ParquetOptions(), set.records());
  ASSERT_GE(obj.body.size(), 8u);
  EXPECT_EQ(obj.body.substr(0, 4), "PAR1");
  EXPECT_EQ(obj.body.substr(obj.body.size() - 4), "PAR1");
  EXPECT_EQ(obj.metadata.at(std::string(kMetaBodyFormat)), "parquet");
  EXPECT_EQ(obj.metadata.at(std::string(kMetaSeparator)), "none");
  auto info = ParseObjectInfo(obj.metadata);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->body_format, BodyFormat::kParquet);
  EXPECT_EQ(info->body_length, obj.body.size());

  const ObjectIndex index = Decoded(obj);
  ASSERT_EQ(index.size(), set.payloads.size());
  std::vector<bool> seen(index.size());
  uint64_t last_end = 0;
  for (size_t i = 0; i < index.size(); ++i) {
    const IndexEntry e = index.entry(i);
    ASSERT_LT(e.arrival, seen.size());
    EXPECT_FALSE(seen[e.arrival]);
    seen[e.arrival] = true;
    EXPECT_EQ(obj.body.substr(e.offset, e.length), set.payloads[e.arrival]) << i;
    EXPECT_EQ(e.event_time_ms, set.times[e.arrival]);
    EXPECT_EQ(e.index_key, set.keys[e.arrival]);
    EXPECT_GE(e.offset, last_end) << "entries in body order";
    last_end = e.offset + e.length;
  }
}

TEST(ParquetBodyTest, RowsOfAClusterGroupAreSortedByEventTimeStably) {
  testing::MessageSet set = WeldingMessages(300, 4);
  std::mt19937 rng(3);
  for (auto& t : set.times) t = 1000 + static_cast<int64_t>(rng() % 20);  // many ties
  const EncodedObject obj = Encode(ParquetOptions(), set.records());
  const ObjectIndex index = Decoded(obj);
  ASSERT_EQ(index.Groups().size(), 4u);
  for (const IndexGroup& g : index.Groups()) {
    for (uint32_t i = g.first_entry + 1; i < g.first_entry + g.entry_count; ++i) {
      const IndexEntry a = index.entry(i - 1), b = index.entry(i);
      EXPECT_EQ(a.index_key, g.key);
      ASSERT_LE(a.event_time_ms, b.event_time_ms);
      if (a.event_time_ms == b.event_time_ms) {
        EXPECT_LT(a.arrival, b.arrival) << "stable";
      }
    }
    // GRPS: from the group's first payload to the end of its last one.
    const IndexEntry first = index.entry(g.first_entry);
    const IndexEntry last = index.entry(g.first_entry + g.entry_count - 1);
    EXPECT_EQ(g.range.offset, first.offset);
    EXPECT_EQ(g.range.end(), last.offset + last.length);
  }
}

TEST(ParquetBodyTest, LargeGroupsAreCutIntoSeveralRowGroups) {
  FormatOptions o = ParquetOptions();
  o.parquet_row_group_rows = 10;
  o.parquet_row_group_bytes = 1000;
  testing::MessageSet set = WeldingMessages(95, 1);
  const std::vector<MessageRecord> records = set.records();
  std::vector<uint32_t> order(records.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::vector<RowGroupRange> cut;
  CutRowGroups(o, records, order, 0, static_cast<uint32_t>(order.size()), &cut);
  ASSERT_GE(cut.size(), 10u);
  uint32_t next = 0;
  for (const RowGroupRange& r : cut) {
    EXPECT_EQ(r.begin, next);
    EXPECT_LE(r.end - r.begin, 10u);
    size_t bytes = 0;
    for (uint32_t p = r.begin; p < r.end; ++p) bytes += records[p].payload.size();
    EXPECT_TRUE(bytes <= 1000 || r.end - r.begin == 1);
    next = r.end;
  }
  EXPECT_EQ(next, order.size());
  // And the object made with those limits still addresses every payload.
  const EncodedObject obj = Encode(o, records);
  const ObjectIndex index = Decoded(obj);
  for (size_t i = 0; i < index.size(); ++i) {
    const IndexEntry e = index.entry(i);
    EXPECT_EQ(obj.body.substr(e.offset, e.length), set.payloads[e.arrival]);
  }
}

TEST(ParquetBodyTest, TypedCellsMustMatchTheColumnTypes) {
  FormatOptions o = ParquetOptions();
  o.columns = {{"voltage", ColumnType::kDouble}, {"name", ColumnType::kString}};
  testing::MessageSet set = WeldingMessages(3, 1);
  std::vector<MessageRecord> records = set.records();
  std::vector<ColumnValue> good(2 * records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    good[2 * i].kind = ColumnValue::Kind::kDouble;
    good[2 * i].d = 1.5 * static_cast<double>(i);
    // second cell stays null
    records[i].columns = std::span<const ColumnValue>(good).subspan(2 * i, 2);
  }
  (void)Encode(o, records);
  std::vector<ColumnValue> bad = good;
  bad[0].kind = ColumnValue::Kind::kInt64;
  records[0].columns = std::span<const ColumnValue>(bad).subspan(0, 2);
  auto writer = ObjectWriter::Create(o);
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ(writer->Encode(records).status().code(), StatusCode::kInvalidArgument);
}

TEST(ParquetBodyTest, ColumnNamesMayNotCollideWithFixedColumns) {
  FormatOptions o = ParquetOptions();
  o.columns = {{"payload", ColumnType::kString}};
  EXPECT_FALSE(o.Validate().ok());
  o.columns = {{"a", ColumnType::kString}, {"a", ColumnType::kInt64}};
  EXPECT_FALSE(o.Validate().ok());
  FormatOptions jsonl;
  jsonl.columns = {{"a", ColumnType::kString}};
  EXPECT_FALSE(jsonl.Validate().ok());
}

TEST(ParquetBodyTest, JsonLinesObjectsCarryNoBodyFormatField) {
  testing::MessageSet set = WeldingMessages(10, 2);
  const EncodedObject obj = Encode(FormatOptions{}, set.records());
  EXPECT_EQ(obj.metadata.count(std::string(kMetaBodyFormat)), 0u);
  auto info = ParseObjectInfo(obj.metadata);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->body_format, BodyFormat::kJsonLines);
}

TEST(ParquetBodyTest, AnEmptyBatchIsAValidEmptyFile) {
  const EncodedObject obj = Encode(ParquetOptions(), {});
  EXPECT_EQ(obj.body.substr(0, 4), "PAR1");
  EXPECT_EQ(Decoded(obj).size(), 0u);
}

TEST(ParquetBodyTest, UnknownBodyFormatIsRefusedByName) {
  testing::MessageSet set = WeldingMessages(2, 1);
  EncodedObject obj = Encode(FormatOptions{}, set.records());
  obj.metadata[std::string(kMetaBodyFormat)] = "orc";
  auto info = ParseObjectInfo(obj.metadata);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find("mqtt2s3-body-format"), std::string::npos);
}

}  // namespace
}  // namespace mqtt2s3::format
