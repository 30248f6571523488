#include "serve/payload_event_time.h"

#include <memory>

#include "route/compiled_route.h"
#include "route/json_fields.h"
#include "route/payload_inflater.h"

namespace mqtt2s3::serve {
StatusOr<std::function<QueryOptions::PayloadEventTime()>> PayloadEventTimeOfRoute(
    const route::RouteOptions& options) {
  std::string bad_field;
  auto compiled = route::CompiledRoute::Compile(options, &bad_field);
  if (!compiled.ok()) {
    return compiled.status().WithContext("route '" + options.name + "' (" + bad_field + ")");
  }
  if (!compiled->event_time()) {
    return Status::InvalidArgument("route '" + options.name +
                                   "' has no time_field: its event times are receive times, "
                                   "which only the index holds");
  }
  auto route = std::make_shared<const route::CompiledRoute>(std::move(*compiled));
  // Which payloads the converter inflated: all (payload_compression zlib), those flagged by a
  // topic level (compressed_level; the topic is not at hand here, but a flagged payload is a
  // zlib/gzip stream and an unflagged JSON one never starts like one), or none.
  const bool by_level = route->compressed_level_index() >= 0;  // the level decides, then
  const bool always = !by_level && options.payload_compression == route::PayloadCompression::kZlib;
  const bool maybe = always || by_level;
  return std::function<QueryOptions::PayloadEventTime()>([route, always, maybe] {
    struct Scratch {
      route::JsonFields fields;
      route::PayloadInflater inflater;
      std::string why;
    };
    auto scratch = std::make_shared<Scratch>();
    return QueryOptions::PayloadEventTime(
        [route, always, maybe, scratch](std::string_view payload) -> std::optional<int64_t> {
          std::string_view json = payload;
          if (maybe && (always || route::LooksZlibOrGzip(payload))) {
            if (scratch->inflater.Inflate(payload, route->options().max_inflated_bytes, &json,
                                          &scratch->why) != route::InflateResult::kOk) {
              return std::nullopt;
            }
          }
          scratch->fields.Reset(json);
          std::string_view text;
          int64_t ms = 0;
          if (scratch->fields.Get(route->options().time_field, &text) !=
                  route::JsonFieldResult::kOk ||
              !route->event_time()->Parse(text, &ms) || ms < route->earliest_event_ms()) {
            return std::nullopt;
          }
          return ms;
        });
  });
}

}  // namespace mqtt2s3::serve
