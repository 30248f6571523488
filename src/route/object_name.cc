#include "route/object_name.h"

#include <algorithm>

#include "route/event_time.h"
#include "route/utc_time.h"

namespace mqtt2s3::route {
namespace {

constexpr size_t kTimeBytes = 20;  // "YYYYMMDDTHHMMSS.mmmZ"
constexpr size_t kMaxExtensionBytes = 16;
constexpr size_t kMaxInstanceBytes = 64;
constexpr char kHex[] = "0123456789ABCDEF";

bool IsPlainInstanceByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '-';
}

bool IsExtensionWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool ValidExtension(std::string_view e) {
  if (e.size() > kMaxExtensionBytes) return false;
  if (e.empty()) return true;
  if (e.front() == '.' || e.back() == '.' || e.find("..") != std::string_view::npos) return false;
  return std::all_of(e.begin(), e.end(), [](char c) { return c == '.' || IsExtensionWordChar(c); });
}


int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower-case hex is not canonical
}

bool ParseFixed(std::string_view s, size_t pos, size_t n, uint32_t* v) {
  uint32_t r = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    r = r * 10 + static_cast<uint32_t>(s[i] - '0');
  }
  *v = r;
  return true;
}

// "YYYYMMDDTHHMMSS.mmmZ" -> ms; false for a bad shape or an impossible date.
bool ParseCompactUtc(std::string_view s, int64_t* ms) {
  if (s.size() != kTimeBytes || s[8] != 'T' || s[15] != '.' || s[19] != 'Z') return false;
  uint32_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, milli = 0;
  if (!ParseFixed(s, 0, 4, &y) || !ParseFixed(s, 4, 2, &mo) || !ParseFixed(s, 6, 2, &d) ||
      !ParseFixed(s, 9, 2, &h) || !ParseFixed(s, 11, 2, &mi) || !ParseFixed(s, 13, 2, &sec) ||
      !ParseFixed(s, 16, 3, &milli)) {
    return false;
  }
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) {
    return false;
  }
  const int64_t days = DaysFromCivil(y, mo, d);
  *ms = ((days * 24 + h) * 60 + mi) * 60000 + int64_t{sec} * 1000 + milli;
  return true;  // day 31 of a 30-day month is caught by the round-trip check in the caller
}

}  // namespace

void AppendCompactUtc(int64_t ms, std::string* out) {
  ms = std::clamp<int64_t>(ms, 0, kMaxEventTimeMs);
  const CivilTimeUtc c = CivilFromEpochMs(ms);
  AppendPaddedDecimal(static_cast<uint64_t>(c.year), 4, out);
  AppendPaddedDecimal(c.month, 2, out);
  AppendPaddedDecimal(c.day, 2, out);
  out->push_back('T');
  AppendPaddedDecimal(c.hour, 2, out);
  AppendPaddedDecimal(c.minute, 2, out);
  AppendPaddedDecimal(c.second, 2, out);
  out->push_back('.');
  AppendPaddedDecimal(c.millis, 3, out);
  out->push_back('Z');
}

Status ObjectNameParts::Validate() const {
  auto fail = [](std::string why) { return Status::InvalidArgument("object name: " + why); };
  if (first_ms < 0 || first_ms > kMaxEventTimeMs || last_ms < 0 || last_ms > kMaxEventTimeMs) {
    return fail("times must lie in 1970-01-01T00:00:00.000Z..9999-12-31T23:59:59.999Z");
  }
  if (first_ms > last_ms) return fail("first time is after last time");
  if (instance.empty() || instance.size() > kMaxInstanceBytes) {
    return fail("instance must be 1..64 bytes");
  }
  if (!ValidExtension(extension)) {
    return fail("extension must be [a-z0-9] words joined by '.', at most 16 bytes");
  }
  return Status::Ok();
}

