#include "format/object_writer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <vector>

#include "format/encoding.h"
#include "format/group_directory.h"
#include "format/index_format.h"
#include "format/parquet_body.h"

namespace mqtt2s3::format {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the index columns are written with memcpy and must be little-endian");

template <typename T>
void Put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

template <typename T>
void PutColumn(std::string& out, const std::vector<T>& column) {
  out.append(reinterpret_cast<const char*>(column.data()), column.size() * sizeof(T));
}

// Sections are length-prefixed so readers can skip the ones they do not know.
size_t BeginSection(std::string& out, std::string_view tag) {
  out.append(tag);
  const size_t length_at = out.size();
  Put<uint32_t>(out, 0);
  return length_at;
}

void EndSection(std::string& out, size_t length_at) {
  const auto length = static_cast<uint32_t>(out.size() - length_at - sizeof(uint32_t));
  std::memcpy(out.data() + length_at, &length, sizeof(length));
}

std::string_view ClusterKey(std::string_view key, size_t components, char delimiter) {
  if (components == 0) return key;
  size_t pos = 0;
  for (size_t c = 0; c < components; ++c) {
    pos = key.find(delimiter, pos);
    if (pos == std::string_view::npos) return key;
    if (c + 1 == components) return key.substr(0, pos);
    ++pos;
  }
  return key;
}

// Distinct strings (topics, index keys, group keys) get one id each; topics and keys repeat
// across thousands of messages, so the columns hold 4-byte ids instead of the bytes. Index keys
// that hold a timestamp are distinct per message, so this is an open-addressing table sized
// for the batch up front: no node allocation or rehash per new string.
class StringTable {
 public:
  explicit StringTable(size_t expected) {
    size_t capacity = 16;
    while (capacity < 2 * expected) capacity <<= 1;
    slots_.assign(capacity, kEmpty);
    strings_.reserve(expected);
  }
  uint32_t Intern(std::string_view s) {
    if (2 * (strings_.size() + 1) > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = std::hash<std::string_view>{}(s) & mask;; i = (i + 1) & mask) {
      const uint32_t id = slots_[i];
      if (id == kEmpty) {
        slots_[i] = static_cast<uint32_t>(strings_.size());
        strings_.push_back(s);
        return slots_[i];
      }
      if (strings_[id] == s) return id;
    }
  }
  std::string_view Get(uint32_t id) const { return strings_[id]; }
  void Write(std::string& out) const {
    Put<uint32_t>(out, static_cast<uint32_t>(strings_.size()));
    for (std::string_view s : strings_) Put<uint32_t>(out, static_cast<uint32_t>(s.size()));
    for (std::string_view s : strings_) out.append(s);
  }

 private:
  static constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();
  void Grow() {
    std::vector<uint32_t> bigger(slots_.size() * 2, kEmpty);
    const size_t mask = bigger.size() - 1;
    for (uint32_t id = 0; id < strings_.size(); ++id) {
      size_t i = std::hash<std::string_view>{}(strings_[id]) & mask;
      while (bigger[i] != kEmpty) i = (i + 1) & mask;
      bigger[i] = id;
    }
    slots_.swap(bigger);
  }

  std::vector<uint32_t> slots_;  // string id, or kEmpty
  std::vector<std::string_view> strings_;
};

struct Group {
  uint32_t key_id = 0;
  uint32_t first = 0;
  uint32_t count = 0;
};

// A directory key: bytes 0x21-0x7E other than '%', ',' and ':' as they are, every other byte
// as %XX (uppercase), so records split on ',' and fields on ':' (FORMAT.md 3.3).
void AppendDirectoryKey(std::string_view key, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : key) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x21 && b <= 0x7E && b != '%' && b != ',' && b != ':') {
      out->push_back(c);
    } else {
      out->push_back('%');
      out->push_back(kHex[b >> 4]);
      out->push_back(kHex[b & 15]);
    }
  }
}

