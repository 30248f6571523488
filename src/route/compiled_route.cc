#include "route/compiled_route.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "format/format_options.h"

namespace mqtt2s3::route {
namespace {

// "{root}/{format}/x/{plant}" -> {"root", "format", "", "plant"}; "" marks an unnamed level.
Status ParsePattern(std::string_view pattern, std::vector<std::string>* names) {
  if (pattern.empty()) return Status::Ok();
  size_t start = 0;
  while (true) {
    size_t slash = pattern.find('/', start);
    std::string_view level =
        pattern.substr(start, slash == std::string_view::npos ? pattern.npos : slash - start);
    std::string name;
    if (!level.empty() && level.front() == '{') {
      if (level.back() != '}' || level.size() < 3) {
        return Status::InvalidArgument("pattern '" + std::string(pattern) + "' level " +
                                       std::to_string(names->size()) + ": expected '{name}'");
      }
      name = std::string(level.substr(1, level.size() - 2));
      bool ident = true;
      for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        ident = ident && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                          (i > 0 && c >= '0' && c <= '9'));
      }
      auto fail = [&](std::string_view why) {
        return Status::InvalidArgument("pattern '" + std::string(pattern) + "' level " +
                                       std::to_string(names->size()) + " '{" + name +
                                       "}': " + std::string(why));
      };
      if (!ident) return fail("a name is [A-Za-z_][A-Za-z0-9_]*");
      if (IsReservedTemplateName(name)) return fail("reserved placeholder name");
      if (std::find(names->begin(), names->end(), name) != names->end()) {
        return fail("name used twice");
      }
    }
    names->push_back(std::move(name));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

Status ValidatePointer(std::string_view ptr, bool allow_empty) {
  if (ptr.empty() && allow_empty) return Status::Ok();
  if (ptr.empty() || ptr.front() != '/') {
    return Status::InvalidArgument("expected a JSON pointer such as /weldspot/Timestamp");
  }
  for (size_t i = 0; i < ptr.size(); ++i) {
    if (ptr[i] == '~' && (i + 1 >= ptr.size() || (ptr[i + 1] != '0' && ptr[i + 1] != '1'))) {
      return Status::InvalidArgument("'~' in a JSON pointer must be '~0' or '~1'");
    }
  }
  return Status::Ok();
}

bool IsColumnName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// routes[].format and routes[].columns. On error *field names the offending key.
Status ValidateColumns(const RouteOptions& options, std::string* field) {
  if (options.columns.empty()) return Status::Ok();
  *field = "columns";
  if (options.format != format::BodyFormat::kParquet) {
    return Status::InvalidArgument("typed columns need the route's format to be parquet");
  }
  if (options.payload != PayloadFormat::kJson) {
    return Status::InvalidArgument("typed columns need the route's payload to be json");
  }
  std::set<std::string_view> names(std::begin(format::kParquetFixedColumns),
                                   std::end(format::kParquetFixedColumns));
  for (size_t i = 0; i < options.columns.size(); ++i) {
    const ColumnOptions& c = options.columns[i];
    const std::string at = "columns[" + std::to_string(i) + "].";
    *field = at + "name";
    if (!IsColumnName(c.name)) {
      return Status::InvalidArgument("column name '" + c.name.substr(0, 80) +
                                     "' must match [A-Za-z_][A-Za-z0-9_]* (at most 64 bytes)");
    }
    if (!names.insert(c.name).second) {
      const bool fixed = std::find(std::begin(format::kParquetFixedColumns),
                                   std::end(format::kParquetFixedColumns),
                                   c.name) != std::end(format::kParquetFixedColumns);
      return Status::InvalidArgument(
          fixed ? "column name '" + c.name + "' is a fixed column of every Parquet object"
                : "column name '" + c.name + "' is used by an earlier column");
    }
    *field = at + "pointer";
    M2S_RETURN_IF_ERROR(ValidatePointer(c.pointer, /*allow_empty=*/true));
    if (c.type == format::ColumnType::kTimestamp) {
      *field = at + "time_format";
      M2S_RETURN_IF_ERROR(EventTimeParser::Create(c.time_format, options.time_zone).status());
    }
  }
  if (options.columns.size() > kMaxRouteColumns) {
    *field = "columns";
    return Status::InvalidArgument("at most " + std::to_string(kMaxRouteColumns) + " columns");
  }
  field->clear();
  return Status::Ok();
}

}  // namespace

StatusOr<CompiledRoute> CompiledRoute::Compile(const RouteOptions& options,
                                               std::string* bad_field) {
  auto fail = [&](const char* field, const Status& s) {
    if (bad_field) *bad_field = field;
    return Status::InvalidArgument(std::string(field) + ": " + s.message());
  };
  if (options.name.empty()) return fail("name", Status::InvalidArgument("route needs a name"));
  if (Status s = ValidateTopicFilter(options.filter); !s.ok()) return fail("filter", s);
  TemplateVocabulary vocab;
  if (Status s = ParsePattern(options.pattern, &vocab.level_names); !s.ok()) {
    return fail("pattern", s);
  }
  vocab.allow_json = options.payload == PayloadFormat::kJson;
  std::optional<KeyTemplate> bucket;
  if (!options.bucket.empty()) {
    vocab.target = TemplateTarget::kBucket;
    auto b = KeyTemplate::Parse(options.bucket, vocab);
    if (!b.ok()) return fail("bucket", b.status());
    bucket = std::move(*b);
  }
  vocab.target = TemplateTarget::kKey;
  vocab.batching = true;
  auto k = KeyTemplate::Parse(options.key, vocab);
  if (!k.ok()) return fail("key", k.status());
  // Two batches of one partition must never share a key (the second would overwrite the
  // first), nor two instances' batches: the name or the sequence number plus the instance.
  if (!k->Has(SegmentKind::kObjectName) &&
      !(k->Has(SegmentKind::kPartitionSeq) && k->Has(SegmentKind::kInstance))) {
    return fail("key", Status::InvalidArgument(
                           "route '" + options.name + "': template '" + options.key +
                           "' does not make keys unique per batch; add {object_name} "
                           "(recommended, as the last path component) or both "
                           "{partition_seq} and {instance}"));
  }
  std::optional<EventTimeParser> event_time;
  if (!options.time_field.empty()) {
    if (options.payload != PayloadFormat::kJson) {
      return fail("time_field", Status::InvalidArgument("needs the route's payload to be json"));
    }
    if (Status s = ValidatePointer(options.time_field, false); !s.ok()) {
      return fail("time_field", s);
    }
  }
  if (Status s = ParseUtcOffset(options.time_zone).status(); !s.ok()) return fail("time_zone", s);
  auto parser = EventTimeParser::Create(options.time_format, options.time_zone);
  if (!parser.ok()) return fail("time_format", parser.status());
  if (!options.time_field.empty()) event_time = std::move(*parser);
  // The window is checked whether or not time_field is set (a later config may add one).
  int64_t earliest_ms = 0;
  auto rfc3339 = EventTimeParser::Create("rfc3339", "UTC");
  if (!rfc3339.ok() || !rfc3339->Parse(options.earliest_event_time, &earliest_ms) ||
      earliest_ms < 0) {
    return fail("earliest_event_time",
                Status::InvalidArgument("'" + options.earliest_event_time +
                                        "' is not an RFC 3339 time at or after "
                                        "1970-01-01T00:00:00Z"));
  }
  if (options.max_event_ahead.count() < 0) {
    return fail("max_event_ahead", Status::InvalidArgument("must not be negative"));
  }
  // Index key and dedupe id: message-level templates (no batch placeholders).
  vocab.batching = false;
  auto index_key = KeyTemplate::Parse(options.index_key, vocab);
  if (!index_key.ok()) return fail("index_key", index_key.status());
  std::optional<KeyTemplate> dedupe;
  std::string dedupe_property;
  constexpr std::string_view kUserProperty = "user_property:";
  if (options.dedupe_id.rfind(kUserProperty, 0) == 0) {
    dedupe_property = options.dedupe_id.substr(kUserProperty.size());
    if (dedupe_property.empty()) {
      return fail("dedupe_id", Status::InvalidArgument("user_property: needs a property name"));
    }
  } else if (options.dedupe_id != "content") {
    auto d = KeyTemplate::Parse(options.dedupe_id, vocab);
    if (!d.ok()) {
      return fail("dedupe_id",
                  Status::InvalidArgument("expected content, user_property:NAME or a template: " +
                                          d.status().message()));
    }
    dedupe = std::move(*d);
  }
  int compressed_level_index = -1;
  const bool compression = options.payload_compression != PayloadCompression::kNone ||
                           !options.compressed_level.empty();
  if (compression && options.payload != PayloadFormat::kJson) {
    return fail(options.compressed_level.empty() ? "payload_compression" : "compressed_level",
                Status::InvalidArgument("needs the route's payload to be json (only JSON "
                                        "payloads are read, so only they are inflated)"));
  }
  if (!options.compressed_level.empty()) {
    const auto& names = vocab.level_names;
    auto it = std::find(names.begin(), names.end(), options.compressed_level);
    if (it == names.end()) {
      return fail("compressed_level",
                  Status::InvalidArgument("'" + options.compressed_level +
                                          "' is not a level named in the route's pattern '" +
                                          options.pattern + "'"));
    }
    compressed_level_index = static_cast<int>(it - names.begin());
  }
  if (options.max_inflated_bytes < 1 || options.max_inflated_bytes > (1ull << 30)) {
    return fail("max_inflated_bytes", Status::InvalidArgument("must be in 1..1GiB"));
  }
  std::string column_field;
  if (Status s = ValidateColumns(options, &column_field); !s.ok()) {
    if (bad_field) *bad_field = column_field;
    return Status::InvalidArgument(column_field + ": " + s.message());
  }
  CompiledRoute route(options, TopicFilter(options.filter), std::move(bucket), std::move(*k),
                      std::move(event_time), std::move(*index_key), std::move(dedupe),
                      std::move(dedupe_property), compressed_level_index);
  route.earliest_event_ms_ = earliest_ms;
  return route;
}

bool CompiledRoute::uses_json() const {
  return key_.uses_json() || (bucket_.has_value() && bucket_->uses_json()) ||
         event_time_.has_value() || index_key_->uses_json() ||
         (dedupe_.has_value() && dedupe_->uses_json());
}

bool CompiledRoute::uses_receive_time() const {
  return key_.uses_receive_time() || (bucket_.has_value() && bucket_->uses_receive_time()) ||
         index_key_->uses_receive_time() || (dedupe_.has_value() && dedupe_->uses_receive_time());
}

}  // namespace mqtt2s3::route
