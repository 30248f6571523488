// ParquetWriter: builds one Parquet file in memory from row groups the caller cuts, for an S3
// object body. Flat schema (one level, every column a leaf); data page v1; page index
// (ColumnIndex + OffsetIndex) for every chunk; statistics in min_value/max_value. Layout and
// reader compatibility: docs/PARQUET_ENCODER.md.
//
//   std::vector<ColumnSpec> cols = {
//       {.name = "device", .type = ColumnType::kString},
//       {.name = "event_time", .type = ColumnType::kTimestampMillis, .nullable = false},
//       ColumnSpec::Payload("payload")};
//   M2S_ASSIGN_OR_RETURN(ParquetWriter w, ParquetWriter::Create(cols, WriterOptions{}));
//   for (each cluster key) {                    // one row group per device, rows by time
//     for (const Msg& m : rows) {
//       w.column(0).AppendBytes(m.device);      // views: valid until EndRowGroup returns
//       w.column(1).AppendInt64(m.event_time_ms);
//       w.column(2).AppendBytes(m.payload);
//     }
//     M2S_RETURN_IF_ERROR(w.EndRowGroup());
//   }
//   std::span<const ValueLocation> at = w.value_locations(2);  // row i -> exact payload bytes
//   M2S_ASSIGN_OR_RETURN(std::string body, w.Finish());
//
// value_locations(col)[i] is the absolute byte range, in the finished file, of the value of
// row i (counting rows over all row groups), so a ranged GET returns the original payload.
//
// Lifecycle: Create, any number of row groups, Finish once. Thread-safety: none; one writer
// per file.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/column_writer.h"
#include "parquet/compression.h"
#include "parquet/parquet_types.h"
#include "parquet/writer_options.h"

namespace mqtt2s3::parquet {

class ParquetWriter {
 public:
  static StatusOr<ParquetWriter> Create(std::vector<ColumnSpec> columns, WriterOptions options);

  ParquetWriter(ParquetWriter&&) = default;
  ParquetWriter& operator=(ParquetWriter&&) = default;

  size_t column_count() const { return columns_.size(); }
  const ColumnSpec& spec(size_t i) const { return columns_[i]; }
  // Where the current row group's values are appended; every column gets one entry (value
  // or null) per row.
  ColumnBuffer& column(size_t i) { return buffers_[i]; }

  // Encodes the buffered rows as one row group and clears the buffers. A row group with no
  // rows is not written. InvalidArgument when columns disagree on the row count or a column
  // was misused (wrong-typed append, null in a non-nullable column); the buffered rows are
  // then dropped, the file stays valid.
  Status EndRowGroup();

  // Finishes the file: page index, footer, magic. Rows still buffered are written as a last
  // row group first. The writer is spent afterwards.
  StatusOr<std::string> Finish();

  // One entry per row written so far, for columns with record_value_locations (else empty).
  std::span<const ValueLocation> value_locations(size_t column) const {
    return locations_[column];
  }

  int64_t rows_written() const { return metadata_.num_rows; }
  // Bytes of the file so far (header and closed row groups); the footer adds to this.
  size_t bytes_written() const { return file_.size(); }

 private:
  ParquetWriter(std::vector<ColumnSpec> columns, std::unique_ptr<WriterOptions> options,
                std::unique_ptr<ZstdCompressor> compressor);
  void BuildSchema();

  std::vector<ColumnSpec> columns_;
  // Heap-held so the encoder's pointers survive moves of the writer.
  std::unique_ptr<WriterOptions> options_;
  std::unique_ptr<ZstdCompressor> compressor_;
  std::unique_ptr<ChunkEncoder> encoder_;
  std::vector<ColumnBuffer> buffers_;
  std::vector<std::vector<ValueLocation>> locations_;
  std::string file_;
  FileMetaData metadata_;
  // Serialised page index structures, placed before the footer by Finish; one entry per
  // (row group, column) in order, {offset in blob, length} or length 0 for none.
  std::string column_index_blob_;
  std::string offset_index_blob_;
  std::vector<std::pair<size_t, size_t>> column_index_spans_;
  std::vector<std::pair<size_t, size_t>> offset_index_spans_;
  ChunkResult chunk_;  // reused
  std::vector<std::string> blooms_;  // per column, the current row group's filter
  bool finished_ = false;
};

}  // namespace mqtt2s3::parquet
