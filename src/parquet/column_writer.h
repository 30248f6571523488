// ColumnBuffer holds one column's values for the row group being built; ChunkEncoder turns a
// full buffer into one column chunk appended to the file: an optional dictionary page, data
// pages (v1) cut by size or row count, per-page and per-chunk statistics, and the chunk's
// ColumnIndex and OffsetIndex. Layout: docs/PARQUET_ENCODER.md.
//
//   ColumnBuffer& c = ...;  c.AppendInt64(7); c.AppendNull(); ...
//   ChunkResult r;
//   M2S_RETURN_IF_ERROR(encoder.Encode(spec, c, &file_bytes, &r, &locations));
//
// Byte-array values are kept as views into caller memory until the chunk is encoded: no copy
// and no allocation per value. Lifecycle: a ColumnBuffer lives as long as its writer and is
// Clear()ed after each row group (capacity is kept). Thread-safety: none.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/bloom_filter.h"
#include "parquet/compression.h"
#include "parquet/dictionary.h"
#include "parquet/parquet_types.h"
#include "parquet/statistics.h"
#include "parquet/writer_options.h"

namespace mqtt2s3::parquet {

// Where one row's value sits in the file. For a present value, bytes
// [offset, offset + length) of the file are exactly the value (possibly empty).
struct ValueLocation {
  uint64_t offset = 0;
  uint32_t length = 0;
  bool present = false;  // false: the row is null
};

PhysicalKind KindOf(ColumnType type);

class ColumnBuffer {
 public:
  explicit ColumnBuffer(ColumnType type, bool nullable)
      : kind_(KindOf(type)), nullable_(nullable) {}

  // A wrong-typed append, or a null in a REQUIRED column, is remembered and reported by the
  // writer's EndRowGroup; the row still counts, so row counts stay aligned.
  void AppendNull() {
    if (!nullable_) misuse_ = "null in a non-nullable column";
    defs_.push_back(0);
  }
  void AppendInt64(int64_t v) {  // kInt64 and kTimestampMillis (Unix ms)
    Check(PhysicalKind::kInt64);
    defs_.push_back(1);
    fixed_.push_back(static_cast<uint64_t>(v));
  }
  void AppendDouble(double v) {
    Check(PhysicalKind::kDouble);
    defs_.push_back(1);
    fixed_.push_back(std::bit_cast<uint64_t>(v));
  }
  void AppendBool(bool v) {
    Check(PhysicalKind::kBool);
    defs_.push_back(1);
    bools_.push_back(v ? 1 : 0);
  }
  // The bytes must stay valid and unchanged until the row group is ended.
  void AppendBytes(std::string_view v) {
    Check(PhysicalKind::kBytes);
    defs_.push_back(1);
    bytes_.push_back(v);
  }

  size_t rows() const { return defs_.size(); }
  size_t values() const { return fixed_.size() + bools_.size() + bytes_.size(); }
  const char* misuse() const { return misuse_; }
  void Clear();

 private:
  friend class ChunkEncoder;
  void Check(PhysicalKind k) {
    if (k != kind_) misuse_ = "value of the wrong type";
  }

  PhysicalKind kind_;
  bool nullable_;
  const char* misuse_ = nullptr;
  std::vector<uint8_t> defs_;            // per row: 1 value present, 0 null
  std::vector<uint64_t> fixed_;          // INT64 values / DOUBLE bit patterns
  std::vector<uint8_t> bools_;
  std::vector<std::string_view> bytes_;
};

struct ChunkResult {
  ColumnChunk chunk;
  OffsetIndex offset_index;
  std::optional<ColumnIndex> column_index;  // nullopt when bounds could not be given
  // Serialised BloomFilterHeader + bitset; empty without a filter. The file writer places it
  // after the row group's chunks and points ColumnMetaData at it.
  std::string bloom_filter;
};

class ChunkEncoder {
 public:
  // compressor may be null when no column is kZstd.
  ChunkEncoder(const WriterOptions* options, ZstdCompressor* compressor)
      : options_(options), compressor_(compressor) {}

  // Appends the chunk to *file and describes it in *result. With spec.record_value_locations,
  // appends one ValueLocation per row to *locations.
  Status Encode(const ColumnSpec& spec, const ColumnBuffer& column, std::string* file,
                ChunkResult* result, std::vector<ValueLocation>* locations);

 private:
  struct PageExtent {
    size_t row_begin, row_end, value_begin, value_end;
    size_t plain_bytes;  // exact PLAIN size of the values
  };

  // Fills dict_ and indices_; false when the chunk should be PLAIN. utf8_strings: the
  // column is kString, whose chunks stay dictionary-encoded whenever the dictionary fits.
  bool BuildDictionary(const ColumnBuffer& column, bool utf8_strings);
  Status WriteDictionaryPage(const ColumnSpec& spec, const ColumnBuffer& column,
                             std::string* file, ColumnMetaData* meta);
  Status WriteDataPage(const ColumnSpec& spec, const ColumnBuffer& column, const PageExtent& page,
                       std::string* file, ChunkResult* result,
                       std::vector<ValueLocation>* locations);
  // Appends the header and body (compressing page_ when the codec asks) and updates sizes.
  Status EmitPage(const ColumnSpec& spec, PageHeader* header, std::string* file,
                  ColumnMetaData* meta, size_t* page_offset, size_t* page_size);
  void BuildBloomFilter(const ColumnBuffer& column, std::string* out);
  void AddPageStats(const ColumnSpec& spec, const ColumnBuffer& column, const PageExtent& page,
                    DataPageHeader* header, ChunkResult* result);

  const WriterOptions* options_;
  ZstdCompressor* compressor_;
  DictionaryBuilder dict_;
  SplitBlockBloomFilter bloom_;
  std::vector<uint32_t> indices_;  // per value, when dictionary encoding
  int index_bit_width_ = 0;
  bool use_dict_ = false;
  bool column_index_ok_ = true;
  ValueStats chunk_stats_;
  int64_t chunk_nulls_ = 0;
  std::string page_;        // uncompressed page body
  std::string levels_;      // definition levels of one page
  std::string compressed_;
  std::string header_;
};

}  // namespace mqtt2s3::parquet
