// BatchEncoder: the object writer of one route, with what the route's body format needs
// besides the messages: for a Parquet route, the typed columns (route/column_extractor.h). The converter and the backup consumer keep one per route, so both
// write the same objects.
//
//   M2S_ASSIGN_OR_RETURN(BatchEncoder enc, BatchEncoder::Create(base_format, compiled_route));
//   records[i] = {payload, topic, index_key, dedupe_id, event_time_ms, receive_time_ms};
//   M2S_ASSIGN_OR_RETURN(format::EncodedObject obj, enc.Encode(records));
//
// Lifecycle: one per route, created at start-up. Thread-safety: none (the encoding thread).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "converter/converter.h"
#include "format/object_writer.h"
#include "route/column_extractor.h"
#include "route/compiled_route.h"

namespace mqtt2s3::converter {

// The object format of a route: `base` (separator, budgets, index location) with the route's
// clustering and body format.
format::FormatOptions RouteFormat(const format::FormatOptions& base,
                                  const route::RouteOptions& route);

class BatchEncoder {
 public:
  static StatusOr<BatchEncoder> Create(const format::FormatOptions& base,
                                       const route::CompiledRoute& route);

  // Fills the typed cells of `records` (Parquet routes with columns) and encodes.
  StatusOr<format::EncodedObject> Encode(std::span<format::MessageRecord> records);

  const format::FormatOptions& options() const { return writer_.options(); }
  // Appends one entry per typed column (nothing for a JSON Lines route).
  void AppendNullStats(std::vector<ColumnNullStats>* out) const;
  // Copies the current counts into the entries AppendNullStats made (same order).
  void CopyNullCounts(std::span<ColumnNullStats> entries) const;
  bool has_columns() const { return extractor_.has_value(); }

 private:
  BatchEncoder(format::ObjectWriter writer, std::optional<route::ColumnExtractor> extractor,
               std::string route_name)
      : writer_(std::move(writer)),
        extractor_(std::move(extractor)),
        route_name_(std::move(route_name)) {}

  format::ObjectWriter writer_;
  std::optional<route::ColumnExtractor> extractor_;  // Parquet routes with columns
  std::string route_name_;
};

}  // namespace mqtt2s3::converter
