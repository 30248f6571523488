#include "route/router.h"

#include "route/key_sanitizer.h"
#include "route/object_name.h"
#include "route/utc_time.h"

namespace mqtt2s3::route {
namespace {

// True when `seg` renders the same for every message of a topic: it reads no payload field,
// no receive time, no sequence number and no event time (a time partition).
bool RendersFromTopicOnly(const TemplateSegment& seg) {
  switch (seg.kind) {
    case SegmentKind::kLiteral:
    case SegmentKind::kNamedLevel:
    case SegmentKind::kLevel:
    case SegmentKind::kTopic:
    case SegmentKind::kInstance:
    case SegmentKind::kRoute:
    case SegmentKind::kPartitionSeq:
    case SegmentKind::kCount:
    case SegmentKind::kObjectName:
      return true;
    case SegmentKind::kFirst:
    case SegmentKind::kLast:
      return !seg.time_partition;
    case SegmentKind::kJson:
    case SegmentKind::kReceiveTime:
    case SegmentKind::kSeq:
    default:
      return false;
  }
}

bool RendersFromTopicOnly(const KeyTemplate& t) {
  return std::all_of(t.segments().begin(), t.segments().end(),
                     [](const TemplateSegment& seg) { return RendersFromTopicOnly(seg); });
}

// The length in ms of the event-time periods whose messages render `t` alike, when `t` reads
// only the topic and a time partition ({first:...} in a directory); 0 otherwise. Partitions
// stop at minutes (KeyTemplate refuses %S, %L and %s there), and UTC minutes, hours and days
// are whole multiples of 60,000, 3,600,000 and 86,400,000 ms since the epoch; months, years
// and days of the year change only at a day boundary.
int64_t TimePartitionPeriodMs(const KeyTemplate& t) {
  if (!t.partitions_by_event_time()) return 0;
  int64_t period = 86'400'000;
  for (const TemplateSegment& seg : t.segments()) {
    if (!seg.time_partition) {
      if (!RendersFromTopicOnly(seg)) return 0;
      continue;
    }
    const std::string& f = seg.time->text();
    for (size_t k = 0; k + 1 < f.size(); ++k) {
      if (f[k] != '%') continue;
      switch (f[++k]) {
        case 'M': period = std::min<int64_t>(period, 60'000); break;
        case 'H': period = std::min<int64_t>(period, 3'600'000); break;
        case 'Y': case 'm': case 'd': case 'j': case '%': break;
        default: return 0;
      }
    }
  }
  return period;
}

// floor(ms / period) for any sign of ms.
int64_t PeriodOf(int64_t ms, int64_t period) {
  const int64_t q = ms / period;
  return (ms % period < 0) ? q - 1 : q;
}

}  // namespace

StatusOr<Router> Router::Create(const RouterOptions& options) {
  M2S_RETURN_IF_ERROR(options.Validate());
  auto shared = std::make_shared<Shared>();
  shared->instance_id = options.instance_id;
  shared->max_key_bytes = options.max_key_bytes;
  // A bucket value longer than 63 bytes can never be valid; the name rules report it.
  shared->bucket_limits = {63, 63};
  // Index keys and dedupe ids live in the index, not in S3 keys: no room to reserve.
  shared->index_limits = {options.max_value_bytes, options.max_key_bytes};
  shared->routes.reserve(options.routes.size());
  for (const RouteOptions& r : options.routes) {
    auto c = CompiledRoute::Compile(r);
    if (!c.ok()) return c.status();
    const size_t growth = c->key().MaxSlotGrowth(
        MaxObjectNameBytes(options.instance_id, ObjectExtension(r)));
    // A key with every batch value at its longest must still fit S3's limit; the partial key
    // is checked against what is left, so RenderObjectKey can never overflow it.
    if (growth + 1 >= options.max_key_bytes) {
      return Status::InvalidArgument("route '" + r.name + "': key template '" + r.key +
                                     "' leaves no room for values within max_key_bytes");
    }
    shared->key_limits.push_back(
        {options.max_value_bytes, options.max_key_bytes - growth});
    shared->bucket_topic_only.push_back(!c->bucket().has_value() ||
                                        RendersFromTopicOnly(*c->bucket()));
    shared->key_topic_only.push_back(RendersFromTopicOnly(c->key()));
    shared->key_period_ms.push_back(TimePartitionPeriodMs(c->key()));
    shared->routes.push_back(std::move(*c));
  }
  return Router(std::move(shared));
}

Router Router::Clone() const { return Router(shared_); }

bool Router::RenderBucket(const CompiledRoute& route, const RenderInput& in,
                          RouteResult* result) {
  std::string& bucket = result->bucket;
  if (route.bucket().has_value()) {
    DeadLetterReason r =
        route.bucket()->Render(in, shared_->bucket_limits, &bucket, &result->detail);
    if (r != DeadLetterReason::kNone) {
      result->reason = r;
      result->detail.insert(0, "bucket template '" + route.bucket()->text() + "': ");
      return false;
    }
  } else {
    AppendBucketishValue((*in.levels)[0].substr(0, 64), &bucket);
  }
  std::string_view problem = BucketNameProblem(bucket);
  if (problem.empty()) return true;
  result->reason = DeadLetterReason::kInvalidBucket;
  result->detail.assign("bucket '");
  AppendKeyComponent(std::string_view(bucket).substr(0, 80), &result->detail);
  result->detail.append("' ").append(problem);
  if (!route.bucket().has_value()) result->detail.append(" (default: the topic's first level)");
  return false;
}

bool Router::PayloadForReading(const CompiledRoute& route, std::string_view payload,
                               std::string_view* json, RouteResult* result) {
  *json = payload;
  bool compressed = route.options().payload_compression == PayloadCompression::kZlib;
  if (const int level = route.compressed_level_index(); level >= 0) {
    if (static_cast<size_t>(level) >= levels_.size()) {
      // Only a filter with '#' lets a topic be shorter than the pattern.
      result->reason = DeadLetterReason::kMissingField;
      result->detail.assign("compressed level '" + route.options().compressed_level +
                            "' (topic level " + std::to_string(level) +
                            ") is missing from the topic");
      return false;
    }
    const std::string_view value = levels_[static_cast<size_t>(level)];
    if (value == "1" || value == "0") {
      compressed = value == "1";
    } else {
      result->reason = DeadLetterReason::kInvalidPayload;
      result->detail.assign("compressed level '" + route.options().compressed_level + "' is '");
      AppendKeyComponent(value.substr(0, 64), &result->detail);
      result->detail.append("', expected 0 (plain) or 1 (zlib)");
      return false;
    }
  }
  if (!compressed) return true;
  const InflateResult inflated =
      inflater_.Inflate(payload, route.options().max_inflated_bytes, json, &result->detail);
  if (inflated == InflateResult::kOk) return true;
  if (inflated == InflateResult::kTooLarge) result->detail.append(" (routes[].max_inflated_bytes)");
  result->reason = DeadLetterReason::kInvalidPayload;
  return false;
}

bool Router::Route(std::string_view topic, std::string_view payload,
                   std::chrono::system_clock::time_point receive_time, uint64_t seq,
                   RouteResult* result) {
  result->bucket.clear();
  result->partition.clear();
  result->index_key.clear();
  result->dedupe_id.clear();
  result->detail.clear();
  result->reason = DeadLetterReason::kNone;
  result->route_index = -1;
  const int64_t receive_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 receive_time.time_since_epoch())
                                 .count();
  result->event_time_ms = receive_ms;
  result->event_time_from_payload = false;
  result->event_time_fallback = false;
  result->event_time_out_of_window = false;

