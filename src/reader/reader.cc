// Reader: listing by key name, HEAD + index load, selection and coalesced ranged GETs.
#include "mqtt2s3/reader.h"
#include "reader/where.h"

#include <algorithm>
#include <string>

#include "format/encoding.h"
#include "route/object_name.h"

namespace mqtt2s3 {
namespace {

using reader_internal::Where;

// Component `index` of `key` split at `delim`, or nullopt when the key has fewer.
std::optional<std::string_view> Component(std::string_view key, size_t index, char delim) {
  for (size_t i = 0;; ++i) {
    size_t end = key.find(delim);
    if (i == index) return key.substr(0, end);
    if (end == std::string_view::npos) return std::nullopt;
    key.remove_prefix(end + 1);
  }
}

// True when `key` is prefix + <canonical object name key> + suffix.
bool IsIndexObjectKey(std::string_view key, std::string_view prefix, std::string_view suffix) {
  if (!key.starts_with(prefix) || !key.ends_with(suffix)) return false;
  key.remove_prefix(prefix.size());
  key.remove_suffix(suffix.size());
  return route::ParseObjectName(key).ok();
}

}  // namespace

Status ReaderOptions::Validate() const {
  if (max_index_bytes == 0) {
    return Status::InvalidArgument("reader option 'max_index_bytes': must be > 0");
  }
  if (index_object_prefix.empty() && index_object_suffix.empty()) {
    return Status::InvalidArgument(
        "reader options 'index_object_prefix' and 'index_object_suffix': not both empty");
  }
  return Status::Ok();
}

Reader::Reader(std::shared_ptr<const s3::Client> client, ReaderOptions options)
    : client_(std::move(client)), options_(options) {}

StatusOr<ListResult> Reader::ListObjects(std::string_view bucket, std::string_view prefix,
                                         const TimeRange& range) {
  // Page by page so stats count each ListObjectsV2 request; the bound keeps a runaway
  // listing (a bug, or a token loop) finite.
  ListResult result;
  s3::ListObjectsRequest request;
  request.prefix = std::string(prefix);
  for (int page = 0; page < 100000; ++page) {
    ++stats_.lists;
    auto listed = client_->ListObjectsV2(bucket, request);
    if (!listed.ok()) {
      return listed.status().WithContext("listing bucket '" + std::string(bucket) +
                                         "' prefix '" + std::string(prefix) + "'");
    }
    for (const s3::ListedObject& o : listed->objects) {
      if (IsIndexObjectKey(o.key, options_.index_object_prefix, options_.index_object_suffix)) {
        ++result.index_objects;
        continue;
      }
      auto parts = route::ParseObjectName(o.key);
      if (!parts.ok()) {
        result.unparsed.emplace_back(o.key, parts.status().message());
        continue;
      }
      if (!range.Overlaps(parts->first_ms, parts->last_ms)) {
        ++result.outside_range;
        continue;
      }
      result.objects.push_back({o.key, o.size, parts->first_ms, parts->last_ms,
                                std::move(parts->instance), parts->partition_seq});
    }
    if (!listed->is_truncated) return result;
    if (listed->next_continuation_token.empty()) {
      return Status::Internal("listing bucket '" + std::string(bucket) +
                              "': truncated page without a continuation token");
    }
    request.continuation_token = listed->next_continuation_token;
  }
  return Status::ResourceExhausted("listing bucket '" + std::string(bucket) +
                                   "': more than 100000 pages");
}

StatusOr<OpenObject> Reader::Open(std::string_view bucket, std::string_view key) {
  ++stats_.heads;
  auto head = client_->HeadObject(bucket, key);
  if (!head.ok()) return head.status().WithContext("HEAD " + Where(bucket, key));
  return OpenHeaded(bucket, key, std::move(*head));
}

StatusOr<OpenObject> Reader::OpenHeaded(std::string_view bucket, std::string_view key,
                                        s3::ObjectInfo head_info) {
  const s3::ObjectInfo* head = &head_info;
  auto located = format::ObjectIndex::FromMetadata(head->metadata, key);
  if (!located.ok()) return located.status().WithContext(Where(bucket, key));

  OpenObject obj;
  obj.bucket = std::string(bucket);
  obj.key = std::string(key);
  obj.object_size = head->size;
  obj.etag = head->etag;
  if (auto* index = std::get_if<format::ObjectIndex>(&*located)) {
    obj.index_inline = true;
    obj.index = std::move(*index);
  } else {
    const auto& need = std::get<format::NeedIndexObject>(*located);
    obj.index_key = need.key;
    if (need.size > options_.max_index_bytes) {
      return Status::ResourceExhausted(Where(bucket, key) + ": index object '" + need.key +
                                       "' is " + std::to_string(need.size) +
                                       " bytes, above max_index_bytes");
    }
    ++stats_.gets;
    auto got = client_->GetObject(bucket, need.key);
    if (!got.ok()) {
      return got.status().WithContext(Where(bucket, key) + ": GET index object '" + need.key +
                                      "'");
    }
    stats_.bytes += got->body.size();
    auto loaded = format::ObjectIndex::FromIndexObject(head->metadata, got->body);
    if (!loaded.ok()) {
      return loaded.status().WithContext(Where(bucket, key) + " index object '" + need.key + "'");
    }
    obj.index = std::move(*loaded);
  }
  obj.index_bytes = obj.info().index_size;
  // A body of another length than the metadata says is a torn or foreign object: every
  // offset in the index would be suspect.
  if (obj.object_size != obj.info().body_length) {
    return Status::Corruption(Where(bucket, key) + ": object is " +
                              std::to_string(obj.object_size) + " bytes, metadata says " +
                              std::to_string(obj.info().body_length));
  }
  return obj;
}

std::vector<uint32_t> Reader::Select(const OpenObject& object, const Selector& selector) {
  const format::ObjectIndex& index = object.index;
  // Start from the cheapest index query, then filter the survivors.
  std::vector<uint32_t> candidates;
  const bool all_time = selector.time.from_ms == TimeRange{}.from_ms &&
                        selector.time.to_ms == TimeRange{}.to_ms;
  if (!selector.exact_key.empty() || !selector.key_prefix.empty()) {
    candidates = index.Find(!selector.exact_key.empty() ? selector.exact_key
                                                        : selector.key_prefix);
  } else if (!all_time) {
    candidates = index.Filter(selector.time.from_ms, selector.time.to_ms);
  } else {
    candidates.resize(index.size());
    for (uint32_t i = 0; i < candidates.size(); ++i) candidates[i] = i;
  }
  std::vector<uint32_t> out;
  out.reserve(candidates.size());
  for (uint32_t i : candidates) {
    const format::IndexEntry e = index.entry(i);
    if (!selector.exact_key.empty() && e.index_key != selector.exact_key) continue;
    if (!selector.key_prefix.empty() && !e.index_key.starts_with(selector.key_prefix)) continue;
    if (!selector.time.Contains(e.event_time_ms)) continue;
    if (!selector.component.empty()) {
      auto c = Component(e.index_key, selector.component_index, selector.key_delimiter);
      if (!c || *c != selector.component) continue;
    }
    out.push_back(i);
  }
  return out;
}

StatusOr<FetchResult> Reader::Fetch(const OpenObject& object, std::span<const uint32_t> entries) {
  const format::ObjectIndex& index = object.index;
  FetchResult result;
  for (uint32_t i : entries) {
    if (i >= index.size()) {
      return Status::InvalidArgument(Where(object.bucket, object.key) + ": entry " +
                                     std::to_string(i) + " out of range");
    }
  }
  // Separators (or Parquet length prefixes) between neighbouring payloads are never worth a
  // request of their own, so a cluster stays one range even with max_gap_bytes = 0.
  // In a Parquet body, neighbours in one data page are 4 bytes apart (the BYTE_ARRAY length).
  const uint64_t framing = index.info().body_format == format::BodyFormat::kParquet
                               ? 4
                               : index.info().separator.size();
  const uint64_t max_gap = std::max<uint64_t>(options_.max_gap_bytes, framing);
  const std::vector<format::ByteRange> ranges = index.CoalesceRanges(entries, max_gap);
  std::vector<std::string> bodies(ranges.size());
  for (size_t r = 0; r < ranges.size(); ++r) {
    if (ranges[r].length == 0) continue;  // empty payloads only: nothing to GET
    ++stats_.gets;
    ++result.requests;
    auto got = client_->GetObject(
        object.bucket, object.key,
        s3::ByteRange::Bytes(ranges[r].offset, ranges[r].end() - 1));
    if (!got.ok()) {
      return got.status().WithContext("GET " + Where(object.bucket, object.key) + " range " +
                                      ranges[r].HttpRange());
    }
    stats_.bytes += got->body.size();
    result.bytes += got->body.size();
    if (got->body.size() != ranges[r].length || got->range_first != ranges[r].offset) {
      return Status::Corruption(Where(object.bucket, object.key) + ": asked for " +
                                ranges[r].HttpRange() + ", got " +
                                std::to_string(got->body.size()) + " bytes at " +
                                std::to_string(got->range_first));
    }
    bodies[r] = std::move(got->body);
  }
  result.messages.reserve(entries.size());
  for (uint32_t i : entries) {
    const format::IndexEntry e = index.entry(i);
    if (options_.dedupe && !e.dedupe_id.empty()) {
      if (!seen_dedupe_ids_.emplace(e.dedupe_id).second) {
        ++result.duplicates_dropped;
        continue;
      }
    }
    // The range holding this entry: the last one starting at or before its offset.
    auto it = std::upper_bound(ranges.begin(), ranges.end(), e.offset,
                               [](uint64_t off, const format::ByteRange& r) {
                                 return off < r.offset;
                               });
    std::string_view payload;
    if (e.length > 0) {
      if (it == ranges.begin()) {
        return Status::Internal(Where(object.bucket, object.key) + ": no range for entry " +
                                std::to_string(i));
      }
      size_t r = static_cast<size_t>(std::prev(it) - ranges.begin());
      M2S_ASSIGN_OR_RETURN(payload, format::ObjectIndex::Slice(ranges[r], bodies[r], e));
    }
    result.messages.push_back({std::string(e.index_key), std::string(e.topic), e.event_time_ms,
                               std::string(e.dedupe_id), std::string(payload)});
  }
  return result;
}

Status Reader::VerifyBody(const OpenObject& object) {
  ++stats_.gets;
  auto got = client_->GetObject(object.bucket, object.key);
  if (!got.ok()) return got.status().WithContext("GET " + Where(object.bucket, object.key));
  stats_.bytes += got->body.size();
  const std::string actual = format::Sha256Hex(got->body);
  if (actual != object.info().body_sha256) {
    return Status::Corruption(Where(object.bucket, object.key) + ": body sha256 " + actual +
                              " != metadata " + object.info().body_sha256);
  }
  return Status::Ok();
}

}  // namespace mqtt2s3
