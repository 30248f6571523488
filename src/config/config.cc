#include "config/config.h"

#include <set>

#include "route/compiled_route.h"
#include "route/key_sanitizer.h"
#include "route/router.h"
#include "route/topic_filter.h"

namespace mqtt2s3::config {
namespace {

// Re-roots a component's "key 'x': ..." error under `prefix` ("routes[2]." + "key").
Status Prefixed(const Status& s, std::string_view prefix) {
  if (s.ok()) return s;
  constexpr std::string_view kHead = "key '";
  if (s.message().rfind(kHead, 0) == 0) {
    return Status(s.code(), std::string(kHead) + std::string(prefix) +
                                s.message().substr(kHead.size()));
  }
  return s;
}

std::string Indexed(std::string_view list, size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "].";
}

}  // namespace

Status KeyError(std::string_view path, std::string_view message) {
  std::string m = "key '";
  m.append(path).append("': ").append(message);
  return Status::InvalidArgument(std::move(m));
}

std::string_view MqttProtocolName(MqttProtocol p) { return p == MqttProtocol::kV5 ? "5" : "3.1.1"; }
std::string_view S3AddressingName(S3Addressing a) {
  return a == S3Addressing::kPath ? "path" : "virtual";
}
std::string_view LogLevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}
std::string_view LogFormatName(LogFormat f) { return f == LogFormat::kText ? "text" : "json"; }

Status TlsOptions::Validate() const {
  if (cert_file.empty() != key_file.empty()) {
    return KeyError(cert_file.empty() ? "cert_file" : "key_file",
                    "a client certificate needs both cert_file and key_file");
  }
  return Status::Ok();
}

Status BrokerOptions::Validate() const {
  if (host.empty()) return KeyError("host", "must not be empty");
  for (size_t i = 0; i < failover.size(); ++i) {
    if (failover[i].host.empty()) {
      return KeyError(Indexed("failover", i) + "host", "must not be empty");
    }
  }
  if (client_id.size() > 65535) return KeyError("client_id", "longer than 65535 bytes");
  if (keepalive > std::chrono::seconds(65535)) return KeyError("keepalive", "must be at most 65535s (MQTT limit)");
  if (reconnect_min > reconnect_max) {
    return KeyError("reconnect_min", "must not be greater than broker.reconnect_max");
  }
  if (!password_env.empty() && !password_file.empty()) {
    return KeyError("password_file", "set only one of password_env and password_file");
  }
  return Prefixed(tls.Validate(), "tls.");
}

Status SubscriptionOptions::Validate() const {
  if (Status s = route::ValidateTopicFilter(filter); !s.ok()) return KeyError("filter", s.message());
  return Status::Ok();
}

Status S3Options::Validate() const {
  if (endpoint.rfind("http://", 0) != 0 && endpoint.rfind("https://", 0) != 0) {
    return KeyError("endpoint", "expected an http:// or https:// URL, got \"" + endpoint + "\"");
  }
  if (region.empty()) return KeyError("region", "must not be empty");
  return Status::Ok();
}

Status DeadLetterOptions::Validate() const {
  if (std::string_view p = route::BucketNameProblem(bucket); !p.empty()) {
    return KeyError("bucket", "'" + bucket + "' is not a valid bucket name: " + std::string(p));
  }
  if (!prefix.empty() && (prefix.front() == '/' || prefix.back() != '/' ||
                          prefix.find("//") != std::string::npos ||
                          prefix.find("/../") != std::string::npos ||
                          prefix.rfind("../", 0) == 0 || prefix.size() > 256)) {
    return KeyError("prefix", "expected a key prefix like \"dead-letter/\": no leading '/', "
                              "ends with '/', no '//' or '..', at most 256 bytes");
  }
  return Status::Ok();
}

Status FormatSection::Validate() const {
  if (separator.size() > 16) return KeyError("separator", "at most 16 bytes");
  if (!index_prefix.empty() &&
      (index_prefix.front() == '/' || index_prefix.back() != '/' ||
       index_prefix.find("//") != std::string::npos || index_prefix.find("..") != std::string::npos ||
       index_prefix.size() > 64)) {
    return KeyError("index_prefix", "expected a key prefix like \"_index/\": no leading '/', "
                                    "ends with '/', no '//' or '..', at most 64 bytes");
  }
  return Status::Ok();
}

Status BatchOptions::Validate() const {
  batch::FlushPolicy p;
  p.max_messages = static_cast<size_t>(max_messages);
  p.max_bytes = static_cast<size_t>(max_bytes);
  p.max_age = max_age;
  if (max_messages == 0 && max_bytes == 0) {
    return KeyError("max_messages", "at least one of batch.max_messages and batch.max_bytes "
                                    "must be non-zero (age alone would let a batch grow "
                                    "without bound)");
  }
  if (max_bytes > max_buffered_bytes) {
    return KeyError("max_bytes", "must not exceed batch.max_buffered_bytes (" +
                                     std::to_string(max_buffered_bytes) + " bytes)");
  }
  if (Status s = p.Validate(); !s.ok()) return KeyError("max_bytes", s.message());
  return Status::Ok();
}

