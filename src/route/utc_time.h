// Fast UTC calendar formatting for key templates ({receive_time:%Y/%m/%d/%H}).
//
//   StatusOr<UtcTimeFormat> f = UtcTimeFormat::Parse("%Y/%m/%d/%H");
//   f->Append(now, &key);   // "2026/11/22/02"
//
// Supported specifiers: %Y (4+ digit year), %m, %d, %H, %M, %S (two digits), %j (three-digit
// day of year), %L (three-digit milliseconds), %s (seconds since the epoch), %% (a '%').
// Everything else is literal text; literal text must not contain control characters, '\',
// '{', '}' or a "." / ".." path component, so a format can never break a key.
// We format ourselves (no strftime/gmtime_r): no locale, no TZ lookups, no allocation.
//
// Thread-safety: immutable after Parse(); Append() is safe from many threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mqtt2s3::route {

// A UTC calendar time broken into fields.
struct CivilTimeUtc {
  int64_t year = 1970;
  uint32_t month = 1;   // 1..12
  uint32_t day = 1;     // 1..31
  uint32_t hour = 0;    // 0..23
  uint32_t minute = 0;  // 0..59
  uint32_t second = 0;  // 0..59
  uint32_t yday = 1;    // 1..366
  uint32_t millis = 0;  // 0..999
  int64_t epoch_seconds = 0;
};

CivilTimeUtc ToCivilUtc(std::chrono::system_clock::time_point t);
// The same from milliseconds since the epoch: system_clock (nanoseconds on Linux) ends in 2262,
// event times and object names reach 9999.
CivilTimeUtc CivilFromEpochMs(int64_t epoch_ms);

class UtcTimeFormat {
 public:
  // Errors name the format and the 1-based column of the bad specifier.
  static StatusOr<UtcTimeFormat> Parse(std::string_view format);

  void Append(std::chrono::system_clock::time_point t, std::string* out) const;
  void Append(const CivilTimeUtc& c, std::string* out) const;

  const std::string& text() const { return text_; }

 private:
  struct Op {
    char spec;             // 0 = literal
    std::string literal;   // when spec == 0
  };
  std::string text_;
  std::vector<Op> ops_;
};

// Appends `v` in decimal, zero-padded to at least `width` digits. No allocation beyond the
// string's growth; used for every number in keys and names.
void AppendPaddedDecimal(uint64_t v, size_t width, std::string* out);

}  // namespace mqtt2s3::route
