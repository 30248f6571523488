// One route compiled for the hot path: its filter split into levels and its bucket and key
// templates parsed into segments. Built once at startup by Router::Create (and by the config
// loader, to report template errors at the right YAML line).
//
// Thread-safety: immutable after Compile().
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "route/key_template.h"
#include "route/route_options.h"
#include "route/topic_filter.h"

namespace mqtt2s3::route {

class CompiledRoute {
 public:
  // On error, *bad_field (if given) names the offending RouteOptions field: "name", "filter",
  // "pattern", "bucket" or "key".
  static StatusOr<CompiledRoute> Compile(const RouteOptions& options,
                                         std::string* bad_field = nullptr);

  const RouteOptions& options() const { return options_; }
  const TopicFilter& filter() const { return filter_; }
  // nullopt = default bucket (the topic's first level, bucket-ized).
  const std::optional<KeyTemplate>& bucket() const { return bucket_; }
  const KeyTemplate& key() const { return key_; }
  bool uses_json() const;
  bool uses_receive_time() const;

 private:
  CompiledRoute(RouteOptions options, TopicFilter filter, std::optional<KeyTemplate> bucket,
                KeyTemplate key)
      : options_(std::move(options)),
        filter_(std::move(filter)),
        bucket_(std::move(bucket)),
        key_(std::move(key)) {}

  RouteOptions options_;
  TopicFilter filter_;
  std::optional<KeyTemplate> bucket_;
  KeyTemplate key_;
};

}  // namespace mqtt2s3::route
