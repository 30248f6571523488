// ObjectIndex: the decoded offset index of one object (docs/FORMAT.md), and the queries a
// reader runs on it before ranged GETs.
//
//   auto located = ObjectIndex::FromMetadata(head.metadata, key);          // after HEAD
//   if (!located.ok()) ...;
//   if (auto* need = std::get_if<NeedIndexObject>(&*located)) {
//     bytes = GET(need->key);                                              // one GET
//     index = ObjectIndex::FromIndexObject(head.metadata, bytes);          // verifies sha256
//   }
//   for (ByteRange r : index.CoalesceRanges(index.Find("site-7/dev-42"), 64 * 1024))
//     data = GET(key, r.HttpRange());  payload = ObjectIndex::Slice(r, data, index.entry(i));
//
// Lifecycle: immutable after decoding; copies share the decoded bytes. Thread-safety: const
// methods may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "format/object_info.h"
#include "format/object_writer.h"

namespace mqtt2s3::format {

// A byte range of the body: [offset, offset + length).
struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t end() const { return offset + length; }
  // HTTP Range header value; empty ranges have none (do not send a GET for them).
  std::string HttpRange() const {
    return "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
  }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

// One message. Views point into the index's shared buffer (valid while any copy lives).
struct IndexEntry {
  uint64_t offset = 0;  // payload start in the body
  uint32_t length = 0;  // payload bytes (separator excluded)
  int64_t event_time_ms = 0;
  uint32_t arrival = 0;  // position in arrival order
  std::string_view topic;
  std::string_view index_key;
  std::string_view dedupe_id;
  ByteRange range() const { return {offset, length}; }
};

// Entries [first_entry, first_entry + entry_count) share one cluster key; their payloads and
// separators fill `range` (from the first payload to the end of the last one).
struct IndexGroup {
  std::string_view key;
  uint32_t first_entry = 0;
  uint32_t entry_count = 0;
  ByteRange range;
};

// The index lives in a companion object; fetch it and call FromIndexObject.
struct NeedIndexObject {
  std::string key;     // companion object key
  uint64_t size = 0;   // its expected size in bytes
  std::string sha256;  // its expected lowercase hex SHA-256
};

class ObjectIndex {
 public:
  using Located = std::variant<ObjectIndex, NeedIndexObject>;

  // From a HEAD's metadata: the index when inline (checksum verified), else where it is.
  static StatusOr<Located> FromMetadata(const Metadata& metadata, std::string_view data_key);
  // From the metadata plus the companion index object's bytes: checks size and SHA-256.
  static StatusOr<ObjectIndex> FromIndexObject(const Metadata& metadata, std::string_view bytes);
  // Decodes index bytes (the zlib stream) already verified against `info`.
  static StatusOr<ObjectIndex> Decode(const ObjectInfo& info, std::string_view index_bytes);

  const ObjectInfo& info() const { return info_; }
  size_t size() const { return offsets_.size(); }
  IndexEntry entry(size_t i) const;

  // Entries (in body order) whose index key starts with `key_prefix`.
  std::vector<uint32_t> Find(std::string_view key_prefix) const;
  // Entries with from_ms <= event time < to_ms, in body order.
  std::vector<uint32_t> Filter(int64_t from_ms, int64_t to_ms) const;
  // Cluster groups in body order (ascending key); empty when the writer did not cluster.
  const std::vector<IndexGroup>& Groups() const { return groups_; }

  // The fewest byte ranges covering the entries' payloads, merging two when the gap between
  // them is at most `max_gap_bytes` (reading a little extra beats another request).
  std::vector<ByteRange> CoalesceRanges(std::span<const uint32_t> entries,
                                        uint64_t max_gap_bytes) const;
  // The payload of `entry` inside the bytes fetched for `fetched` (OutOfRange -> InvalidArgument).
  static StatusOr<std::string_view> Slice(const ByteRange& fetched, std::string_view fetched_bytes,
                                          const IndexEntry& entry);

 private:
  Status Parse(std::string_view raw);
  Status ParseStrings(std::string_view section);
  Status ParseGroups(std::string_view section);
  Status Check() const;

  ObjectInfo info_;
  std::shared_ptr<const std::string> raw_;  // decompressed index; the views point here
  std::vector<std::string_view> strings_;
  std::vector<uint64_t> offsets_;
  std::vector<uint32_t> lengths_;
  std::vector<int64_t> times_;
  std::vector<uint32_t> topics_;
  std::vector<uint32_t> keys_;
  std::vector<std::string_view> dedupe_;  // empty when the DDUP section is absent
  std::vector<uint32_t> arrival_;         // empty when the SEQN section is absent
  std::vector<IndexGroup> groups_;
};

}  // namespace mqtt2s3::format
