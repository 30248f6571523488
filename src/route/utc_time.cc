#include "route/utc_time.h"


namespace mqtt2s3::route {
namespace {

// Days since 1970-01-01 -> proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level
// date algorithms"); valid for the whole int64 range we care about and branch-light.
void CivilFromDays(int64_t z, int64_t* y, uint32_t* m, uint32_t* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<uint32_t>(z - era * 146097);
  const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint32_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }


bool BadLiteralChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F || c == '\\' || c == '{' || c == '}';
}

}  // namespace

CivilTimeUtc ToCivilUtc(std::chrono::system_clock::time_point t) {
  using std::chrono::duration_cast;
  return CivilFromEpochMs(duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

CivilTimeUtc CivilFromEpochMs(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  CivilTimeUtc c;
  c.millis = static_cast<uint32_t>(ms - secs * 1000);
  c.epoch_seconds = secs;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  auto sod = static_cast<uint32_t>(secs - days * 86400);
  c.hour = sod / 3600;
  c.minute = sod / 60 % 60;
  c.second = sod % 60;
  CivilFromDays(days, &c.year, &c.month, &c.day);
  static constexpr uint32_t kCumDays[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  c.yday = kCumDays[c.month - 1] + c.day + (c.month > 2 && IsLeap(c.year) ? 1 : 0);
  return c;
}

StatusOr<UtcTimeFormat> UtcTimeFormat::Parse(std::string_view format) {
  UtcTimeFormat f;
  f.text_ = std::string(format);
  auto fail = [&](size_t col, std::string_view why) {
    std::string m = "time format '";
    m.append(format).append("' column ").append(std::to_string(col + 1)).append(": ");
    m.append(why);
    return Status::InvalidArgument(std::move(m));
  };
  std::string literal;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      if (BadLiteralChar(c)) return fail(i, "character not allowed in a key");
      literal.push_back(c);
      continue;
    }
    if (i + 1 >= format.size()) return fail(i, "'%' at end of format");
    char s = format[++i];
    switch (s) {
      case '%':
        literal.push_back('%');
        break;
      case 'Y': case 'm': case 'd': case 'H': case 'M': case 'S': case 'j': case 'L': case 's':
        if (!literal.empty()) f.ops_.push_back({0, std::move(literal)});
        literal.clear();
        f.ops_.push_back({s, {}});
        break;
      default:
        return fail(i - 1, std::string("unsupported specifier '%") + s +
                               "' (use %Y %m %d %H %M %S %j %L %s %%)");
    }
  }
  if (!literal.empty()) f.ops_.push_back({0, std::move(literal)});
  // A literal path component "." or ".." could walk out of the key prefix.
  std::string_view text = format;
  size_t start = 0;
  while (start <= text.size()) {
    size_t slash = text.find('/', start);
    std::string_view comp = text.substr(start, slash == text.npos ? text.npos : slash - start);
    if (comp == "." || comp == "..") return fail(start, "'.' or '..' path component");
    if (slash == text.npos) break;
    start = slash + 1;
  }
  return f;
}

void UtcTimeFormat::Append(std::chrono::system_clock::time_point t, std::string* out) const {
  Append(ToCivilUtc(t), out);
}

void UtcTimeFormat::Append(const CivilTimeUtc& c, std::string* out) const {
  for (const Op& op : ops_) {
    switch (op.spec) {
      case 0: out->append(op.literal); break;
      case 'Y':
        if (c.year < 0) {
          out->push_back('-');
          AppendPaddedDecimal(static_cast<uint64_t>(-c.year), 4, out);
        } else {
          AppendPaddedDecimal(static_cast<uint64_t>(c.year), 4, out);
        }
        break;
      case 'm': AppendPaddedDecimal(c.month, 2, out); break;
      case 'd': AppendPaddedDecimal(c.day, 2, out); break;
      case 'H': AppendPaddedDecimal(c.hour, 2, out); break;
      case 'M': AppendPaddedDecimal(c.minute, 2, out); break;
      case 'S': AppendPaddedDecimal(c.second, 2, out); break;
      case 'j': AppendPaddedDecimal(c.yday, 3, out); break;
      case 'L': AppendPaddedDecimal(c.millis, 3, out); break;
      case 's':
        if (c.epoch_seconds < 0) {
          out->push_back('-');
          AppendPaddedDecimal(static_cast<uint64_t>(-c.epoch_seconds), 1, out);
        } else {
          AppendPaddedDecimal(static_cast<uint64_t>(c.epoch_seconds), 1, out);
        }
        break;
      default: break;
    }
  }
}

void AppendPaddedDecimal(uint64_t v, size_t width, std::string* out) {
  char buf[24];
  char* end = buf + sizeof(buf);
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (static_cast<size_t>(end - p) < width && p > buf) *--p = '0';
  out->append(p, static_cast<size_t>(end - p));
}

}  // namespace mqtt2s3::route
