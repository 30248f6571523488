// The Parquet body of an object (docs/FORMAT.md, "Parquet body"; encoder:
// docs/PARQUET_ENCODER.md). ObjectWriter calls it for FormatOptions::body_format kParquet after
// it has put the messages in body order; it returns where each payload's exact bytes sit, so
// the object's index (OFFS/LENS, GRPS) addresses payloads inside the Parquet file as it does
// inside a JSON Lines body.
//
// Columns, in this order:
//   event_time    INT64 TIMESTAMP(MILLIS, UTC), required
//   receive_time  INT64 TIMESTAMP(MILLIS, UTC), nullable: null when the converter does not
//                 know a message's own receive time (MessageRecord::receive_time_ms)
//   topic         STRING, dictionary
//   index_key     STRING, dictionary, bloom filter (the cluster key, or its first components)
//   dedupe_id     STRING
//   payload       JSON (payload_is_json) or BINARY, required, PLAIN and uncompressed: each
//                 payload is one contiguous byte range of the file
//   <columns>     the route's typed columns, nullable
// Every column but the payload is zstd-compressed, with statistics and the page index.
//
// Pure; thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "format/format_options.h"
#include "format/object_writer.h"

namespace mqtt2s3::format {

// A run of body positions [begin, end) written as one row group.
struct RowGroupRange {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// Writes messages[order[0]], messages[order[1]], ... as rows, cut into `row_groups` (which
// cover [0, order.size()) in order). Fills *body, and (*offsets)[pos] / (*lengths)[pos] with
// the payload of body position pos. InvalidArgument when a record's typed cells do not match
// options.columns (count or type).
Status EncodeParquetBody(const FormatOptions& options, std::span<const MessageRecord> messages,
                         std::span<const uint32_t> order,
                         std::span<const RowGroupRange> row_groups, std::string* body,
                         std::vector<uint64_t>* offsets, std::vector<uint32_t>* lengths);

// Cuts the body positions [first, first + count) of one cluster group into row groups of at
// most options.parquet_row_group_rows rows and parquet_row_group_bytes payload bytes (a
// single larger payload gets a row group of its own); appends them to *out.
void CutRowGroups(const FormatOptions& options, std::span<const MessageRecord> messages,
                  std::span<const uint32_t> order, uint32_t first, uint32_t count,
                  std::vector<RowGroupRange>* out);

}  // namespace mqtt2s3::format
