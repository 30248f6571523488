#include "format/format_options.h"

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
  return Status::Ok();
}

}  // namespace mqtt2s3::format
