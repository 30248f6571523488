// ColumnExtractor: the typed columns of a Parquet route (routes[].columns), read from each
// payload of a batch by JSON pointer with simdjson. Compressed payloads (the route's
// payload_compression or compressed level) are typed from their inflated form; the stored
// payload stays as sent. A value that is absent (no such field, or null), does not convert, or
// whose payload cannot be read becomes a null and is counted; no message is ever refused here.
//
//   M2S_ASSIGN_OR_RETURN(ColumnExtractor x, ColumnExtractor::Create(compiled_route));
//   x.BeginBatch(n);                                   // per batch; buffers keep capacity
//   for (size_t i = 0; i < n; ++i) x.AddRow(topic[i], payload[i]);
//   x.FinishBatch();                                    // string cells become valid views
//   record[i].columns = x.row(i);                       // until the next BeginBatch
//
// Conversions (docs/CONFIG.md, routes[].columns):
//   int64      JSON integer, or a number with an integral value in int64 range
//   double     any JSON number
//   string     a JSON string (unescaped); a number or boolean as its JSON text
//   bool       true / false
//   timestamp  a number: Unix ms (fraction dropped); a string: parsed with time_format in
//              the route's time_zone
// Anything else (object, array, a string in a number column, ...) is a null of reason kType.
//
// Steady state allocates nothing per message: the DOM parser, the padded copy, the inflater,
// the cells and the string arena keep their capacity across batches.
//
// Thread-safety: none; one extractor per thread (the converter has one per route).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "format/body_format.h"
#include "route/compiled_route.h"

namespace mqtt2s3::route {

enum class NullReason : uint8_t {
  kAbsent,   // no such field, or JSON null
  kType,     // present but not convertible to the column's type
  kPayload,  // the payload is not JSON, or a compressed payload does not inflate
};
inline constexpr size_t kNullReasonCount = 3;
std::string_view NullReasonName(NullReason r);  // "absent", "type", "payload"

// Nulls of one column since the extractor was created, by NullReason.
using NullCounts = std::array<uint64_t, kNullReasonCount>;

class ColumnExtractor {
 public:
  static StatusOr<ColumnExtractor> Create(const CompiledRoute& route);
  ~ColumnExtractor();
  ColumnExtractor(ColumnExtractor&&) noexcept;
  ColumnExtractor& operator=(ColumnExtractor&&) noexcept;

  size_t column_count() const;
  const std::vector<ColumnOptions>& columns() const;

  void BeginBatch(size_t rows);
  // Types one message (its topic decides compression when the route has a compressed level).
  void AddRow(std::string_view topic, std::string_view payload);
  void FinishBatch();
  // One cell per column for row i (rows in AddRow order); valid until the next BeginBatch.
  std::span<const format::ColumnValue> row(size_t i) const;

  // Per column, in column order.
  std::span<const NullCounts> null_counts() const;

 private:
  struct Impl;
  explicit ColumnExtractor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtt2s3::route
