#include "route/route_options.h"

#include <set>

#include "route/compiled_route.h"

namespace mqtt2s3::route {

std::string_view RouteOptions::EffectiveContentType() const {
  if (!content_type.empty()) return content_type;
  if (format == format::BodyFormat::kParquet) return "application/vnd.apache.parquet";
  return payload == PayloadFormat::kJson ? "application/json" : "application/octet-stream";
}

std::string_view PayloadFormatName(PayloadFormat f) {
  return f == PayloadFormat::kJson ? "json" : "raw";
}

std::string_view OutOfWindowName(OutOfWindow p) {
  return p == OutOfWindow::kDeadLetter ? "dead_letter" : "receive_time";
}

std::string_view PayloadCompressionName(PayloadCompression c) {
  return c == PayloadCompression::kZlib ? "zlib" : "none";
}

std::string_view ObjectExtension(PayloadFormat f) {
  return f == PayloadFormat::kJson ? "jsonl" : "bin";
}

std::string_view ObjectExtension(const RouteOptions& route) {
  return route.format == format::BodyFormat::kParquet ? "parquet" : ObjectExtension(route.payload);
}

bool PayloadStoredAsJson(const RouteOptions& route) {
  return route.payload == PayloadFormat::kJson &&
         route.payload_compression == PayloadCompression::kNone && route.compressed_level.empty();
}

Status ValidateInstanceId(std::string_view id) {
  if (id.empty() || id.size() > 64) {
    return Status::InvalidArgument("instance id must be 1..64 bytes");
  }
  if (id == "." || id == "..") return Status::InvalidArgument("instance id must not be '.' or '..'");
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("instance id '" + std::string(id) +
                                     "' may contain only [A-Za-z0-9._-]");
    }
  }
  return Status::Ok();
}

Status RouterOptions::Validate() const {
  M2S_RETURN_IF_ERROR(ValidateInstanceId(instance_id));
  if (max_value_bytes < 1 || max_value_bytes > max_key_bytes) {
    return Status::InvalidArgument("max_value_bytes must be in 1..max_key_bytes");
  }
  if (max_key_bytes < 1 || max_key_bytes > 1024) {
    return Status::InvalidArgument("max_key_bytes must be in 1..1024 (the S3 limit)");
  }
  std::set<std::string_view> names;
  for (size_t i = 0; i < routes.size(); ++i) {
    auto c = CompiledRoute::Compile(routes[i]);
    if (!c.ok()) return c.status().WithContext("route " + std::to_string(i));
    if (!names.insert(routes[i].name).second) {
      return Status::InvalidArgument("route " + std::to_string(i) + ": name '" + routes[i].name +
                                     "' is used by an earlier route");
    }
  }
  return Status::Ok();
}

}  // namespace mqtt2s3::route