void AppendObjectName(int64_t first_ms, int64_t last_ms, std::string_view instance,
                      uint64_t partition_seq, std::string_view extension, std::string* out) {
  AppendCompactUtc(first_ms, out);
  out->push_back('_');
  AppendCompactUtc(last_ms, out);
  out->push_back('_');
  for (char c : instance) {
    if (IsPlainInstanceByte(c)) {
      out->push_back(c);
    } else {
      const auto b = static_cast<uint8_t>(c);
      const char enc[3] = {'%', kHex[b >> 4], kHex[b & 0xF]};
      out->append(enc, 3);
    }
  }
  out->push_back('_');
  AppendPaddedDecimal(partition_seq, kObjectNameSeqWidth, out);
  if (!extension.empty()) out->append(".").append(extension);
}

size_t MaxObjectNameBytes(std::string_view instance, std::string_view extension) {
  size_t encoded = 0;
  for (char c : instance) encoded += IsPlainInstanceByte(c) ? 1 : 3;
  return 2 * kTimeBytes + 3 + encoded + 20 + (extension.empty() ? 0 : 1 + extension.size());
}

std::string FormatObjectName(const ObjectNameParts& p) {
  std::string out;
  out.reserve(MaxObjectNameBytes(p.instance, p.extension));
  AppendObjectName(p.first_ms, p.last_ms, p.instance, p.partition_seq, p.extension, &out);
  return out;
}

StatusOr<ObjectNameParts> ParseObjectName(std::string_view key_or_basename) {
  const size_t slash = key_or_basename.rfind('/');
  const std::string_view name =
      slash == std::string_view::npos ? key_or_basename : key_or_basename.substr(slash + 1);
  auto fail = [&](std::string_view why) {
    std::string m = "not an mqtt2s3 object name: '";
    m.append(key_or_basename.substr(0, 200)).append("': ").append(why);
    return Status::InvalidArgument(std::move(m));
  };
  ObjectNameParts p;
  // Fixed-width times first, so the '_' separators after them sit at known offsets.
  if (name.size() < 2 * kTimeBytes + 2 + 1 + 1 + kObjectNameSeqWidth) return fail("too short");
  if (name[kTimeBytes] != '_' || name[2 * kTimeBytes + 1] != '_') {
    return fail("expected <first>_<last>_<instance>_<seq>");
  }
  if (!ParseCompactUtc(name.substr(0, kTimeBytes), &p.first_ms)) return fail("bad first time");
  if (!ParseCompactUtc(name.substr(kTimeBytes + 1, kTimeBytes), &p.last_ms)) {
    return fail("bad last time");
  }
  std::string_view rest = name.substr(2 * kTimeBytes + 2);  // <instance>_<seq>[.<ext>]
  const size_t sep = rest.rfind('_');
  if (sep == std::string_view::npos || sep == 0) return fail("missing instance");
  const std::string_view encoded = rest.substr(0, sep);
  for (size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == '%') {
      const int hi = i + 2 < encoded.size() ? HexValue(encoded[i + 1]) : -1;
      const int lo = hi >= 0 ? HexValue(encoded[i + 2]) : -1;
      if (lo < 0) return fail("bad percent-escape in instance");
      p.instance.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (IsPlainInstanceByte(c)) {
      p.instance.push_back(c);
    } else {
      return fail("unencoded character in instance");
    }
  }
  std::string_view tail = rest.substr(sep + 1);  // <seq>[.<ext>]
  const size_t dot = tail.find('.');
  const std::string_view digits = tail.substr(0, dot);
  if (digits.size() < static_cast<size_t>(kObjectNameSeqWidth) || digits.size() > 20) {
    return fail("partition sequence must have 10..20 digits");
  }
  uint64_t seq = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return fail("partition sequence is not a number");
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (seq > (UINT64_MAX - d) / 10) return fail("partition sequence overflows 64 bits");
    seq = seq * 10 + d;
  }
  p.partition_seq = seq;
  if (dot != std::string_view::npos) {
    p.extension = std::string(tail.substr(dot + 1));
    if (p.extension.empty()) return fail("empty extension after '.'");
  }
  if (Status s = p.Validate(); !s.ok()) return fail(s.message().substr(13));
  // Only the canonical spelling is a name: rejects 31 April, escapes of plain characters,
  // extra leading zeros, and the like, so two spellings never name the same batch.
  if (FormatObjectName(p) != name) return fail("not in canonical form");
  return p;
}

}  // namespace mqtt2s3::route
