// Body formats of an object (docs/FORMAT.md) and the typed values of a Parquet body's
// route-defined columns. Plain values, no dependencies, so the route module (which extracts
// the values from payloads) and the object writer share them.
#pragma once

#include <cstdint>
#include <string_view>

namespace mqtt2s3::format {

enum class BodyFormat : uint8_t {
  kJsonLines,  // payloads byte for byte, each followed by the separator (metadata field absent)
  kParquet,    // an Apache Parquet file; the index addresses each payload inside it
};

// "jsonl" / "parquet": the config spelling and the value of mqtt2s3-body-format.
std::string_view BodyFormatName(BodyFormat f);
bool ParseBodyFormat(std::string_view text, BodyFormat* out);

// Type of a route-defined (typed) Parquet column.
enum class ColumnType : uint8_t {
  kInt64,      // INT64
  kDouble,     // DOUBLE
  kString,     // BYTE_ARRAY STRING
  kBool,       // BOOLEAN
  kTimestamp,  // INT64 TIMESTAMP(MILLIS, UTC)
};

std::string_view ColumnTypeName(ColumnType t);  // "int64", "double", "string", "bool", "timestamp"
bool ParseColumnType(std::string_view text, ColumnType* out);

// One cell of a typed column. kString views bytes owned by whoever filled the cell; they must
// stay valid until the object is encoded.
struct ColumnValue {
  enum class Kind : uint8_t { kNull, kInt64, kDouble, kBool, kString };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;  // kInt64 (and timestamps, Unix ms)
  double d = 0;
  std::string_view s;
};

}  // namespace mqtt2s3::format