// t - base for t >= base, without signed overflow (event times may span all of int64).
uint64_t TimeOffset(int64_t t, int64_t base) {
  return static_cast<uint64_t>(t) - static_cast<uint64_t>(base);
}

// One directory record per group (FORMAT.md 3.3), in group order, when every group's payloads
// can be cut out of its byte range without the index; nullopt otherwise. JSON Lines: the range
// is payload sep payload ... sep payload, so no payload may contain the separator. Parquet:
// from offset - 4 the range is (u32 length, payload)*, so a group must not cross a page header.
std::optional<std::vector<std::string>> DirectoryRecords(
    std::span<const MessageRecord> messages, const std::vector<uint32_t>& order,
    const std::vector<Group>& groups, const std::vector<uint64_t>& offsets,
    const std::vector<uint32_t>& lengths, const std::vector<int64_t>& times, int64_t first_event,
    std::string_view sep, bool parquet, const StringTable& strings) {
  const uint64_t gap = parquet ? sizeof(uint32_t) : sep.size();
  if (gap == 0) return std::nullopt;
  if (!parquet) {
    for (const uint32_t i : order) {
      if (messages[i].payload.find(sep) != std::string_view::npos) return std::nullopt;
    }
  }
  std::vector<std::string> records;
  records.reserve(groups.size());
  for (const Group& g : groups) {
    const size_t last = g.first + g.count - 1;
    int64_t lo = times[g.first];
    int64_t hi = lo;
    for (size_t pos = g.first; pos <= last; ++pos) {
      if (pos > g.first && offsets[pos] != offsets[pos - 1] + lengths[pos - 1] + gap) {
        return std::nullopt;
      }
      lo = std::min(lo, times[pos]);
      hi = std::max(hi, times[pos]);
    }
    std::string& record = records.emplace_back();
    AppendDirectoryKey(strings.Get(g.key_id), &record);
    for (uint64_t v : {offsets[g.first], offsets[last] + lengths[last] - offsets[g.first],
                       uint64_t{g.count}, TimeOffset(lo, first_event),
                       TimeOffset(hi, first_event)}) {
      record.push_back(':');
      record.append(std::to_string(v));
    }
  }
  return records;
}

// Adds mqtt2s3-groups-parts and mqtt2s3-groups-<i> when the records fit the budget left;
// returns whether it did.
bool AddGroupDirectory(const std::vector<std::string>& records, size_t budget, size_t part_max,
                       Metadata* metadata) {
  std::vector<std::string> parts(1);
  for (const std::string& record : records) {
    if (record.size() > part_max) return false;
    if (!parts.back().empty() && parts.back().size() + 1 + record.size() > part_max) {
      parts.emplace_back();
    }
    if (!parts.back().empty()) parts.back().push_back(',');
    parts.back().append(record);
  }
  Metadata fields;
  fields.emplace(kMetaGroupsParts, std::to_string(parts.size()));
  for (size_t p = 0; p < parts.size(); ++p) {
    fields.emplace(std::string(kMetaGroupsPartPrefix) + std::to_string(p), std::move(parts[p]));
  }
  if (MetadataBytes(*metadata) + MetadataBytes(fields) > budget) return false;
  metadata->merge(fields);
  return true;
}

