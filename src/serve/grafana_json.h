// The JSON of Grafana's JSON data sources (SimpleJSON "grafana-simple-json-datasource" and
// its successor "simpod-json-datasource"): request bodies in, response bodies out. No I/O and
// no query logic (serve/query_engine.h) here, so every shape is unit-tested from recorded
// requests (serve/grafana_json_test.cc).
//
//   auto q = ParseQueryRequest(R"({"range": {"from": "2018-10-01T17:00:00.000Z", ...},
//                                  "maxDataPoints": 500, "targets": [{"target": "..."}]})");
//   std::string body = RenderTimeSeries(series);  // [{"target": "...", "datapoints": [[v, ms]]}]
//
// docs/DASHBOARD.md lists the endpoints and shapes. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "serve/downsample.h"

namespace mqtt2s3::serve {

// Bodies larger than this are refused before parsing (the HTTP layer enforces it too).
inline constexpr size_t kMaxRequestBodyBytes = 1 << 20;
// At most this many targets in one /query.
inline constexpr size_t kMaxTargets = 100;

struct QueryTargetSpec {
  std::string target;  // "plant/1/device/X/Voltage", or a metric name with a payload
  std::string ref_id;  // Grafana's "refId" (A, B, ...)
  // String members of the target's "payload" object (structured form: plant, device,
  // field). Non-string members are ignored.
  std::map<std::string, std::string, std::less<>> payload;
  bool hide = false;  // Grafana sets "hide": true for disabled queries; skip them
};

struct QueryRequest {
  int64_t from_ms = 0;         // range.from (ISO 8601 UTC, as Grafana sends)
  int64_t to_ms = 0;           // range.to; the range is [from, to] inclusive, as Grafana means it
  int64_t interval_ms = 0;     // "intervalMs", 0 when absent
  size_t max_data_points = 0;  // "maxDataPoints", 0 when absent
  std::vector<QueryTargetSpec> targets;
};

// /search ({"target": "..."}), /variable ({"payload": {"target": "..."}}), /metrics and
// /metric-payload-options ({"metric": "...", "payload": {...}, "name": "..."}): the
// members this server uses. An empty body is an empty request.
struct LookupRequest {
  std::string target;
  std::string metric;
  std::string name;
  std::map<std::string, std::string, std::less<>> payload;
  bool has_range = false;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// InvalidArgument naming the member and what was expected.
StatusOr<QueryRequest> ParseQueryRequest(std::string_view body);
StatusOr<LookupRequest> ParseLookupRequest(std::string_view body);
// Grafana's ISO 8601 UTC time ("2018-10-01T17:00:00.000Z"), also without milliseconds, or
// Unix milliseconds as a string. Offsets other than Z are refused (Grafana always sends Z).
StatusOr<int64_t> ParseGrafanaTime(std::string_view text);

struct TimeSeries {
  std::string target;
  std::vector<Point> points;
};

// [{"target": t, "datapoints": [[value, epoch_ms], ...]}, ...]
std::string RenderTimeSeries(const std::vector<TimeSeries>& series);
// ["a", "b"]
std::string RenderStrings(const std::vector<std::string>& values);
// [{"label": l, "value": v}, ...] (/metric-payload-options), or with `text_key`/`value_key`
// renamed (e.g. "__text"/"__value" for /variable, "text"/"value" for /search maps).
std::string RenderOptions(const std::vector<std::pair<std::string, std::string>>& options,
                          std::string_view text_key = "label",
                          std::string_view value_key = "value");
// {"error": message, "code": "InvalidArgument"}
std::string RenderError(const Status& status);

// Appends `s` as a JSON string literal (quotes included; control bytes and invalid UTF-8
// escaped or replaced, so the output is always valid JSON).
void AppendJsonString(std::string_view s, std::string* out);
// Shortest round-trip decimal for a finite double ("230", "10.5").
void AppendJsonNumber(double v, std::string* out);

}  // namespace mqtt2s3::serve
