#include "converter/object_metadata.h"

namespace mqtt2s3::converter {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string EncodeMetadataValue(std::string_view value, size_t max_bytes) {
  std::string out;
  out.reserve(value.size() < max_bytes ? value.size() : max_bytes);
  for (unsigned char c : value) {
    const bool plain = c >= 0x20 && c <= 0x7E && c != '%';
    const size_t need = plain ? 1 : 3;
    if (out.size() + need > max_bytes) break;
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  // Leading/trailing blanks are trimmed by HTTP header parsing: keep them as escapes.
  if (!out.empty() && out.back() == ' ') out.replace(out.size() - 1, 1, "%20");
  if (!out.empty() && out.front() == ' ') out.replace(0, 1, "%20");
  return out;
}

std::string DecodeMetadataValue(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size()) {
      int hi = HexValue(encoded[i + 1]);
      int lo = HexValue(encoded[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(encoded[i]);
  }
  return out;
}

}  // namespace mqtt2s3::converter
