#include "config/config_table.h"

#include <algorithm>
#include <vector>

#include "config/units.h"

namespace mqtt2s3::config {
namespace {

// Field <-> ConfigValue conversions; the table's lambdas pick the overload by field type.
void Assign(std::string& f, const ConfigValue& v) { f = v.s; }
void Assign(bool& f, const ConfigValue& v) { f = v.b; }
void Assign(int& f, const ConfigValue& v) { f = static_cast<int>(v.i); }
void Assign(uint32_t& f, const ConfigValue& v) { f = static_cast<uint32_t>(v.i); }
void Assign(uint64_t& f, const ConfigValue& v) { f = static_cast<uint64_t>(v.i); }
void Assign(milliseconds& f, const ConfigValue& v) { f = milliseconds(v.i); }
void Assign(MqttProtocol& f, const ConfigValue& v) {
  f = v.s == "3.1.1" ? MqttProtocol::kV311 : MqttProtocol::kV5;
}
void Assign(S3Addressing& f, const ConfigValue& v) {
  f = v.s == "virtual" ? S3Addressing::kVirtual : S3Addressing::kPath;
}
void Assign(route::PayloadFormat& f, const ConfigValue& v) {
  f = v.s == "raw" ? route::PayloadFormat::kRaw : route::PayloadFormat::kJson;
}
void Assign(format::BodyFormat& f, const ConfigValue& v) { format::ParseBodyFormat(v.s, &f); }
void Assign(format::ColumnType& f, const ConfigValue& v) { format::ParseColumnType(v.s, &f); }
void Assign(route::PayloadCompression& f, const ConfigValue& v) {
  f = v.s == "zlib" ? route::PayloadCompression::kZlib : route::PayloadCompression::kNone;
}
void Assign(route::OutOfWindow& f, const ConfigValue& v) {
  f = v.s == "dead_letter" ? route::OutOfWindow::kDeadLetter : route::OutOfWindow::kReceiveTime;
}
void Assign(LogFormat& f, const ConfigValue& v) {
  f = v.s == "json" ? LogFormat::kJson : LogFormat::kText;
}
void Assign(LogLevel& f, const ConfigValue& v) {
  for (LogLevel l : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                     LogLevel::kError}) {
    if (LogLevelName(l) == v.s) f = l;
  }
}

template <typename T>
void Assign(std::optional<T>& f, const ConfigValue& v) {
  T t{};
  Assign(t, v);
  f = t;
}

ConfigValue ToValue(const std::string& f) { return {false, 0, f}; }
ConfigValue ToValue(bool f) { return {f, 0, {}}; }
ConfigValue ToValue(int f) { return {false, f, {}}; }
ConfigValue ToValue(uint32_t f) { return {false, f, {}}; }
ConfigValue ToValue(uint64_t f) { return {false, static_cast<int64_t>(f), {}}; }
ConfigValue ToValue(milliseconds f) { return {false, f.count(), {}}; }
ConfigValue ToValue(MqttProtocol f) { return {false, 0, std::string(MqttProtocolName(f))}; }
ConfigValue ToValue(S3Addressing f) { return {false, 0, std::string(S3AddressingName(f))}; }
ConfigValue ToValue(route::PayloadFormat f) {
  return {false, 0, std::string(route::PayloadFormatName(f))};
}
ConfigValue ToValue(format::BodyFormat f) {
  return {false, 0, std::string(format::BodyFormatName(f))};
}
ConfigValue ToValue(format::ColumnType f) {
  return {false, 0, std::string(format::ColumnTypeName(f))};
}
ConfigValue ToValue(route::PayloadCompression f) {
  return {false, 0, std::string(route::PayloadCompressionName(f))};
}
ConfigValue ToValue(route::OutOfWindow f) {
  return {false, 0, std::string(route::OutOfWindowName(f))};
}
ConfigValue ToValue(LogFormat f) { return {false, 0, std::string(LogFormatName(f))}; }
ConfigValue ToValue(LogLevel f) { return {false, 0, std::string(LogLevelName(f))}; }

// Binds a table entry to `c.<expr>` (a member path spelled like the key path).
#define M2S_FIELD(expr)                                                             \
  [](Config& c, size_t, const ConfigValue& v) { Assign(c.expr, v); },               \
      [](const Config& c, size_t) { return ToValue(c.expr); }
#define M2S_ITEM(list, field)                                                       \
  [](Config& c, size_t i, const ConfigValue& v) { Assign(c.list[i].field, v); },    \
      [](const Config& c, size_t i) { return ToValue(c.list[i].field); }
#define M2S_LIST(list)                                                              \
  [](const Config& c, size_t) { return c.list.size(); },                            \
      [](Config& c, size_t, size_t n) { c.list.resize(n); }
// routes[].columns[].<field>: item packs the route and the column (NestedItem).
#define M2S_COLUMN(field)                                                           \
  [](Config& c, size_t i, const ConfigValue& v) {                                   \
    Assign(c.routes[OuterItem(i)].columns[InnerItem(i)].field, v);                  \
  },                                                                                \
      [](const Config& c, size_t i) {                                               \
        return ToValue(c.routes[OuterItem(i)].columns[InnerItem(i)].field);         \
      }

// routes[].batch.<field>: an override kept in c.route_batch[i]; reads show the effective value
// (the override, else batch.<field>), so a dumped config loads back to the same policies.
#define M2S_ROUTE_BATCH(field)                                                      \
  [](Config& c, size_t i, const ConfigValue& v) {                                   \
    if (c.route_batch.size() <= i) c.route_batch.resize(i + 1);                     \
    Assign(c.route_batch[i].field, v);                                              \
  },                                                                                \
      [](const Config& c, size_t i) {                                               \
        return i < c.route_batch.size() && c.route_batch[i].field                   \
                   ? ToValue(*c.route_batch[i].field)                               \
                   : ToValue(c.batch.field);                                        \
      }

using Setter = void (*)(Config&, size_t, const ConfigValue&);
using Getter = ConfigValue (*)(const Config&, size_t);

ConfigKey Section(std::string_view path, std::string_view help) {
  ConfigKey k;
  k.path = path, k.kind = ValueKind::kSection, k.help = help;
  return k;
}
ConfigKey List(std::string_view path, std::string_view help,
               size_t (*count)(const Config&, size_t), void (*resize)(Config&, size_t, size_t),
               uint8_t flags = 0) {
  ConfigKey k;
  k.path = path, k.kind = ValueKind::kList, k.help = help, k.flags = flags;
  k.count = count, k.resize = resize;
  return k;
}
ConfigKey Scalar(std::string_view path, ValueKind kind, std::string_view def,
                 std::string_view help, Setter set, Getter get, uint8_t flags = 0) {
  ConfigKey k;
  k.path = path, k.kind = kind, k.default_text = def, k.help = help, k.flags = flags;
  k.set = set, k.get = get;
  return k;
}
ConfigKey Ranged(ConfigKey k, int64_t min, int64_t max) {
  k.min = min, k.max = max;
  return k;
}
ConfigKey Enum(ConfigKey k, std::string_view choices) {
  k.kind = ValueKind::kEnum, k.choices = choices;
  return k;
}
ConfigKey Forbidden(std::string_view path, std::string_view help) {
  ConfigKey k;
  k.path = path, k.kind = ValueKind::kForbidden, k.help = help;
  return k;
}

constexpr int64_t kSec = 1000;
constexpr int64_t kHour = 3600 * kSec;
constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kGiB = int64_t{1} << 30;
using K = ValueKind;

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::vector<ConfigKey> BuildTable() {
  return {
      Scalar("instance_id", K::kString, "short host name",
             "Names this instance in object keys ({instance}) and the default client id. "
             "[A-Za-z0-9._-], 1..64 bytes. Each instance sharing a bucket needs its own.",
             M2S_FIELD(instance_id), kDynamicDefault),

      Section("broker", "The MQTT broker connection."),
      Scalar("broker.host", K::kString, "127.0.0.1", "Broker host name or address.",
             M2S_FIELD(broker.host)),
      Ranged(Scalar("broker.port", K::kInt, "1883", "Broker TCP port.", M2S_FIELD(broker.port)),
             1, 65535),
      List("broker.failover",
           "Further brokers serving the same topics (a bridged pair or a cluster). When the "
           "current broker cannot be reached or drops, the next is tried at once, round robin "
           "from broker.host; the reconnect backoff applies between full rounds. No fail-back. "
           "See docs/SCALING.md for what happens to messages queued on a lost broker.",
           M2S_LIST(broker.failover)),
      Scalar("broker.failover[].host", K::kString, "", "Broker host name or address.",
             M2S_ITEM(broker.failover, host), kRequired),
      Ranged(Scalar("broker.failover[].port", K::kInt, "1883",
                    "Broker TCP port (its TLS listener when broker.tls.enabled).",
                    M2S_ITEM(broker.failover, port)),
             1, 65535),
      Scalar("broker.failover[].tls_server_name", K::kString, "",
             "TLS: the name this broker's certificate must carry (and SNI); empty = its host. "
             "The other broker.tls settings apply to every broker.",
             M2S_ITEM(broker.failover, tls_server_name)),
      Enum(Scalar("broker.protocol", K::kString, "5", "MQTT protocol version.",
                  M2S_FIELD(broker.protocol)),
           "5|3.1.1"),
      Scalar("broker.client_id", K::kString, "mqtt2s3-{instance_id}",
             "MQTT client id; must be unique per instance.", M2S_FIELD(broker.client_id),
             kDynamicDefault),
      Scalar("broker.clean_start", K::kBool, "false",
             "Start a new session; false resumes the broker-side session and its queued messages.",
             M2S_FIELD(broker.clean_start)),
      Ranged(Scalar("broker.session_expiry", K::kDuration, "1h",
                    "How long the broker keeps the session after a disconnect (MQTT 5).",
                    M2S_FIELD(broker.session_expiry)),
             0, 4294967295LL * kSec),
      Ranged(Scalar("broker.keepalive", K::kDuration, "30s", "MQTT keep-alive interval; 0 = off.",
                    M2S_FIELD(broker.keepalive)),
             0, 65535 * kSec),
      Scalar("broker.username", K::kString, "", "User name; empty = none.",
             M2S_FIELD(broker.username)),
      Scalar("broker.password_env", K::kEnvName, "",
             "Environment variable holding the broker password.", M2S_FIELD(broker.password_env)),
      Scalar("broker.password_file", K::kPath, "",
             "File holding the broker password (trailing newline ignored).",
             M2S_FIELD(broker.password_file)),
      Forbidden("broker.password", "write broker.password_env or broker.password_file instead"),
      Ranged(Scalar("broker.receive_maximum", K::kInt, "1000",
                    "MQTT 5 Receive Maximum: QoS 1/2 messages the broker may have in flight.",
                    M2S_FIELD(broker.receive_maximum)),
             1, 65535),
      Ranged(Scalar("broker.max_packet_size", K::kSize, "16MiB",
                    "Largest MQTT packet accepted (MQTT 5 Maximum Packet Size).",
                    M2S_FIELD(broker.max_packet_size)),
             1024, 268435460),
      Ranged(Scalar("broker.reconnect_min", K::kDuration, "100ms",
                    "First reconnect delay; doubles after each failure.",
                    M2S_FIELD(broker.reconnect_min)),
             1, kHour),
      Ranged(Scalar("broker.reconnect_max", K::kDuration, "30s", "Longest reconnect delay.",
                    M2S_FIELD(broker.reconnect_max)),
             1, 24 * kHour),
      Section("broker.tls", "MQTT over TLS 1.2+ (docs/TLS.md). The broker's certificate is "
                            "always verified."),
      Scalar("broker.tls.enabled", K::kBool, "false",
             "Connect with TLS (the broker's TLS listener, usually port 8883).",
             M2S_FIELD(broker.tls.enabled)),
      Scalar("broker.tls.ca_file", K::kPath, "",
             "PEM bundle of the CAs trusted to sign the broker's certificate; empty = the "
             "system store. Read on every connect.",
             M2S_FIELD(broker.tls.ca_file)),
      Scalar("broker.tls.cert_file", K::kPath, "",
             "Client certificate chain (PEM) for brokers that require one; needs key_file.",
             M2S_FIELD(broker.tls.cert_file)),
      Scalar("broker.tls.key_file", K::kPath, "",
             "Unencrypted private key (PEM) of cert_file. Secret: only the path is ever logged.",
             M2S_FIELD(broker.tls.key_file)),
      Scalar("broker.tls.server_name", K::kString, "",
             "Name the certificate must carry, also sent as SNI unless it is an IP address; "
             "empty = broker.host.",
             M2S_FIELD(broker.tls.server_name)),
      Scalar("broker.tls.verify", K::kBool, "true",
             "Must stay true: `false` is refused (put the broker's CA in ca_file instead).",
             M2S_FIELD(broker.tls.verify)),

      List("subscriptions",
           "Topic filters to subscribe to. At least one. Shared subscriptions: "
           "`$share/{group}/{filter}`.",
           M2S_LIST(subscriptions), kRequired),
      Scalar("subscriptions[].filter", K::kString, "",
             "MQTT topic filter (`+` and `#` as whole levels, `#` last).",
             M2S_ITEM(subscriptions, filter), kRequired),
      Ranged(Scalar("subscriptions[].qos", K::kInt, "1", "Maximum QoS (0, 1 or 2).",
                    M2S_ITEM(subscriptions, qos)),
             0, 2),

      Section("s3", "The S3-compatible object store."),
      Scalar("s3.endpoint", K::kString, "", "Endpoint URL, e.g. `http://127.0.0.1:8000`.",
             M2S_FIELD(s3.endpoint), kRequired),
      Scalar("s3.region", K::kString, "us-east-1", "Region used for SigV4 signing.",
             M2S_FIELD(s3.region)),
      Enum(Scalar("s3.addressing", K::kString, "path",
                  "`path`: http://host/bucket/key; `virtual`: http://bucket.host/key.",
                  M2S_FIELD(s3.addressing)),
           "path|virtual"),
      Scalar("s3.access_key_env", K::kEnvName, "AWS_ACCESS_KEY_ID",
             "Environment variable holding the access key id.", M2S_FIELD(s3.access_key_env)),
      Scalar("s3.secret_key_env", K::kEnvName, "AWS_SECRET_ACCESS_KEY",
             "Environment variable holding the secret access key.",
             M2S_FIELD(s3.secret_key_env)),
      Scalar("s3.access_key_file", K::kPath, "",
             "File holding the access key id; wins over access_key_env.",
             M2S_FIELD(s3.access_key_file)),
      Scalar("s3.secret_key_file", K::kPath, "",
             "File holding the secret access key; wins over secret_key_env.",
             M2S_FIELD(s3.secret_key_file)),
      Forbidden("s3.access_key", "write s3.access_key_env or s3.access_key_file instead"),
      Forbidden("s3.secret_key", "write s3.secret_key_env or s3.secret_key_file instead"),
      Scalar("s3.ca_file", K::kPath, "",
             "PEM CA bundle for an https endpoint; empty = the system store.",
             M2S_FIELD(s3.ca_file)),
      Scalar("s3.verify_tls", K::kBool, "true",
             "Verify the https endpoint's certificate and host name. `false` is dangerous "
             "(anyone on the path can read and alter uploads); prefer s3.ca_file.",
             M2S_FIELD(s3.verify_tls)),
      Scalar("s3.create_buckets", K::kBool, "true", "Create a missing bucket on first use.",
             M2S_FIELD(s3.create_buckets)),
      Ranged(Scalar("s3.request_timeout", K::kDuration, "30s", "Timeout of one S3 request.",
                    M2S_FIELD(s3.request_timeout)),
             100, kHour),

      List("routes",
           "Topic -> bucket and key. Tried in order; the first route whose filter matches a "
           "message's topic takes it. At least one.",
           [](const Config& c, size_t) { return c.routes.size(); },
           [](Config& c, size_t, size_t n) {
             c.routes.resize(n);
             c.route_batch.resize(n);
           },
           kRequired),
      Scalar("routes[].name", K::kString, "", "Unique route name ({route}, logs, metrics).",
             M2S_ITEM(routes, name), kRequired),
      Scalar("routes[].filter", K::kString, "",
             "MQTT topic filter this route takes; a `$share/{group}/` prefix is ignored.",
             M2S_ITEM(routes, filter), kRequired),
      Scalar("routes[].pattern", K::kString, "",
             "Names topic levels for templates: `{root}/{format}/{plant}/...`; a level that is "
             "not `{name}` is unnamed.",
             M2S_ITEM(routes, pattern)),
      Scalar("routes[].bucket", K::kTemplate, "topic's first level",
             "Bucket template. Default: the topic's first level lower-cased, characters "
             "outside [a-z0-9.-] replaced by `-`.",
             M2S_ITEM(routes, bucket), kDynamicDefault),
      Scalar("routes[].key", K::kTemplate, route::kDefaultKeyTemplate,
             "Object key template of a batch; must hold `{object_name}`, or `{partition_seq}` "
             "and `{instance}` (see \"Templates\").",
             M2S_ITEM(routes, key)),
      Enum(Scalar("routes[].payload", K::kString, "json",
                  "Payload format; `{json:...}` placeholders need json.",
                  M2S_ITEM(routes, payload)),
           "json|raw"),
      Enum(Scalar("routes[].payload_compression", K::kString, "none",
                  "Compression of every payload of the route: `zlib` (RFC 1950; gzip also "
                  "accepted). The converter inflates a payload only to read its fields "
                  "(`{json:...}`, time_field); objects store it as sent. Needs payload json.",
                  M2S_ITEM(routes, payload_compression)),
           "none|zlib"),
      Scalar("routes[].compressed_level", K::kString, "",
             "A level named in `pattern`, e.g. `compressed`, whose value says per message: `1` = "
             "zlib, `0` = plain (overrides payload_compression). Any other value dead-letters "
             "the message (invalid_payload).",
             M2S_ITEM(routes, compressed_level)),
      Ranged(Scalar("routes[].max_inflated_bytes", K::kSize, "1MiB",
                    "Largest inflated payload; a compressed payload that inflates past it, or is "
                    "corrupt, is dead-lettered (invalid_payload).",
                    M2S_ITEM(routes, max_inflated_bytes)),
             1, kGiB),
      Scalar("routes[].content_type", K::kString, "by payload",
             "Content-Type of uploaded objects; default application/json for json, "
             "application/octet-stream for raw.",
             M2S_ITEM(routes, content_type), kDynamicDefault),
      Scalar("routes[].time_field", K::kString, "",
             "JSON pointer to the message's own timestamp, e.g. `/weldspot/Timestamp`; empty = "
             "event time is the receive time. A missing or unparsable field falls back to the "
             "receive time (counted, not dead-lettered). Needs payload json.",
             M2S_ITEM(routes, time_field)),
      Scalar("routes[].time_format", K::kString, "rfc3339",
             "How time_field is written: `rfc3339`, `unix_ms`, `unix_s`, or a pattern such as "
             "`%Y%m%d %H%M%S` (see \"Event time\").",
             M2S_ITEM(routes, time_format)),
      Scalar("routes[].time_zone", K::kString, "UTC",
             "Offset for time formats without one: `UTC`, `+01:00`, `-0530`.",
             M2S_ITEM(routes, time_zone)),
      Scalar("routes[].earliest_event_time", K::kString, "2000-01-01T00:00:00Z",
             "Earliest plausible event time (RFC 3339, 1970 or later). A time_field value "
             "before it is bad input and out_of_window applies.",
             M2S_ITEM(routes, earliest_event_time)),
      Ranged(Scalar("routes[].max_event_ahead", K::kDuration, "1h",
                    "Latest plausible event time, relative to the receive time; 0 = no bound. "
                    "A time_field value further ahead is bad input and out_of_window applies "
                    "(a payload stamped 99991231 235959 must not name objects until 9999).",
                    M2S_ITEM(routes, max_event_ahead)),
             0, int64_t{100} * 365 * 24 * 3600 * 1000),
      Enum(Scalar("routes[].out_of_window", K::kString, "receive_time",
                  "What an event time outside the window does: `receive_time` keeps the message "
                  "under its receive time (counted in mqtt2s3_event_time_out_of_window_total), "
                  "`dead_letter` dead-letters it (reason event_time_out_of_window).",
                  M2S_ITEM(routes, out_of_window)),
           "receive_time|dead_letter"),
      Scalar("routes[].index_key", K::kTemplate, "{topic}",
             "Index key of each message in the object's index (docs/FORMAT.md), a template of "
             "message-level placeholders, e.g. `{device}/{type}/{version}/"
             "{json:/weldspot/Timestamp}`.",
             M2S_ITEM(routes, index_key)),
      Scalar("routes[].dedupe_id", K::kString, "content",
             "Dedupe id of each message: `content` (64-bit FNV-1a hash of topic and payload), "
             "`user_property:NAME` (an MQTT 5 user property; content hash when absent) or a "
             "template such as `{json:/seq}`.",
             M2S_ITEM(routes, dedupe_id)),
      Scalar("routes[].cluster", K::kBool, "true",
             "Group an object's messages by the first `cluster_components` components of the "
             "index key (arrival order kept inside each group): one device's messages become "
             "one contiguous byte range.",
             M2S_ITEM(routes, cluster)),
      Ranged(Scalar("routes[].cluster_components", K::kInt, "1",
                    "Index-key components ('/'-separated) that form a cluster; 0 = the whole key.",
                    M2S_ITEM(routes, cluster_components)),
             0, 64),
      Enum(Scalar("routes[].format", K::kString, "jsonl",
                  "Object body: `jsonl` (payloads joined by format.separator) or `parquet` (an "
                  "Apache Parquet file with fixed columns event_time, receive_time, topic, "
                  "index_key, dedupe_id, payload, then `columns`; docs/FORMAT.md). Either way "
                  "the index addresses each payload's exact bytes.",
                  M2S_ITEM(routes, format)),
           "jsonl|parquet"),
      List("routes[].columns",
           "Parquet only: typed columns read from each (inflated) payload by JSON pointer. A "
           "value that is absent or does not convert is stored as null and counted in "
           "mqtt2s3_parquet_null_values_total; the message is always stored. Needs payload "
           "json.",
           [](const Config& c, size_t i) { return c.routes[i].columns.size(); },
           [](Config& c, size_t i, size_t n) { c.routes[i].columns.resize(n); }),
      Scalar("routes[].columns[].name", K::kString, "",
             "Column name, `[A-Za-z_][A-Za-z0-9_]*`; not a fixed column's name.",
             M2S_COLUMN(name), kRequired),
      Scalar("routes[].columns[].pointer", K::kString, "",
             "RFC 6901 JSON pointer into the payload, e.g. `/weldspot/Voltage`; `\"\"` = the "
             "whole payload.",
             M2S_COLUMN(pointer), kRequired),
      Enum(Scalar("routes[].columns[].type", K::kString, "string",
                  "`int64` (integers, numbers with an integral value, or a string that is "
                  "wholly one, e.g. `\"42\"`), `double` (numbers, or a string that is wholly "
                  "a finite number, e.g. `\"229.7\"`), `string` (strings; numbers and booleans "
                  "as their JSON text), `bool` (true/false, 0/1, or the strings `\"true\"`, "
                  "`\"false\"`, `\"1\"`, `\"0\"`), `timestamp` (UTC milliseconds: a number "
                  "is Unix ms, a string is parsed with time_format). Anything else is a null, "
                  "counted in mqtt2s3_parquet_null_values_total.",
                  M2S_COLUMN(type)),
           "int64|double|string|bool|timestamp"),
      Scalar("routes[].columns[].time_format", K::kString, "rfc3339",
             "For type timestamp: how a string value is written, as routes[].time_format "
             "(`rfc3339`, `unix_ms`, `unix_s` or a pattern such as `%Y%m%d %H%M%S`), in the "
             "route's time_zone.",
             M2S_COLUMN(time_format)),
      Section("routes[].batch", "Overrides of the batch section for this route."),
      Ranged(Scalar("routes[].batch.max_messages", K::kInt, "batch.max_messages",
                    "Messages per object for this route.", M2S_ROUTE_BATCH(max_messages),
                    kDynamicDefault),
             0, 10000000),
      Ranged(Scalar("routes[].batch.max_bytes", K::kSize, "batch.max_bytes",
                    "Bytes per object for this route.", M2S_ROUTE_BATCH(max_bytes),
                    kDynamicDefault),
             0, 4 * kGiB - 1),
      Ranged(Scalar("routes[].batch.max_age", K::kDuration, "batch.max_age",
                    "Age of the oldest message at which this route's batch is flushed.",
                    M2S_ROUTE_BATCH(max_age), kDynamicDefault),
             0, 24 * kHour),

      Section("batch",
              "Batching: messages of one partition (a route's bucket plus its key rendered "
              "without batch placeholders) are collected into one object until a limit is hit. "
              "Routes may override the first three under `routes[].batch`."),
      Ranged(Scalar("batch.max_messages", K::kInt, "10000",
                    "A batch is flushed when it holds this many messages; 0 = no count limit.",
                    M2S_FIELD(batch.max_messages)),
             0, 10000000),
      Ranged(Scalar("batch.max_bytes", K::kSize, "64MiB",
                    "A batch never holds more than this many bytes (topics + payloads); 0 = no "
                    "byte limit. At least one of max_messages and max_bytes is non-zero.",
                    M2S_FIELD(batch.max_bytes)),
             0, 4 * kGiB - 1),
      Ranged(Scalar("batch.max_age", K::kDuration, "1m",
                    "A batch is flushed this long after its first message arrived, even if no "
                    "further message comes; 0 = no age limit.",
                    M2S_FIELD(batch.max_age)),
             0, 24 * kHour),
      Ranged(Scalar("batch.max_buffered_bytes", K::kSize, "256MiB",
                    "Memory cap over all open batches; past it the largest batch is flushed "
                    "early.",
                    M2S_FIELD(batch.max_buffered_bytes)),
             kMiB, 1024 * kGiB),
      Ranged(Scalar("batch.max_open_batches", K::kInt, "10000",
                    "Open batches at most, over all partitions. Time partitions (a `{first:...}` "
                    "in a directory of the key) open one batch per period of data present, so "
                    "late or replayed data can open many; at the bound the open batch due "
                    "soonest is flushed first (flush reason open_limit).",
                    M2S_FIELD(batch.max_open_batches)),
             1, 10000000),

      Section("flush", "Flushing on request (see \"Flushing\")."),
      Scalar("flush.control_topic", K::kString, "",
             "Topic the converter subscribes to for flush commands, e.g. `mqtt2s3/flush`; "
             "empty = off. Payload: empty or `{}` = all partitions, `{\"bucket\": \"b\"}` = "
             "that bucket's partitions, `{\"partition\": \"<bucket>/<partial key>\"}` = one.",
             M2S_FIELD(flush.control_topic)),
      Scalar("flush.user_property", K::kString, "mqtt2s3-flush",
             "MQTT 5 user property name: a data message carrying it is the last of its batch "
             "(its partition is flushed after it). Empty = off.",
             M2S_FIELD(flush.user_property)),

      Section("upload", "Uploading batches to S3."),
      Ranged(Scalar("upload.concurrency", K::kInt, "8", "Objects uploaded at the same time.",
                    M2S_FIELD(upload.concurrency)),
             1, 256),
      Ranged(Scalar("upload.max_queued", K::kInt, "64",
                    "Flushed batches waiting for an upload slot; when full, intake waits.",
                    M2S_FIELD(upload.max_queued)),
             1, 100000),
      Ranged(Scalar("upload.multipart_threshold", K::kSize, "16MiB",
                    "Objects larger than this are sent as multipart uploads.",
                    M2S_FIELD(upload.multipart_threshold)),
             1, 5 * kGiB),
      Ranged(Scalar("upload.part_size", K::kSize, "8MiB",
                    "Multipart part size (S3: at least 5MiB); raised automatically when an "
                    "object would need more than 10,000 parts.",
                    M2S_FIELD(upload.part_size)),
             5 * kMiB, 5 * kGiB),
      Ranged(Scalar("upload.retry_initial", K::kDuration, "200ms",
                    "First delay before retrying a failed S3 request; doubles per failure "
                    "(with full jitter).",
                    M2S_FIELD(upload.retry_initial)),
             1, kHour),
      Ranged(Scalar("upload.retry_max", K::kDuration, "30s", "Longest delay between retries.",
                    M2S_FIELD(upload.retry_max)),
             1, 24 * kHour),
      Ranged(Scalar("upload.retry_max_attempts", K::kInt, "10",
                    "Attempts of one request (first try included) before the object is parked; "
                    "a parked object is kept (its messages stay unacknowledged) and retried "
                    "every parked_retry_interval, never dropped.",
                    M2S_FIELD(upload.retry_max_attempts)),
             1, 1000),
      Ranged(Scalar("upload.parked_retry_interval", K::kDuration, "30s",
                    "How often a parked upload is tried again.",
                    M2S_FIELD(upload.parked_retry_interval)),
             1, 24 * kHour),

      Section("format", "The object format (docs/FORMAT.md)."),
      // The default is a newline, which a Markdown table cell cannot show as itself.
      Scalar("format.separator", K::kString, "newline (\"\\n\")",
             "Written after every payload in an object body; with single-line JSON payloads the "
             "default makes the body a JSON Lines file. YAML escapes such as \"\\r\\n\" work.",
             M2S_FIELD(format.separator), kDynamicDefault),
      Ranged(Scalar("format.metadata_budget", K::kSize, "2KiB",
                    "Bytes of user metadata per object (names and values, as AWS S3 counts "
                    "them; S3 allows 2 KiB). An index that does not fit goes to a companion "
                    "object stored before the data object. At least 1280: 256 are kept for "
                    "the route and flush-reason fields, and the object format needs 1024.",
                    M2S_FIELD(format.metadata_budget)),
             1280, 8192),
      Scalar("format.index_prefix", K::kString, "_index/",
             "Key prefix of companion index objects, so that listing a data prefix returns data "
             "objects only. Empty keeps them beside their data object.",
             M2S_FIELD(format.index_prefix)),
      Section("service", "Process lifecycle."),
      Ranged(Scalar("service.shutdown_grace", K::kDuration, "30s",
                    "On SIGTERM/SIGINT: how long to flush and upload what was received before "
                    "disconnecting; messages not uploaded by then stay unacknowledged and the "
                    "broker redelivers them.",
                    M2S_FIELD(service.shutdown_grace)),
             0, kHour),

      Section("delivery", "When messages are acknowledged to the broker (docs/WAL.md)."),
      Enum(Scalar("delivery.ack_mode", K::kString, "on-wal",
                  "`on-wal`: a message is acknowledged once appended to the write-ahead log and "
                  "synced per wal.sync; a crash loses nothing (recovery re-uploads under the "
                  "same keys). `on-upload`: acknowledged once its object is in S3; no disk "
                  "needed, but batches are cut to fit the broker's in-flight window "
                  "(broker.receive_maximum). `on-receive`: acknowledged at once; fastest, and "
                  "what is buffered is lost if the process dies.",
                  M2S_FIELD(delivery.ack_mode)),
           "on-wal|on-upload|on-receive"),
      Scalar("delivery.confirm_topic", K::kString, "\"\" (none)",
             "After every stored object, publish (QoS 1) on this topic which messages it holds "
             "(dedupe ids), for `mqtt2s3 backup`. Empty: publish nothing.",
             M2S_FIELD(delivery.confirm_topic), kDynamicDefault),

      Section("wal", "The write-ahead log (delivery.ack_mode on-wal; docs/WAL.md)."),
      Scalar("wal.dir", K::kString, "mqtt2s3-wal",
             "Directory of the log's segment files, one per instance (created if missing; "
             "relative paths are relative to the working directory).",
             M2S_FIELD(wal.dir)),
      Ranged(Scalar("wal.segment_size", K::kSize, "64MiB",
                    "A new segment file starts at this size; a segment is deleted once every "
                    "message in it is in S3.",
                    M2S_FIELD(wal.segment_size)),
             4096, 4 * kGiB),
      Ranged(Scalar("wal.disk_budget", K::kSize, "1GiB",
                    "All segments together; at least two segments. When full, the converter "
                    "stops acknowledging (the broker holds further messages) until uploads "
                    "free space. Never drops.",
                    M2S_FIELD(wal.disk_budget)),
             8192, int64_t{1} << 50),
      Enum(Scalar("wal.sync", K::kString, "every-ms",
                  "When appended messages are fsync'ed before their acks go out: `always` "
                  "(every message), `every-messages` (every sync_every_messages, or after "
                  "sync_interval), `every-ms` (every sync_interval: group commit), `never` "
                  "(the OS writes back: survives a process crash, not a power loss).",
                  M2S_FIELD(wal.sync)),
           "always|every-messages|every-ms|never"),
      Ranged(Scalar("wal.sync_every_messages", K::kInt, "256",
                    "Messages per fsync with sync every-messages.",
                    M2S_FIELD(wal.sync_every_messages)),
             1, 1000000),
      Ranged(Scalar("wal.sync_interval", K::kDuration, "5ms",
                    "Longest time between an append and its fsync (every-ms, every-messages).",
                    M2S_FIELD(wal.sync_interval)),
             1, 60 * kSec),

      Section("backup",
              "The backup consumer, `mqtt2s3 backup` (docs/DELIVERY.md): its own session sees "
              "every message, keeps it on disk, and uploads what the converter does not confirm "
              "on delivery.confirm_topic within confirm_timeout."),
      Scalar("backup.dir", K::kString, "mqtt2s3-backup",
             "Directory of the backup consumer's own write-ahead log (created if missing).",
             M2S_FIELD(backup.dir)),
      Scalar("backup.client_id", K::kString, "{broker.client_id}-backup",
             "MQTT client id of the backup consumer's persistent session (not shared with the "
             "converter: it receives every message).",
             M2S_FIELD(backup.client_id), kDynamicDefault),
      Ranged(Scalar("backup.confirm_timeout", K::kDuration, "5m",
                    "A kept message whose confirmation has not arrived this long after it was "
                    "received is uploaded by the backup consumer.",
                    M2S_FIELD(backup.confirm_timeout)),
             100, 24 * kHour),
      Scalar("backup.key_prefix", K::kString, "backup/",
             "Prefixed to the key the route renders for the backup consumer's objects (its "
             "instance in the object name is `{instance_id}-backup`).",
             M2S_FIELD(backup.key_prefix)),
      Enum(Scalar("backup.sync", K::kString, "every-ms",
                  "When the backup consumer fsyncs its log before acknowledging, as wal.sync "
                  "(its interval is wal.sync_interval).",
                  M2S_FIELD(backup.sync)),
           "always|every-messages|every-ms|never"),

      Section("dead_letter", "Where messages go that no route can place."),
      Scalar("dead_letter.bucket", K::kString, "mqtt2s3-dead-letter", "Dead-letter bucket.",
             M2S_FIELD(dead_letter.bucket)),
      Scalar("dead_letter.prefix", K::kString, "dead-letter/",
             "Key prefix; keys are `{prefix}{reason}/{YYYY}/{MM}/{DD}/{instance}-{seq}`.",
             M2S_FIELD(dead_letter.prefix)),

      Section("logging", "Log output."),
      Enum(Scalar("logging.level", K::kString, "info", "Least severe level logged.",
                  M2S_FIELD(logging.level)),
           "trace|debug|info|warn|error"),
      Enum(Scalar("logging.format", K::kString, "text", "`text` for people, `json` for machines.",
                  M2S_FIELD(logging.format)),
           "text|json"),
      Scalar("logging.file", K::kPath, "",
             "Append log lines to this file instead of stderr; SIGHUP reopens it (after "
             "logrotate renamed it). Empty: stderr.",
             M2S_FIELD(logging.file)),

      Section("metrics", "Observability endpoints (docs/OPERATIONS.md)."),
      Scalar("metrics.listen", K::kString, "127.0.0.1:9464",
             "`host:port` (numeric address) serving `/metrics` (Prometheus), `/healthz` and "
             "`/readyz` over HTTP; empty: off. Keep it on loopback unless a firewall guards it.",
             M2S_FIELD(metrics.listen)),
  };
}

}  // namespace

