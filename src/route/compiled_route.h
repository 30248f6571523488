// One route compiled for the hot path: its filter split into levels and its bucket and key
// templates parsed into segments. Built once at startup by Router::Create (and by the config
// loader, to report template errors at the right YAML line).
//
// Thread-safety: immutable after Compile().
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "route/event_time.h"
#include "route/key_template.h"
#include "route/route_options.h"
#include "route/topic_filter.h"

namespace mqtt2s3::route {

class CompiledRoute {
 public:
  // On error, *bad_field (if given) names the offending RouteOptions field: "name", "filter",
  // "pattern", "bucket", "key", "time_field", "time_format", "time_zone",
  // "payload_compression", "compressed_level", "max_inflated_bytes", "format", "columns" or
  // "columns[i].<field>". The key is
  // compiled as a batching key: batch placeholders allowed, {seq} refused, and it must hold
  // {object_name} or both {partition_seq} and {instance} (keys unique per batch).
  static StatusOr<CompiledRoute> Compile(const RouteOptions& options,
                                         std::string* bad_field = nullptr);

  const RouteOptions& options() const { return options_; }
  const TopicFilter& filter() const { return filter_; }
  // nullopt = default bucket (the topic's first level, bucket-ized).
  const std::optional<KeyTemplate>& bucket() const { return bucket_; }
  const KeyTemplate& index_key() const { return *index_key_; }
  // The dedupe template; nullopt for "content" and "user_property:NAME".
  const std::optional<KeyTemplate>& dedupe_template() const { return dedupe_; }
  // NAME of "user_property:NAME"; empty otherwise.
  const std::string& dedupe_user_property() const { return dedupe_user_property_; }
  const KeyTemplate& key() const { return key_; }
  // nullopt = no time_field: the event time is the receive time.
  const std::optional<EventTimeParser>& event_time() const { return event_time_; }
  // Topic level whose value says whether a payload is compressed (compressed_level); -1 when
  // the route has none.
  int compressed_level_index() const { return compressed_level_index_; }
  // The event-time window (options' earliest_event_time, compiled to Unix ms).
  int64_t earliest_event_ms() const { return earliest_event_ms_; }
  bool uses_json() const;
  // A Parquet route whose payload column is JSON-typed: the router checks each payload.
  bool validates_json() const {
    return options_.format == format::BodyFormat::kParquet && PayloadStoredAsJson(options_);
  }
  bool uses_receive_time() const;

 private:
  CompiledRoute(RouteOptions options, TopicFilter filter, std::optional<KeyTemplate> bucket,
                KeyTemplate key, std::optional<EventTimeParser> event_time,
                std::optional<KeyTemplate> index_key, std::optional<KeyTemplate> dedupe,
                std::string dedupe_user_property, int compressed_level_index)
      : options_(std::move(options)),
        filter_(std::move(filter)),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        event_time_(std::move(event_time)),
        index_key_(std::move(index_key)),
        dedupe_(std::move(dedupe)),
        dedupe_user_property_(std::move(dedupe_user_property)),
        compressed_level_index_(compressed_level_index) {}

  RouteOptions options_;
  TopicFilter filter_;
  std::optional<KeyTemplate> bucket_;
  KeyTemplate key_;
  std::optional<EventTimeParser> event_time_;
  std::optional<KeyTemplate> index_key_;  // always set once compiled
  std::optional<KeyTemplate> dedupe_;
  std::string dedupe_user_property_;
  int compressed_level_index_ = -1;
  int64_t earliest_event_ms_ = 0;
};

}  // namespace mqtt2s3::route
