#include "route/event_time.h"

namespace mqtt2s3::route {
namespace {

constexpr std::string_view kRfc3339Pattern = "%Y-%m-%dT%H:%M:%S%f%z";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads between min and max digits (greedy) at text[*pos].
bool ReadDigits(std::string_view text, size_t* pos, size_t min, size_t max, int64_t* value) {
  size_t n = 0;
  int64_t v = 0;
  while (n < max && *pos + n < text.size() && IsDigit(text[*pos + n])) {
    v = v * 10 + (text[*pos + n] - '0');
    ++n;
  }
  if (n < min) return false;
  *pos += n;
  *value = v;
  return true;
}

// Offset at text[*pos]: "Z"/"z", or a sign, two hour digits and optionally two minute digits
// with or without ':'.
bool ReadOffset(std::string_view text, size_t* pos, int* minutes) {
  if (*pos >= text.size()) return false;
  const char c = text[*pos];
  if (c == 'Z' || c == 'z') {
    ++*pos;
    *minutes = 0;
    return true;
  }
  if (c != '+' && c != '-') return false;
  size_t p = *pos + 1;
  int64_t h = 0, m = 0;
  if (!ReadDigits(text, &p, 2, 2, &h)) return false;
  if (p < text.size() && text[p] == ':') {
    ++p;
    if (!ReadDigits(text, &p, 2, 2, &m)) return false;
  } else if (p < text.size() && IsDigit(text[p])) {
    if (!ReadDigits(text, &p, 2, 2, &m)) return false;
  }
  if (h > 18 || m > 59 || h * 60 + m > 18 * 60) return false;
  *minutes = static_cast<int>((c == '-' ? -1 : 1) * (h * 60 + m));
  *pos = p;
  return true;
}

uint32_t DaysInMonth(int64_t y, uint32_t m) {
  static constexpr uint32_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

bool InRange(int64_t ms) { return ms >= 0 && ms <= kMaxEventTimeMs; }

// "1538413200" or "1538413200.250": integer part (at most max_int_digits) and an optional
// fraction of up to 9 digits, returned as milliseconds of the unit (fraction * 1000).
bool ReadUnix(std::string_view text, size_t max_int_digits, int64_t* integer, int64_t* frac_ms) {
  size_t pos = 0;
  if (!ReadDigits(text, &pos, 1, max_int_digits, integer)) return false;
  *frac_ms = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t unused;
    if (!ReadDigits(text, &pos, 1, 9, &unused)) return false;
    for (size_t k = 0; k < 3; ++k) {
      *frac_ms = *frac_ms * 10 + (start + k < pos ? text[start + k] - '0' : 0);
    }
  }
  return pos == text.size();
}

}  // namespace

int64_t DaysFromCivil(int64_t y, uint32_t m, uint32_t d) {
  // H. Hinnant, "chrono-compatible low-level date algorithms", days_from_civil.
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<uint32_t>(y - era * 400);
  const uint32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

StatusOr<int> ParseUtcOffset(std::string_view text) {
  if (text.empty() || text == "UTC" || text == "utc" || text == "Z") return 0;
  size_t pos = 0;
  int minutes = 0;
  if (!ReadOffset(text, &pos, &minutes) || pos != text.size()) {
    return Status::InvalidArgument("time zone '" + std::string(text) +
                                   "': expected UTC or an offset such as +01:00, -0530, +02 "
                                   "(at most 18 hours)");
  }
  return minutes;
}

StatusOr<EventTimeParser> EventTimeParser::Create(std::string_view format,
                                                  std::string_view time_zone) {
  EventTimeParser p;
  p.format_ = std::string(format);
  M2S_ASSIGN_OR_RETURN(p.default_offset_minutes_, ParseUtcOffset(time_zone));
  std::string_view pattern = format;
  if (format == "unix_ms") {
    p.kind_ = Kind::kUnixMs;
    return p;
  }
  if (format == "unix_s") {
    p.kind_ = Kind::kUnixS;
    return p;
  }
  if (format == "rfc3339") {
    p.kind_ = Kind::kRfc3339;
    pattern = kRfc3339Pattern;
  }
  auto fail = [&](size_t col, std::string_view why) {
    std::string m = "time format '";
    m.append(format).append("' column ").append(std::to_string(col + 1)).append(": ").append(why);
    return Status::InvalidArgument(std::move(m));
  };
  if (pattern.empty()) return fail(0, "empty format (use rfc3339, unix_ms, unix_s or a pattern)");
  bool seen_year = false;
  std::string literal;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '%') {
      literal.push_back(c);
      continue;
    }
    if (i + 1 >= pattern.size()) return fail(i, "'%' at end of format");
    const char s = pattern[++i];
    switch (s) {
      case '%':
        literal.push_back('%');
        break;
      case 'Y': case 'm': case 'd': case 'H': case 'M': case 'S': case 'L': case 'f': case 'z':
        if (!literal.empty()) p.ops_.push_back({0, std::move(literal), false});
        literal.clear();
        // Two greedy numbers in a row could never be told apart ("%m%d" is fine only because
        // each takes at most two digits and the data is zero-padded); that is the user's
        // contract, as with strptime.
        p.ops_.push_back({s, {}, false});
        seen_year = seen_year || s == 'Y';
        break;
      default:
        return fail(i - 1, std::string("unsupported specifier '%") + s +
                               "' (use %Y %m %d %H %M %S %L %f %z %%, or rfc3339, unix_ms, "
                               "unix_s)");
    }
  }
  if (!literal.empty()) p.ops_.push_back({0, std::move(literal), false});
  // "%H%M%S" against "17000" must fail rather than read 17, 00, 0.
  auto numeric = [&](size_t k) {
    const char s = p.ops_[k].spec;
    return s != 0 && s != 'z' && s != 'f';
  };
  for (size_t k = 0; k < p.ops_.size(); ++k) {
    p.ops_[k].two_digits = (k + 1 < p.ops_.size() && numeric(k + 1)) || (k > 0 && numeric(k - 1));
  }
  if (!seen_year) return fail(0, "a pattern needs at least %Y");
  return p;
}

