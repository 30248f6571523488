// mqtt2s3::Reader: reads messages back out of the objects mqtt2s3 wrote (docs/FORMAT.md),
// touching as few bytes and requests as the offset index allows.
//
//   std::shared_ptr<const s3::Client> client = ...;           // s3/client.h
//   mqtt2s3::Reader reader(client);                             // default ReaderOptions
//   auto listed = reader.ListObjects("welding", "plant-1/2018/", {.from_ms = t0, .to_ms = t1});
//   for (const auto& batch : listed->objects) {                 // key names only, no HEAD
//     auto obj = reader.Open("welding", batch.key);             // HEAD (+ one index GET)
//     if (!obj.ok()) return obj.status();   // "bucket 'welding' key '...': index sha256 ..."
//     mqtt2s3::Selector device;  device.component = "robot-03";   // first key component
//     auto entries = reader.Select(*obj, device);
//     auto fetched = reader.Fetch(*obj, entries);               // coalesced ranged GETs
//     for (const auto& m : fetched->messages) Use(m.index_key, m.payload);
//   }
//   reader.stats();   // {heads, gets, lists, bytes} so far
//
// Cost: fetching one message costs one HEAD, at most one index GET (when the index is not
// inline) and one ranged GET; one device of a clustered object is one contiguous range.
//
// Many objects (a device's day): Query() lists, then reads objects in parallel, a device of an
// object costing HEAD + one ranged GET when the object carries a group directory:
//   QueryOptions q{.bucket = "company-x-plant-1", .list_prefix = "2018/10/01/"};
//   q.selector.component = "WELDING-STATION-3";  q.selector.time = {t0, t1};
//   auto r = reader.Query(q);       // r->messages in key order, r->requests
//
// Lifecycle: a Reader is cheap; make one per task. The OpenObject values it returns are
// immutable and independent of it. Thread-safety: a Reader is NOT thread-safe (it counts
// requests and remembers dedupe ids); use one per thread (Query() runs its own workers). The
// shared client is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "format/object_index.h"
#include "s3/client.h"

namespace mqtt2s3 {

// Event times [from_ms, to_ms), Unix milliseconds. The default covers all time.
struct TimeRange {
  int64_t from_ms = std::numeric_limits<int64_t>::min();
  int64_t to_ms = std::numeric_limits<int64_t>::max();
  // True when some instant of [first_ms, last_ms] (both inclusive) lies in the range.
  bool Overlaps(int64_t first_ms, int64_t last_ms) const {
    return first_ms < to_ms && last_ms >= from_ms;
  }
  bool Contains(int64_t t_ms) const { return t_ms >= from_ms && t_ms < to_ms; }
};

// Parses a command-line time: "2018-10-01 17:00", "2018-10-01T17:00:00Z",
// "2018-10-01T17:00:00.250Z", "2018-10-01" (all UTC) or Unix milliseconds "1538413200000".
StatusOr<int64_t> ParseTimeArg(std::string_view text);
// "2018-10-01T17:00:00.000Z".
std::string FormatTimeMs(int64_t ms);

struct ReaderOptions {
  // Two wanted byte ranges closer than this are fetched by one GET (the gap is read and
  // dropped): a few KiB extra cost less than another request's latency. Separators are
  // always bridged, so one cluster (device) is one GET even at 0.
  uint64_t max_gap_bytes = 64 * 1024;
  // Drop messages whose dedupe id this Reader has returned before (across objects and
  // Fetch calls). Messages without a dedupe id are always returned.
  bool dedupe = false;
  // Refuse companion index objects larger than this (a corrupt size field must not make
  // us download gigabytes).
  uint64_t max_index_bytes = 256ull << 20;
  // How the writer named companion index objects (format::FormatOptions; the defaults
  // match), so ListObjects can tell them from batches: a companion's name parses too.
  std::string index_object_prefix;
  std::string index_object_suffix = ".idx";

