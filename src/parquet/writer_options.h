// Schema and options of a Parquet file written by ParquetWriter (docs/PARQUET_ENCODER.md).
// Hold no runtime state.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace mqtt2s3::parquet {

// What a column holds; each maps to one physical type and annotation that every reader we
// test (Arrow, DuckDB, polars, fastparquet) understands.
enum class ColumnType {
  kInt64,            // INT64, no annotation
  kDouble,           // DOUBLE
  kBool,             // BOOLEAN
  kTimestampMillis,  // INT64, TIMESTAMP(isAdjustedToUTC=true, MILLIS) + TIMESTAMP_MILLIS
  kString,           // BYTE_ARRAY, STRING + UTF8 (the writer does not check UTF-8)
  kJson,             // BYTE_ARRAY, JSON + JSON (fastparquet parses these values as JSON)
  kBinary,           // BYTE_ARRAY, no annotation: arbitrary bytes
};

enum class Compression { kUncompressed, kZstd };

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kBinary;
  // OPTIONAL (nulls allowed, one definition level) or REQUIRED.
  bool nullable = true;
  Compression compression = Compression::kZstd;
  // Try RLE_DICTIONARY with a PLAIN dictionary page; the chunk is written PLAIN when the
  // dictionary passes WriterOptions::dictionary_page_bytes or, except for kString, does not
  // pay (dictionary_max_ratio). Ignored for kBool.
  bool dictionary = true;
  // min/max/null_count in page headers and chunk metadata, and the ColumnIndex.
  bool statistics = true;
  // Record where each value's bytes sit in the file (ParquetWriter::value_locations). Only
  // for byte-array columns that are PLAIN (dictionary = false) and kUncompressed, the layout
  // in which each value is one contiguous byte range.
  bool record_value_locations = false;
  // A split-block bloom filter per chunk (not for kBool), sized for the chunk's distinct
  // values at WriterOptions::bloom_filter_fpp. Lets readers skip row groups on equality.
  bool bloom_filter = false;

  // A column whose values stay addressable byte for byte: PLAIN, uncompressed, no statistics
  // (min/max of opaque payloads help no query), locations recorded.
  static ColumnSpec Payload(std::string name, ColumnType type = ColumnType::kBinary) {
    ColumnSpec s;
    s.name = std::move(name);
    s.type = type;
    s.compression = Compression::kUncompressed;
    s.dictionary = false;
    s.statistics = false;
    s.record_value_locations = true;
    return s;
  }
};

struct WriterOptions {
  // A data page is closed once its values pass this many (uncompressed, encoded) bytes or
  // rows. A single larger value gets a page of its own.
  size_t data_page_bytes = size_t{1} << 20;
  size_t data_page_rows = 20000;
  // Dictionary encoding is abandoned for a chunk when the dictionary page would pass this
  // many bytes, or (not for kString columns, see column_writer.cc) when the estimated
  // dictionary-encoded size is above dictionary_max_ratio x the PLAIN size.
  size_t dictionary_page_bytes = size_t{1} << 20;
  double dictionary_max_ratio = 0.75;
  // Byte-array min/max longer than this are truncated (min: prefix; max: incremented prefix).
  size_t statistics_max_bytes = 64;
  // False-positive rate the bloom filters are sized for, in (0, 0.5].
  double bloom_filter_fpp = 0.01;
  // zstd level for kZstd columns, 1..19 (3 = zstd's default).
  int zstd_level = 3;
  // FileMetaData.created_by. Deliberately not "<app> version <v> (build <b>)": readers parse
  // that form to apply parquet-mr bug workarounds, which must never match us.
  std::string created_by = "mqtt2s3 0.1.0";
  // FileMetaData.key_value_metadata.
  std::vector<std::pair<std::string, std::string>> key_value_metadata;

  Status Validate() const;
};

// Checks names (non-empty, unique), count, and the value-location constraints.
Status ValidateSchema(const std::vector<ColumnSpec>& columns);

}  // namespace mqtt2s3::parquet