bool EventTimeParser::Parse(std::string_view text, int64_t* epoch_ms) const {
  int64_t integer = 0, frac = 0;
  switch (kind_) {
    case Kind::kUnixMs:
      if (!ReadUnix(text, 15, &integer, &frac) || !InRange(integer)) return false;
      *epoch_ms = integer;
      return true;
    case Kind::kUnixS:
      if (!ReadUnix(text, 12, &integer, &frac)) return false;
      integer = integer * 1000 + frac;
      if (!InRange(integer)) return false;
      *epoch_ms = integer;
      return true;
    default:
      return ParsePattern(text, epoch_ms);
  }
}

bool EventTimeParser::ParsePattern(std::string_view text, int64_t* epoch_ms) const {
  const bool rfc = kind_ == Kind::kRfc3339;
  int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  int offset = default_offset_minutes_;
  size_t pos = 0;
  for (const Op& op : ops_) {
    switch (op.spec) {
      case 0:
        for (char lc : op.literal) {
          if (pos >= text.size()) return false;
          const char tc = text[pos];
          // RFC 3339 section 5.6 allows 't' and (NOTE) a space for the date/time separator.
          const bool ok = tc == lc || (rfc && lc == 'T' && (tc == 't' || tc == ' '));
          if (!ok) return false;
          ++pos;
        }
        break;
      case 'Y': if (!ReadDigits(text, &pos, 4, 4, &year)) return false; break;
      case 'm': if (!ReadDigits(text, &pos, op.two_digits ? 2 : 1, 2, &month)) return false; break;
      case 'd': if (!ReadDigits(text, &pos, op.two_digits ? 2 : 1, 2, &day)) return false; break;
      case 'H': if (!ReadDigits(text, &pos, op.two_digits ? 2 : 1, 2, &hour)) return false; break;
      case 'M': if (!ReadDigits(text, &pos, op.two_digits ? 2 : 1, 2, &minute)) return false; break;
      case 'S': if (!ReadDigits(text, &pos, op.two_digits ? 2 : 1, 2, &second)) return false; break;
      case 'L': if (!ReadDigits(text, &pos, 3, 3, &millis)) return false; break;
      case 'f':
        if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
          const size_t start = ++pos;
          int64_t unused;
          if (!ReadDigits(text, &pos, 1, 9, &unused)) return false;
          millis = 0;
          for (size_t k = 0; k < 3; ++k) {
            millis = millis * 10 + (start + k < pos ? text[start + k] - '0' : 0);
          }
        }
        break;
      case 'z':
        // rfc3339 without an offset is common in practice; the route's time_zone applies.
        if (rfc && pos == text.size()) break;
        if (!ReadOffset(text, &pos, &offset)) return false;
        break;
      default:
        return false;
    }
  }
  if (pos != text.size()) return false;
  if (month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, static_cast<uint32_t>(month)) || hour > 23 || minute > 59 ||
      second > 60) {
    return false;
  }
  const int64_t days =
      DaysFromCivil(year, static_cast<uint32_t>(month), static_cast<uint32_t>(day));
  const int64_t ms =
      (((days * 24 + hour) * 60 + minute - offset) * 60 + second) * 1000 + millis;
  if (!InRange(ms)) return false;
  *epoch_ms = ms;
  return true;
}

}  // namespace mqtt2s3::route
