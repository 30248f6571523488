#include "format/group_directory.h"

#include <charconv>
#include <cstring>

#include "format/index_format.h"

namespace mqtt2s3::format {
namespace {

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lowercase is not canonical
}

// Canonical form only: a byte that may stand as itself must not be escaped.
bool DecodeKey(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b == '%') {
      if (i + 2 >= s.size()) return false;
      const int hi = HexDigit(s[i + 1]);
      const int lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      const auto d = static_cast<unsigned char>(hi * 16 + lo);
      if (d >= 0x21 && d <= 0x7E && d != '%' && d != ',' && d != ':') return false;
      out->push_back(static_cast<char>(d));
      i += 2;
    } else if (b >= 0x21 && b <= 0x7E && b != ',' && b != ':') {
      out->push_back(static_cast<char>(b));
    } else {
      return false;
    }
  }
  return true;
}

std::string_view Field(const Metadata& normalized, std::string_view name) {
  auto it = normalized.find(std::string(name));
  return it == normalized.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace

ByteRange DirectoryGroup::FetchRange(const ObjectInfo& info) const {
  if (info.body_format == BodyFormat::kParquet) return {range.offset - 4, range.length + 4};
  return range;
}

std::vector<DirectoryGroup> ParseGroupDirectory(const Metadata& metadata,
                                                const ObjectInfo& info) {
  const Metadata m = NormalizeMetadata(metadata);
  uint64_t parts = 0;
  if (!ParseDecimal(Field(m, kMetaGroupsParts), &parts) || parts == 0 || parts > 1000) return {};
  const bool parquet = info.body_format == BodyFormat::kParquet;
  if (!parquet && info.separator.empty()) return {};
  std::vector<DirectoryGroup> out;
  uint64_t total = 0;
  for (uint64_t p = 0; p < parts; ++p) {
    std::string_view text = Field(m, std::string(kMetaGroupsPartPrefix) + std::to_string(p));
    if (text.empty()) return {};
    while (true) {
      const size_t comma = text.find(',');
      std::string_view record = text.substr(0, comma);
      std::string_view fields[6];
      for (int f = 0; f < 6; ++f) {
        const size_t colon = f < 5 ? record.find(':') : std::string_view::npos;
        if (f < 5 && colon == std::string_view::npos) return {};
        fields[f] = record.substr(0, colon);
        record = f < 5 ? record.substr(colon + 1) : std::string_view();
      }
      DirectoryGroup g;
      uint64_t v[5];
      if (!DecodeKey(fields[0], &g.key) || g.key.empty()) return {};
      for (int f = 0; f < 5; ++f) {
        if (!ParseDecimal(fields[f + 1], &v[f])) return {};
      }
      g.range = {v[0], v[1]};
      if (v[2] == 0 || v[2] > UINT32_MAX) return {};
      g.count = static_cast<uint32_t>(v[2]);
      // Unsigned arithmetic: event times may span all of int64 (first <= last is checked by
      // ParseObjectInfo, so the span and the sums are exact).
      const auto base = static_cast<uint64_t>(info.first_event_ms);
      const uint64_t span = static_cast<uint64_t>(info.last_event_ms) - base;
      if (v[3] > v[4] || v[4] > span) return {};
      g.first_ms = static_cast<int64_t>(base + v[3]);
      g.last_ms = static_cast<int64_t>(base + v[4]);
      if (g.range.offset > info.body_length || g.range.length > info.body_length - g.range.offset)
        return {};
      if (parquet && g.range.offset < 4) return {};
      if (!out.empty() && !(out.back().key < g.key)) return {};
      if (!out.empty() && g.range.offset < out.back().range.end()) return {};
      total += g.count;
      out.push_back(std::move(g));
      if (comma == std::string_view::npos) break;
      text.remove_prefix(comma + 1);
    }
  }
  if (total != info.message_count) return {};
  return out;
}

StatusOr<std::vector<std::string_view>> SplitGroup(const ObjectInfo& info,
                                                   const DirectoryGroup& group,
                                                   std::string_view bytes) {
  std::vector<std::string_view> out;
  out.reserve(group.count);
  auto fail = [&](const std::string& why) {
    return Status::Corruption("group '" + group.key + "': " + why);
  };
  if (bytes.size() != group.FetchRange(info).length) {
    return fail("got " + std::to_string(bytes.size()) + " bytes, asked for " +
                std::to_string(group.FetchRange(info).length));
  }
  if (info.body_format == BodyFormat::kParquet) {
    while (!bytes.empty()) {
      uint32_t len = 0;
      if (bytes.size() < 4) return fail("truncated length prefix");
      std::memcpy(&len, bytes.data(), 4);
      bytes.remove_prefix(4);
      if (len > bytes.size()) return fail("payload runs past the range");
      out.push_back(bytes.substr(0, len));
      bytes.remove_prefix(len);
      if (out.size() > group.count) break;
    }
  } else {
    const std::string& sep = info.separator;
    while (true) {
      const size_t at = bytes.find(sep);
      out.push_back(bytes.substr(0, at));
      if (at == std::string_view::npos || out.size() > group.count) break;
      bytes.remove_prefix(at + sep.size());
    }
  }
  if (out.size() != group.count) {
    return fail("framing gives " + std::to_string(out.size()) + " payloads, directory says " +
                std::to_string(group.count));
  }
  return out;
}

}  // namespace mqtt2s3::format