  const auto& routes = shared_->routes;
  // A remembered topic skips the filter walk, and the bucket and key renders that depend on
  // the topic alone. Only successes are remembered.
  MemoEntry* memo = nullptr;
  if (memo_capacity_ != 0) {
    if (auto it = memo_.find(topic); it != memo_.end()) memo = &it->second;
  }
  size_t index = 0;
  if (memo != nullptr) {
    index = static_cast<size_t>(memo->route_index);
  } else {
    while (index < routes.size() && !routes[index].filter().Matches(topic)) ++index;
  }
  if (index == routes.size()) {
    result->reason = DeadLetterReason::kNoRoute;
    result->detail.assign("no route matches topic '");
    AppendKeyComponent(topic.substr(0, 200), &result->detail);
    result->detail.push_back('\'');
    return false;
  }
  const CompiledRoute& route = routes[index];
  result->route_index = static_cast<int>(index);

  levels_.clear();
  size_t start = 0;
  while (true) {
    size_t slash = topic.find('/', start);
    if (slash == std::string_view::npos) {
      levels_.push_back(topic.substr(start));
      break;
    }
    levels_.push_back(topic.substr(start, slash - start));
    start = slash + 1;
  }
  // One lazy parse serves the time field and every {json:...} of the templates.
  if (route.uses_json()) {
    std::string_view json;
    if (!PayloadForReading(route, payload, &json, result)) return false;
    json_.Reset(json);
  }
  if (route.validates_json()) {
    // A Parquet body types this route's payload column JSON, and readers (fastparquet) parse
    // it: a payload that is not JSON must not enter such an object.
    if (!route.uses_json()) json_.Reset(payload);
    if (!json_.IsValid()) {
      result->reason = DeadLetterReason::kInvalidJson;
      result->detail.assign("payload is not valid JSON (route '" + route.options().name +
                            "' stores payloads in a JSON-typed Parquet column)");
      return false;
    }
  }
  if (route.event_time().has_value()) {
    std::string_view text;
    int64_t ms = 0;
    if (json_.Get(route.options().time_field, &text) == JsonFieldResult::kOk &&
        route.event_time()->Parse(text, &ms)) {
      const auto ahead = route.options().max_event_ahead.count();
      if (ms < route.earliest_event_ms() || (ahead > 0 && ms - receive_ms > ahead)) {
        // Implausible (a default-stamped clock, a typo'd year): it must not name objects or
        // partitions. Keep the message under its receive time, or dead-letter it.
        result->event_time_out_of_window = true;
        if (route.options().out_of_window == OutOfWindow::kDeadLetter) {
          result->reason = DeadLetterReason::kEventTimeOutOfWindow;
          result->detail.assign("event time at " + route.options().time_field + " ('");
          AppendKeyComponent(text.substr(0, 64), &result->detail);
          result->detail.append("') is outside route '" + route.options().name +
                                "''s window (earliest_event_time, max_event_ahead)");
          return false;
        }
      } else {
        result->event_time_ms = ms;
        result->event_time_from_payload = true;
      }
    } else {
      // A bad clock field must not cost the message: keep it, stamped with the receive time.
      result->event_time_fallback = true;
    }
  }
  // Calendar fields only when a template prints them.
  const CivilTimeUtc civil = route.uses_receive_time() ? ToCivilUtc(receive_time) : CivilTimeUtc{};
  const CivilTimeUtc event_civil = route.key().partitions_by_event_time()
                                       ? CivilFromEpochMs(result->event_time_ms)
                                       : CivilTimeUtc{};
  RenderInput in;
  in.event_time = &event_civil;
  in.topic = topic;
  in.levels = &levels_;
  in.json = &json_;
  in.receive_time = &civil;
  in.seq = seq;
  in.instance = shared_->instance_id;
  in.route = route.options().name;