std::span<const ConfigKey> ConfigTable() {
  static const std::vector<ConfigKey> table = BuildTable();
  return table;
}

const ConfigKey* FindConfigKey(std::string_view path) {
  for (const ConfigKey& k : ConfigTable()) {
    if (k.path == path) return &k;
  }
  return nullptr;
}

std::string_view ParentPath(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : path.substr(0, dot);
}

std::string_view LeafName(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

std::string SuggestKey(std::string_view parent, std::string_view name) {
  std::string_view best;
  size_t best_distance = 3;
  for (const ConfigKey& k : ConfigTable()) {
    if (ParentPath(k.path) != parent || k.kind == ValueKind::kForbidden) continue;
    size_t d = EditDistance(name, LeafName(k.path));
    if (d < best_distance && d < name.size()) best = LeafName(k.path), best_distance = d;
  }
  if (!best.empty()) return "; did you mean '" + std::string(best) + "'?";
  for (const ConfigKey& k : ConfigTable()) {
    if (LeafName(k.path) == name && k.kind != ValueKind::kForbidden) {
      return "; '" + std::string(name) + "' belongs in '" + std::string(k.path) + "'";
    }
  }
  return {};
}

std::string_view ValueKindName(ValueKind kind) {
  switch (kind) {
    case K::kSection: return "section";
    case K::kList: return "list";
    case K::kString: return "string";
    case K::kTemplate: return "template";
    case K::kPath: return "path";
    case K::kEnvName: return "env var name";
    case K::kBool: return "bool";
    case K::kInt: return "integer";
    case K::kDuration: return "duration";
    case K::kSize: return "size";
    case K::kEnum: return "enum";
    case K::kForbidden: return "forbidden";
  }
  return "?";
}

std::string FormatValue(const ConfigKey& key, const ConfigValue& v) {
  switch (key.kind) {
    case K::kBool: return v.b ? "true" : "false";
    case K::kInt: return std::to_string(v.i);
    case K::kDuration: return FormatDuration(milliseconds(v.i));
    case K::kSize: return FormatSize(static_cast<uint64_t>(v.i));
    default: return v.s;
  }
}

std::string DescribeExpected(const ConfigKey& key) {
  const bool ranged = key.min < key.max;
  switch (key.kind) {
    case K::kInt:
      return ranged ? "an integer " + std::to_string(key.min) + ".." + std::to_string(key.max)
                    : "an integer";
    case K::kDuration:
      return ranged ? "a duration " + FormatDuration(milliseconds(key.min)) + ".." +
                          FormatDuration(milliseconds(key.max)) + " (e.g. 500ms, 30s, 5m, 1h)"
                    : "a duration (e.g. 500ms, 30s, 5m, 1h)";
    case K::kSize:
      return ranged ? "a size " + FormatSize(static_cast<uint64_t>(key.min)) + ".." +
                          FormatSize(static_cast<uint64_t>(key.max)) + " (e.g. 64KiB, 8MiB, 1GB)"
                    : "a size (e.g. 64KiB, 8MiB, 1GB)";
    case K::kBool: return "true or false";
    case K::kEnum: return "one of " + std::string(key.choices);
    case K::kSection: return "a map of keys";
    case K::kList: return "a list of maps";
    case K::kEnvName: return "an environment variable name";
    case K::kPath: return "a file path";
    default: return "a string";
  }
}

}  // namespace mqtt2s3::config
