// libFuzzer target for the object index parsers a reader runs on bytes from S3 (docs/FORMAT.md):
// the HEAD metadata, the inline or companion index, the group directory in the metadata
// (3.3) and the GDIR buckets of the companion index (3.4). Input:
//   <flags byte> name=value \n ... \n \n <index bytes>
// flags bit 0: the index bytes are the raw (decompressed) index; the target zlib-compresses
// them, so mutations reach the section parser instead of failing zlib's Adler-32. bit 1: set
// mqtt2s3-index-size and -sha256 (and, for an inline index, the one part mqtt2s3-index-0) to
// match those bytes, so mutations get past the checksum as a writer's would.
// Runs ObjectIndex::FromMetadata / FromIndexObject / Decode, ParseGroupDirectory,
// ParseGroupBuckets, ParseGroupBucket on every bucket slot inside the index bytes and
// SplitGroup. Invariants (__builtin_trap() when broken), besides no crash and no sanitizer
// report: an accepted index has the metadata's entry count, entries inside the body in body
// order without overlap, distinct arrival positions, groups that cover the entries in
// ascending key order, and Find / Filter / CoalesceRanges / Slice answers consistent with the
// entries; an accepted directory or bucket has non-empty keys in ascending order, ranges
// inside the body in ascending order, counts >= 1, times inside the object's (a directory's
// counts add up to the object's; a bucket's keys hash to it); accepted bucket parameters
// address slots inside the index object; SplitGroup gives exactly count payloads.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "format/encoding.h"
#include "format/group_directory.h"
#include "format/index_format.h"
#include "format/object_index.h"
#include "format/object_info.h"

namespace {

namespace format = mqtt2s3::format;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void Touch(std::string_view s) {
  volatile char sink = 0;
  for (char c : s) sink = static_cast<char>(sink ^ c);
}

void CheckIndex(const format::ObjectIndex& index, const format::ObjectInfo& info) {
  const size_t n = index.size();
  Check(n == info.message_count);
  std::vector<char> arrived(n);
  uint64_t prev_end = 0;
  for (size_t i = 0; i < n; ++i) {
    const format::IndexEntry e = index.entry(i);
    Check(e.offset <= info.body_length && e.length <= info.body_length - e.offset);
    Check(i == 0 || e.offset >= prev_end);
    prev_end = e.offset + e.length;
    Check(e.arrival < n && !arrived[e.arrival]);
    arrived[e.arrival] = 1;
    Touch(e.topic);
    Touch(e.index_key);
    Touch(e.dedupe_id);
  }
  uint64_t next = 0;
  const auto& groups = index.Groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    const format::IndexGroup& group = groups[g];
    Check(group.first_entry == next && group.entry_count > 0);
    next = uint64_t{group.first_entry} + group.entry_count;
    Check(next <= n);
    Check(group.range.offset == index.entry(group.first_entry).offset);
    Check(group.range.end() == index.entry(next - 1).range().end());
    Check(g == 0 || groups[g - 1].key < group.key);
  }
  Check(groups.empty() || next == n);
  if (n == 0) return;

  Check(index.Find("").size() == n);
  const std::string prefix(index.entry(n / 2).index_key.substr(0, 3));
  const std::vector<uint32_t> found = index.Find(prefix);
  Check(std::find(found.begin(), found.end(), n / 2) != found.end());
  for (uint32_t i : found) Check(index.entry(i).index_key.starts_with(prefix));
  const int64_t t = index.entry(0).event_time_ms;
  const std::vector<uint32_t> in_window = index.Filter(t, t == INT64_MAX ? t : t + 1);
  for (uint32_t i : in_window) Check(index.entry(i).event_time_ms == t);
  Check(t == INT64_MAX || std::find(in_window.begin(), in_window.end(), 0) != in_window.end());

  std::vector<uint32_t> all(n);
  for (size_t i = 0; i < n; ++i) all[i] = static_cast<uint32_t>(i);
  for (uint64_t gap : {uint64_t{0}, uint64_t{64}}) {
    const std::vector<format::ByteRange> ranges = index.CoalesceRanges(all, gap);
    for (size_t r = 1; r < ranges.size(); ++r) Check(ranges[r].offset > ranges[r - 1].end());
    for (size_t i = 0; i < n; ++i) {
      const format::IndexEntry e = index.entry(i);
      if (e.length == 0) continue;
      const auto in = std::find_if(ranges.begin(), ranges.end(), [&](const format::ByteRange& r) {
        return r.offset <= e.offset && e.range().end() <= r.end();
      });
      Check(in != ranges.end());
      if (in->length <= 4096) {
        const std::string fetched(in->length, 'x');
        auto payload = format::ObjectIndex::Slice(*in, fetched, e);
        Check(payload.ok() && payload->size() == e.length);
      }
    }
  }
}

