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

namespace {

// Appends the records of `text` ("record,record,...") to `out`, checking each and that keys
// and ranges ascend from out->back(). False on any violation of FORMAT.md 3.3.
bool ParseRecords(std::string_view text, const ObjectInfo& info,
                  std::vector<DirectoryGroup>* out) {
  const bool parquet = info.body_format == BodyFormat::kParquet;
  while (true) {
    const size_t comma = text.find(',');
    std::string_view record = text.substr(0, comma);
    std::string_view fields[6];
    for (int f = 0; f < 6; ++f) {
      const size_t colon = f < 5 ? record.find(':') : std::string_view::npos;
      if (f < 5 && colon == std::string_view::npos) return false;
      fields[f] = record.substr(0, colon);
      record = f < 5 ? record.substr(colon + 1) : std::string_view();
    }
    DirectoryGroup g;
    uint64_t v[5];
    if (!DecodeKey(fields[0], &g.key) || g.key.empty()) return false;
    for (int f = 0; f < 5; ++f) {
      if (!ParseDecimal(fields[f + 1], &v[f])) return false;
    }
    g.range = {v[0], v[1]};
    if (v[2] == 0 || v[2] > UINT32_MAX) return false;
    g.count = static_cast<uint32_t>(v[2]);
    // Unsigned arithmetic: event times may span all of int64 (first <= last is checked by
    // ParseObjectInfo, so the span and the sums are exact).
    const auto base = static_cast<uint64_t>(info.first_event_ms);
    const uint64_t span = static_cast<uint64_t>(info.last_event_ms) - base;
    if (v[3] > v[4] || v[4] > span) return false;
    g.first_ms = static_cast<int64_t>(base + v[3]);
    g.last_ms = static_cast<int64_t>(base + v[4]);
    if (g.range.offset > info.body_length || g.range.length > info.body_length - g.range.offset)
      return false;
    if (parquet && g.range.offset < 4) return false;
    if (!out->empty() && !(out->back().key < g.key)) return false;
    if (!out->empty() && g.range.offset < out->back().range.end()) return false;
    out->push_back(std::move(g));
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

bool Framed(const ObjectInfo& info) {
  return info.body_format == BodyFormat::kParquet || !info.separator.empty();
}

}  // namespace

std::vector<DirectoryGroup> ParseGroupDirectory(const Metadata& metadata,
                                                const ObjectInfo& info) {
  const Metadata m = NormalizeMetadata(metadata);
  uint64_t parts = 0;
  if (!ParseDecimal(Field(m, kMetaGroupsParts), &parts) || parts == 0 || parts > 1000) return {};
  if (!Framed(info)) return {};
  std::vector<DirectoryGroup> out;
  for (uint64_t p = 0; p < parts; ++p) {
    std::string_view text = Field(m, std::string(kMetaGroupsPartPrefix) + std::to_string(p));
    if (text.empty() || !ParseRecords(text, info, &out)) return {};
  }
  uint64_t total = 0;
  for (const DirectoryGroup& g : out) total += g.count;
  if (total != info.message_count) return {};
  return out;
}

uint64_t GroupBucketHash(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint32_t GroupBucketsInfo::BucketOf(std::string_view cluster_key) const {
  return static_cast<uint32_t>(GroupBucketHash(cluster_key) % buckets);
}

std::string_view GroupBucketsInfo::ClusterKeyOf(std::string_view index_key) const {
  if (components == 0) return index_key;
  size_t end = 0;
  for (uint32_t c = 0; c < components; ++c) {
    end = index_key.find(delimiter, c == 0 ? 0 : end + 1);
    if (end == std::string_view::npos) return index_key;
  }
  return index_key.substr(0, end);
}

ByteRange GroupBucketsInfo::SlotRange(uint32_t bucket) const {
  return {offset + uint64_t{bucket} * (uint64_t{slot} + 5), slot};
}

std::optional<GroupBucketsInfo> ParseGroupBuckets(const Metadata& metadata,
                                                  const ObjectInfo& info) {
  if (info.index_inline || !Framed(info) || info.message_count == 0) return std::nullopt;
  const Metadata m = NormalizeMetadata(metadata);
  std::string_view text = Field(m, kMetaGroupBuckets);
  // offset:buckets:slot:delimiter:components
  std::string_view fields[5];
  for (int f = 0; f < 5; ++f) {
    const size_t colon = f < 4 ? text.find(':') : std::string_view::npos;
    if (f < 4 && colon == std::string_view::npos) return std::nullopt;
    fields[f] = text.substr(0, colon);
    text = f < 4 ? text.substr(colon + 1) : std::string_view();
  }
  uint64_t v[4];
  for (int f = 0; f < 4; ++f) {
    if (!ParseDecimal(fields[f < 3 ? f : 4], &v[f])) return std::nullopt;
  }
  if (v[3] > 255) return std::nullopt;
  // The delimiter as two lowercase hex digits, like mqtt2s3-separator.
  auto lower_hex = [](char c) {
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : (c >= '0' && c <= '9' ? c - '0' : -1);
  };
  if (fields[3].size() != 2) return std::nullopt;
  const int hi = lower_hex(fields[3][0]);
  const int lo = lower_hex(fields[3][1]);
  if (hi < 0 || lo < 0) return std::nullopt;
  GroupBucketsInfo b;
  b.offset = v[0];
  // At most 8 buckets per message, and a count that fits 32 bits (compared without the
  // product overflowing: a huge message count must not let 2^32 buckets truncate to 0).
  if (v[1] == 0 || v[1] > UINT32_MAX || (v[1] + 7) / 8 > info.message_count || v[2] == 0 ||
      v[2] > 65535) {
    return std::nullopt;
  }
  b.buckets = static_cast<uint32_t>(v[1]);
  b.slot = static_cast<uint32_t>(v[2]);
  b.delimiter = static_cast<char>(hi * 16 + lo);
  b.components = static_cast<uint32_t>(v[3]);
  // The buckets, each a stored deflate block, end before the index's Adler-32 (compared so
  // that no sum wraps: (buckets - 1) * (slot + 5) < 2^49).
  const uint64_t span = uint64_t{b.buckets - 1} * (uint64_t{b.slot} + 5) + b.slot + 4;
  if (b.offset < 7 || b.offset > info.index_size || span > info.index_size - b.offset) {
    return std::nullopt;
  }
  return b;
}

std::optional<std::vector<DirectoryGroup>> ParseGroupBucket(const ObjectInfo& info,
                                                            const GroupBucketsInfo& buckets,
                                                            uint32_t bucket,
                                                            std::string_view bytes) {
  if (bytes.size() != buckets.slot) return std::nullopt;
  while (!bytes.empty() && bytes.back() == ' ') bytes.remove_suffix(1);
  std::vector<DirectoryGroup> out;
  if (bytes.empty()) return out;
  if (!ParseRecords(bytes, info, &out)) return std::nullopt;
  for (const DirectoryGroup& g : out) {
    if (buckets.BucketOf(g.key) != bucket) {
      return std::nullopt;
    }
  }
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