  Status Validate() const;
};

// Requests sent so far by one Reader; `bytes` counts response bodies (index and data GETs).
struct RequestStats {
  uint64_t heads = 0;
  uint64_t gets = 0;
  uint64_t lists = 0;  // ListObjectsV2 pages
  uint64_t bytes = 0;
};

// One object found by ListObjects, described by its canonical name (route/object_name.h).
struct ListedBatch {
  std::string key;
  uint64_t size = 0;  // from the listing
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  std::string instance;
  uint64_t partition_seq = 0;
};

struct ListResult {
  std::vector<ListedBatch> objects;  // overlapping the time range, in listing (key) order
  // Keys whose last component is not a canonical object name, with why (companion index
  // objects among them): their time range is unknown, so they are neither kept nor dropped.
  std::vector<std::pair<std::string, std::string>> unparsed;
  uint64_t outside_range = 0;  // parsed but not overlapping
  uint64_t index_objects = 0;  // companion index objects (named after a batch), skipped
};

// An object after HEAD and index load. Immutable value.
struct OpenObject {
  std::string bucket;
  std::string key;
  uint64_t object_size = 0;   // from HEAD
  std::string etag;
  bool index_inline = false;
  std::string index_key;      // companion index object key; empty when inline
  uint64_t index_bytes = 0;   // compressed index size
  format::ObjectIndex index;  // checksum verified
  const format::ObjectInfo& info() const { return index.info(); }
};

// Which messages of an object to read. Empty fields do not filter; set fields all apply.
struct Selector {
  std::string exact_key;       // index key equals this
  std::string key_prefix;      // index key starts with this
  std::string component;       // index key component `component_index` equals this
  size_t component_index = 0;  // 0 = first component (the device in "robot-03/WELD/1/t")
  char key_delimiter = '/';
  TimeRange time;
};

// Message::event_time_ms of a message read through the group directory (FORMAT.md 3.3),
// which gives payloads and their group's time range, not each message's own time.
inline constexpr int64_t kUnknownEventTime = std::numeric_limits<int64_t>::min();

struct Message {
  std::string index_key;  // through the group directory: the group's cluster key
  std::string topic;      // through the group directory: empty
  // Through the group directory: kUnknownEventTime, or QueryOptions::payload_event_time's.
  int64_t event_time_ms = 0;
  std::string dedupe_id;  // through the group directory: empty
  std::string payload;
};

struct FetchResult {
  std::vector<Message> messages;  // in the order of the entries asked for
  uint64_t requests = 0;          // ranged GETs this fetch sent
  uint64_t bytes = 0;             // bytes those GETs returned (payloads + gaps + separators)
  uint64_t duplicates_dropped = 0;
};

// What Reader::Query reads: objects found by listing (or given), and the messages of each that
// match `selector`.
struct QueryOptions {
  std::string bucket;
  // Objects are listed under this key prefix and kept when their name's event-time range
  // overlaps selector.time (no HEAD for the others). Ignored when `keys` is set.
  std::string list_prefix;
  std::vector<std::string> keys;  // read exactly these objects, in this order
  Selector selector;
  // Objects in flight at once: each worker HEADs an object, then sends its GETs, so one
  // object's HEAD overlaps others' GETs. 1 = sequential.
  size_t concurrency = 8;
  // Read a whole device (selector.component with component_index 0, or no key filter at all)
  // with HEAD + one ranged GET per object through the group directory when the object has one
  // and the time window does not cut through a wanted group. Messages read that way carry
  // their payload and cluster key only (see Message); set false to always use the index.
  bool use_directory = true;
  // Event times for the directory path, read from the payloads (e.g. a route's time_field, as
  // `mqtt2s3 serve` does): Query calls the factory once per object read through the directory
  // (so what it returns may keep buffers; it runs on one worker thread) and the function for
  // each message of that object. A message then carries the returned time, which must lie in
  // its group's event-time range (FORMAT.md 3.3): when it returns nullopt or a time outside
  // that range for any message (its index time was not the payload's, e.g. the converter
  // stamped it with the receive time), the object is read through its index instead. Unset:
  // such messages carry kUnknownEventTime.
  using PayloadEventTime = std::function<std::optional<int64_t>(std::string_view payload)>;
  std::function<PayloadEventTime()> payload_event_time;
};

struct QueryResult {
  // Objects in key order (listing order, or `keys` order), each object's messages in body
  // order; with ReaderOptions::dedupe, repeats dropped (first occurrence kept).
  std::vector<Message> messages;
  uint64_t objects = 0;               // objects read (HEADed)
  uint64_t objects_by_directory = 0;  // of these, read through the group directory
  uint64_t duplicates_dropped = 0;
  RequestStats requests;              // this query's requests (also added to stats())
};

class Reader {
 public:
  explicit Reader(std::shared_ptr<const s3::Client> client, ReaderOptions options = {});

  // Objects under `prefix` whose key-encoded time range overlaps `range`. Lists only (no
  // HEAD); errors name the bucket and prefix.
  StatusOr<ListResult> ListObjects(std::string_view bucket, std::string_view prefix,
                                   const TimeRange& range = {});

  // HEAD, then the index: inline from the metadata, or one GET of the companion index object.
  // Corruption (naming bucket and key) when a checksum or size does not match.
  StatusOr<OpenObject> Open(std::string_view bucket, std::string_view key);

  // Entries (in body order) of `object` matching `selector`. No I/O.
  static std::vector<uint32_t> Select(const OpenObject& object, const Selector& selector);

  // The messages of `entries`, read with as few ranged GETs as ReaderOptions::max_gap_bytes
  // allows. Corruption when S3 returns fewer bytes than the index promises.
  StatusOr<FetchResult> Fetch(const OpenObject& object, std::span<const uint32_t> entries);

  // GETs the whole body and checks its SHA-256 against the metadata (OK or Corruption).
  Status VerifyBody(const OpenObject& object);

  // Lists (unless options.keys), then reads every object with options.concurrency workers:
  // HEAD, then the group directory's ranged GETs or the index and its coalesced ranged GETs.
  // Dedupe (ReaderOptions::dedupe) runs over the whole result in key order: by dedupe id for
  // messages read through the index, by (cluster key, payload bytes) for messages read through
  // the directory, which carry no id. The first error (naming bucket and key) ends the query.
  StatusOr<QueryResult> Query(const QueryOptions& options);

  const RequestStats& stats() const { return stats_; }
  void ResetStats() { stats_ = {}; }
  const ReaderOptions& options() const { return options_; }

 private:
  // Open() after its HEAD.
  StatusOr<OpenObject> OpenHeaded(std::string_view bucket, std::string_view key,
                                  s3::ObjectInfo head);

  std::shared_ptr<const s3::Client> client_;
  ReaderOptions options_;
  RequestStats stats_;
  std::set<std::string, std::less<>> seen_dedupe_ids_;
};

}  // namespace mqtt2s3
