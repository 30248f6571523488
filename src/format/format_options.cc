#include "format/format_options.h"

#include <set>

namespace mqtt2s3::format {

Status FormatOptions::Validate() const {
  if (separator.size() > 16) {
    return Status::InvalidArgument("format.separator: at most 16 bytes, got " +
                                   std::to_string(separator.size()));
  }
  // The mandatory fields of an object that points to a companion index take at most about
  // 990 header bytes (20-digit numbers, 16-byte separator, 128 bytes of prefix + suffix
  // percent-encoded to 384), so every budget accepted here can always be met.
  if (metadata_budget_bytes < 1024) {
    return Status::InvalidArgument("format.metadata_budget_bytes: at least 1024, got " +
                                   std::to_string(metadata_budget_bytes));
  }
  if (metadata_value_max_bytes < 64) {
    return Status::InvalidArgument("format.metadata_value_max_bytes: at least 64, got " +
                                   std::to_string(metadata_value_max_bytes));
  }
  if (index_object_prefix.empty() && index_object_suffix.empty()) {
    return Status::InvalidArgument(
        "format.index_object_prefix and format.index_object_suffix are both empty: the index "
        "object would overwrite the data object");
  }
  if (index_object_prefix.size() + index_object_suffix.size() > 128) {
    return Status::InvalidArgument("format.index_object_prefix + suffix: at most 128 bytes");
  }
  if (zlib_level < 1 || zlib_level > 9) {
    return Status::InvalidArgument("format.zlib_level: 1..9, got " + std::to_string(zlib_level));
  }
  if (body_format == BodyFormat::kParquet) {
    if (parquet_row_group_rows == 0 || parquet_row_group_bytes == 0) {
      return Status::InvalidArgument("format: parquet row group limits must be non-zero");
    }
    if (parquet_zstd_level < 1 || parquet_zstd_level > 19) {
      return Status::InvalidArgument("format: parquet zstd level 1..19, got " +
                                     std::to_string(parquet_zstd_level));
    }
    std::set<std::string_view> names(std::begin(kParquetFixedColumns),
                                     std::end(kParquetFixedColumns));
    for (const TypedColumn& c : columns) {
      if (c.name.empty()) return Status::InvalidArgument("format: a column has an empty name");
      if (!names.insert(c.name).second) {
        return Status::InvalidArgument("format: column name '" + c.name +
                                       "' is used twice or by a fixed column");
      }
    }
  } else if (!columns.empty()) {
    return Status::InvalidArgument("format: typed columns need the parquet body format");
  }
  return Status::Ok();
}

std::string_view BodyFormatName(BodyFormat f) {
  return f == BodyFormat::kParquet ? "parquet" : "jsonl";
}

bool ParseBodyFormat(std::string_view text, BodyFormat* out) {
  if (text == "jsonl") {
    *out = BodyFormat::kJsonLines;
  } else if (text == "parquet") {
    *out = BodyFormat::kParquet;
  } else {
    return false;
  }
  return true;
}

std::string_view ColumnTypeName(ColumnType t) {
  switch (t) {
    case ColumnType::kInt64: return "int64";
    case ColumnType::kDouble: return "double";
    case ColumnType::kString: return "string";
    case ColumnType::kBool: return "bool";
    case ColumnType::kTimestamp: return "timestamp";
  }
  return "string";
}

bool ParseColumnType(std::string_view text, ColumnType* out) {
  for (ColumnType t : {ColumnType::kInt64, ColumnType::kDouble, ColumnType::kString,
                       ColumnType::kBool, ColumnType::kTimestamp}) {
    if (ColumnTypeName(t) == text) {
      *out = t;
      return true;
    }
  }
  return false;
}

}  // namespace mqtt2s3::format
