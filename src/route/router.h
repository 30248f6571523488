// Maps one MQTT message to (route, bucket, partition, event time), or to a dead-letter reason;
// and, per batch, a partition's partial key to the batch's object key.
//
//   StatusOr<Router> router = Router::Create(options);   // once, at startup
//   RouteResult r;                                        // reused across messages
//   router->Route(topic, payload, receive_time, seq, &r);
//   if (r.ok()) batcher.Append(r.partition, r.bucket, r.route_index, ...);
//   else DeadLetter(r.reason, r.detail);
//   // at flush, on any thread:
//   router->RenderObjectKey(b.route_index, partial_key, {first, last, seq, count}, &key);
//
// The partition is "<bucket>/<partial key>": the key template rendered with message-level
// placeholders filled and batch placeholders left as slot markers (key_template.h). Messages
// with equal partitions go into the same batches; a batch's key is then a pure function of the
// partial key, the batch's first/last event time, count and partition_seq, and the instance id.
//
// The first route whose filter matches wins. Templates were parsed at Create(), so Route()
// only walks segments: it reuses the result's strings, the topic-level vector and the JSON
// parser, and in steady state allocates nothing (the payload is parsed at most once, and only
// when a template reads a {json:...} field or the route has a time_field).
//
// Compressed payloads (routes[].payload_compression, compressed_level): the payload is
// inflated into reused scratch only when the route reads it, and only for reading; the
// caller stores the payload as sent. A corrupt payload, one that inflates past
// max_inflated_bytes, or a compressed level other than 0/1 is dead-lettered
// (invalid_payload) with a detail saying which.
//
// Per-topic memo: what depends on the topic alone (the matching route, and the bucket and the
// partial key when their templates read only topic levels, {topic}, {instance}, {route} and
// batch slots) is remembered per topic after its first successful render and reused. A key
// that adds only a time partition ({first:...} in a directory component) to those is
// remembered with the event-time period it was rendered for (the minute, hour or day, the
// finest its format prints) and reused while the topic's messages stay in that period. A
// template with {json:...}, {receive_time} or {seq} is rendered for every message; failures
// are never remembered, so dead letters are reported exactly as without the memo. At most
// memo_capacity() topics are remembered; a new topic beyond that empties the memo first.
//
// Lifecycle: Create() validates and compiles; the Router is then used for the life of the
// process. Thread-safety: NOT thread-safe (it owns per-message scratch); give each thread its
// own Clone(), which shares the compiled routes. RenderObjectKey() is const and thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "route/compiled_route.h"
#include "route/dead_letter.h"
#include "route/json_fields.h"
#include "route/payload_inflater.h"
#include "route/route_options.h"

namespace mqtt2s3::route {

struct RouteResult {
  bool ok() const { return reason == DeadLetterReason::kNone; }

  // Index into RouterOptions::routes of the matching route; -1 for kNoRoute. Set also when a
  // matching route failed to render (reason != kNone).
  int route_index = -1;
  std::string bucket;     // valid when ok()
  // "<bucket>/<partial key>", the batch partition id; valid when ok(). Never contains a
  // newline or control character (values are percent-encoded).
  std::string partition;
  // The partial key: `partition` after "<bucket>/" (a view into it).
  std::string_view partial_key() const {
    return std::string_view(partition).substr(std::min(partition.size(), bucket.size() + 1));
  }
  // Event time in ms since the epoch: the payload's time_field when the route has one and it
  // parsed, else the receive time. Always set (dead letters too).
  int64_t event_time_ms = 0;
  bool event_time_from_payload = false;
  // The route has a time_field but this payload lacked it or it did not parse: the receive
  // time was used (count it; the message is NOT dead-lettered for it).
  bool event_time_fallback = false;
  // The payload's event time was outside the route's window (routes[].earliest_event_time,
  // max_event_ahead): with out_of_window receive_time the receive time was used (count it);
  // with dead_letter, reason is kEventTimeOutOfWindow.
  bool event_time_out_of_window = false;
  // The message's index key (routes[].index_key) and, when the route's dedupe_id is a
  // template that rendered, its dedupe id (empty otherwise, also when the template's field is
  // missing: the caller then hashes the content or reads a user property).
  std::string index_key;
  std::string dedupe_id;
  DeadLetterReason reason = DeadLetterReason::kNone;
  std::string detail;  // when !ok(): names the template, field or topic; safe to log
};

class Router {
 public:
  static StatusOr<Router> Create(const RouterOptions& options);

