// The dedupe id of a routed message: what the index records so that a reader can drop the
// copies at-least-once delivery makes (redelivery after a crash, the backup consumer). The
// converter and the backup consumer both compute it here, so the same message gets the same
// id in both.
//
//   std::string id;
//   AppendDedupeId(route, result, user_prop_value, topic, payload, &id);
//
// Rules, per routes[].dedupe_id: a template that rendered gives its text; else a named
// MQTT 5 user property present on the message gives its value; else the content hash.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "route/compiled_route.h"
#include "route/router.h"

namespace mqtt2s3::route {

// 64-bit FNV-1a over topic, a NUL and the payload, as 16 lowercase hex digits appended to
// *out. Stable across versions and machines (docs/FORMAT.md). Not a security property: a
// deliberate collision only merges two messages in a deduplicated read.
void AppendContentHash(std::string_view topic, std::string_view payload, std::string* out);

// Appends the message's dedupe id to *out (see the rules above). `user_property` is the value
// of route.dedupe_user_property() on the message, if the route names one and it is present.
void AppendDedupeId(const CompiledRoute& route, const RouteResult& result,
                    std::optional<std::string_view> user_property, std::string_view topic,
                    std::string_view payload, std::string* out);

}  // namespace mqtt2s3::route