// The GDIR payload (FORMAT.md 3.4): the records hashed into `*buckets` slots of `*slot` bytes
// by their cluster key, each slot the bucket's records joined by ',' and padded with spaces.
// Buckets double until the largest fits kGroupBucketTargetBytes (or there are 8 per group).
// Empty when a slot would pass 65,535 bytes.
std::string GroupBuckets(const std::vector<std::string>& records,
                         const std::vector<std::string_view>& keys, uint32_t* buckets,
                         uint32_t* slot) {
  size_t total = 0;
  std::vector<uint64_t> hashes(records.size());
  for (size_t g = 0; g < records.size(); ++g) {
    total += records[g].size() + 1;
    hashes[g] = GroupBucketHash(keys[g]);
  }
  uint64_t b = std::max<uint64_t>(1, total / (kGroupBucketTargetBytes / 2));
  std::vector<size_t> sizes;
  size_t largest = 0;
  while (true) {
    sizes.assign(b, 0);
    for (size_t g = 0; g < records.size(); ++g) {
      size_t& at = sizes[hashes[g] % b];
      at += (at ? 1 : 0) + records[g].size();
    }
    largest = *std::max_element(sizes.begin(), sizes.end());
    if (largest <= kGroupBucketTargetBytes || b >= 8 * records.size()) break;
    b *= 2;
  }
  if (largest > 65535) return {};
  std::string out(b * largest, ' ');
  std::vector<size_t> fill(b, 0);
  for (size_t g = 0; g < records.size(); ++g) {
    const size_t k = hashes[g] % b;
    char* at = out.data() + k * largest + fill[k];
    if (fill[k]) *at++ = ',', ++fill[k];
    std::memcpy(at, records[g].data(), records[g].size());
    fill[k] += records[g].size();
  }
  *buckets = static_cast<uint32_t>(b);
  *slot = static_cast<uint32_t>(largest);
  return out;
}

}  // namespace

size_t MetadataBytes(const Metadata& metadata) {
  size_t total = 0;
  for (const auto& [name, value] : metadata) {
    total += kAmzMetaPrefix.size() + name.size() + value.size();
  }
  return total;
}

StatusOr<ObjectWriter> ObjectWriter::Create(FormatOptions options) {
  M2S_RETURN_IF_ERROR(options.Validate());
  return ObjectWriter(std::move(options));
}