  Router(Router&&) noexcept = default;
  Router& operator=(Router&&) noexcept = default;

  // A router sharing this one's compiled routes, with its own scratch (for another thread).
  Router Clone() const;

  // Fills *result (its previous contents are overwritten, its capacity reused). Returns
  // result->ok().
  bool Route(std::string_view topic, std::string_view payload,
             std::chrono::system_clock::time_point receive_time, uint64_t seq,
             RouteResult* result);

  // *out = the object key of a batch of route `route_index` whose messages had partition
  // "<bucket>/<partial_key>". Deterministic: the same inputs give the same key on any
  // instance run with the same config. InvalidArgument for an out-of-range route, a partial
  // key that route did not produce, or vars out of range (see BatchKeyVars).
  Status RenderObjectKey(size_t route_index, std::string_view partial_key,
                         const BatchKeyVars& vars, std::string* out) const;

  // Splits a partition id at its first '/' (bucket names have none). False when it has none.
  static bool SplitPartition(std::string_view partition, std::string_view* bucket,
                             std::string_view* partial_key);

  // The memo's bound in topics (default kDefaultMemoCapacity); 0 turns the memo off.
  static constexpr size_t kDefaultMemoCapacity = 4096;
  void set_memo_capacity(size_t topics) {
    memo_capacity_ = topics;
    memo_.clear();
  }
  size_t memo_capacity() const { return memo_capacity_; }
  size_t memo_size() const { return memo_.size(); }

  size_t route_count() const { return shared_->routes.size(); }
  const CompiledRoute& route(size_t i) const { return shared_->routes[i]; }
  const std::string& instance_id() const { return shared_->instance_id; }

 private:
  struct Shared {
    std::vector<CompiledRoute> routes;
    std::string instance_id;
    size_t max_key_bytes = 1024;
    // Per route: the key limit minus room for the batch values FillSlots() adds later.
    std::vector<RenderLimits> key_limits;
    RenderLimits bucket_limits;
    RenderLimits index_limits;
    // Per route: the bucket / the key render from the topic alone (memoisable).
    std::vector<bool> bucket_topic_only;
    std::vector<bool> key_topic_only;
    // Per route: the key reads the topic and a time partition, which is the same for every
    // event time in one period of this many ms; 0 when it reads anything else.
    std::vector<int64_t> key_period_ms;
  };
  // What Route() remembers of one topic. `partition` is empty when the key is neither
  // topic-only nor time-partitioned (then only the bucket is reused); for a time-partitioned
  // key it is the partition of event-time period `period` (the last one rendered).
  struct MemoEntry {
    int route_index = -1;
    std::string bucket;
    std::string partition;
    int64_t period = 0;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  explicit Router(std::shared_ptr<const Shared> shared) : shared_(std::move(shared)) {}

  // Records what Route() found for `topic` (after the bucket and key rendered).
  void Remember(std::string_view topic, size_t index, int64_t period, const RouteResult& result);
  bool RenderBucket(const CompiledRoute& route, const RenderInput& in, RouteResult* result);
  // *json = the payload to read fields from: `payload` itself, or its inflated copy.
  bool PayloadForReading(const CompiledRoute& route, std::string_view payload,
                         std::string_view* json, RouteResult* result);

  std::shared_ptr<const Shared> shared_;
  std::vector<std::string_view> levels_;  // scratch: the topic split at '/'
  JsonFields json_;                        // scratch: reused parser and padded buffer
  PayloadInflater inflater_;               // scratch: inflated copy of a compressed payload
  std::unordered_map<std::string, MemoEntry, StringHash, std::equal_to<>> memo_;
  size_t memo_capacity_ = kDefaultMemoCapacity;
};

}  // namespace mqtt2s3::route
