#include "config/units.h"

#include <charconv>
#include <limits>

namespace mqtt2s3::config {
namespace {

struct Unit {
  std::string_view suffix;
  uint64_t factor;
};

// Longest suffixes first so "ms" is not read as "m" + garbage.
constexpr Unit kDurationUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000},
                                   {"d", 86'400'000}};
constexpr Unit kSizeUnits[] = {
    {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40},
    {"KB", 1000ull},     {"MB", 1000'000ull}, {"GB", 1000'000'000ull},
    {"TB", 1000'000'000'000ull}, {"B", 1}};

// Splits "123unit" into digits and unit; false when there are no digits.
bool SplitNumber(std::string_view text, uint64_t* number, std::string_view* unit) {
  size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
  if (n == 0 || n > 18) return false;
  auto r = std::from_chars(text.data(), text.data() + n, *number);
  if (r.ec != std::errc()) return false;
  *unit = text.substr(n);
  return true;
}

bool MulFits(uint64_t a, uint64_t b, uint64_t* out) {
  if (b != 0 && a > std::numeric_limits<uint64_t>::max() / b) return false;
  *out = a * b;
  return true;
}

}  // namespace

bool ParseInt64(std::string_view text, int64_t* value) {
  if (text.empty()) return false;
  auto r = std::from_chars(text.data(), text.data() + text.size(), *value);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

bool ParseBool(std::string_view text, bool* value) {
  std::string t(text);
  for (char& c : t) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (t == "true" || t == "yes" || t == "on") return *value = true, true;
  if (t == "false" || t == "no" || t == "off") return *value = false, true;
  return false;
}

bool IsEnvVarName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("expected a duration like 500ms, 30s, 5m, 1h or 2d, got \"" +
                                   std::string(text) + "\"");
  };
  if (text == "0") return std::chrono::milliseconds(0);
  uint64_t n;
  std::string_view unit;
  if (!SplitNumber(text, &n, &unit)) return bad();
  for (const Unit& u : kDurationUnits) {
    if (unit != u.suffix) continue;
    uint64_t ms;
    if (!MulFits(n, u.factor, &ms) || ms > (1ull << 62)) return bad();
    return std::chrono::milliseconds(static_cast<int64_t>(ms));
  }
  return bad();
}

std::string FormatDuration(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  if (ms == 0) return "0";
  for (int i = 4; i >= 0; --i) {
    const auto f = static_cast<int64_t>(kDurationUnits[i].factor);
    if (ms % f == 0) return std::to_string(ms / f) + std::string(kDurationUnits[i].suffix);
  }
  return std::to_string(ms) + "ms";
}

StatusOr<uint64_t> ParseSize(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        "expected a size like 4096, 512B, 64KiB, 8MiB, 1GiB or 1GB, got \"" + std::string(text) +
        "\"");
  };
  uint64_t n;
  std::string_view unit;
  if (!SplitNumber(text, &n, &unit)) return bad();
  if (unit.empty()) return n;
  for (const Unit& u : kSizeUnits) {
    if (unit != u.suffix) continue;
    uint64_t bytes;
    if (!MulFits(n, u.factor, &bytes)) return bad();
    return bytes;
  }
  return bad();
}

std::string FormatSize(uint64_t bytes) {
  if (bytes == 0) return "0";
  for (int i = 3; i >= 0; --i) {  // binary units, largest first
    if (bytes % kSizeUnits[i].factor == 0) {
      return std::to_string(bytes / kSizeUnits[i].factor) + std::string(kSizeUnits[i].suffix);
    }
  }
  return std::to_string(bytes);
}

}  // namespace mqtt2s3::config
