// FormatOptions: how ObjectWriter lays out an object (docs/FORMAT.md). Holds no runtime state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "format/body_format.h"

namespace mqtt2s3::format {

// A route-defined column of a Parquet body (routes[].columns): the value comes from
// MessageRecord::columns, one cell per column in this order.
struct TypedColumn {
  std::string name;
  ColumnType type = ColumnType::kString;
};

// Names of the fixed columns of a Parquet body, in file order (docs/FORMAT.md).
inline constexpr std::string_view kParquetFixedColumns[] = {
    "event_time", "receive_time", "topic", "index_key", "dedupe_id", "payload"};

struct FormatOptions {
  // kJsonLines: the body is the payloads joined by `separator`. kParquet: a Parquet file
  // (format/parquet_body.h); `separator` does not apply and the metadata says "none".
  BodyFormat body_format = BodyFormat::kJsonLines;

  // Parquet only. The payload column is JSON-typed (readers may parse it) when true, else
  // plain BINARY. True only when every payload is known to be valid JSON as stored
  // (payload json, no compression).
  bool payload_is_json = false;
  // Parquet only: typed columns after the fixed ones; names must not repeat or collide with
  // kParquetFixedColumns.
  std::vector<TypedColumn> columns;
  // Parquet only: a cluster group larger than either limit is split over several row groups.
  size_t parquet_row_group_rows = 100000;
  size_t parquet_row_group_bytes = size_t{64} << 20;  // payload bytes
  // Parquet only: zstd level of the compressed columns (all but the payload), 1..19.
  int parquet_zstd_level = 3;

  // Written after every payload, the last one included. "\n" makes a body of single-line
  // JSON payloads valid JSON Lines. May be empty. At most 16 bytes.
  std::string separator = "\n";

  // Groups messages by cluster key (ascending byte order of the key), arrival order kept
  // inside each group, so one device's messages form one contiguous byte range. Off: the body
  // keeps arrival order and the index records no groups.
  bool clustering = true;
  // The cluster key is the first `cluster_key_components` components of the index key, split
  // at `key_delimiter`; 0 (default) means the whole index key, so each distinct key (device)
  // is one group. A key with fewer components is its own cluster key.
  size_t cluster_key_components = 0;
  char key_delimiter = '/';

  // All user metadata this format writes, counted as header bytes ("x-amz-meta-" + name +
  // value per field; see MetadataBytes), which bounds AWS's 2 KB limit. Callers adding their
  // own metadata lower this by what they add.
  size_t metadata_budget_bytes = 2048;
  // Largest value of one inline-index part header (mqtt2s3-index-N).
  size_t metadata_value_max_bytes = 1024;

  // Companion index object key = prefix + data key + suffix. Not both empty.
  std::string index_object_prefix;
  std::string index_object_suffix = ".idx";

  // zlib level for the index, 1..9. Level 1 is 3x faster than 6 and, on columnar index
  // data, as small (measured in docs/FORMAT.md).
  int zlib_level = 1;

  Status Validate() const;

  std::string IndexObjectKey(std::string_view data_key) const {
    std::string key;
    key.reserve(index_object_prefix.size() + data_key.size() + index_object_suffix.size());
    key.append(index_object_prefix).append(data_key).append(index_object_suffix);
    return key;
  }
};

}  // namespace mqtt2s3::format
