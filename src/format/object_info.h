// ObjectInfo: the mandatory fields of an object's user metadata (docs/FORMAT.md, "Metadata"),
// parsed and checked. What a reader learns from HEAD before it touches the index.
// Values; thread-safe to copy.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "format/object_writer.h"

namespace mqtt2s3::format {

struct ObjectInfo {
  uint32_t format_version = 0;
  uint64_t message_count = 0;
  int64_t first_event_ms = 0;  // smallest event time in the object
  int64_t last_event_ms = 0;   // largest event time in the object
  uint64_t body_length = 0;
  std::string body_sha256;   // lowercase hex
  std::string separator;     // raw bytes; empty ("none") for a Parquet body
  BodyFormat body_format = BodyFormat::kJsonLines;  // mqtt2s3-body-format
  uint64_t index_size = 0;   // compressed index bytes
  std::string index_sha256;  // lowercase hex of the compressed index bytes
  bool index_inline = false;
  std::string index_prefix;  // companion index key = prefix + data key + suffix
  std::string index_suffix;

  std::string IndexObjectKey(std::string_view data_key) const {
    return index_prefix + std::string(data_key) + index_suffix;
  }
};

// Names may carry the "x-amz-meta-" prefix and any letter case (HTTP headers as received);
// unknown names are ignored. FailedPrecondition for a format version other than 1, and
// InvalidArgument naming the field for a missing or malformed mandatory field.
StatusOr<ObjectInfo> ParseObjectInfo(const Metadata& metadata);

// The same names normalized: prefix dropped, lower case.
Metadata NormalizeMetadata(const Metadata& metadata);

}  // namespace mqtt2s3::format
