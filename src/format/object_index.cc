#include "format/object_index.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "format/encoding.h"
#include "format/index_format.h"

namespace mqtt2s3::format {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the index columns are read with memcpy and must be little-endian");

template <typename T>
T Load(std::string_view bytes, size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  return value;
}

std::string Tag(std::string_view tag) {
  std::string printable;
  for (char c : tag) printable.push_back(c > 0x20 && c < 0x7f ? c : '?');
  return printable;
}

template <typename T>
Status ReadColumn(std::string_view section, std::string_view tag, size_t n, std::vector<T>& out) {
  if (section.size() != n * sizeof(T)) {
    return Status::Corruption("index section " + std::string(tag) + " has " +
                              std::to_string(section.size()) + " bytes, expected " +
                              std::to_string(n * sizeof(T)) + " for " + std::to_string(n) +
                              " entries");
  }
  out.resize(n);
  if (n > 0) std::memcpy(out.data(), section.data(), section.size());
  return Status::Ok();
}

Status VerifyIndexBytes(const ObjectInfo& info, std::string_view bytes, std::string_view where) {
  if (bytes.size() != info.index_size) {
    return Status::Corruption("index size mismatch: metadata says " +
                              std::to_string(info.index_size) + " bytes, " + std::string(where) +
                              " has " + std::to_string(bytes.size()));
  }
  const std::string actual = Sha256Hex(bytes);
  if (actual != info.index_sha256) {
    return Status::Corruption("index checksum mismatch: metadata says " + info.index_sha256 + ", " +
                              std::string(where) + " has " + actual);
  }
  return Status::Ok();
}

// The companion key is built from these fields, so two readers must never decode them
// differently: only the writer's own encoding is accepted (uppercase %XX for exactly the bytes
// outside 0x21-0x7E and '%'), never lowercase hex, needless escapes or raw spaces.
Status CheckCanonicalKeyParts(const Metadata& metadata, const ObjectInfo& info) {
  const Metadata m = NormalizeMetadata(metadata);
  for (auto [name, decoded] : {std::pair{kMetaIndexPrefix, &info.index_prefix},
                               std::pair{kMetaIndexSuffix, &info.index_suffix}}) {
    auto it = m.find(std::string(name));
    if (it != m.end() && PercentEncode(*decoded) != it->second) {
      return Status::InvalidArgument("object metadata " + std::string(name) + " '" +
                                     it->second.substr(0, 64) +
                                     "' is not in canonical percent-encoding");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ObjectIndex::Located> ObjectIndex::FromMetadata(const Metadata& metadata,
                                                         std::string_view data_key) {
  M2S_ASSIGN_OR_RETURN(ObjectInfo info, ParseObjectInfo(metadata));
  if (!info.index_inline) {
    M2S_RETURN_IF_ERROR(CheckCanonicalKeyParts(metadata, info));
    return Located(
        NeedIndexObject{info.IndexObjectKey(data_key), info.index_size, info.index_sha256});
  }
  const Metadata m = NormalizeMetadata(metadata);
  auto parts_it = m.find(std::string(kMetaIndexParts));
  if (parts_it == m.end())
    return Status::InvalidArgument("object metadata lacks " + std::string(kMetaIndexParts));
  size_t parts = 0;
  for (char c : parts_it->second) {
    if (c < '0' || c > '9' || parts > 100000) {
      return Status::InvalidArgument("object metadata " + std::string(kMetaIndexParts) +
                                     " is not a small number: '" + parts_it->second.substr(0, 32) +
                                     "'");
    }
    parts = parts * 10 + static_cast<size_t>(c - '0');
  }
  std::string text;
  for (size_t p = 0; p < parts; ++p) {
    const std::string name = std::string(kMetaIndexPartPrefix) + std::to_string(p);
    auto it = m.find(name);
    if (it == m.end()) return Status::Corruption("object metadata lacks inline index part " + name);
    text += it->second;
  }
  auto bytes = Base64Decode(text);
  if (!bytes.ok()) return bytes.status().WithContext("inline index");
  M2S_RETURN_IF_ERROR(VerifyIndexBytes(info, *bytes, "inline index"));
  M2S_ASSIGN_OR_RETURN(ObjectIndex index, Decode(info, *bytes));
  return Located(std::move(index));
}

StatusOr<ObjectIndex> ObjectIndex::FromIndexObject(const Metadata& metadata,
                                                   std::string_view bytes) {
  M2S_ASSIGN_OR_RETURN(ObjectInfo info, ParseObjectInfo(metadata));
  M2S_RETURN_IF_ERROR(VerifyIndexBytes(info, bytes, "index object"));
  return Decode(info, bytes);
}

StatusOr<ObjectIndex> ObjectIndex::Decode(const ObjectInfo& info, std::string_view index_bytes) {
  auto raw = ZlibDecompress(index_bytes, kMaxRawIndexBytes);
  if (!raw.ok()) return raw.status().WithContext("index");
  ObjectIndex index;
  index.info_ = info;
  index.raw_ = std::make_shared<const std::string>(std::move(*raw));
  M2S_RETURN_IF_ERROR(index.Parse(*index.raw_));
  return index;
}

Status ObjectIndex::Parse(std::string_view raw) {
  if (raw.size() < kIndexHeaderBytes) {
    return Status::Corruption("index is " + std::to_string(raw.size()) +
                              " bytes, shorter than its header");
  }
  if (raw.substr(0, 4) != kIndexMagic) {
    return Status::Corruption("index magic is '" + Tag(raw.substr(0, 4)) + "', expected M2SI");
  }
  const auto version = Load<uint16_t>(raw, 4);
  if (version != kFormatVersion) {
    return Status::FailedPrecondition("unsupported index version " + std::to_string(version) +
                                      " (this reader knows version " +
                                      std::to_string(kFormatVersion) + "); upgrade the reader");
  }
  const size_t header_len = Load<uint16_t>(raw, 6);
  const size_t n = Load<uint32_t>(raw, 8);
  if (header_len < kIndexHeaderBytes || header_len > raw.size()) {
    return Status::Corruption("index header length " + std::to_string(header_len) + " is invalid");
  }
  if (n != info_.message_count) {
    return Status::Corruption("index has " + std::to_string(n) + " entries, metadata says " +
                              std::to_string(info_.message_count));
  }
  std::string_view strs, offs, lens, time, topc, ikey, ddup, seqn, grps;
  std::vector<std::string> seen;
  for (size_t pos = header_len; pos < raw.size();) {
    if (raw.size() - pos < kSectionHeaderBytes) {
      return Status::Corruption("index ends inside a section header at byte " +
                                std::to_string(pos));
    }
    const std::string_view tag = raw.substr(pos, 4);
    const size_t len = Load<uint32_t>(raw, pos + 4);
    pos += kSectionHeaderBytes;
    if (len > raw.size() - pos) {
      return Status::Corruption("index section " + Tag(tag) + " claims " + std::to_string(len) +
                                " bytes, only " + std::to_string(raw.size() - pos) + " remain");
    }
    const std::string_view body = raw.substr(pos, len);
    pos += len;
    std::string_view* slot = nullptr;
    if (tag == kTagStrings)
      slot = &strs;
    else if (tag == kTagOffsets)
      slot = &offs;
    else if (tag == kTagLengths)
      slot = &lens;
    else if (tag == kTagTimes)
      slot = &time;
    else if (tag == kTagTopics)
      slot = &topc;
    else if (tag == kTagKeys)
      slot = &ikey;
    else if (tag == kTagDedupe)
      slot = &ddup;
    else if (tag == kTagArrival)
      slot = &seqn;
    else if (tag == kTagGroups)
      slot = &grps;
    if (slot == nullptr) continue;  // unknown section: a later writer's addition
    if (std::find(seen.begin(), seen.end(), tag) != seen.end()) {
      return Status::Corruption("index section " + Tag(tag) + " appears twice");
    }
    seen.emplace_back(tag);
    *slot = body;
  }
  for (std::string_view tag :
       {kTagStrings, kTagOffsets, kTagLengths, kTagTimes, kTagTopics, kTagKeys}) {
    if (std::find(seen.begin(), seen.end(), tag) == seen.end()) {
      return Status::Corruption("index lacks the " + std::string(tag) + " section");
    }
  }
  M2S_RETURN_IF_ERROR(ParseStrings(strs));
  M2S_RETURN_IF_ERROR(ReadColumn(offs, kTagOffsets, n, offsets_));
  M2S_RETURN_IF_ERROR(ReadColumn(lens, kTagLengths, n, lengths_));
  M2S_RETURN_IF_ERROR(ReadColumn(time, kTagTimes, n, times_));
  M2S_RETURN_IF_ERROR(ReadColumn(topc, kTagTopics, n, topics_));
  M2S_RETURN_IF_ERROR(ReadColumn(ikey, kTagKeys, n, keys_));
  if (std::find(seen.begin(), seen.end(), kTagArrival) != seen.end()) {
    M2S_RETURN_IF_ERROR(ReadColumn(seqn, kTagArrival, n, arrival_));
  }
  auto present = [&](std::string_view tag) {
    return std::find(seen.begin(), seen.end(), tag) != seen.end();
  };
  if (present(kTagDedupe)) {  // present but empty is truncated, not absent (n > 0)
    std::vector<uint32_t> lengths;
    if (ddup.size() < n * sizeof(uint32_t))
      return Status::Corruption("index section DDUP is truncated");
    M2S_RETURN_IF_ERROR(ReadColumn(ddup.substr(0, n * sizeof(uint32_t)), kTagDedupe, n, lengths));
    std::string_view bytes = ddup.substr(n * sizeof(uint32_t));
    dedupe_.reserve(n);
    for (uint32_t len : lengths) {
      if (len > bytes.size()) return Status::Corruption("index section DDUP is truncated");
      dedupe_.push_back(bytes.substr(0, len));
      bytes.remove_prefix(len);
    }
    if (!bytes.empty()) return Status::Corruption("index section DDUP has trailing bytes");
  }
  M2S_RETURN_IF_ERROR(Check());
  if (present(kTagGroups) && grps.empty()) {
    return Status::Corruption("index section GRPS is truncated");
  }
  return ParseGroups(grps);
}

Status ObjectIndex::ParseStrings(std::string_view s) {
  if (s.size() < 4) return Status::Corruption("index section STRS is truncated");
  const size_t count = Load<uint32_t>(s, 0);
  if (count > (s.size() - 4) / 4) return Status::Corruption("index section STRS is truncated");
  size_t pos = 4 + count * 4;
  strings_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t len = Load<uint32_t>(s, 4 + i * 4);
    if (len > s.size() - pos) return Status::Corruption("index section STRS is truncated");
    strings_.push_back(s.substr(pos, len));
    pos += len;
  }
  if (pos != s.size()) return Status::Corruption("index section STRS has trailing bytes");
  return Status::Ok();
}

Status ObjectIndex::Check() const {
  const size_t n = offsets_.size();
  std::vector<char> arrived(arrival_.empty() ? 0 : n);
  for (size_t i = 0; i < n; ++i) {
    if (topics_[i] >= strings_.size() || keys_[i] >= strings_.size()) {
      return Status::Corruption("index entry " + std::to_string(i) +
                                " names a string id past the table");
    }
    if (offsets_[i] > info_.body_length || lengths_[i] > info_.body_length - offsets_[i]) {
      return Status::Corruption("index entry " + std::to_string(i) + " [" +
                                std::to_string(offsets_[i]) + ", +" + std::to_string(lengths_[i]) +
                                ") is outside the " + std::to_string(info_.body_length) +
                                "-byte body");
    }
    // Entries are in body order: each payload starts at or after the end of the previous one.
    if (i > 0 && offsets_[i] < offsets_[i - 1] + lengths_[i - 1]) {
      return Status::Corruption("index entry " + std::to_string(i) +
                                " starts before the end of entry " + std::to_string(i - 1));
    }
    if (!arrival_.empty()) {
      if (arrival_[i] >= n) {
        return Status::Corruption("index entry " + std::to_string(i) +
                                  " has arrival position past the count");
      }
      if (arrived[arrival_[i]]++) {
        return Status::Corruption("index entry " + std::to_string(i) +
                                  " repeats arrival position " + std::to_string(arrival_[i]));
      }
    }
  }
  return Status::Ok();
}

Status ObjectIndex::ParseGroups(std::string_view s) {
  if (s.empty()) return Status::Ok();
  if (s.size() < 4) return Status::Corruption("index section GRPS is truncated");
  const size_t count = Load<uint32_t>(s, 0);
  if (s.size() != 4 + count * kGroupRecordBytes) {
    return Status::Corruption("index section GRPS has " + std::to_string(s.size()) + " bytes for " +
                              std::to_string(count) + " groups");
  }
  groups_.reserve(count);
  uint64_t next_entry = 0;  // groups follow each other in body order and cover every entry
  for (size_t g = 0; g < count; ++g) {
    const size_t at = 4 + g * kGroupRecordBytes;
    IndexGroup group;
    const uint32_t key = Load<uint32_t>(s, at);
    group.first_entry = Load<uint32_t>(s, at + 4);
    group.entry_count = Load<uint32_t>(s, at + 8);
    group.range = {Load<uint64_t>(s, at + 12), Load<uint64_t>(s, at + 20)};
    const uint64_t last = uint64_t{group.first_entry} + group.entry_count;
    if (key >= strings_.size() || group.entry_count == 0 || group.first_entry != next_entry ||
        last > offsets_.size() || group.range.offset != offsets_[group.first_entry] ||
        group.range.end() != offsets_[last - 1] + lengths_[last - 1]) {
      return Status::Corruption("index group " + std::to_string(g) +
                                " is inconsistent with its entries");
    }
    group.key = strings_[key];
    if (!groups_.empty() && !(groups_.back().key < group.key)) {
      return Status::Corruption("index group " + std::to_string(g) +
                                " is not in ascending key order");
    }
    groups_.push_back(group);
    next_entry = last;
  }
  if (next_entry != offsets_.size()) {
    return Status::Corruption("index groups cover " + std::to_string(next_entry) + " of " +
                              std::to_string(offsets_.size()) + " entries");
  }
  return Status::Ok();
}

IndexEntry ObjectIndex::entry(size_t i) const {
  IndexEntry e;
  e.offset = offsets_[i];
  e.length = lengths_[i];
  e.event_time_ms = times_[i];
  e.arrival = arrival_.empty() ? static_cast<uint32_t>(i) : arrival_[i];
  e.topic = strings_[topics_[i]];
  e.index_key = strings_[keys_[i]];
  if (!dedupe_.empty()) e.dedupe_id = dedupe_[i];
  return e;
}

std::vector<uint32_t> ObjectIndex::Find(std::string_view key_prefix) const {
  // Match each distinct key once, then scan the id column.
  std::vector<char> match(strings_.size());
  for (size_t s = 0; s < strings_.size(); ++s) match[s] = strings_[s].starts_with(key_prefix);
  std::vector<uint32_t> out;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (match[keys_[i]]) out.push_back(static_cast<uint32_t>(i));
  }
  return out;
}

std::vector<uint32_t> ObjectIndex::Filter(int64_t from_ms, int64_t to_ms) const {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < times_.size(); ++i) {
    if (times_[i] >= from_ms && times_[i] < to_ms) out.push_back(static_cast<uint32_t>(i));
  }
  return out;
}

std::vector<ByteRange> ObjectIndex::CoalesceRanges(std::span<const uint32_t> entries,
                                                   uint64_t max_gap_bytes) const {
  std::vector<ByteRange> ranges;
  ranges.reserve(entries.size());
  for (uint32_t i : entries) {
    if (i < offsets_.size() && lengths_[i] > 0) ranges.push_back({offsets_[i], lengths_[i]});
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
  std::vector<ByteRange> out;
  for (const ByteRange& r : ranges) {
    if (!out.empty() && r.offset <= out.back().end() + max_gap_bytes) {
      out.back().length = std::max(out.back().end(), r.end()) - out.back().offset;
    } else {
      out.push_back(r);
    }
  }
  return out;
}

StatusOr<std::string_view> ObjectIndex::Slice(const ByteRange& fetched,
                                              std::string_view fetched_bytes,
                                              const IndexEntry& entry) {
  if (entry.offset < fetched.offset ||
      entry.offset + entry.length > fetched.offset + fetched_bytes.size()) {
    return Status::InvalidArgument("entry [" + std::to_string(entry.offset) + ", +" +
                                   std::to_string(entry.length) + ") is not inside the fetched " +
                                   std::to_string(fetched_bytes.size()) + " bytes at " +
                                   std::to_string(fetched.offset));
  }
  return fetched_bytes.substr(entry.offset - fetched.offset, entry.length);
}

}  // namespace mqtt2s3::format
