// Options of the router: the routes as the operator wrote them (config fills these; the
// router never reads files). docs/CONFIG.md documents every field.
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "format/body_format.h"

namespace mqtt2s3::route {

enum class PayloadFormat : uint8_t {
  kJson,  // payload is JSON; {json:...} placeholders may read it
  kRaw,   // opaque bytes
};

// How payloads are compressed (routes[].payload_compression).
enum class PayloadCompression : uint8_t {
  kNone,  // as sent
  kZlib,  // zlib (RFC 1950; gzip also accepted)
};

// What a route does with an event time outside its window (routes[].out_of_window).
enum class OutOfWindow : uint8_t {
  kReceiveTime,  // keep the message, stamped with its receive time
  kDeadLetter,   // dead-letter it (event_time_out_of_window)
};
std::string_view OutOfWindowName(OutOfWindow p);  // "receive_time", "dead_letter"

// One partition per topic, a directory per hour of event time, the canonical object name.
inline constexpr std::string_view kDefaultKeyTemplate =
    "{topic}/{first:%Y/%m/%d/%H}/{object_name}";

// Most typed columns one route may have.
inline constexpr size_t kMaxRouteColumns = 1000;

// A typed column of a Parquet route (routes[].columns): a payload field by JSON pointer.
struct ColumnOptions {
  // Column name, [A-Za-z_][A-Za-z0-9_]{0,63}; not a fixed column's name
  // (format::kParquetFixedColumns). Required.
  std::string name;
  // RFC 6901 JSON pointer into the (inflated) payload, e.g. "/weldspot/Voltage"; "" = the
  // whole payload. Required.
  std::string pointer;
  format::ColumnType type = format::ColumnType::kString;
  // timestamp only: how a string value is written (route/event_time.h formats: rfc3339,
  // unix_ms, unix_s or a %-pattern), in the route's time_zone. A number is epoch ms.
  std::string time_format = "rfc3339";
};

struct RouteOptions {
  // Unique name; shows in {route}, logs and metrics. Required.
  std::string name;
  // MQTT topic filter this route takes ('+', '#'; a "$share/{group}/" prefix is ignored).
  // Required. Routes are tried in order; the first match wins.
  std::string filter;
  // Optional: names topic levels for templates, "{root}/{format}/{plant}/...". Each level is
  // "{name}" or any other text (an unnamed level).
  std::string pattern;
  // Bucket template. Empty = the topic's first level made a valid bucket name (lower-cased,
  // characters outside [a-z0-9.-] replaced by '-').
  std::string bucket;
  // Object key template (of a whole batch). Message-level placeholders make the partition,
  // batch placeholders ({first}, {last}, {partition_seq}, {count}, {object_name}) are filled
  // per batch. Must make keys unique per batch: {object_name}, or {partition_seq} + {instance}.
  std::string key = std::string(kDefaultKeyTemplate);
  // Payload format; {json:...} placeholders need kJson.
  PayloadFormat payload = PayloadFormat::kJson;
  // Compression of every payload of the route. The router inflates a compressed payload only
  // to read its fields ({json:...}, time_field); the stored payload stays as sent.
  PayloadCompression payload_compression = PayloadCompression::kNone;
  // Optional: a level named in `pattern` (e.g. "compressed" for the COMPRESSED level) whose
  // value says per message: "1" = zlib, "0" = not compressed; any other value dead-letters the
  // message (invalid_payload). Overrides payload_compression. Needs payload kJson.
  std::string compressed_level;
  // Largest inflated payload; a payload that inflates past it is dead-lettered
  // (invalid_payload), as is a corrupt one.
  size_t max_inflated_bytes = 1 << 20;
  // Content-Type of uploaded objects. Empty = application/json for json, else
  // application/octet-stream.
  std::string content_type;
  // Event time: JSON pointer to the payload field holding the message's own timestamp. Empty
  // = event time is the receive time. Needs payload kJson. See route/event_time.h.
  std::string time_field;
  // How time_field is written: rfc3339, unix_ms, unix_s or a %-pattern.
  std::string time_format = "rfc3339";
  // Offset for formats without one: "UTC", "+01:00", "-0530".
  std::string time_zone = "UTC";
  // Plausibility window of a payload's event time: not before `earliest_event_ms` and not
  // more than `max_event_ahead_ms` after the receive time. Outside it the time is bad input,
  // handled by `out_of_window` (and counted). Only applies to times read from time_field.
  // RFC 3339, 1970-01-01T00:00:00Z or later.
  std::string earliest_event_time = "2000-01-01T00:00:00Z";
  // 0 = no upper bound other than the format's (year 9999).
  std::chrono::milliseconds max_event_ahead{std::chrono::hours(1)};
  OutOfWindow out_of_window = OutOfWindow::kReceiveTime;
  // Index key of each message in the object's index (docs/FORMAT.md): a template of
  // message-level placeholders, e.g. "{device}/{type}/{version}/{json:/weldspot/Timestamp}".
  std::string index_key = "{topic}";
  // Dedupe id of each message: "content" (a 64-bit FNV-1a hash of topic and payload, hex),
  // "user_property:NAME" (an MQTT 5 user property; content hash when absent), or a template
  // such as "{json:/seq}".
  std::string dedupe_id = "content";
  // Group the object's messages by the first `cluster_components` components of the index key
  // ('/'-separated; 0 = the whole key), arrival order kept inside each group, so one device's
  // messages are one contiguous byte range.
  bool cluster = true;
  size_t cluster_components = 1;
  // Object body: JSON Lines (default) or Parquet (format/parquet_body.h).
  format::BodyFormat format = format::BodyFormat::kJsonLines;
  // Parquet only: typed columns taken from each payload; a value that is absent or does not
  // convert is a null (counted), never a lost message. Needs payload kJson.
  std::vector<ColumnOptions> columns;

  // The Content-Type to use (content_type or the payload format's default).
  std::string_view EffectiveContentType() const;
};

struct RouterOptions {
  std::vector<RouteOptions> routes;
  // This instance's id ({instance}); [A-Za-z0-9._-], 1..64 bytes, not "." or "..".
  std::string instance_id = "mqtt2s3";
  // Cap for one rendered value (a topic level or payload field) after encoding.
  size_t max_value_bytes = 256;
  // Cap for a whole rendered key; S3 allows 1024 bytes.
  size_t max_key_bytes = 1024;

  // Checks the fields and compiles every route (filters, patterns, templates).
  Status Validate() const;
};

// OK when `id` can be used as an instance id (see RouterOptions::instance_id).
Status ValidateInstanceId(std::string_view id);

std::string_view PayloadFormatName(PayloadFormat f);
std::string_view PayloadCompressionName(PayloadCompression c);  // "none", "zlib"

// Extension of batch objects in {object_name}: "jsonl" for json (the body is JSON Lines),
// "bin" for raw.
std::string_view ObjectExtension(PayloadFormat f);
// The route's extension: "parquet" for a Parquet body, else ObjectExtension(payload).
std::string_view ObjectExtension(const RouteOptions& route);

// True when every payload a route stores is valid JSON as stored, so a Parquet body may type
// its payload column JSON: payload json, no compression (the router then dead-letters
// payloads that are not JSON, see Router::Route).
bool PayloadStoredAsJson(const RouteOptions& route);

}  // namespace mqtt2s3::route