Status FlushOptions::Validate() const {
  if (!control_topic.empty()) {
    if (control_topic.find_first_of("+#") != std::string::npos) {
      return KeyError("control_topic", "must be a topic name, without '+' or '#'");
    }
    if (control_topic.front() == '$') {
      return KeyError("control_topic", "must not start with '$' (no $share or $SYS topics)");
    }
    if (control_topic.size() > 65535 || control_topic.find('\0') != std::string::npos ||
        !route::IsValidUtf8(control_topic)) {
      return KeyError("control_topic", "must be valid UTF-8 without NUL, at most 65535 bytes");
    }
  }
  if (user_property.size() > 256 || !route::IsValidUtf8(user_property) ||
      user_property.find('\0') != std::string::npos) {
    return KeyError("user_property", "must be valid UTF-8 without NUL, at most 256 bytes");
  }
  return Status::Ok();
}

Status UploadOptions::Validate() const {
  if (retry_initial > retry_max) {
    return KeyError("retry_initial", "must not be greater than upload.retry_max");
  }
  return Status::Ok();
}

batch::FlushPolicy Config::FlushPolicyFor(size_t route_index) const {
  batch::FlushPolicy p;
  p.max_messages = static_cast<size_t>(batch.max_messages);
  p.max_bytes = static_cast<size_t>(batch.max_bytes);
  p.max_age = batch.max_age;
  if (route_index < route_batch.size()) {
    const RouteBatchOverrides& o = route_batch[route_index];
    if (o.max_messages) p.max_messages = static_cast<size_t>(*o.max_messages);
    if (o.max_bytes) p.max_bytes = static_cast<size_t>(*o.max_bytes);
    if (o.max_age) p.max_age = *o.max_age;
  }
  return p;
}

batch::BatcherOptions Config::MakeBatcherOptions() const {
  batch::BatcherOptions o;
  o.max_buffered_bytes = static_cast<size_t>(batch.max_buffered_bytes);
  o.max_open_batches = static_cast<size_t>(batch.max_open_batches);
  o.default_policy = FlushPolicyFor(SIZE_MAX);
  return o;
}

route::RouterOptions Config::MakeRouterOptions() const {
  route::RouterOptions o;
  o.routes = routes;
  o.instance_id = instance_id;
  return o;
}

Status Config::Validate() const {
  if (Status s = route::ValidateInstanceId(instance_id); !s.ok()) {
    return KeyError("instance_id", s.message());
  }
  M2S_RETURN_IF_ERROR(Prefixed(broker.Validate(), "broker."));
  if (subscriptions.empty()) return KeyError("subscriptions", "at least one subscription is required");
  for (size_t i = 0; i < subscriptions.size(); ++i) {
    M2S_RETURN_IF_ERROR(Prefixed(subscriptions[i].Validate(), Indexed("subscriptions", i)));
  }
  M2S_RETURN_IF_ERROR(Prefixed(s3.Validate(), "s3."));
  if (delivery.ack_mode == "on-wal") {
    if (wal.dir.empty()) return KeyError("wal.dir", "must be set with delivery.ack_mode on-wal");
    if (wal.disk_budget / 2 < wal.segment_size) {
      return KeyError("wal.disk_budget", "must hold at least two segments (2 x wal.segment_size = " +
                                             std::to_string(2 * wal.segment_size) + " bytes)");
    }
  }
  if (routes.empty()) return KeyError("routes", "at least one route is required");
  std::set<std::string_view> names;
  for (size_t i = 0; i < routes.size(); ++i) {
    std::string field;
    auto compiled = route::CompiledRoute::Compile(routes[i], &field);
    if (!compiled.ok()) {
      // The route module prefixes its message with the field name; keep only the reason.
      std::string msg = compiled.status().message();
      if (msg.rfind(field + ": ", 0) == 0) msg.erase(0, field.size() + 2);
      return KeyError(Indexed("routes", i) + field, msg);
    }
    if (!names.insert(routes[i].name).second) {
      return KeyError(Indexed("routes", i) + "name",
                      "route name '" + routes[i].name + "' is used by an earlier route");
    }
    // Only what the route overrides is checked here; the rest is batch.*'s, checked below.
    const RouteBatchOverrides none;
    const RouteBatchOverrides& o = i < route_batch.size() ? route_batch[i] : none;
    const batch::FlushPolicy p = FlushPolicyFor(i);
    if ((o.max_messages || o.max_bytes) && p.max_messages == 0 && p.max_bytes == 0) {
      return KeyError(Indexed("routes", i) + "batch.max_messages",
                      "at least one of max_messages and max_bytes must be non-zero for route '" +
                          routes[i].name + "'");
    }
    if (o.max_bytes && p.max_bytes > batch.max_buffered_bytes) {
      return KeyError(Indexed("routes", i) + "batch.max_bytes",
                      "must not exceed batch.max_buffered_bytes");
    }
  }
  // What only the whole router knows (room for batch values next to this instance id).
  if (auto router = route::Router::Create(MakeRouterOptions()); !router.ok()) {
    return KeyError("routes", router.status().message());
  }
  // Checked once the routes are, so a route error is reported first.
  M2S_RETURN_IF_ERROR(Prefixed(batch.Validate(), "batch."));
  M2S_RETURN_IF_ERROR(Prefixed(flush.Validate(), "flush."));
  M2S_RETURN_IF_ERROR(Prefixed(upload.Validate(), "upload."));
  M2S_RETURN_IF_ERROR(Prefixed(dead_letter.Validate(), "dead_letter."));
  M2S_RETURN_IF_ERROR(Prefixed(format.Validate(), "format."));
  return Status::Ok();
}

}  // namespace mqtt2s3::config