StatusOr<EncodedObject> ObjectWriter::Encode(std::span<const MessageRecord> messages) const {
  constexpr size_t kMax32 = std::numeric_limits<uint32_t>::max();
  const size_t n = messages.size();
  if (n > kMax32) {
    return Status::InvalidArgument("too many messages for one object: " + std::to_string(n));
  }
  const bool parquet = options_.body_format == BodyFormat::kParquet;
  // A Parquet body has no separator: payloads sit inside the file's pages.
  const std::string sep = parquet ? std::string() : options_.separator;

  size_t body_size = n * sep.size();
  int64_t first_event = n ? messages[0].event_time_ms : 0;
  int64_t last_event = first_event;
  for (size_t i = 0; i < n; ++i) {
    const MessageRecord& m = messages[i];
    if (m.payload.size() > kMax32 || m.topic.size() > kMax32 || m.index_key.size() > kMax32 ||
        m.dedupe_id.size() > kMax32) {
      return Status::InvalidArgument("message " + std::to_string(i) + " on topic '" +
                                     std::string(m.topic.substr(0, 256)) +
                                     "' has a field of 4 GiB or more");
    }
    body_size += m.payload.size();
    first_event = std::min(first_event, m.event_time_ms);
    last_event = std::max(last_event, m.event_time_ms);
  }

  StringTable strings(2 * n + 16);  // every topic and index key distinct, at most
  std::vector<uint32_t> order(n);  // body position -> message index
  std::vector<Group> groups;
  if (options_.clustering) {
    // Stable counting sort by cluster key: ids per distinct key, keys sorted once, then every
    // message placed at its group's next slot, which keeps arrival order inside a group.
    std::unordered_map<std::string_view, uint32_t> group_of;
    std::vector<std::string_view> group_keys;
    std::vector<uint32_t> group_count;
    std::vector<uint32_t> group_id(n);
    for (size_t i = 0; i < n; ++i) {
      const std::string_view key = ClusterKey(
          messages[i].index_key, options_.cluster_key_components, options_.key_delimiter);
      auto [it, inserted] = group_of.try_emplace(key, static_cast<uint32_t>(group_keys.size()));
      if (inserted) {
        group_keys.push_back(key);
        group_count.push_back(0);
      }
      group_id[i] = it->second;
      ++group_count[it->second];
    }
    std::vector<uint32_t> sorted(group_keys.size());
    std::iota(sorted.begin(), sorted.end(), 0u);
    std::sort(sorted.begin(), sorted.end(),
              [&](uint32_t a, uint32_t b) { return group_keys[a] < group_keys[b]; });
    std::vector<uint32_t> next(group_keys.size());
    groups.reserve(sorted.size());
    uint32_t start = 0;
    for (uint32_t g : sorted) {
      next[g] = start;
      groups.push_back({strings.Intern(group_keys[g]), start, group_count[g]});
      start += group_count[g];
    }
    for (size_t i = 0; i < n; ++i) order[next[group_id[i]]++] = static_cast<uint32_t>(i);
  } else {
    std::iota(order.begin(), order.end(), 0u);
  }
  std::vector<RowGroupRange> row_groups;
  if (parquet) {
    // Rows of a cluster group by event time (stable: arrival order among equal times), so
    // each row group's event_time statistics and pages are ordered for pruning.
    auto by_time = [&](uint32_t a, uint32_t b) {
      return messages[a].event_time_ms < messages[b].event_time_ms;
    };
    for (const Group& g : groups) {
      std::stable_sort(order.begin() + g.first, order.begin() + g.first + g.count, by_time);
      CutRowGroups(options_, messages, order, g.first, g.count, &row_groups);
    }
    if (!options_.clustering) {
      CutRowGroups(options_, messages, order, 0, static_cast<uint32_t>(n), &row_groups);
    }
  }

  EncodedObject obj;
  if (!parquet) obj.body.reserve(body_size);
  std::vector<uint64_t> offsets(n);
  std::vector<uint32_t> lengths(n);
  std::vector<int64_t> times(n);
  std::vector<uint32_t> topics(n);
  std::vector<uint32_t> keys(n);
  std::vector<uint32_t> dedupe_lengths(n);
  size_t dedupe_bytes = 0;
  for (size_t pos = 0; pos < n; ++pos) {
    const MessageRecord& m = messages[order[pos]];
    times[pos] = m.event_time_ms;
    // Clustered or not, neighbours mostly share a topic: a compare instead of a hash and probe
    // (the id is the one Intern would return).
    topics[pos] = pos > 0 && m.topic == messages[order[pos - 1]].topic ? topics[pos - 1]
                                                                       : strings.Intern(m.topic);
    keys[pos] = strings.Intern(m.index_key);
    dedupe_lengths[pos] = static_cast<uint32_t>(m.dedupe_id.size());
    dedupe_bytes += m.dedupe_id.size();
    if (parquet) continue;
    offsets[pos] = obj.body.size();
    lengths[pos] = static_cast<uint32_t>(m.payload.size());
    obj.body.append(m.payload);
    obj.body.append(sep);
  }
  if (parquet) {
    M2S_RETURN_IF_ERROR(
        EncodeParquetBody(options_, messages, order, row_groups, &obj.body, &offsets, &lengths));
  }

  std::string raw;
  raw.reserve(kIndexHeaderBytes + 10 * kSectionHeaderBytes + n * 36 + dedupe_bytes +
              groups.size() * kGroupRecordBytes + 4096);
  raw.append(kIndexMagic);
  Put<uint16_t>(raw, static_cast<uint16_t>(kFormatVersion));
  Put<uint16_t>(raw, static_cast<uint16_t>(kIndexHeaderBytes));
  Put<uint32_t>(raw, static_cast<uint32_t>(n));
  Put<uint32_t>(raw, 0);  // flags
  size_t at = BeginSection(raw, kTagStrings);
  strings.Write(raw);
  EndSection(raw, at);
  at = BeginSection(raw, kTagOffsets);
  PutColumn(raw, offsets);
  EndSection(raw, at);
  at = BeginSection(raw, kTagLengths);
  PutColumn(raw, lengths);
  EndSection(raw, at);
  at = BeginSection(raw, kTagTimes);
  PutColumn(raw, times);
  EndSection(raw, at);
  at = BeginSection(raw, kTagTopics);
  PutColumn(raw, topics);
  EndSection(raw, at);
  at = BeginSection(raw, kTagKeys);
  PutColumn(raw, keys);
  EndSection(raw, at);
  if (dedupe_bytes > 0) {
    at = BeginSection(raw, kTagDedupe);
    PutColumn(raw, dedupe_lengths);
    for (size_t pos = 0; pos < n; ++pos) raw.append(messages[order[pos]].dedupe_id);
    EndSection(raw, at);
  }
  if (options_.clustering) {
    at = BeginSection(raw, kTagArrival);
    PutColumn(raw, order);
    EndSection(raw, at);
    at = BeginSection(raw, kTagGroups);
    Put<uint32_t>(raw, static_cast<uint32_t>(groups.size()));
    for (const Group& g : groups) {
      const size_t last = g.first + g.count - 1;
      Put<uint32_t>(raw, g.key_id);
      Put<uint32_t>(raw, g.first);
      Put<uint32_t>(raw, g.count);
      Put<uint64_t>(raw, offsets[g.first]);
      Put<uint64_t>(raw, offsets[last] + lengths[last] - offsets[g.first]);
    }
    EndSection(raw, at);
  }
  if (raw.size() > kMaxRawIndexBytes) {
    return Status::InvalidArgument("index of " + std::to_string(n) + " messages needs " +
                                   std::to_string(raw.size()) +
                                   " bytes, more than the format allows");
  }

  M2S_ASSIGN_OR_RETURN(std::string index, ZlibCompress(raw, options_.zlib_level));
  obj.raw_index_bytes = raw.size();
  obj.index_bytes = index.size();
  obj.body_sha256 = Sha256Hex(obj.body);

  Metadata base;
  base.emplace(kMetaFormat, std::to_string(kFormatVersion));
  base.emplace(kMetaCount, std::to_string(n));
  base.emplace(kMetaFirstEvent, std::to_string(first_event));
  base.emplace(kMetaLastEvent, std::to_string(last_event));
  base.emplace(kMetaBodyLength, std::to_string(obj.body.size()));
  base.emplace(kMetaBodySha256, obj.body_sha256);
  base.emplace(kMetaSeparator, sep.empty() ? std::string(kSeparatorNone) : HexEncode(sep));
  // Absent = JSON Lines, so JSON Lines objects keep their exact metadata.
  if (parquet) base.emplace(kMetaBodyFormat, BodyFormatName(options_.body_format));
  base.emplace(kMetaIndexSha256, Sha256Hex(index));
  base.emplace(kMetaIndexSize, std::to_string(index.size()));

  // Inline when everything fits; the base64 text is cut into parts of at most
  // metadata_value_max_bytes (a multiple of 4 is not required: parts are concatenated first).
  // Base64 of n bytes is 4 * ceil(n / 3) characters: the text itself is made only when it goes
  // inline (an index of thousands of messages goes to an object, and the text would be waste).
  const size_t b64_size = 4 * ((index.size() + 2) / 3);
  const size_t part_max = options_.metadata_value_max_bytes;
  const size_t parts = (b64_size + part_max - 1) / part_max;
  // Each field costs its header name (prefix included), so the count bounds AWS's whichever
  // way it treats the prefix.
  auto field_bytes = [](size_t name, size_t value) { return kAmzMetaPrefix.size() + name + value; };
  size_t inline_bytes =
      MetadataBytes(base) + field_bytes(kMetaIndexLocation.size(), kLocationInline.size()) +
      field_bytes(kMetaIndexParts.size(), std::to_string(parts).size()) + b64_size;
  for (size_t p = 0; p < parts; ++p) {
    inline_bytes += field_bytes(kMetaIndexPartPrefix.size() + std::to_string(p).size(), 0);
  }
  obj.metadata = std::move(base);
  if (inline_bytes <= options_.metadata_budget_bytes) {
    const std::string b64 = Base64Encode(index);
    obj.metadata.emplace(kMetaIndexLocation, kLocationInline);
    obj.metadata.emplace(kMetaIndexParts, std::to_string(parts));
    for (size_t p = 0; p < parts; ++p) {
      obj.metadata.emplace(std::string(kMetaIndexPartPrefix) + std::to_string(p),
                           b64.substr(p * part_max, part_max));
    }
  } else {
    obj.metadata.emplace(kMetaIndexLocation, kLocationObject);
    if (!options_.index_object_prefix.empty()) {
      obj.metadata.emplace(kMetaIndexPrefix, PercentEncode(options_.index_object_prefix));
    }
    if (!options_.index_object_suffix.empty()) {
      obj.metadata.emplace(kMetaIndexSuffix, PercentEncode(options_.index_object_suffix));
    }
    // The group directory, when it fits what is left of the budget: a reader then gets a
    // whole device with HEAD + one ranged GET, no index GET (FORMAT.md 3.3). When it does
    // not, its records go into the index, hashed into buckets that one ranged GET each
    // reads (3.4): a device then costs HEAD + one small index GET + one ranged GET.
    std::optional<std::vector<std::string>> records;
    if (options_.clustering && !groups.empty()) {
      records = DirectoryRecords(messages, order, groups, offsets, lengths, times, first_event,
                                 sep, parquet, strings);
    }
    if (records && !AddGroupDirectory(*records, options_.metadata_budget_bytes,
                                      options_.metadata_value_max_bytes, &obj.metadata)) {
      std::vector<std::string_view> group_keys;
      group_keys.reserve(groups.size());
      for (const Group& g : groups) group_keys.push_back(strings.Get(g.key_id));
      uint32_t buckets = 0, slot = 0;
      const std::string tail = GroupBuckets(*records, group_keys, &buckets, &slot);
      const std::string field = std::string(kMetaGroupBuckets);
      // The offset is filled in below; its digits count against the budget at their maximum.
      const std::string components = std::to_string(options_.cluster_key_components);
      const size_t field_bytes_max = kAmzMetaPrefix.size() + field.size() + 20 + 1 +
                                     std::to_string(buckets).size() + 1 +
                                     std::to_string(slot).size() + 4 + components.size();
      if (!tail.empty() && raw.size() + 8 + tail.size() <= kMaxRawIndexBytes &&
          MetadataBytes(obj.metadata) + field_bytes_max <= options_.metadata_budget_bytes) {
        at = BeginSection(raw, kTagGroupBuckets);
        raw.append(tail);
        EndSection(raw, at);
        uint64_t tail_at = 0;
        M2S_ASSIGN_OR_RETURN(
            index, ZlibCompressWithStoredTail(std::string_view(raw).substr(0, raw.size() - tail.size()),
                                              tail, slot, options_.zlib_level, &tail_at));
        obj.raw_index_bytes = raw.size();
        obj.index_bytes = index.size();
        obj.metadata[std::string(kMetaIndexSha256)] = Sha256Hex(index);
        obj.metadata[std::string(kMetaIndexSize)] = std::to_string(index.size());
        obj.metadata.emplace(field, std::to_string(tail_at) + ":" + std::to_string(buckets) +
                                        ":" + std::to_string(slot) + ":" +
                                        HexEncode(std::string(1, options_.key_delimiter)) +
                                        ":" + components);
      }
    }
    obj.index_object = std::move(index);
  }
  obj.metadata_bytes = MetadataBytes(obj.metadata);
  if (obj.metadata_bytes > options_.metadata_budget_bytes) {
    return Status::ResourceExhausted("object format metadata needs " +
                                     std::to_string(obj.metadata_bytes) + " bytes, budget is " +
                                     std::to_string(options_.metadata_budget_bytes));
  }
  return obj;
}

}  // namespace mqtt2s3::format
