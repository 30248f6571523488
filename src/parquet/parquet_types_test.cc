#include "parquet/parquet_types.h"

#include <gtest/gtest.h>

namespace mqtt2s3::parquet {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(ParquetTypesTest, TimestampColumnCarriesLogicalAndConvertedType) {
  SchemaElement e;
  e.type = Type::kInt64;
  e.repetition_type = Repetition::kOptional;
  e.name = "ts";
  e.converted_type = ConvertedType::kTimestampMillis;
  e.logical_type = LogicalType{.kind = LogicalType::Kind::kTimestamp};
  std::string out;
  Serialize(e, &out);
  // type=INT64(2), repetition=OPTIONAL(1), name, converted_type=TIMESTAMP_MILLIS(9),
  // logicalType{TIMESTAMP(8){isAdjustedToUTC=true, unit{MILLIS(1){}}}}.
  EXPECT_EQ(out, Bytes({0x15, 0x04, 0x25, 0x02, 0x18, 0x02, 't', 's', 0x25, 0x12, 0x4c, 0x8c,
                        0x11, 0x1c, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00}));
}

TEST(ParquetTypesTest, StringJsonAndIntegerLogicalTypesUseTheirUnionArms) {
  SchemaElement e;
  e.name = "s";
  e.logical_type = LogicalType{.kind = LogicalType::Kind::kString};
  std::string out;
  Serialize(e, &out);
  EXPECT_EQ(out, Bytes({0x48, 0x01, 's', 0x6c, 0x1c, 0x00, 0x00, 0x00}));  // STRING = 1

  e.logical_type = LogicalType{.kind = LogicalType::Kind::kJson};
  out.clear();
  Serialize(e, &out);
  EXPECT_EQ(out, Bytes({0x48, 0x01, 's', 0x6c, 0xcc, 0x00, 0x00, 0x00}));  // JSON = 12

  e.logical_type = LogicalType{.kind = LogicalType::Kind::kInteger, .bit_width = 64};
  out.clear();
  Serialize(e, &out);
  // INTEGER = 10 {bitWidth: i8 64, isSigned: true}
  EXPECT_EQ(out, Bytes({0x48, 0x01, 's', 0x6c, 0xac, 0x13, 0x40, 0x11, 0x00, 0x00, 0x00}));
}

TEST(ParquetTypesTest, DataPageHeaderWithStatistics) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = 100;
  h.compressed_page_size = 50;
  DataPageHeader& d = h.data_page_header.emplace();
  d.num_values = 10;
  Statistics s;
  s.null_count = 1;
  s.max_value = "b";
  s.min_value = "a";
  d.statistics = s;
  std::string out;
  Serialize(h, &out);
  EXPECT_EQ(out, Bytes({0x15, 0x00, 0x15, 0xc8, 0x01, 0x15, 0x64, 0x2c, 0x15, 0x14, 0x15, 0x00,
                        0x15, 0x06, 0x15, 0x06, 0x1c, 0x36, 0x02, 0x28, 0x01, 'b', 0x18, 0x01,
                        'a', 0x00, 0x00, 0x00}));
}

TEST(ParquetTypesTest, DictionaryPageHeaderIsFieldSeven) {
  PageHeader h;
  h.type = PageType::kDictionaryPage;
  h.uncompressed_page_size = 1;
  h.compressed_page_size = 1;
  h.dictionary_page_header = DictionaryPageHeader{3, Encoding::kPlain};
  std::string out;
  Serialize(h, &out);
  EXPECT_EQ(out, Bytes({0x15, 0x04, 0x15, 0x02, 0x15, 0x02, 0x4c, 0x15, 0x06, 0x15, 0x00, 0x00,
                        0x00}));
}

TEST(ParquetTypesTest, ColumnIndexListsNullPagesBoundsAndCounts) {
  ColumnIndex ci;
  ci.null_pages = {false, true};
  ci.min_values = {"a", ""};
  ci.max_values = {"b", ""};
  ci.boundary_order = BoundaryOrder::kAscending;
  ci.null_counts = {0, 3};
  std::string out;
  Serialize(ci, &out);
  EXPECT_EQ(out, Bytes({0x19, 0x21, 0x02, 0x01, 0x19, 0x28, 0x01, 'a', 0x00, 0x19, 0x28, 0x01,
                        'b', 0x00, 0x15, 0x02, 0x19, 0x26, 0x00, 0x06, 0x00}));
}

TEST(ParquetTypesTest, OffsetIndexListsPageLocations) {
  OffsetIndex oi;
  oi.page_locations = {{4, 20, 0}, {24, 30, 5}};
  std::string out;
  Serialize(oi, &out);
  EXPECT_EQ(out, Bytes({0x19, 0x2c, 0x16, 0x08, 0x15, 0x28, 0x16, 0x00, 0x00, 0x16, 0x30, 0x15,
                        0x3c, 0x16, 0x0a, 0x00, 0x00}));
}

TEST(ParquetTypesTest, FileMetaDataWritesOneTypeOrderPerLeaf) {
  FileMetaData m;
  SchemaElement root, leaf;
  root.name = "schema";
  root.num_children = 1;
  leaf.type = Type::kBoolean;
  leaf.repetition_type = Repetition::kRequired;
  leaf.name = "b";
  m.schema = {root, leaf};
  m.num_rows = 0;
  m.created_by = "x";
  std::string out;
  Serialize(m, &out);
  // version 2; schema list of 2 structs; num_rows 0; row_groups []; created_by; column_orders
  // [ {TYPE_ORDER {}} ].
  EXPECT_EQ(out, Bytes({0x15, 0x04, 0x19, 0x2c, 0x48, 0x06, 's', 'c', 'h', 'e', 'm', 'a', 0x15,
                        0x02, 0x00, 0x15, 0x00, 0x25, 0x00, 0x18, 0x01, 'b', 0x00, 0x16, 0x00,
                        0x19, 0x0c, 0x28, 0x01, 'x', 0x19, 0x1c, 0x1c, 0x00, 0x00, 0x00}));
}

}  // namespace
}  // namespace mqtt2s3::parquet
