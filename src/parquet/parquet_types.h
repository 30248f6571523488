// The subset of parquet.thrift (apache/parquet-format, src/main/thrift/parquet.thrift) that
// mqtt2s3 writes, as plain structs, and their compact-protocol serialisers. Field ids in the
// .cc are the spec's; names follow the spec so the two can be read side by side. Optional
// thrift fields are std::optional (or an empty list where the spec makes the list optional
// and we never write an empty one).
//
//   std::string footer;
//   Serialize(file_metadata, &footer);
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mqtt2s3::parquet {

enum class Type : int32_t { kBoolean = 0, kInt32 = 1, kInt64 = 2, kDouble = 5, kByteArray = 6 };

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kTimestampMillis = 9,
  kInt64 = 18,
  kJson = 19,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1 };

enum class Encoding : int32_t { kPlain = 0, kPlainDictionary = 2, kRle = 3, kRleDictionary = 8 };

enum class Codec : int32_t { kUncompressed = 0, kZstd = 6 };

enum class PageType : int32_t { kDataPage = 0, kDictionaryPage = 2 };

enum class BoundaryOrder : int32_t { kUnordered = 0, kAscending = 1, kDescending = 2 };

// union LogicalType: the arms mqtt2s3 uses.
struct LogicalType {
  enum class Kind { kString = 1, kTimestamp = 8, kInteger = 10, kJson = 12 };
  Kind kind = Kind::kString;
  // kTimestamp: always unit MILLIS.
  bool timestamp_adjusted_to_utc = true;
  // kInteger.
  int8_t bit_width = 64;
  bool is_signed = true;
};

struct Statistics {
  std::optional<std::string> max;  // legacy (1); only written where its signed order holds
  std::optional<std::string> min;  // legacy (2)
  std::optional<int64_t> null_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
};

struct SchemaElement {
  std::optional<Type> type;
  std::optional<Repetition> repetition_type;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<LogicalType> logical_type;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
};

struct KeyValue {
  std::string key;
  std::string value;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;
};

struct ColumnMetaData {
  Type type = Type::kByteArray;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  Codec codec = Codec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::vector<PageEncodingStats> encoding_stats;  // written when non-empty
  std::optional<int64_t> bloom_filter_offset;
  std::optional<int32_t> bloom_filter_length;
};

struct ColumnChunk {
  int64_t file_offset = 0;  // deprecated; 0 as the spec asks when no metadata sits outside
  ColumnMetaData meta_data;
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

struct FileMetaData {
  int32_t version = 2;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;  // written when non-empty
  std::optional<std::string> created_by;
  // One TYPE_ORDER entry per leaf column when true. Without column_orders, Arrow C++ reads the
  // legacy min/max and ignores min_value/max_value.
  bool type_defined_column_orders = true;
};

struct PageLocation {
  int64_t offset = 0;
  int32_t compressed_page_size = 0;  // header included
  int64_t first_row_index = 0;
};

struct OffsetIndex {
  std::vector<PageLocation> page_locations;
};

struct ColumnIndex {
  std::vector<bool> null_pages;
  std::vector<std::string> min_values;
  std::vector<std::string> max_values;
  BoundaryOrder boundary_order = BoundaryOrder::kUnordered;
  std::vector<int64_t> null_counts;  // written when non-empty
};

// Each appends the compact-protocol bytes of one top-level struct to `out`.
void Serialize(const PageHeader& header, std::string* out);
void Serialize(const FileMetaData& metadata, std::string* out);
void Serialize(const ColumnIndex& index, std::string* out);
void Serialize(const OffsetIndex& index, std::string* out);
void Serialize(const Statistics& statistics, std::string* out);
void Serialize(const SchemaElement& element, std::string* out);

}  // namespace mqtt2s3::parquet