  const bool bucket_memoised = shared_->bucket_topic_only[index];
  // A time-partitioned key is remembered with its event-time period (the last one seen).
  const int64_t period_ms = shared_->key_period_ms[index];
  const bool partition_memoised =
      bucket_memoised && (shared_->key_topic_only[index] || period_ms > 0);
  const int64_t period = period_ms > 0 ? PeriodOf(result->event_time_ms, period_ms) : 0;
  if (memo != nullptr && bucket_memoised) {
    result->bucket.assign(memo->bucket);
  } else if (!RenderBucket(route, in, result)) {
    return false;
  }
  DeadLetterReason r = DeadLetterReason::kNone;
  if (memo != nullptr && partition_memoised && memo->period == period) {
    result->partition.assign(memo->partition);
  } else {
    result->partition.assign(result->bucket);
    result->partition.push_back('/');
    r = route.key().Render(in, shared_->key_limits[index], &result->partition, &result->detail);
    if (r != DeadLetterReason::kNone) {
      result->reason = r;
      result->detail.insert(0, "key template '" + route.key().text() + "': ");
      return false;
    }
    if (memo != nullptr && partition_memoised) {
      memo->partition.assign(result->partition);
      memo->period = period;
    }
  }
  if (memo == nullptr && memo_capacity_ != 0) Remember(topic, index, period, *result);
  r = route.index_key().Render(in, shared_->index_limits, &result->index_key,
                               &result->detail);
  if (r != DeadLetterReason::kNone) {
    result->reason = r;
    result->detail.insert(0, "index key of route '" + route.options().name + "': ");
    return false;
  }
  if (route.dedupe_template().has_value() &&
      route.dedupe_template()->Render(in, shared_->index_limits, &result->dedupe_id,
                                      &result->detail) != DeadLetterReason::kNone) {
    // Like a missing event time, a missing dedupe field must not cost the message: leave the
    // id empty and the caller falls back to the content hash.
    result->dedupe_id.clear();
    result->detail.clear();
  }
  return true;
}

void Router::Remember(std::string_view topic, size_t index, int64_t period,
                      const RouteResult& result) {
  if (memo_.size() >= memo_capacity_) memo_.clear();  // bounded: start over
  MemoEntry& e = memo_[std::string(topic)];
  e.route_index = static_cast<int>(index);
  if (shared_->bucket_topic_only[index]) {
    e.bucket = result.bucket;
    if (shared_->key_topic_only[index] || shared_->key_period_ms[index] > 0) {
      e.partition = result.partition;
      e.period = period;
    }
  }
}

Status Router::RenderObjectKey(size_t route_index, std::string_view partial_key,
                               const BatchKeyVars& vars, std::string* out) const {
  if (route_index >= shared_->routes.size()) {
    return Status::InvalidArgument("RenderObjectKey: no route " + std::to_string(route_index));
  }
  const CompiledRoute& route = shared_->routes[route_index];
  M2S_RETURN_IF_ERROR(route.key().FillSlots(partial_key, vars, shared_->instance_id,
                                            ObjectExtension(route.options()), out));
  if (out->size() > shared_->max_key_bytes) {
    return Status::InvalidArgument("object key is " + std::to_string(out->size()) +
                                   " bytes, limit " + std::to_string(shared_->max_key_bytes));
  }
  return Status::Ok();
}

bool Router::SplitPartition(std::string_view partition, std::string_view* bucket,
                            std::string_view* partial_key) {
  const size_t slash = partition.find('/');
  if (slash == std::string_view::npos) return false;
  *bucket = partition.substr(0, slash);
  *partial_key = partition.substr(slash + 1);
  return true;
}

}  // namespace mqtt2s3::route
