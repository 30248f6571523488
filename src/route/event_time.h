// Event time: reads a message's own timestamp (a payload field's text) as milliseconds since
// the epoch, so batches and object names can show when things happened, not when we heard.
//
//   StatusOr<EventTimeParser> p = EventTimeParser::Create("%Y%m%d %H%M%S", "+01:00");
//   int64_t ms;
//   if (p->Parse("20181001 170000", &ms)) ...   // 2018-10-01T16:00:00Z
//
// Formats (docs/CONFIG.md "Event time" is the user-facing spec):
//   rfc3339   2018-10-01T17:00:00Z, ...T17:00:00.123+02:00 ('t' or ' ' for 'T'; without an
//             offset the time_zone applies)
//   unix_ms   milliseconds since the epoch ("1538413200000"; a fraction is ignored)
//   unix_s    seconds since the epoch ("1538413200", "1538413200.25")
//   anything else is a pattern, matched strptime-style but without locale:
//     %Y four-digit year; %m %d %H %M %S one or two digits (exactly two next to another
//     number with no text between, as in %H%M%S); %L three-digit milliseconds;
//     %f an optional fraction ('.' or ',' and 1..9 digits; milliseconds kept);
//     %z offset: Z, +HH, +HHMM or +HH:MM; %% a '%'; any other text must match exactly.
// Formats without %z take the time zone (a fixed offset: "UTC", "Z", "+01:00", "-0530").
// Times outside 1970-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z do not parse: those are
// the times an object name can carry (route/object_name.h).
//
// Thread-safety: immutable after Create(); Parse() is const, allocation-free and safe from many
// threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mqtt2s3::route {

// 9999-12-31T23:59:59.999Z, the last millisecond an event time or object name can carry.
inline constexpr int64_t kMaxEventTimeMs = 253402300799999;

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day 1..31).
int64_t DaysFromCivil(int64_t year, uint32_t month, uint32_t day);

// Parses "UTC", "Z", "+01:00", "-0530", "+02" into minutes east of UTC (-18:00..+18:00).
StatusOr<int> ParseUtcOffset(std::string_view text);

class EventTimeParser {
 public:
  // `time_zone` applies to formats without an offset; "" means UTC. Errors name the format
  // (or zone) and the 1-based column of the problem.
  static StatusOr<EventTimeParser> Create(std::string_view format, std::string_view time_zone);

  // False when `text` does not match the format, names an impossible date, or lies outside
  // [0, kMaxEventTimeMs].
  bool Parse(std::string_view text, int64_t* epoch_ms) const;

  const std::string& format() const { return format_; }

 private:
  enum class Kind : uint8_t { kPattern, kRfc3339, kUnixMs, kUnixS };
  struct Op {
    char spec;            // 0 = literal text
    std::string literal;  // when spec == 0
    bool two_digits = false;  // a number directly followed by another: no 1-digit form
  };

  bool ParsePattern(std::string_view text, int64_t* epoch_ms) const;

  std::string format_;
  Kind kind_ = Kind::kPattern;
  int default_offset_minutes_ = 0;
  std::vector<Op> ops_;
};

}  // namespace mqtt2s3::route
