// Command-line times for the reader: calendar UTC in a few spellings, or Unix milliseconds.
#include <charconv>
#include <cstdio>
#include <string>

#include "mqtt2s3/reader.h"
#include "route/event_time.h"
#include "route/utc_time.h"

namespace mqtt2s3 {
namespace {

// Reads exactly `width` digits at *pos.
bool Digits(std::string_view s, size_t* pos, size_t width, uint32_t* out) {
  if (*pos + width > s.size()) return false;
  uint32_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  *pos += width;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos < s.size() && s[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

}  // namespace

StatusOr<int64_t> ParseTimeArg(std::string_view text) {
  const auto bad = [&] {
    return Status::InvalidArgument("time '" + std::string(text) +
                                   "': expected 2018-10-01 17:00, 2018-10-01T17:00:00Z or Unix "
                                   "milliseconds");
  };
  if (text.empty()) return bad();
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t ms = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || p != text.data() + text.size()) return bad();
    return ms;
  }
  size_t pos = 0;
  uint32_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (!Digits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &day)) {
    return bad();
  }
  if (pos < text.size()) {
    if (!Expect(text, &pos, 'T') && !Expect(text, &pos, ' ')) return bad();
    if (!Digits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
        !Digits(text, &pos, 2, &minute)) {
      return bad();
    }
    if (Expect(text, &pos, ':')) {
      if (!Digits(text, &pos, 2, &second)) return bad();
      if (Expect(text, &pos, '.') && !Digits(text, &pos, 3, &millis)) return bad();
    }
    Expect(text, &pos, 'Z');
  }
  if (pos != text.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 59) {
    return bad();
  }
  const int64_t days = route::DaysFromCivil(year, month, day);
  return ((days * 24 + hour) * 60 + minute) * 60000 + int64_t{second} * 1000 + millis;
}

std::string FormatTimeMs(int64_t ms) {
  const route::CivilTimeUtc c = route::CivilFromEpochMs(ms);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
                static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second,
                c.millis);
  return buf;
}

}  // namespace mqtt2s3
