#include "parquet/file_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace mqtt2s3::parquet {
namespace {

uint32_t Le32(const std::string& s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

std::vector<ColumnSpec> Schema() {
  return {{.name = "device", .type = ColumnType::kString},
          {.name = "t", .type = ColumnType::kTimestampMillis, .nullable = false},
          ColumnSpec::Payload("payload")};
}

TEST(FileWriterTest, FileStartsAndEndsWithMagicAndFooterLength) {
  auto w = ParquetWriter::Create(Schema(), WriterOptions{});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  w->column(0).AppendBytes("d1");
  w->column(1).AppendInt64(1000);
  w->column(2).AppendBytes("{}");
  ASSERT_TRUE(w->EndRowGroup().ok());
  auto file = w->Finish();
  ASSERT_TRUE(file.ok());
  ASSERT_GT(file->size(), 12u);
  EXPECT_EQ(file->substr(0, 4), "PAR1");
  EXPECT_EQ(file->substr(file->size() - 4), "PAR1");
  const uint32_t footer = Le32(*file, file->size() - 8);
  EXPECT_LT(footer, file->size() - 12);
  EXPECT_NE(file->find("mqtt2s3 0.1.0", file->size() - 8 - footer), std::string::npos);
}

TEST(FileWriterTest, ValueLocationsPointAtTheExactPayloadBytes) {
  WriterOptions o;
  o.data_page_bytes = 64;  // many pages
  auto w = ParquetWriter::Create(Schema(), o);
  ASSERT_TRUE(w.ok());
  std::vector<std::string> payloads;
  for (int i = 0; i < 50; ++i) payloads.push_back(std::string(i % 7 * 5, static_cast<char>('a' + i % 26)));
  payloads.push_back(std::string(3 << 20, '\x01'));  // bigger than a page
  for (int g = 0; g < 3; ++g) {
    for (size_t i = 0; i < payloads.size(); ++i) {
      w->column(0).AppendBytes("dev");
      w->column(1).AppendInt64(static_cast<int64_t>(i));
      if (i % 11 == 3) {
        w->column(2).AppendNull();
      } else {
        w->column(2).AppendBytes(payloads[i]);
      }
    }
    ASSERT_TRUE(w->EndRowGroup().ok());
  }
  const std::vector<ValueLocation> at(w->value_locations(2).begin(), w->value_locations(2).end());
  EXPECT_TRUE(w->value_locations(0).empty());
  auto file = w->Finish();
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(at.size(), 3 * payloads.size());
  for (size_t r = 0; r < at.size(); ++r) {
    const size_t i = r % payloads.size();
    if (i % 11 == 3) {
      EXPECT_FALSE(at[r].present);
      continue;
    }
    ASSERT_TRUE(at[r].present);
    ASSERT_EQ(at[r].length, payloads[i].size());
    EXPECT_EQ(file->compare(at[r].offset, at[r].length, payloads[i]), 0) << "row " << r;
    EXPECT_EQ(Le32(*file, at[r].offset - 4), payloads[i].size());  // PLAIN length prefix
  }
}

TEST(FileWriterTest, MismatchedRowCountsAreRefusedAndTheFileStaysUsable) {
  auto w = ParquetWriter::Create(Schema(), WriterOptions{});
  ASSERT_TRUE(w.ok());
  w->column(0).AppendBytes("d");
  Status s = w->EndRowGroup();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'t' has 0 rows"), std::string::npos) << s.message();
  w->column(0).AppendBytes("d");
  w->column(1).AppendInt64(1);
  w->column(2).AppendBytes("p");
  EXPECT_TRUE(w->EndRowGroup().ok());
  EXPECT_EQ(w->rows_written(), 1);
}

TEST(FileWriterTest, WrongTypesAndNullsInRequiredColumnsAreNamed) {
  auto w = ParquetWriter::Create(Schema(), WriterOptions{});
  ASSERT_TRUE(w.ok());
  w->column(0).AppendInt64(1);
  w->column(1).AppendNull();
  w->column(2).AppendBytes("p");
  Status s = w->EndRowGroup();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'device': value of the wrong type"), std::string::npos);
  w->column(0).AppendBytes("d");
  w->column(1).AppendNull();
  w->column(2).AppendBytes("p");
  s = w->EndRowGroup();
  EXPECT_NE(s.message().find("'t': null in a non-nullable column"), std::string::npos);
}

TEST(FileWriterTest, SchemaAndOptionsAreValidated) {
  EXPECT_FALSE(ParquetWriter::Create({}, WriterOptions{}).ok());
  EXPECT_FALSE(ParquetWriter::Create({{.name = "a"}, {.name = "a"}}, WriterOptions{}).ok());
  ColumnSpec bad = ColumnSpec::Payload("p");
  bad.compression = Compression::kZstd;
  EXPECT_FALSE(ParquetWriter::Create({bad}, WriterOptions{}).ok());
  WriterOptions o;
  o.zstd_level = 40;
  EXPECT_FALSE(ParquetWriter::Create(Schema(), o).ok());
}

TEST(FileWriterTest, EmptyRowGroupsAreSkipped) {
  auto w = ParquetWriter::Create(Schema(), WriterOptions{});
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->EndRowGroup().ok());
  auto file = w->Finish();
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(w->rows_written(), 0);
}

}  // namespace
}  // namespace mqtt2s3::parquet
