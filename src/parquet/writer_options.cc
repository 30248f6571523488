#include "parquet/writer_options.h"

#include <set>
#include <string_view>

namespace mqtt2s3::parquet {

Status WriterOptions::Validate() const {
  if (data_page_bytes == 0 || data_page_bytes > (size_t{1} << 30)) {
    return Status::InvalidArgument("parquet: data_page_bytes must be in 1..1 GiB");
  }
  if (data_page_rows == 0) return Status::InvalidArgument("parquet: data_page_rows must be > 0");
  if (dictionary_page_bytes > (size_t{1} << 30)) {
    return Status::InvalidArgument("parquet: dictionary_page_bytes must be at most 1 GiB");
  }
  if (!(dictionary_max_ratio >= 0.0 && dictionary_max_ratio <= 1.0)) {
    return Status::InvalidArgument("parquet: dictionary_max_ratio must be in 0..1");
  }
  if (statistics_max_bytes < 8) {
    return Status::InvalidArgument("parquet: statistics_max_bytes must be at least 8");
  }
  if (!(bloom_filter_fpp > 0.0 && bloom_filter_fpp <= 0.5)) {
    return Status::InvalidArgument("parquet: bloom_filter_fpp must be in (0, 0.5]");
  }
  if (zstd_level < 1 || zstd_level > 19) {
    return Status::InvalidArgument("parquet: zstd_level must be in 1..19");
  }
  return Status::Ok();
}

Status ValidateSchema(const std::vector<ColumnSpec>& columns) {
  if (columns.empty()) return Status::InvalidArgument("parquet: schema has no columns");
  if (columns.size() > 32767) return Status::InvalidArgument("parquet: too many columns");
  std::set<std::string_view> names;
  for (const ColumnSpec& c : columns) {
    if (c.name.empty()) return Status::InvalidArgument("parquet: a column has an empty name");
    if (!names.insert(c.name).second) {
      return Status::InvalidArgument("parquet: column '" + c.name + "' appears twice");
    }
    if (c.bloom_filter && c.type == ColumnType::kBool) {
      return Status::InvalidArgument("parquet: column '" + c.name +
                                     "': no bloom filter for a boolean column");
    }
    if (c.record_value_locations) {
      const bool bytes = c.type == ColumnType::kBinary || c.type == ColumnType::kString ||
                         c.type == ColumnType::kJson;
      if (!bytes || c.dictionary || c.compression != Compression::kUncompressed) {
        return Status::InvalidArgument(
            "parquet: column '" + c.name +
            "' records value locations, so it must be a byte-array column with "
            "dictionary = false and compression = kUncompressed");
      }
    }
  }
  return Status::Ok();
}

}  // namespace mqtt2s3::parquet