// Keys and ranges ascend, ranges lie inside the body, counts and times are plausible.
void CheckGroups(const std::vector<format::DirectoryGroup>& groups,
                 const format::ObjectInfo& info) {
  for (size_t g = 0; g < groups.size(); ++g) {
    const format::DirectoryGroup& d = groups[g];
    Check(!d.key.empty() && d.count > 0);
    Check(d.range.offset <= info.body_length && d.range.length <= info.body_length - d.range.offset);
    Check(d.first_ms <= d.last_ms && d.first_ms >= info.first_event_ms &&
          d.last_ms <= info.last_event_ms);
    if (info.body_format == format::BodyFormat::kParquet) Check(d.range.offset >= 4);
    if (g > 0) Check(groups[g - 1].key < d.key && groups[g - 1].range.end() <= d.range.offset);
  }
}

void CheckSplit(const format::ObjectInfo& info, const format::DirectoryGroup& g,
                std::string_view bytes) {
  const format::ByteRange fetch = g.FetchRange(info);
  if (fetch.length > bytes.size()) return;
  const std::string_view slice = bytes.substr(0, fetch.length);
  auto payloads = format::SplitGroup(info, g, slice);
  if (!payloads.ok()) return;
  Check(payloads->size() == g.count);
  for (std::string_view p : *payloads) {
    Check(p.data() >= slice.data() && p.data() + p.size() <= slice.data() + slice.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  format::Metadata metadata;
  while (!in.empty()) {
    const size_t eol = in.find('\n');
    const std::string_view line = in.substr(0, eol);
    in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
    if (line.empty()) break;
    const size_t eq = line.find('=');
    metadata[std::string(line.substr(0, eq))] =
        eq == std::string_view::npos ? std::string() : std::string(line.substr(eq + 1));
    if (metadata.size() > 64) return 0;
  }
  std::string index_object(in);
  if (flags & 1) {
    auto compressed = format::ZlibCompress(in, 1);
    Check(compressed.ok());
    index_object = std::move(*compressed);
  }
  if (flags & 2) {
    metadata[std::string(format::kMetaIndexSize)] = std::to_string(index_object.size());
    metadata[std::string(format::kMetaIndexSha256)] = format::Sha256Hex(index_object);
    auto loc = metadata.find(std::string(format::kMetaIndexLocation));
    if (loc != metadata.end() && loc->second == format::kLocationInline) {
      metadata[std::string(format::kMetaIndexParts)] = "1";
      metadata[std::string(format::kMetaIndexPartPrefix) + "0"] =
          format::Base64Encode(index_object);
    }
  }

  auto located = format::ObjectIndex::FromMetadata(metadata, "k");
  auto info = format::ParseObjectInfo(metadata);
  Check(!located.ok() || info.ok());
  if (located.ok()) {
    if (const auto* index = std::get_if<format::ObjectIndex>(&*located)) {
      Check(info->index_inline);
      CheckIndex(*index, *info);
    } else {
      const auto& need = std::get<format::NeedIndexObject>(*located);
      Check(!info->index_inline && need.key == info->IndexObjectKey("k"));
      auto loaded = format::ObjectIndex::FromIndexObject(metadata, index_object);
      if (loaded.ok()) CheckIndex(*loaded, *info);
    }
  }
  if (!info.ok()) return 0;
  if (auto decoded = format::ObjectIndex::Decode(*info, in); decoded.ok()) {
    CheckIndex(*decoded, *info);
  }

  const std::vector<format::DirectoryGroup> dir = format::ParseGroupDirectory(metadata, *info);
  CheckGroups(dir, *info);
  uint64_t total = 0;
  for (const format::DirectoryGroup& g : dir) total += g.count;
  Check(dir.empty() || total == info->message_count);
  for (size_t g = 0; g < dir.size() && g < 8; ++g) CheckSplit(*info, dir[g], index_object);

  const std::optional<format::GroupBucketsInfo> b = format::ParseGroupBuckets(metadata, *info);
  if (!b) return 0;
  Check(!info->index_inline && b->buckets >= 1 && b->slot >= 1 && b->slot <= 65535);
  Check(b->offset >= 7);
  // Every slot lies inside the index object, before its Adler-32 (no wrap-around).
  const uint64_t stride = uint64_t{b->slot} + 5;
  Check(b->offset <= info->index_size &&
        uint64_t{b->buckets - 1} <= (info->index_size - b->offset) / stride);
  Check(b->SlotRange(b->buckets - 1).end() + 4 <= info->index_size);
  const uint32_t scan = std::min<uint32_t>(b->buckets, 64);
  for (uint32_t k = 0; k < scan; ++k) {
    const format::ByteRange r = b->SlotRange(k);
    if (r.end() > index_object.size()) break;
    auto groups = format::ParseGroupBucket(*info, *b, k, std::string_view(index_object).substr(
                                                             r.offset, r.length));
    if (!groups) continue;
    CheckGroups(*groups, *info);
    for (const format::DirectoryGroup& g : *groups) {
      Check(b->BucketOf(g.key) == k);
      Check(b->BucketOf(b->ClusterKeyOf(g.key)) < b->buckets);
    }
    if (!groups->empty()) CheckSplit(*info, groups->front(), index_object);
  }
  return 0;
}
