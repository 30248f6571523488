// The canonical object name of a batch, and its parser: a reader recovers the event-time range,
// the writing instance and the partition sequence number from a key alone, without a HEAD.
//
//   ObjectNameParts p{.first_ms = 1538413200000, .last_ms = 1538414859000,
//                     .instance = "gw-1", .partition_seq = 42, .extension = "jsonl"};
//   FormatObjectName(p)   // "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.jsonl"
//   ParseObjectName("company-x-plant-1/2018/10/01/17/" + name)  // -> p again
//
// Form: <first>_<last>_<instance>_<partition_seq>[.<extension>]
//   first, last     event time of the batch's first and last message, UTC, millisecond
//                   precision, "YYYYMMDDTHHMMSS.mmmZ" (fixed width, so names sort by time)
//   instance        percent-encoded: every byte outside [A-Za-z0-9.-] (so '_' too) is %XX
//                   with upper-case hex, which keeps '_' a field separator
//   partition_seq   decimal, zero-padded to at least 10 digits
//   extension       [a-z0-9] words joined by single '.', at most 16 bytes; may be empty
// Only the canonical spelling parses: Format(Parse(name)) == name for every accepted name.
// (Model: LevelDB db/filename.h, LogFileName() / ParseFileName().)
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::route {

struct ObjectNameParts {
  int64_t first_ms = 0;         // 0..kMaxEventTimeMs (route/event_time.h)
  int64_t last_ms = 0;          // first_ms..kMaxEventTimeMs
  std::string instance;         // 1..64 bytes, any bytes (encoded in the name)
  uint64_t partition_seq = 0;
  std::string extension;        // "jsonl", "jsonl.zst", or ""

  // Why these parts cannot form a name (range, order, sizes), or OK.
  Status Validate() const;

  friend bool operator==(const ObjectNameParts&, const ObjectNameParts&) = default;
};

// Width partition_seq is zero-padded to.
inline constexpr int kObjectNameSeqWidth = 10;

// The name for `parts`, which must be valid (Validate()); out-of-range times are clamped so
// the result always parses.
std::string FormatObjectName(const ObjectNameParts& parts);

// Appends the name to *out without allocating beyond its growth (hot path of
// Router::RenderObjectKey). Same precondition as FormatObjectName.
void AppendObjectName(int64_t first_ms, int64_t last_ms, std::string_view instance,
                      uint64_t partition_seq, std::string_view extension, std::string* out);

// Longest name AppendObjectName can produce for this instance and extension.
size_t MaxObjectNameBytes(std::string_view instance, std::string_view extension);

// Parses a bare name or a key whose last path component is one. InvalidArgument naming the
// key and the broken field for anything that is not a canonical name.
StatusOr<ObjectNameParts> ParseObjectName(std::string_view key_or_basename);

// Appends first/last-style "YYYYMMDDTHHMMSS.mmmZ" for `ms` (clamped to 0..kMaxEventTimeMs).
void AppendCompactUtc(int64_t ms, std::string* out);

}  // namespace mqtt2s3::route
