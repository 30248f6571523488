#include "route/key_sanitizer.h"

#include <array>
#include <cstdint>

namespace mqtt2s3::route {
namespace {

// 1 = always percent-encode this ASCII byte inside a key component.
constexpr std::array<uint8_t, 128> MakeEncodeTable() {
  std::array<uint8_t, 128> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 1;
  t[0x7F] = 1;
  for (char c : std::string_view("/%\\{}^[]`\"<>~#|")) t[static_cast<uint8_t>(c)] = 1;
  return t;
}
constexpr std::array<uint8_t, 128> kEncode = MakeEncodeTable();
constexpr char kHex[] = "0123456789ABCDEF";

void AppendPercent(uint8_t b, std::string* out) {
  const char enc[3] = {'%', kHex[b >> 4], kHex[b & 0xF]};
  out->append(enc, 3);
}

// Length of the valid UTF-8 sequence starting at s[i] (2..4), or 0 if it is not valid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  size_t n;
  uint32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return n;
}

bool IsAlnumLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool LooksLikeIpv4(std::string_view s) {
  int dots = 0;
  int digits = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots, digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void AppendKeyComponent(std::string_view value, std::string* out) {
  if (value.empty()) {
    out->push_back('_');
    return;
  }
  if (value == ".") {
    out->append("%2E");
    return;
  }
  if (value == "..") {
    out->append("%2E%2E");
    return;
  }
  size_t i = 0;
  size_t clean_start = 0;  // start of the pending run of bytes copied unchanged
  while (i < value.size()) {
    const auto b = static_cast<uint8_t>(value[i]);
    if (b < 0x80) {
      if (!kEncode[b]) {
        ++i;
        continue;
      }
      out->append(value.data() + clean_start, i - clean_start);
      AppendPercent(b, out);
      clean_start = ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(value, i);
    if (n != 0) {
      i += n;
      continue;
    }
    out->append(value.data() + clean_start, i - clean_start);
    AppendPercent(b, out);
    clean_start = ++i;
  }
  out->append(value.data() + clean_start, value.size() - clean_start);
}

void AppendBucketValue(std::string_view value, std::string* out) {
  for (char c : value) out->push_back(AsciiLower(c));
}

void AppendBucketishValue(std::string_view value, std::string* out) {
  for (char c : value) {
    char l = AsciiLower(c);
    out->push_back(IsAlnumLower(l) || l == '.' || l == '-' ? l : '-');
  }
}

std::string_view BucketNameProblem(std::string_view name) {
  if (name.size() < 3) return "shorter than 3 characters";
  if (name.size() > 63) return "longer than 63 characters";
  for (char c : name) {
    if (!IsAlnumLower(c) && c != '.' && c != '-') {
      return "contains a character outside [a-z0-9.-]";
    }
  }
  if (!IsAlnumLower(name.front())) return "does not start with a letter or digit";
  if (!IsAlnumLower(name.back())) return "does not end with a letter or digit";
  if (name.find("..") != std::string_view::npos) return "contains '..'";
  if (name.find(".-") != std::string_view::npos || name.find("-.") != std::string_view::npos) {
    return "contains '.-' or '-.'";
  }
  if (LooksLikeIpv4(name)) return "is shaped like an IP address";
  if (name.substr(0, 4) == "xn--") return "starts with the reserved prefix 'xn--'";
  if (name.size() >= 8 && name.substr(name.size() - 8) == "-s3alias") {
    return "ends with the reserved suffix '-s3alias'";
  }
  return {};
}

}  // namespace mqtt2s3::route
